"""What people ask of the outbox (CLI and web alike): what is queued, retry what was parked, send now."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import Delivery, utcnow
from ..errors import InputError
from ..lib.dates import local_time
from ..vocab import DELIVERY_STATUSES as STATUSES
from .sender import Outcome, Sender


def counts(session: Session, subjects: Sequence[str] | None = None) -> dict[str, int]:
    """Rows by status, of these subjects or of the whole outbox."""
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    if subjects is not None:
        query = query.where(Delivery.subject.in_(subjects))
    return dict(session.execute(query).all())


def delivery_record(d: Delivery, zone) -> dict:
    return {
        "id": d.id,
        "subject": d.subject,
        "group": d.group_name,
        "channel": d.channel,
        "kind": d.kind,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": local_time(d.next_attempt_at, zone),
        "sent_at": local_time(d.sent_at, zone),
        "last_error": d.last_error,
    }


def list_deliveries(
    session: Session, zone, status: str | None = None, subject: str | None = None, limit: int = 500
) -> list[dict]:
    """Outbox rows, newest first, times in `zone`."""
    if status is not None and status not in STATUSES:
        raise InputError(f"--status: {status!r} is not one of {', '.join(STATUSES)}")
    query = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if status:
        query = query.where(Delivery.status == status)
    if subject:
        query = query.where(Delivery.subject == subject)
    return [delivery_record(d, zone) for d in session.scalars(query)]


def retry_parked(session: Session, ids: Sequence[int] = (), all_parked: bool = False) -> int:
    """Queue parked rows again (after someone fixed what parked them); returns how many."""
    if not ids and not all_parked:
        raise InputError("retry: give row ids, or --all-parked")
    query = select(Delivery).where(Delivery.status == "parked")
    if ids:
        query = query.where(Delivery.id.in_(ids))
    rows = list(session.scalars(query))
    missing = set(ids) - {r.id for r in rows}
    if missing:
        raise InputError(f"ids: {sorted(missing)} are not parked rows")
    for row in rows:
        row.status, row.attempts, row.next_attempt_at, row.last_error = "pending", 0, utcnow(), None
    return len(rows)


def send_now(
    db, settings, subjects: Sequence[str] | None, wait_seconds: int, report: Callable[[Outcome], None] | None = None
) -> bool:
    """Send what is queued (of these subjects) until done or `wait_seconds` pass; True when nothing is left."""
    sender = Sender(db, settings, report=report or (lambda outcome: None))
    until = utcnow() + timedelta(seconds=wait_seconds)
    return sender.drain(list(subjects) if subjects is not None else None, until=until)
