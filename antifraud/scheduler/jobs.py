"""What APScheduler calls, by textual reference ("antifraud.scheduler.jobs:warning_render").

Each is a two-line wrapper: the daemon sets CONTEXT once; run_duty opens the books.
"""

from __future__ import annotations

from .runner import run_duty

CONTEXT = None  # set by daemon.run before the scheduler starts


def warning_render():
    run_duty(CONTEXT, "warning_render")


def warning_publish():
    run_duty(CONTEXT, "warning_publish")


def rota_plan():
    run_duty(CONTEXT, "rota_plan")


def reminders():
    run_duty(CONTEXT, "reminders")


def outbox():
    run_duty(CONTEXT, "outbox")


def backup():
    run_duty(CONTEXT, "backup")
