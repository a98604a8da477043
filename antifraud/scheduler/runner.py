"""Run one duty, record its outcome for `antifraud jobs`, and log one line about it."""

from __future__ import annotations

import logging

from ..db.models import DutyRun, utcnow
from ..secrets import redact
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
