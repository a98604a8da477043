"""What APScheduler calls, by textual reference ("antifraud.scheduler.jobs:warning_render").

Each is a two-line wrapper: the daemon sets CONTEXT once; run_job does the rest.
"""

from __future__ import annotations

from .runner import run_job

CONTEXT = None  # set by daemon.run before the scheduler starts


def warning_render():
    run_job(CONTEXT, "warning_render")


def warning_publish():
    run_job(CONTEXT, "warning_publish")


def rota_plan():
    run_job(CONTEXT, "rota_plan")


def reminders():
    run_job(CONTEXT, "reminders")


def outbox():
    run_job(CONTEXT, "outbox")


def backup():
    run_job(CONTEXT, "backup")
