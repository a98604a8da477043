"""SQLAlchemy 2.0 models. Nothing SQLite-only: the same models serve PostgreSQL.

No `from __future__ import annotations` here: with real annotations SQLAlchemy reads the column
types directly instead of evaluating each as a string, which makes every command start ~20 ms sooner.
Classes named before they are defined are written in quotes.
"""

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Yuan(TypeDecorator):
    """Money in yuan as Decimal, stored as whole fen so sums are exact on every database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(Decimal(value) * 100)

    def process_result_value(self, value, dialect):
        return None if value is None else (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes, stored naive in UTC (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Category(Base):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    short: Mapped[str] = mapped_column(String(10))  # label for tables and charts
    position: Mapped[int] = mapped_column(Integer, default=0)


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        # Covers the grouped counts of detection and `stats` (measured: a city's 8 weeks 35% faster),
        # and every lookup by station and day (one index fewer for an import to keep up).
        Index("ix_incidents_counts", "station_id", "day", "category_code", "deleted_at", "loss", "stopped"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    day: Mapped[date] = mapped_column(Date)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    loss: Mapped[Decimal] = mapped_column(Yuan, default=Decimal("0.00"))
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)  # 劝阻成功 / attempted only
    channel: Mapped[str | None] = mapped_column(String(10))
    victim: Mapped[str | None] = mapped_column(String(10))  # surname + 先生/女士 only
    victim_age: Mapped[str | None] = mapped_column(String(10))  # an age band, never an exact age
    occupation: Mapped[str | None] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)  # masked on entry: it becomes a public post
    entered_by: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(10), default="cli")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    station: Mapped[Station] = relationship()
    category: Mapped[Category] = relationship()
    audit: Mapped[list["IncidentAudit"]] = relationship(
        back_populates="incident", order_by="IncidentAudit.id", cascade="all, delete-orphan"
    )


class IncidentAudit(Base):
    """Who changed what and when; deletes are soft and leave a trail here."""

    __tablename__ = "incident_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete | restore
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(60))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    incident: Mapped[Incident] = relationship(back_populates="audit")


class DailyWarning(Base):
    """A rendered warning for (station, day) and where it is on its way to the groups."""

    __tablename__ = "daily_warnings"
    __table_args__ = (UniqueConstraint("station_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    day: Mapped[date] = mapped_column(Date)
    # draft | approved | published; "silent" for a quiet day that config says not to post about
    status: Mapped[str] = mapped_column(String(12), default="draft")
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)
    incidents: Mapped[int] = mapped_column(Integer, default=0)
    image_path: Mapped[str | None] = mapped_column(String(400))  # relative to output_dir
    image_sha256: Mapped[str | None] = mapped_column(String(64))  # of the bytes rendered, checked before sending
    text: Mapped[str | None] = mapped_column(Text)
    markdown: Mapped[str | None] = mapped_column(Text)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(60))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    station: Mapped[Station] = relationship()
    variants: Mapped[list["WarningVariant"]] = relationship(
        back_populates="warning", cascade="all, delete-orphan", order_by="WarningVariant.audience"
    )


class WarningVariant(Base):
    """The same warning as one audience's groups get it (templates/audiences.yaml): its own poster and
    words. An audience without a variant gets the warning's own (the public one, for residents)."""

    __tablename__ = "warning_variants"
    __table_args__ = (UniqueConstraint("warning_id", "audience"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("daily_warnings.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(20))
    image_path: Mapped[str] = mapped_column(String(400))  # relative to output_dir
    image_sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)

    warning: Mapped[DailyWarning] = relationship(back_populates="variants")


class Delivery(Base):
    """One message to one group: the outbox. Sent at most once per (group, subject, kind)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("station_id", "group_name", "subject", "kind", "part"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    group_name: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(40))  # "warning:2026-11-22", "preview:2026-11-22", ...
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))  # image | text | markdown
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # within (group, subject): image before text
    part: Mapped[int] = mapped_column(Integer, default=0)  # a long text split into several messages
    title: Mapped[str] = mapped_column(String(80), default="")
    body: Mapped[str | None] = mapped_column(Text)  # text or markdown
    image_path: Mapped[str | None] = mapped_column(String(400))  # relative to output_dir
    image_sha256: Mapped[str | None] = mapped_column(String(64))  # the file must still have these bytes
    mentions: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | parked
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmation: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    station: Mapped[Station] = relationship()


class Robot(Base):
    """Per-robot rate-limit state shared by every process (keyed by a hash of the webhook URL)."""

    __tablename__ = "robots"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RobotSend(Base):
    """One request made to a robot, for its sliding rate-limit window."""

    __tablename__ = "robot_sends"
    __table_args__ = (Index("ix_robot_sends_robot_at", "robot_key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    robot_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxLock(Base):
    """One row; claiming outbox work updates it first, so claims from all processes take turns."""

    __tablename__ = "outbox_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RotaWeek(Base):
    """A planned (and published) outreach week for a station."""

    __tablename__ = "rota_weeks"
    __table_args__ = (UniqueConstraint("station_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week, "2026-W48"
    monday: Mapped[date] = mapped_column(Date)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    objective: Mapped[float] = mapped_column(default=0.0)
    optimal: Mapped[bool] = mapped_column(Boolean, default=False)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # +1 when a re-plan changes it
    published_revision: Mapped[int | None] = mapped_column(Integer)  # the revision last queued for the groups
    published_events: Mapped[list | None] = mapped_column(JSON)  # the events as then published (Event.as_json)
    # Shifts re-plans took away, [{"event": Event.as_json, "name", "role"}]: cancelled in people's calendars.
    cancelled: Mapped[list | None] = mapped_column(JSON)

    station: Mapped[Station] = relationship()
    events: Mapped[list["RotaEvent"]] = relationship(
        back_populates="week_row", cascade="all, delete-orphan", order_by="RotaEvent.day, RotaEvent.start"
    )


class RotaEvent(Base):
    """One factory talk or street stall with its people, and afterwards what happened."""

    __tablename__ = "rota_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rota_week_id: Mapped[int] = mapped_column(ForeignKey("rota_weeks.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    start: Mapped[str] = mapped_column(String(5))  # HH:MM, station time
    end: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(16))  # factory_talk | street_stall
    site: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str | None] = mapped_column(String(80))
    people: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "role"}], lead or officer first
    attendance: Mapped[int | None] = mapped_column(Integer)
    leaflets: Mapped[int | None] = mapped_column(Integer)
    registrations: Mapped[int | None] = mapped_column(Integer)  # anti-fraud app sign-ups
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str | None] = mapped_column(String(60))

    week_row: Mapped[RotaWeek] = relationship(back_populates="events")


class DutyRun(Base):
    """What the daemon did when: for `antifraud jobs` and `antifraud status`."""

    __tablename__ = "duty_runs"
    __table_args__ = (Index("ix_duty_runs_duty_started", "duty", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    duty: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(10), default="running")  # running | ok | idle | error
    message: Mapped[str | None] = mapped_column(Text)


class Absence(Base):
    """A person who cannot come on a day, entered when they say so (config holds the standing rules)."""

    __tablename__ = "absences"
    __table_args__ = (UniqueConstraint("station_id", "person", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    person: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(100))
    entered_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """Someone who logs in to the web UI. `person` links a volunteer or officer to their name in config."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(10))  # clerk | chief | admin | volunteer
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters and salt
    station_code: Mapped[str | None] = mapped_column(String(40))  # None: every station
    person: Mapped[str | None] = mapped_column(String(40))  # their name among the station's people
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)  # /ical/<token>.ics, no login
    session_version: Mapped[int] = mapped_column(Integer, default=1)  # +1 logs every session out
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    """A failed login, for throttling by user name and by address (kept a day)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what through the web UI or the user commands: entered, changed, approved, published, forwarded."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))  # "incident.create", "warning.approve", "forward.done", ...
    station_code: Mapped[str | None] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(120))  # "incident 12", "2026-11-22", "石鼓居民微信群"
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class Forward(Base):
    """A person forwarded a subject's messages to an ordinary (folder-channel) group by hand: 已转发."""

    __tablename__ = "forwards"
    __table_args__ = (UniqueConstraint("station_id", "group_name", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    group_name: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
