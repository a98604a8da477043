"""`antifraud run`: one process, one active per database, doing every duty on time."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sys
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from ..errors import ConfigError
from ..lib.secrets import redact
from . import jobs
from .duties import DUTIES, Context
from .runner import run_job, schedule_early_send
from .signals import stop_on_signals

log = logging.getLogger("antifraud.daemon")


def triggers(settings) -> dict:
    """Duty -> trigger, in the first station's time zone. Weekdays by name: from_crontab counts 0 as Monday."""
    s, tz = settings.schedule, settings.station_timezone(settings.stations[0])

    def daily(hhmm: str) -> CronTrigger:
        hour, minute = hhmm.split(":")
        return CronTrigger(hour=int(hour), minute=int(minute), timezone=tz)

    weekday, hhmm = s.rota_plan.split()
    hour, minute = hhmm.split(":")
    return {
        "warning_render": daily(s.warning_render),
        "warning_publish": daily(s.warning_publish),
        "rota_plan": CronTrigger(day_of_week=weekday, hour=int(hour), minute=int(minute), timezone=tz),
        "reminders": daily(s.reminders),
        "outbox": IntervalTrigger(seconds=s.outbox_seconds, timezone=tz),
        "backup": daily(s.backup),
    }


# -- one active daemon ---------------------------------------------------------------------
class Stopped(Exception):
    """Told to stop while waiting as a standby: the lock was never taken."""


@contextmanager
def single_instance(db, standby: bool = False, poll=5.0, stop=None):
    """Hold the database's daemon lock: a file lock for SQLite, an advisory lock for PostgreSQL."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        key = zlib.crc32(b"antifraud-daemon")
        with engine.connect() as connection:
            waiting = False
            while not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                if not standby:
                    raise ConfigError(
                        "another `antifraud run` is active on this database; only one may run "
                        "(start this one with --standby to take over when it stops)"
                    )
                if not waiting:
                    log.info("waiting", extra={"detail": "another daemon is active; standing by to take over"})
                    waiting = True
                if stop is not None and stop.wait(poll):
                    raise Stopped
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return
    database = engine.url.database
    # The file's real path: the same database reached through a symlink takes the same lock.
    real = os.path.realpath(database.removeprefix("file:")) if database and database != ":memory:" else None
    path = Path(f"{real}.daemon.lock") if real else None
    if path is None:
        yield
        return
    handle = open(path, "a+")
    waiting = False
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                if not standby:
                    raise ConfigError(
                        f"another `antifraud run` (pid {holder}) is active on {database}; only one may run"
                    ) from None
                if not waiting:
                    detail = f"another daemon (pid {holder}) is active; standing by to take over"
                    log.info("waiting", extra={"detail": detail})
                    waiting = True
                if stop is not None and stop.wait(poll):
                    raise Stopped
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


# -- logging -------------------------------------------------------------------------------
class LineFormatter(logging.Formatter):
    """One line per event, keys masked; JSON when asked."""

    def __init__(self, as_json: bool, zone=timezone.utc):
        super().__init__()
        self.as_json = as_json
        self.zone = zone  # people read these lines: the station's time, with its offset

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="seconds")
        fields = {"time": when, "level": record.levelname.lower(), "event": redact(record.getMessage())}
        for key in ("duty", "detail"):
            if hasattr(record, key):
                fields[key] = redact(str(getattr(record, key)))
        if record.exc_info:
            fields["detail"] = redact(self.formatException(record.exc_info).splitlines()[-1])
        if self.as_json:
            return json.dumps(fields, ensure_ascii=False)
        extra = " ".join(f"{k}={v}" for k, v in fields.items() if k not in ("time", "level", "event"))
        return f"{when} {record.levelname:<7} {fields['event']}" + (f" {extra}" if extra else "")


def configure_logging(log_format: str, zone=timezone.utc) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LineFormatter(log_format == "json", zone))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# -- the daemon ------------------------------------------------------------------------------
def run(ctx: Context, standby: bool = False) -> None:
    """Catch up on anything owed, then keep time until SIGTERM or SIGINT."""
    keeping_time = False
    stop_on_signals(ctx.stop, lambda: keeping_time)
    try:
        with single_instance(ctx.db, standby=standby, stop=ctx.stop):
            log.info("started", extra={"detail": f"pid {os.getpid()}"})
            jobs.CONTEXT = ctx
            for name in DUTIES:  # on start, whatever is owed is done at once
                if ctx.stop.is_set():
                    break  # the scheduler is then never started; "stopped" is still logged
                run_job(ctx, name)
            scheduler = BlockingScheduler(
                executors={"default": ThreadPoolExecutor(max_workers=1)},  # duties take turns on the database
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
                timezone=ctx.settings.station_timezone(ctx.settings.stations[0]),
            )
            # A memory job store, filled afresh each start: the database, not the job store, says
            # what is owed, so nothing is lost to a next_run_time saved before a crash.
            for name, trigger in triggers(ctx.settings).items():
                scheduler.add_job(f"antifraud.scheduler.jobs:{name}", trigger, id=name, name=name)
            ctx.scheduler = scheduler
            schedule_early_send(ctx)  # retries owed from the catch-up above
            try:
                keeping_time = True
                if not ctx.stop.is_set():
                    scheduler.start()
            finally:
                ctx.stop.set()  # the running duty stops between messages
                if scheduler.running:
                    scheduler.shutdown(wait=True)
    except (KeyboardInterrupt, SystemExit, Stopped):
        ctx.stop.set()
    log.info("stopped")
