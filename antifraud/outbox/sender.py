"""The outbox worker: send due deliveries exactly once in the normal case, never lose one.

A delivery is claimed (status 'sending') in the same transaction that takes a slot in its
robot's rate window, and marked 'sent' only after the channel confirmed it. Transient
errors come back with backoff; permanent ones park the row with the channel's message.
A row left 'sending' by a process that died is sent again: the one case where a robot
may see a message twice, when the process died after the robot took it but before the
database heard so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from ..channels import Channel, Message, RetryLater, channel_for
from ..channels.base import Transport
from ..config import Settings
from ..db import Database
from ..db.models import Delivery, OutboxLock, Robot, RobotSend, Station, utcnow
from ..errors import AntifraudError, DeliveryError
from ..lib.secrets import redact

log = logging.getLogger("antifraud.outbox")
WINDOW = timedelta(seconds=60)
SECOND = timedelta(seconds=1)
LEASE = timedelta(minutes=10)  # a claim older than this is presumed dead, wherever it was made
MAX_ATTEMPTS = 8
CLAIM_WINDOW = 200  # pending rows looked at, at most, per claim
CLAIM_PAGE = 20  # read (and on PostgreSQL locked) this many at a time: the first due row usually goes
# What a claim needs to decide about a row; the whole row is loaded only for the one claimed, by send().
CANDIDATE = (
    Delivery.id,
    Delivery.station_id,
    Delivery.group_name,
    Delivery.subject,
    Delivery.day,
    Delivery.sequence,
    Delivery.next_attempt_at,
    Delivery.created_at,
)
UNFINISHED = ("pending", "sending")


def backoff(attempts: int) -> timedelta:
    """5 s, 15 s, 45 s, ... capped at 15 minutes."""
    return timedelta(seconds=min(5 * 3 ** (attempts - 1), 900))


@dataclass
class Outcome:
    delivery_id: int
    group: str
    kind: str
    status: str  # sent | retry | parked
    detail: str


@dataclass
class Sender:
    db: Database
    settings: Settings
    sleep: Callable[[float], None] = time.sleep
    environ: dict = field(default_factory=lambda: os.environ)
    timeout: tuple | float | None = None
    report: Callable[[Outcome], None] = lambda outcome: None
    token: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    tried: int = 0  # messages handed to a channel by this sender
    transport: Transport = field(default_factory=Transport)  # one HTTP session, proxies looked up once per host

    def __post_init__(self) -> None:
        # (station code, group name) -> (station, group): built once, so a lookup does not walk 3,000 groups.
        self.stations = {station.code: station for station in self.settings.stations}
        self.groups = {
            (station.code, group.name): (station, group)
            for station in self.settings.stations
            for group in station.groups
        }
        self.station_codes: dict[int, str] = {}  # stations.id -> code, read from the database once
        self.output_dir = self.settings.resolve(self.settings.output_dir)
        self.skip_locked = self.db.engine.dialect.name == "postgresql"

    # -- the loop ----------------------------------------------------------------------
    def drain(self, subjects: list[str] | None = None, until: datetime | None = None, stop=None) -> bool:
        """Send due rows (of these subjects, or all) until none is left or `until` passes.

        Returns True when nothing of those subjects is pending or sending any more.
        """
        self.recover_abandoned()
        while not (stop and stop.is_set()):
            claimed, wake_at = self.claim_next(subjects)
            if claimed is not None:
                self.send(claimed)
                continue
            if wake_at is None:
                return True
            now = utcnow()
            if until is not None and wake_at > until:
                return False
            self.pause(max((wake_at - now).total_seconds(), 0.05), stop)
        return False

    def pause(self, seconds: float, stop=None) -> None:
        """Wait for the next due row; a stop request cuts a real wait short."""
        if stop is not None and self.sleep is time.sleep:
            stop.wait(seconds)
        else:
            self.sleep(seconds)

    def send_due(self, stop=None) -> int:
        """One pass for the daemon: send what is due now, never wait. Returns how many were tried."""
        before = self.tried
        self.recover_abandoned()
        while not (stop and stop.is_set()):
            claimed, _ = self.claim_next(None, due_only=True)
            if claimed is None:
                break
            self.send(claimed)
        return self.tried - before

    def next_due(self) -> datetime | None:
        """When the earliest pending row falls due (a retry's backoff, a robot's window), if any is pending."""
        with self.db.session() as session:
            return session.scalar(
                select(Delivery.next_attempt_at)
                .where(Delivery.status == "pending")
                .order_by(Delivery.next_attempt_at)
                .limit(1)
            )

    # -- claiming ----------------------------------------------------------------------
    def claim_next(self, subjects, due_only: bool = False) -> tuple[int | None, datetime | None]:
        """Claim one due row whose robot has a free slot; else (None, when to look again).

        SQLite: every claim first writes the OutboxLock row, so claims from all processes take turns.
        PostgreSQL: the rows looked at are locked FOR UPDATE SKIP LOCKED (and a robot's row while its
        window is counted), so several senders claim side by side and never the same row.
        """
        with self.db.session() as session:
            now = utcnow()
            if not self.skip_locked:
                # A write first: claims from every process queue up here (the SQLite write lock).
                session.execute(update(OutboxLock).where(OutboxLock.id == 1).values(at=now))
            wake_at, seen, after, busy = None, 0, None, False

            def later(when: datetime) -> None:
                nonlocal wake_at
                wake_at = when if wake_at is None else min(wake_at, when)

            while seen < CLAIM_WINDOW:
                page = session.execute(self.candidates(subjects, after, min(CLAIM_PAGE, CLAIM_WINDOW - seen))).all()
                for row in page:
                    seen += 1
                    if row.next_attempt_at > now:  # due order: nothing after it is due either
                        later(row.next_attempt_at)
                        seen = CLAIM_WINDOW
                        break
                    held = self.posting_hours(session, row, now)
                    if held is TOO_OLD:
                        self.park_too_old(session, row)
                        continue
                    if held is not None:  # after hours: waits for the morning, out of the due window
                        session.execute(update(Delivery).where(Delivery.id == row.id).values(next_attempt_at=held))
                        later(held)
                        continue
                    when = self.waiting_for_earlier(session, row, now)
                    if when is None:
                        when = self.take_slot(session, row, now)
                    if when is Busy:  # another sender is counting this robot's window right now
                        busy = True
                        continue
                    if when is not None:
                        # Held back: a later next_attempt_at makes room in the due-ordered window.
                        session.execute(update(Delivery).where(Delivery.id == row.id).values(next_attempt_at=when))
                        later(when)
                        continue
                    claimed = session.execute(
                        update(Delivery)
                        .where(Delivery.id == row.id, Delivery.status == "pending")
                        .values(status="sending", claimed_by=self.token, claimed_at=now)
                    )
                    if claimed.rowcount == 1:
                        return row.id, None
                if len(page) < CLAIM_PAGE or seen >= CLAIM_WINDOW:
                    break
                after = (page[-1].next_attempt_at, page[-1].id)
            if busy:
                later(now + timedelta(milliseconds=50))
            if wake_at is None and not due_only and self.unfinished(session, subjects):
                wake_at = now + SECOND  # rows another process is sending, or waiting on an earlier message
            return None, wake_at

    def candidates(self, subjects, after: tuple[datetime, int] | None, limit: int):
        """The next pending rows in due order (after `after`), as plain rows of the columns a claim needs."""
        query = (
            select(*CANDIDATE)
            .where(Delivery.status == "pending")
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
        if subjects is not None:
            query = query.where(Delivery.subject.in_(subjects))
        if after is not None:
            at, last_id = after
            query = query.where(
                or_(Delivery.next_attempt_at > at, and_(Delivery.next_attempt_at == at, Delivery.id > last_id))
            )
        if self.skip_locked:
            query = query.with_for_update(skip_locked=True)
        return query

    def posting_hours(self, session: Session, row, now: datetime):
        """When a warning for residents, due after posting hours, may go: None (now), the next opening, or TOO_OLD.

        The daemon queues warnings only in schedule.warning_publish..warning_publish_until, so a retry
        (or a restart) that falls after hours waits for the next morning instead of waking a residents'
        group at night; by then it may be older than publish.max_age_days, and is parked. A warning a
        person published after hours on purpose (queued outside the window) goes as they asked. Staff
        groups get theirs at any hour.
        """
        if not row.subject.startswith("warning:"):
            return None
        found = self.groups.get((self.station_code(session, row.station_id), row.group_name))
        if found is None or found[1].audience == "staff":
            return None  # a group gone from the config is parked by send(), with that message
        station, _ = found
        schedule, zone = self.settings.schedule, self.settings.station_timezone(station)
        local = now.astimezone(zone)
        if schedule.in_publish_window(local) or not schedule.in_publish_window(row.created_at.astimezone(zone)):
            return None
        opening = schedule.next_publish_opening(local)
        if (opening.date() - row.day).days > self.settings.publish.max_age_days:
            return TOO_OLD
        return opening.astimezone(now.tzinfo)

    def park_too_old(self, session: Session, row) -> None:
        message = (
            f"not sent after posting hours ({self.settings.schedule.warning_publish_until}); by the next morning "
            f"the warning is older than publish.max_age_days ({self.settings.publish.max_age_days})"
        )
        session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.status == "pending")
            .values(status="parked", last_error=message)
        )
        log.warning("delivery parked", extra={"detail": f"#{row.id} {row.group_name}: {message}"})

    def waiting_for_earlier(self, session: Session, row, now: datetime) -> datetime | None:
        """Image before text: when a group's earlier message is unsettled, when to look at this one again."""
        if row.sequence == 0:
            return None
        earliest = session.scalar(
            select(func.max(Delivery.next_attempt_at)).where(
                Delivery.station_id == row.station_id,
                Delivery.group_name == row.group_name,
                Delivery.subject == row.subject,
                Delivery.sequence < row.sequence,
                Delivery.status.in_(UNFINISHED),
            )
        )
        if earliest is None:
            return None
        # Never before the earlier message: keeps the due-ordered window free for rows that can go.
        return max(earliest, now + SECOND)

    def take_slot(self, session: Session, row, now: datetime):
        """Record a request to the row's robot now; or return when its window has room (Busy: ask again soon)."""
        try:
            channel = self.channel(session, row)
            key = channel.robot_key
        except AntifraudError:
            return None  # let send() park it with the message
        robot = self.lock_robot(session, key, now)
        if robot is None:
            return Busy
        blocked_until = robot.blocked_until
        if blocked_until is not None and blocked_until > now:
            return blocked_until
        for limit, span in ((channel.per_minute, WINDOW), (channel.per_second, SECOND)):
            if not limit:
                continue
            recent = session.scalars(
                select(RobotSend.at)
                .where(RobotSend.robot_key == key, RobotSend.at > now - span)
                .order_by(RobotSend.at.desc())
                .limit(limit)
            ).all()
            if len(recent) >= limit:
                return recent[-1] + span + timedelta(milliseconds=50)
        session.execute(update(Robot).where(Robot.key == key).values(touched_at=now))
        session.execute(RobotSend.__table__.insert().values(robot_key=key, at=now))
        return None

    def lock_robot(self, session: Session, key: str, now: datetime):
        """The robot's row (created if new), locked on PostgreSQL; None when another sender holds it."""
        query = select(Robot.key, Robot.blocked_until).where(Robot.key == key)
        if self.skip_locked:
            query = query.with_for_update(skip_locked=True)
        found = session.execute(query).first()
        if found is None and not self.ensure_robot(session, key, now):
            return None  # it exists, locked by another sender's claim
        return found or session.execute(query).first()

    def ensure_robot(self, session: Session, key: str, now: datetime) -> bool:
        """Create the robot's row unless it exists; False when it already did."""
        if not self.skip_locked:  # SQLite: claims take turns, so a plain insert in this transaction
            if session.scalar(select(Robot.key).where(Robot.key == key)) is not None:
                return False
            session.execute(Robot.__table__.insert().values(key=key, touched_at=now))
            return True
        if session.scalar(select(Robot.key).where(Robot.key == key)) is not None:
            return False
        # In its own short transaction, so that no claim ever waits on another's uncommitted insert.
        with self.db.engine.begin() as connection:
            connection.execute(
                postgresql.insert(Robot.__table__)
                .values(key=key, touched_at=now)
                .on_conflict_do_nothing(index_elements=["key"])
            )
        return True

    def unfinished(self, session: Session, subjects) -> bool:
        query = select(Delivery.id).where(Delivery.status.in_(UNFINISHED)).limit(1)
        if subjects is not None:
            query = query.where(Delivery.subject.in_(subjects))
        return session.scalar(query) is not None

    def recover_abandoned(self) -> int:
        """Rows left 'sending' by a process that is gone go back to 'pending'."""
        host = socket.gethostname()
        with self.db.session() as session:
            rows = session.execute(
                select(Delivery.id, Delivery.claimed_by, Delivery.claimed_at).where(Delivery.status == "sending")
            ).all()
            recovered = 0
            for row in rows:
                if row.claimed_by == self.token:
                    continue
                if _claim_is_dead(row.claimed_by or "", host) or row.claimed_at < utcnow() - LEASE:
                    # Only if it is still that claim: another sender may have recovered and claimed it since.
                    done = session.execute(
                        update(Delivery)
                        .where(
                            Delivery.id == row.id,
                            Delivery.status == "sending",
                            Delivery.claimed_by == row.claimed_by,
                            Delivery.claimed_at == row.claimed_at,
                        )
                        .values(
                            status="pending",
                            claimed_by=None,
                            last_error="resent after the sending process stopped (the group may see it twice)",
                        )
                    )
                    recovered += done.rowcount
            session.execute(delete(RobotSend).where(RobotSend.at < utcnow() - timedelta(hours=1)))
            return recovered

    # -- sending -----------------------------------------------------------------------
    def channel(self, session: Session, row) -> Channel:
        """The channel for a row (a Delivery or a claim's plain row): a dict lookup, not a walk of the config."""
        code = self.station_code(session, row.station_id)
        found = self.groups.get((code, row.group_name))
        if found is None:
            if code not in self.stations:
                self.settings.station(code)  # raises: the station is no longer in the config
            raise DeliveryError(f"group {row.group_name!r} is no longer in the config", permanent=True)
        station, group = found
        folder = self.output_dir / row.day.isoformat() / station.code
        channel = channel_for(group, output_dir=folder, environ=self.environ, timeout=self.timeout)
        channel.transport = self.transport
        return channel

    def station_code(self, session: Session, station_id: int) -> str:
        code = self.station_codes.get(station_id)
        if code is None:
            self.station_codes.update(session.execute(select(Station.id, Station.code)).all())
            code = self.station_codes[station_id]
        return code

    def message(self, row: Delivery) -> Message:
        """The row as a channel message; the image's bytes checked against what was rendered and queued."""
        image = self.output_dir / row.image_path if row.image_path else None
        data = self.image_bytes(row, image) if image is not None else None
        return Message(
            kind=row.kind,
            text=row.body or "",
            image=Path(image) if image else None,
            image_ref=row.image_path or "",
            title=row.title,
            mentions=tuple(row.mentions or ()),
            group=row.group_name,
            day=row.day.isoformat(),
            subject=row.subject,
            part=row.part,
            image_data=data,
        )

    @staticmethod
    def image_bytes(row: Delivery, path: Path) -> bytes:
        """The file's bytes, if they are still the ones recorded at render time (else the row parks)."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DeliveryError(f"cannot read {path.name} ({exc.strerror})", permanent=True) from None
        if row.image_sha256 and hashlib.sha256(data).hexdigest() != row.image_sha256:
            raise DeliveryError(
                f"{row.image_path} is not the image that was rendered for {row.subject} (it was written over "
                "since); render it again, then `antifraud outbox retry`",
                permanent=True,
            )
        return data

    def send(self, delivery_id: int) -> Outcome:
        self.tried += 1
        with self.db.session() as session:
            row = session.get(Delivery, delivery_id)
            group, kind, claimed_at = row.group_name, row.kind, row.claimed_at
            try:
                channel = self.channel(session, row)
                message = self.message(row)
            except AntifraudError as exc:
                channel, error = None, exc
            else:
                error = None
        if channel is not None:
            try:
                confirmation = channel.send(message)
            except AntifraudError as exc:
                error = exc
        outcome = self.settle(delivery_id, error, None if error else confirmation)
        if channel is not None and claimed_at is not None:
            self.restamp(channel, claimed_at)
        self.report(Outcome(delivery_id, group, kind, outcome[0], outcome[1]))
        return Outcome(delivery_id, group, kind, *outcome)

    def settle(self, delivery_id: int, error: AntifraudError | None, confirmation: str | None) -> tuple[str, str]:
        if error is None:
            return self.mark_sent(delivery_id, confirmation)
        now = utcnow()
        with self.db.session() as session:
            row = session.get(Delivery, delivery_id)
            row.claimed_by = None
            message = redact(str(error))
            row.attempts += 1
            row.last_error = message
            if isinstance(error, RetryLater):
                row.status, row.next_attempt_at = "pending", now + timedelta(seconds=error.retry_after)
                if error.block_robot:
                    self.block_robot(session, row, row.next_attempt_at)
                return "retry", message
            permanent = not isinstance(error, DeliveryError) or error.permanent
            if permanent or row.attempts >= MAX_ATTEMPTS:
                row.status = "parked"
                log.warning("delivery parked", extra={"detail": f"#{row.id} {row.group_name} {row.kind}: {message}"})
                return "parked", message
            row.status, row.next_attempt_at = "pending", now + backoff(row.attempts)
            return "retry", message

    def restamp(self, channel: Channel, claimed_at: datetime) -> None:
        """The robot counts a request when it arrives, which may be well after the claim on a busy
        machine: the request's place in the rate window moves to when its answer came, so the window
        we keep never runs ahead of the robot's (measured: 2-3 refusals in 2,000 at the limit without)."""
        try:
            key = channel.robot_key
        except AntifraudError:
            return
        with self.db.engine.begin() as connection:
            connection.execute(
                update(RobotSend).where(RobotSend.robot_key == key, RobotSend.at == claimed_at).values(at=utcnow())
            )

    def mark_sent(self, delivery_id: int, confirmation: str | None) -> tuple[str, str]:
        """The robot took it: record that first, in one short statement (no ORM load, no other work).

        A process killed between the robot's answer and this commit sends the message again after a
        restart, so this is kept as brief as it can be (docs/reliability.md has the measured rate).
        """
        confirmation = (confirmation or "")[:200]
        statement = (
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status="sent", sent_at=utcnow(), confirmation=confirmation, last_error=None, claimed_by=None)
        )
        with self.db.engine.begin() as connection:
            connection.execute(statement)
        return "sent", confirmation

    def block_robot(self, session: Session, row: Delivery, until: datetime) -> None:
        try:
            key = self.channel(session, row).robot_key
        except AntifraudError:
            return
        self.ensure_robot(session, key, utcnow())
        robot = session.get(Robot, key, with_for_update=True)
        robot.blocked_until = max(until, robot.blocked_until or until)


TOO_OLD = object()  # posting_hours(): the row would go out too late to be news


class _Busy:
    """take_slot's answer when another sender holds the robot's row: look again in a moment."""

    def __repr__(self) -> str:
        return "Busy"


Busy = _Busy()


def _claim_is_dead(claimed_by: str, host: str) -> bool:
    """A claim made on this host by a process that no longer runs."""
    claim_host, _, rest = claimed_by.partition(":")
    pid = rest.partition(":")[0]
    if claim_host != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


__all__ = ["Outcome", "Sender", "backoff"]
