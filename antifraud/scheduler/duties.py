"""The daemon's duties. Each asks the database what is still owed and does exactly that,
so running one twice, late, or after a crash is harmless. The clock is read, never kept.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from threading import Event

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..db import Database
from ..db.models import DailyWarning, utcnow
from ..db.reference import station_row
from ..incidents.categories import Categories
from ..lib.secrets import redact
from ..outbox.sender import Sender
from ..vocab import WEEKDAYS

CATCH_UP_DAYS = 3  # missed warnings older than this are stale news: not rendered or posted any more
STALE_REPORT_DAYS = 30  # rendered warnings never posted are listed (status, the staff) this long


class DutyFailed(Exception):
    """Some station-days of a duty failed; the others were done. The message says which, and why."""


def each_station_day(work, done: list[str], label: str) -> list[str]:
    """Run `work()` for one station-day; a failure is collected, never stops the others.

    `work` returns what it did to add to the label ("8 messages"), True for plain done, or None when
    there was nothing to do after all.
    """
    try:
        result = work()
    except Exception as exc:  # one bad day must not stop the other stations and days
        return [f"{label}: {redact(str(exc) or type(exc).__name__)}"]
    if result:
        done.append(label if result is True else f"{label} ({result})")
    return []


def outcome(verb: str, done: list[str], failed: list[str]) -> str:
    """The duty's one-line message; raises DutyFailed when anything failed."""
    message = f"{verb} {', '.join(done)}" if done else ""
    if failed:
        raise DutyFailed("; ".join(filter(None, [message, f"failed: {'; '.join(failed)}"])))
    return message


@dataclass
class Context:
    db: Database
    settings: Settings
    categories: Categories
    stop: Event = field(default_factory=Event)
    sender: Sender | None = None
    config_path: Path | None = None  # for duties run in a child process
    log_format: str = "text"  # the child process logs as the daemon does
    scheduler: object = None  # the running APScheduler, when a daemon keeps time (for early outbox runs)

    def __post_init__(self):
        if self.sender is None:
            self.sender = Sender(self.db, self.settings)


def local_now(settings: Settings, station: Station) -> datetime:
    return utcnow().astimezone(settings.station_timezone(station))


def at(text: str) -> time:
    return time.fromisoformat(text)


def _recent_days(now: datetime, ready: bool) -> list[date]:
    """Reported days still worth posting: the last few, yesterday only once its hour has come."""
    today = now.date()
    days = [today - timedelta(days=n) for n in range(CATCH_UP_DAYS, 1, -1)]
    return days + [today - timedelta(days=1)] if ready else days


def warnings_owed(session: Session, settings: Settings, station: Station) -> list[date]:
    now = local_now(settings, station)
    days = _recent_days(now, now.time() >= at(settings.schedule.warning_render))
    done = set(
        session.scalars(
            select(DailyWarning.day).where(
                DailyWarning.station_id == station_row(session, station.code).id, DailyWarning.day.in_(days)
            )
        )
    )
    return [d for d in days if d not in done]


def render_warnings(ctx: Context) -> str:
    """Render the warnings of recent days that have none yet (yesterday's once the render hour has come)."""
    from ..warnings.service import record_silent, render_and_record

    done, failed = [], []
    for station in ctx.settings.stations:
        with ctx.db.session() as session:
            owed = warnings_owed(session, ctx.settings, station)
        for day in owed:
            if ctx.stop.is_set():
                break

            def render(station=station, day=day):
                yesterday = local_now(ctx.settings, station).date() - timedelta(days=1)
                with ctx.db.session() as session:
                    rendered, _ = render_and_record(session, ctx.settings, ctx.categories, station, day)
                    if rendered is None or (rendered.facts.quiet and day < yesterday):
                        record_silent(session, station, day)  # an old quiet day's safety tip is not news
                return True

            failed += each_station_day(render, done, f"{station.code} {day.isoformat()}")
    return outcome("rendered", done, failed)


def publishable_days(settings: Settings, now: datetime) -> list[date]:
    """Reported days young enough to post on their own: yesterday back to publish.max_age_days before today."""
    today = now.date()
    return [today - timedelta(days=n) for n in range(settings.publish.max_age_days, 0, -1)]


def publications_owed(session: Session, settings: Settings, station: Station) -> list[DailyWarning]:
    """Approved warnings not yet posted, young enough, and only while the publish window is open."""
    now = local_now(settings, station)
    if not settings.schedule.in_publish_window(now):
        return []
    return list(
        session.scalars(
            select(DailyWarning).where(
                DailyWarning.station_id == station_row(session, station.code).id,
                DailyWarning.day.in_(publishable_days(settings, now)),
                DailyWarning.status == "approved",
            )
        )
    )


def too_old_to_post(session: Session, settings: Settings, station: Station) -> list[DailyWarning]:
    """Rendered, never posted, and older than publish.max_age_days: only a person may still post these.

    Reported for STALE_REPORT_DAYS, not only on the day a warning became too old: a daemon that was
    down that day (or out of the publish window) must still say so when it is back."""
    now = local_now(settings, station)
    oldest = now.date() - timedelta(days=STALE_REPORT_DAYS)
    youngest_stale = now.date() - timedelta(days=settings.publish.max_age_days + 1)
    return list(
        session.scalars(
            select(DailyWarning)
            .where(
                DailyWarning.station_id == station_row(session, station.code).id,
                DailyWarning.day.between(oldest, youngest_stale),
                DailyWarning.status.in_(("draft", "approved")),
            )
            .order_by(DailyWarning.day)
        )
    )


def publish_warnings(ctx: Context) -> str:
    """Post approved warnings to their groups in the publish window; tell the staff of ones too old to post."""
    from ..warnings.service import find_warning, is_stale, notify_too_old, publish, render_and_record

    done, failed = [], []
    for station in ctx.settings.stations:
        with ctx.db.session() as session:
            owed = [w.day for w in publications_owed(session, ctx.settings, station)]
        for day in owed:

            def post(station=station, day=day):
                with ctx.db.session() as session:
                    warning = find_warning(session, station, day)
                    if is_stale(session, warning):  # incidents entered after the morning render
                        _, warning = render_and_record(session, ctx.settings, ctx.categories, station, day)
                        if warning is None or warning.status != "approved":
                            return None
                    return f"{len(publish(session, ctx.settings, station, warning, 'daemon'))} messages"

            failed += each_station_day(post, done, f"{station.code} {day.isoformat()}")
        if ctx.settings.schedule.in_publish_window(local_now(ctx.settings, station)):
            with ctx.db.session() as session:
                for warning in too_old_to_post(session, ctx.settings, station):
                    if notify_too_old(session, ctx.settings, station, warning):
                        done.append(f"{station.code} {warning.day.isoformat()} too old to post: staff told")
    if done:
        ctx.sender.send_due(ctx.stop)
    return outcome("published", done, failed)


def rota_week_due(settings: Settings, now: datetime) -> date | None:
    """The Monday of the week to plan once the weekly planning hour has come."""
    weekday, hhmm = settings.schedule.rota_plan.split()
    monday = now.date() - timedelta(days=now.weekday())
    planning = datetime.combine(monday + timedelta(days=WEEKDAYS.index(weekday)), at(hhmm), now.tzinfo)
    return monday + timedelta(days=7) if now >= planning else None


def plan_rotas(ctx: Context) -> str:
    """Plan next week's talks and stalls once the planning hour has come, and send the rota."""
    from ..outreach.service import plan_and_store, publish_week
    from ..outreach.store import find_week, week_of

    done = []
    for station in ctx.settings.stations:
        if not station.people:
            continue
        monday = rota_week_due(ctx.settings, local_now(ctx.settings, station))
        if monday is None:
            continue
        week = week_of(monday)
        with ctx.db.session() as session:
            if find_week(session, station, week) is not None:
                continue
            plan = plan_and_store(session, ctx.settings, station, week)
            publish_week(session, ctx.settings, station, week, plan.paths)
        done.append(f"{station.code} {week}" + (f" ({len(plan.problems)} rule(s) unmet)" if plan.problems else ""))
    if done:
        ctx.sender.send_due(ctx.stop)
    return f"planned {', '.join(done)}" if done else ""


def send_reminders(ctx: Context) -> str:
    """After the reminder hour, remind the people on tomorrow's events (once)."""
    from ..outreach.service import queue_reminders

    done = []
    for station in ctx.settings.stations:
        now = local_now(ctx.settings, station)
        if now.time() < at(ctx.settings.schedule.reminders):
            continue
        tomorrow = now.date() + timedelta(days=1)
        with ctx.db.session() as session:
            created = queue_reminders(session, ctx.settings, station, tomorrow).created
        if created:
            done.append(f"{station.code} {tomorrow.isoformat()}")
    if done:
        ctx.sender.send_due(ctx.stop)
    return f"reminded for {', '.join(done)}" if done else ""


def drain_outbox(ctx: Context) -> str:
    """Send what is due now; the daemon comes back when the next row falls due (a retry's backoff)."""
    tried = ctx.sender.send_due(ctx.stop)
    return f"sent or retried {tried} message(s)" if tried else ""


def backup_path(settings: Settings, day: date) -> Path:
    return settings.resolve(settings.backup_dir) / f"antifraud-{day:%Y%m%d}.db"


def backup_database(ctx: Context) -> str:
    """Copy an SQLite database once a night (PostgreSQL has its own tools)."""
    engine = ctx.db.engine
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return ""
    now = utcnow().astimezone(ctx.settings.station_timezone(ctx.settings.stations[0]))
    if now.time() < at(ctx.settings.schedule.backup):
        return ""
    target = backup_path(ctx.settings, now.date())
    if target.exists():
        return ""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    source = sqlite3.connect(engine.url.database)
    try:
        copy = sqlite3.connect(partial)
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    partial.replace(target)
    old = sorted(target.parent.glob("antifraud-*.db"))[: -ctx.settings.backup_keep]
    for path in old:
        path.unlink()
    return f"backed up to {target}"


DUTIES = {
    "warning_render": render_warnings,
    "warning_publish": publish_warnings,
    "rota_plan": plan_rotas,
    "reminders": send_reminders,
    "outbox": drain_outbox,
    "backup": backup_database,
}
