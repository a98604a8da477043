"""Run one duty, record its outcome for `antifraud jobs`, and log one line about it."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys

from ..db.models import DutyRun, utcnow
from ..errors import AntifraudError
from ..lib.secrets import redact
from .duties import DUTIES, Context, DutyFailed

log = logging.getLogger("antifraud.daemon")


def run_duty(ctx: Context, name: str) -> str:
    """Never raises: a failed duty is logged and recorded, and the next run tries again. Returns its message."""
    return perform(ctx, name)[1]


def perform(ctx: Context, name: str) -> tuple[str, str]:
    """Do one duty and record it: (outcome, message), outcome "ok", "idle" or "error"."""
    if ctx.stop.is_set():
        return "idle", ""
    with ctx.db.session() as session:
        run = DutyRun(duty=name, started_at=utcnow())
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        message = DUTIES[name](ctx)
        outcome = "ok" if message else "idle"
    except DutyFailed as exc:  # some station-days failed, the rest were done
        message, outcome = redact(str(exc)), "error"
        log.error("duty failed", extra={"duty": name, "detail": message})
    except Exception as exc:  # the daemon must outlive any one duty's failure
        message, outcome = redact(describe_failure(exc)), "error"
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
    return outcome, message


def describe_failure(exc: Exception) -> str:
    """One line for the log and `status`: our own errors as they are, others with their kind."""
    if isinstance(exc, AntifraudError):
        return str(exc)
    from ..db.session import describe_database_error, is_database_error

    if is_database_error(exc):
        return describe_database_error(exc, "the database")  # "database is locked", not SQL and a URL
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


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
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    code = wait_for_child(ctx, child)
    if code != 0:
        log.error("duty process failed", extra={"duty": name, "detail": f"exit code {code}"})


def wait_for_child(ctx: Context, child: subprocess.Popen, limit: float = 1800) -> int:
    """Wait for a duty's process; told to stop, pass SIGTERM on and let it finish its step.

    With systemd's KillMode=mixed only the daemon gets SIGTERM; with control-group both do. Either
    way the child stops between messages or station-days and hands back no half-done step.
    """
    waited = 0.0
    while child.poll() is None:
        if ctx.stop.wait(0.2):
            child.send_signal(signal.SIGTERM)
            try:
                return child.wait(timeout=120)
            except subprocess.TimeoutExpired:
                child.kill()
                return child.wait()
        waited += 0.2
        if waited > limit:
            child.kill()
            return child.wait()
    return child.returncode


def record_idle(ctx: Context, name: str) -> None:
    """An idle check of an isolated duty still shows in `antifraud jobs`."""
    with ctx.db.session() as session:
        now = utcnow()
        session.query(DutyRun).filter(DutyRun.duty == name, DutyRun.outcome == "idle").delete()
        session.add(DutyRun(duty=name, started_at=now, finished_at=now, outcome="idle"))
