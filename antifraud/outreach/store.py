"""Outreach in the database: the planner's input for a week, stored plans, absences, outcomes."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..db.models import Absence, Category, Incident, RotaEvent, RotaWeek, utcnow
from ..db.reference import station_row
from ..errors import InputError
from ..vocab import OTHER_CATEGORY, WEEKDAYS, EventKind
from .calendar import week_calendar
from .model import Event, FactoryInfo, PersonInfo, PlanInput, Rules, SiteInfo

WEEK_WORDS = {"this": 0, "本周": 0, "这周": 0, "next": 1, "下周": 1, "last": -1, "上周": -1}


def parse_week(text: str, today: date | None = None) -> tuple[str, date]:
    """'2026-W48' -> ('2026-W48', its Monday); with `today`, also this/next/last and 本周/下周/上周."""
    word = text.strip().lower()
    if today is not None and word in WEEK_WORDS:
        day = today + timedelta(weeks=WEEK_WORDS[word])
        monday = day - timedelta(days=day.weekday())
        return week_of(monday), monday
    match = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text.strip().upper())
    try:
        if not match:
            raise ValueError
        year, week = int(match.group(1)), int(match.group(2))
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        words = " (or this, next, 本周, 下周)" if today is not None else ""
        raise InputError(f"--week: {text!r} is not an ISO week like 2026-W48{words}") from None
    return f"{year}-W{week:02d}", monday


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _hhmm(text: str) -> time:
    return time.fromisoformat(text)


def rules_from(settings: Settings) -> Rules:
    o = settings.outreach
    start, end = (_hhmm(part) for part in o.stall_time.split("-"))
    return Rules(
        talks_per_officer_min=o.talks_per_officer_min,
        talks_per_officer_max=o.talks_per_officer_max,
        talk_helpers_min=o.talk_helpers_min,
        talk_helpers_max=o.talk_helpers_max,
        stall_weekdays=tuple(WEEKDAYS.index(d) for d in o.stall_days),
        stall_start=start,
        stall_end=end,
        stall_staff=o.stall_staff,
        stall_min_crew=o.stall_min_crew,
        factory_cooldown_weeks=o.factory_cooldown_weeks,
        fairness_weeks=o.fairness_weeks,
        time_limit_seconds=o.solver_seconds,
    )


def events_of(session: Session, station: Station, start: date, end: date) -> list[RotaEvent]:
    """Planned events of the station between two days (inclusive)."""
    return list(
        session.scalars(
            select(RotaEvent)
            .join(RotaEvent.week_row)
            .where(RotaWeek.station_id == station_row(session, station.code).id, RotaEvent.day.between(start, end))
            .order_by(RotaEvent.day, RotaEvent.start)
        )
    )


def as_event(row: RotaEvent) -> Event:
    return Event(
        date=row.day,
        start=_hhmm(row.start),
        end=_hhmm(row.end),
        kind=row.kind,
        site=row.site,
        topic=row.topic,
        people=tuple((p["name"], p["role"]) for p in row.people),
    )


def last_talks(session: Session, station: Station, until: date) -> dict[str, date]:
    """Each factory's most recent talk on or before `until`."""
    return dict(
        session.execute(
            select(RotaEvent.site, func.max(RotaEvent.day))
            .join(RotaEvent.week_row)
            .where(
                RotaWeek.station_id == station_row(session, station.code).id,
                RotaEvent.kind == EventKind.FACTORY_TALK,
                RotaEvent.day <= until,
            )
            .group_by(RotaEvent.site)
        ).all()
    )


def event_key(e: Event) -> tuple:
    """What identifies an event within a week: the same talk or stall, whoever is on it."""
    return (e.date, e.kind, e.site, e.start)


def settled(row: RotaEvent, now: datetime) -> bool:
    """Held or recorded: a re-plan keeps it exactly as it is."""
    if row.recorded_at is not None or row.day < now.date():
        return True
    return row.day == now.date() and _hhmm(row.start) <= now.time().replace(tzinfo=None)


def build_input(
    session: Session, settings: Settings, station: Station, monday: date, replan: bool, now: datetime
) -> tuple[PlanInput, list[str]]:
    """The planner's input for the week, and notes on where its calendar came from.

    In a re-plan, what is already held or recorded (`settled`) is frozen and nothing new goes before `now`;
    a week planned for the first time may be back-filled, past or not.
    """
    rules = rules_from(settings)
    sunday = monday + timedelta(days=6)
    cal = week_calendar(
        monday, settings.calendar.holidays, settings.calendar.workdays, settings.outreach.no_stall_dates
    )
    notes = [f"{week_of(monday)} calendar: {cal.source}"] + ([cal.note] if cal.note else [])
    away = absences(session, station, monday, sunday)
    people = tuple(
        PersonInfo(
            name=p.name,
            role=p.role,
            team=p.team or p.role,
            phone=p.phone,
            available=frozenset(WEEKDAYS.index(d) for d in p.available),
            unavailable=frozenset(p.unavailable) | frozenset(away.get(p.name, {})),
            max_shifts_per_week=p.max_shifts_per_week,
            away_reason=_reason(p.name, away.get(p.name, {})),
        )
        for p in station.people
    )
    station_id = station_row(session, station.code).id
    fairness_start = monday - timedelta(weeks=rules.fairness_weeks)
    history = Counter(
        person["name"]
        for row in events_of(session, station, fairness_start, monday - timedelta(days=1))
        for person in row.people
    )
    last_talk = last_talks(session, station, monday - timedelta(days=1))
    incidents = session.execute(
        select(Incident.day, Incident.place, Incident.occupation, func.coalesce(Category.short, Category.name))
        .join(Category, Incident.category_code == Category.code)
        .where(
            Incident.station_id == station_id,
            Incident.deleted_at.is_(None),
            Incident.day.between(monday - timedelta(days=FACTORY_TOPIC_DAYS), monday - timedelta(days=1)),
        )
        .order_by(Incident.day.desc())
    ).all()
    factories = tuple(_factory_info(f, last_talk.get(f.name), incidents, monday) for f in station.factories)
    topics = tuple(
        name
        for name, _ in session.execute(
            select(func.coalesce(Category.short, Category.name), func.count())
            .join(Incident, Incident.category_code == Category.code)
            .where(
                Incident.station_id == station_id,
                Incident.deleted_at.is_(None),
                Incident.day.between(monday - timedelta(days=14), monday - timedelta(days=1)),
            )
            .group_by(Category.code)
            .order_by(func.count().desc(), Category.position)
        )
    )
    common = session.scalars(
        select(func.coalesce(Category.short, Category.name))
        .where(Category.code != OTHER_CATEGORY)
        .order_by(Category.position)
    ).all()
    if not topics:  # a quiet fortnight: the common types in turn, a week further on each week
        turn = monday.isocalendar().week % len(common) if common else 0
        topics = tuple(common[turn:] + common[:turn])
    topics = _weighted_for_surges(session, settings, station, monday, topics)
    stall_topics = topics + tuple(c for c in common if c not in topics)  # recent (and surges) first, then the rest
    previous, frozen, plan_from, plan_from_time = (), (), None, None
    if replan:
        rows = events_of(session, station, monday, sunday)
        frozen = tuple(as_event(r) for r in rows if settled(r, now))
        previous = tuple(as_event(r) for r in rows if not settled(r, now))
        if now.date() > monday:
            plan_from = now.date()
        if monday <= now.date() <= sunday:
            plan_from, plan_from_time = now.date(), now.time().replace(tzinfo=None)
    sites = tuple(SiteInfo(s.name, s.kind, s.weight) for s in station.stall_sites)
    plan_input = PlanInput(
        week_start=monday,
        workdays=cal.workdays,
        people=people,
        factories=factories,
        sites=sites,
        rules=rules,
        history=dict(history),
        topics=topics,
        stall_topics=stall_topics,
        previous=previous,
        frozen=frozen,
        plan_from=plan_from,
        plan_from_time=plan_from_time,
        no_stall=cal.no_stall,
        days_off=dict(cal.days_off),
    )
    return plan_input, notes


FACTORY_TOPIC_DAYS = 90  # a factory's own incidents this far back choose its talk's topic
FACTORY_PRIORITY_DAYS = 30  # ... and those this recent put it first in the rotation


def _weighted_for_surges(session, settings, station, monday: date, topics: tuple[str, ...]) -> tuple[str, ...]:
    """Categories surging in the fortnight before the week take every other talk and stall (the rest in
    their turn between them), so a surge weighs twice as much as a category merely reported."""
    from ..detection.service import surging_categories

    codes = surging_categories(session, settings, station, monday - timedelta(days=14), monday - timedelta(days=1))
    if not codes:
        return topics
    names = dict(session.execute(select(Category.code, func.coalesce(Category.short, Category.name))).all())
    surging = [names[c] for c in codes if c in names]
    rest = [t for t in topics if t not in surging] or surging
    woven = []
    for index in range(max(len(rest), len(surging))):
        woven += [surging[index % len(surging)], rest[index % len(rest)]]
    return tuple(woven)


def _factory_info(f, last: date | None, incidents, monday: date) -> FactoryInfo:
    """The factory as the planner sees it: its own and its grid's incidents, when it last had a talk."""
    own, grid = [], []
    for day, place, occupation, category in incidents:
        text = f"{place or ''} {occupation or ''}"
        if f.name in text:
            own.append((day, category))
        elif f.grid and f.grid in (place or ""):
            grid.append((day, category))
    related = own + grid
    recent = [day for day, _ in related if day >= monday - timedelta(days=FACTORY_PRIORITY_DAYS)]
    # Its own workers' scams first, then its grid's; within each, the most frequent (then most recent) first.
    topics = [c for c, _ in Counter(c for _, c in own).most_common()]
    topics += [c for c, _ in Counter(c for _, c in grid).most_common() if c not in topics]
    return FactoryInfo(
        name=f.name,
        grid=f.grid,
        headcount=f.headcount,
        talk_windows=tuple(tuple(_hhmm(t) for t in w.split("-")) for w in f.talk_windows),
        last_talk=last,
        incidents_since_last_talk=sum(1 for day in recent if last is None or day > last),
        recent_incidents=len(recent),
        topics=tuple(topics),
    )


def _reason(name: str, days: dict[date, str | None]) -> str | None:
    """Why someone is away this week, for plain words: the reason they gave, else 请假."""
    if not days:
        return None
    given = [r for r in days.values() if r]
    return given[0] if given else None  # the note says 本周请假 on its own


def snapshot(rows) -> list[str]:
    """The week's events as comparable text, whichever order the rows are in."""
    return sorted(json.dumps(as_event(r).as_json(), ensure_ascii=False, sort_keys=True) for r in rows)


def taken_off(earlier: list[dict], before: list[Event], after: list[Event]) -> list[dict]:
    """The shifts taken away so far: the earlier ones plus what this re-plan removed, less what it put back."""
    on = {(event_key(e), name) for e in after for name, _ in e.people}
    found = {}
    for item in earlier:
        found[(event_key(event_from_json(item["event"])), item["name"])] = item
    for e in before:
        for name, role in e.people:
            found[(event_key(e), name)] = {"event": e.as_json(), "name": name, "role": role}
    return [item for key, item in found.items() if key not in on]


def cancelled_shifts(row: RotaWeek) -> list[tuple[Event, str, str]]:
    """The week's shifts re-plans took away (as taken_off keeps them): (the event as it was, name, role)."""
    return [(event_from_json(c["event"]), c["name"], c["role"]) for c in row.cancelled or []]


def event_from_json(data: dict) -> Event:
    return Event(
        date=date.fromisoformat(data["date"]),
        start=_hhmm(data["start"]),
        end=_hhmm(data["end"]),
        kind=data["kind"],
        site=data["site"],
        topic=data.get("topic"),
        people=tuple((p["name"], p["role"]) for p in data["people"]),
    )


def find_week(session: Session, station: Station, week: str) -> RotaWeek | None:
    return session.scalar(
        select(RotaWeek).where(RotaWeek.station_id == station_row(session, station.code).id, RotaWeek.week == week)
    )


def store_plan(session: Session, station: Station, week: str, monday: date, result) -> tuple[RotaWeek, bool]:
    """Keep the plan; a re-plan updates the week's events in place and says whether anything changed.

    An event that stays (same day, kind, site and start) keeps its row and its recorded outcome; a recorded
    event is never removed, whatever the plan says.
    """
    row = find_week(session, station, week)
    if row is None:
        row = RotaWeek(station_id=station_row(session, station.code).id, week=week, revision=1)
        session.add(row)
    row.monday, row.planned_at = monday, utcnow()
    row.objective, row.optimal, row.problems = float(result.objective), bool(result.optimal), list(result.problems)
    before = {event_key(as_event(r)): r for r in row.events}
    old_events = [as_event(r) for r in row.events]
    old = snapshot(row.events) if row.events else None
    wanted = {event_key(e): e for e in result.events}
    for key, r in before.items():
        if key not in wanted and r.recorded_at is None:
            row.events.remove(r)
    for key, e in wanted.items():
        target = before.get(key)
        if target is None:
            target = RotaEvent(day=e.date, start=e.start.strftime("%H:%M"), kind=e.kind, site=e.site)
            row.events.append(target)
        target.end, target.topic = e.end.strftime("%H:%M"), e.topic
        target.people = [{"name": n, "role": r} for n, r in e.people]
    session.flush()
    changed = old is not None and old != snapshot(row.events)
    if changed:
        row.cancelled = taken_off(row.cancelled or [], old_events, [as_event(r) for r in row.events])
    if changed:
        row.revision = (row.revision or 1) + 1
    return row, changed


def record_outcome(
    session: Session, station: Station, day: date, site: str, kind: str | None, values: dict, by: str, today: date
) -> RotaEvent:
    """What happened at an event: attendance, leaflets, app registrations, notes."""
    if day > today:
        raise InputError(f"--date: {day.isoformat()!r} is in the future; record an event after it happened")
    notes = values.get("notes")
    if notes is not None and len(notes) > 500:
        raise InputError(f"--notes: {len(notes)} characters; at most 500")
    if all(v is None for v in values.values()):
        raise InputError("record: give at least one of --attendance, --leaflets, --registrations, --notes")
    candidates = [
        r for r in events_of(session, station, day, day) if r.site == site and (kind is None or r.kind == kind)
    ]
    if not candidates:
        raise InputError(f"--site: no planned event at {site!r} on {day.isoformat()}")
    if len(candidates) > 1:
        raise InputError(
            f"--kind: {site!r} has several events on {day.isoformat()}; say which ({', '.join(EventKind)})"
        )
    row = candidates[0]
    for name, value in values.items():
        if value is not None:
            setattr(row, name, value)
    row.recorded_at, row.recorded_by = utcnow(), by
    return row


def station_now(settings: Settings, station: Station) -> datetime:
    return datetime.now(settings.station_timezone(station))


def absences(session: Session, station: Station, start: date, end: date) -> dict[str, dict[date, str | None]]:
    """Who is away on which days between start and end (inclusive), with the reason they gave."""
    rows = session.scalars(
        select(Absence).where(
            Absence.station_id == station_row(session, station.code).id, Absence.day.between(start, end)
        )
    )
    found: dict[str, dict[date, str | None]] = {}
    for row in rows:
        found.setdefault(row.person, {})[row.day] = row.reason
    return found


def conflicts(session: Session, station: Station, rows: list[RotaEvent]) -> list[tuple[RotaEvent, str]]:
    """(event, person) for each planned person who has since said they cannot come that day."""
    if not rows:
        return []
    away = absences(session, station, min(r.day for r in rows), max(r.day for r in rows))
    return [(r, p["name"]) for r in rows for p in r.people if r.day in away.get(p["name"], {})]


def mark_away(
    session: Session, station: Station, person: str, start: date, end: date | None, reason: str | None, by: str
) -> list[RotaEvent]:
    """Record that a person cannot come from `start` to `end` (inclusive); returns the planned events
    they are on during those days, which need a re-plan.
    """
    end = end or start
    if end < start or (end - start).days > 366:
        raise InputError(f"--to: {end.isoformat()!r} must be on or after --date and within a year of it")
    if reason is not None:
        from ..incidents.validate import clean_text  # typed text that reaches a group post: as incidents do

        if len(reason) > 100:
            raise InputError(f"--reason: {len(reason)} characters; at most 100")
        reason = clean_text(reason, "reason", Counter())
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    if person not in {p.name for p in station.people}:
        raise InputError(f"--name: {person!r} is not one of {station.code}'s people in the config")
    station_id = station_row(session, station.code).id
    for day in days:
        exists = session.scalar(
            select(Absence).where(Absence.station_id == station_id, Absence.person == person, Absence.day == day)
        )
        if exists is None:
            session.add(Absence(station_id=station_id, person=person, day=day, reason=reason, entered_by=by))
    return [
        row
        for row in events_of(session, station, min(days), max(days))
        if row.day in days and any(p["name"] == person for p in row.people)
    ]
