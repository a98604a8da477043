"""Outreach in the database: the planner's input for a week, stored plans, absences, outcomes."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..db.models import Absence, Category, Incident, RotaEvent, RotaWeek, utcnow
from ..db.reference import station_row
from ..errors import InputError
from ..vocab import WEEKDAYS, EventKind
from .calendar import week_days, working_days
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


def build_input(
    session: Session, settings: Settings, station: Station, monday: date, replan: bool
) -> tuple[PlanInput, str | None]:
    """The planner's input for the week, and a note when the official calendar was not known."""
    rules = rules_from(settings)
    workdays, note = working_days(week_days(monday), settings.calendar.holidays, settings.calendar.workdays)
    away = absences(session, station, monday, monday + timedelta(days=6))
    people = tuple(
        PersonInfo(
            name=p.name,
            role=p.role,
            team=p.team or p.role,
            phone=p.phone,
            available=frozenset(WEEKDAYS.index(d) for d in p.available),
            unavailable=frozenset(p.unavailable) | away.get(p.name, frozenset()),
            max_shifts_per_week=p.max_shifts_per_week,
        )
        for p in station.people
    )
    fairness_start = monday - timedelta(weeks=rules.fairness_weeks)
    history = Counter(
        person["name"]
        for row in events_of(session, station, fairness_start, monday - timedelta(days=1))
        for person in row.people
    )
    talks = [
        r
        for r in events_of(session, station, date(2000, 1, 1), monday - timedelta(days=1))
        if r.kind == EventKind.FACTORY_TALK
    ]
    last_talk = {}
    for row in talks:
        last_talk[row.site] = max(last_talk.get(row.site, row.day), row.day)
    incidents = session.scalars(
        select(Incident).where(
            Incident.station_id == station_row(session, station.code).id,
            Incident.deleted_at.is_(None),
            Incident.day.between(monday - timedelta(days=30), monday - timedelta(days=1)),
        )
    ).all()

    def concerns(incident, factory) -> bool:
        place = incident.place or ""
        return factory.name in place or bool(factory.grid and factory.grid in place)

    factories = []
    for f in station.factories:
        last = last_talk.get(f.name)
        related = [i for i in incidents if concerns(i, f)]
        factories.append(
            FactoryInfo(
                name=f.name,
                grid=f.grid,
                headcount=f.headcount,
                talk_windows=tuple(tuple(_hhmm(t) for t in w.split("-")) for w in f.talk_windows),
                last_talk=last,
                incidents_since_last_talk=sum(1 for i in related if last is None or i.day > last),
                recent_incidents=len(related),
            )
        )
    topics = tuple(
        name
        for name, _ in session.execute(
            select(func.coalesce(Category.short, Category.name), func.count())
            .join(Incident, Incident.category_code == Category.code)
            .where(
                Incident.station_id == station_row(session, station.code).id,
                Incident.deleted_at.is_(None),
                Incident.day.between(monday - timedelta(days=14), monday - timedelta(days=1)),
            )
            .group_by(Category.code)
            .order_by(func.count().desc(), Category.position)
        )
    )
    previous = ()
    if replan:
        previous = tuple(as_event(r) for r in events_of(session, station, monday, monday + timedelta(days=6)))
    sites = tuple(SiteInfo(s.name, s.kind, s.weight) for s in station.stall_sites)
    plan_input = PlanInput(
        week_start=monday,
        workdays=workdays,
        people=people,
        factories=tuple(factories),
        sites=sites,
        rules=rules,
        history=dict(history),
        topics=topics,
        previous=previous,
    )
    return plan_input, note


def find_week(session: Session, station: Station, week: str) -> RotaWeek | None:
    return session.scalar(
        select(RotaWeek).where(RotaWeek.station_id == station_row(session, station.code).id, RotaWeek.week == week)
    )


def store_plan(session: Session, station: Station, week: str, monday: date, result) -> RotaWeek:
    """Keep the plan, replacing an earlier plan of the same week."""
    row = find_week(session, station, week) or RotaWeek(station_id=station_row(session, station.code).id, week=week)
    row.monday, row.planned_at = monday, utcnow()
    row.objective, row.optimal, row.problems = float(result.objective), bool(result.optimal), list(result.problems)
    row.events = [
        RotaEvent(
            day=e.date,
            start=e.start.strftime("%H:%M"),
            end=e.end.strftime("%H:%M"),
            kind=e.kind,
            site=e.site,
            topic=e.topic,
            people=[{"name": n, "role": r} for n, r in e.people],
        )
        for e in result.events
    ]
    session.add(row)
    session.flush()
    return row


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


def absences(session: Session, station: Station, start: date, end: date) -> dict[str, frozenset[date]]:
    rows = session.scalars(
        select(Absence).where(
            Absence.station_id == station_row(session, station.code).id, Absence.day.between(start, end)
        )
    )
    found: dict[str, set[date]] = {}
    for row in rows:
        found.setdefault(row.person, set()).add(row.day)
    return {name: frozenset(days) for name, days in found.items()}


def mark_away(
    session: Session, station: Station, person: str, start: date, end: date | None, reason: str | None, by: str
) -> list[RotaEvent]:
    """Record that a person cannot come from `start` to `end` (inclusive); returns the planned events
    they are on during those days, which need a re-plan.
    """
    end = end or start
    if end < start or (end - start).days > 366:
        raise InputError(f"--to: {end.isoformat()!r} must be on or after --date and within a year of it")
    if reason is not None and len(reason) > 100:
        raise InputError(f"--reason: {len(reason)} characters; at most 100")
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
