"""Run one duty, record its outcome for `antifraud jobs`, and log one line about it."""

from __future__ import annotations

import logging
import subprocess
import sys

from ..db.models import DutyRun, utcnow
from ..lib.secrets import redact
from .duties import DUTIES, Context

log = logging.getLogger("antifraud.daemon")


def run_duty(ctx: Context, name: str) -> str:
    """Never raises: a failed duty is logged and recorded, and the next run tries again."""
    if ctx.stop.is_set():
        return ""
    with ctx.db.session() as session:
        run = DutyRun(duty=name, started_at=utcnow())
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        message = DUTIES[name](ctx)
        outcome = "ok" if message else "idle"
    except Exception as exc:  # the daemon must outlive any one duty's failure
        message, outcome = redact(f"{type(exc).__name__}: {exc}"), "error"
        log.error("duty failed", extra={"duty": name, "detail": message})
    else:
        if message:
            log.info(message, extra={"duty": name})
    with ctx.db.session() as session:
        run = session.get(DutyRun, run_id)
        run.finished_at, run.outcome, run.message = utcnow(), outcome, message or None
        if outcome == "idle":  # keep the table small: an idle run replaces the previous idle one
            session.query(DutyRun).filter(
                DutyRun.duty == name, DutyRun.outcome == "idle", DutyRun.id != run_id
            ).delete()
    return message


# Duties that load Pillow, fonts or OR-Tools run in a child process, so the daemon itself
# stays small while idle and a crash in native code cannot take it down.
ISOLATED = ("warning_render", "warning_publish", "rota_plan")


def owed(ctx: Context, name: str) -> bool:
    """Cheap database-only check: would this duty have anything to do now?"""
    from ..outreach.store import find_week, week_of
    from .duties import local_now, publications_owed, rota_week_due, warnings_owed

    with ctx.db.session() as session:
        for station in ctx.settings.stations:
            if name == "warning_render" and warnings_owed(session, ctx.settings, station):
                return True
            if name == "warning_publish" and publications_owed(session, ctx.settings, station):
                return True
            if name == "rota_plan" and station.people:
                monday = rota_week_due(ctx.settings, local_now(ctx.settings, station))
                if monday is not None and find_week(session, station, week_of(monday)) is None:
                    return True
    return False


def run_job(ctx: Context, name: str) -> None:
    """What the scheduler calls: heavy duties in a child process when owed, the rest here.

    Afterwards, if a message falls due before the next regular outbox run (a retry's backoff, a
    robot's rate window), an extra outbox run is set for that moment.
    """
    try:
        _run_job(ctx, name)
    finally:
        if ctx.scheduler is not None and not ctx.stop.is_set():
            schedule_early_send(ctx)


def schedule_early_send(ctx: Context) -> None:
    due = ctx.sender.next_due()
    regular = ctx.scheduler.get_job("outbox")
    next_regular = getattr(regular, "next_run_time", None)  # a job of a scheduler not yet started has none
    if due is None or regular is None or (next_regular and due >= next_regular):
        return
    ctx.scheduler.add_job(
        "antifraud.scheduler.jobs:outbox",
        "date",
        run_date=max(due, utcnow()),
        id="outbox_early",
        name="outbox",
        replace_existing=True,
    )


def _run_job(ctx: Context, name: str) -> None:
    if name not in ISOLATED or ctx.config_path is None:
        run_duty(ctx, name)
        return
    if ctx.stop.is_set():
        return
    if not owed(ctx, name):
        record_idle(ctx, name)
        return
    command = [sys.executable, "-m", "antifraud", "duty", name, "--config", str(ctx.config_path)]
    command += ["--log-format", ctx.log_format]
    result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=1800)
    if result.returncode != 0:
        log.error("duty process failed", extra={"duty": name, "detail": f"exit code {result.returncode}"})


def record_idle(ctx: Context, name: str) -> None:
    """An idle check of an isolated duty still shows in `antifraud jobs`."""
    with ctx.db.session() as session:
        now = utcnow()
        session.query(DutyRun).filter(DutyRun.duty == name, DutyRun.outcome == "idle").delete()
        session.add(DutyRun(duty=name, started_at=now, finished_at=now, outcome="idle"))
