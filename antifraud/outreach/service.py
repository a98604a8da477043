"""Outreach as people use it: plan a week, publish it, remind, record what happened, report.

The CLI, the daemon and the web UI call these; none of them repeats the sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..errors import InputError
from ..vocab import EventKind
from .model import Event
from .outputs import write_week
from .planner import plan_week
from .publish import queue_reminders, queue_week
from .store import as_event, build_input, events_of, find_week, mark_away, parse_week, record_outcome, store_plan

__all__ = [
    "WeekPlan",
    "mark_away",
    "outreach_report",
    "plan_and_store",
    "publish_week",
    "queue_reminders",
    "record_outcome",
]


@dataclass
class WeekPlan:
    """A week's plan as stored, with the files written for it."""

    week: str
    monday: date
    events: list[Event]
    objective: float
    optimal: bool
    problems: list[str]
    solve_seconds: float | None  # None when an earlier plan was kept
    kept: bool = False
    notes: list[str] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def talks(self) -> int:
        return sum(e.kind == EventKind.FACTORY_TALK for e in self.events)

    @property
    def stalls(self) -> int:
        return sum(e.kind == EventKind.STREET_STALL for e in self.events)


def plan_and_store(session: Session, settings: Settings, station: Station, week: str, replan: bool = False) -> WeekPlan:
    """Plan the week (or keep its earlier plan unless `replan`), store it and write its rota files."""
    week, monday = parse_week(week)
    zone = settings.station_timezone(station)
    existing = find_week(session, station, week)
    if existing is not None and not replan:
        plan = WeekPlan(
            week,
            monday,
            [as_event(r) for r in existing.events],
            existing.objective,
            existing.optimal,
            list(existing.problems),
            None,
            kept=True,
            notes=[
                f"{week} was planned on {existing.planned_at.astimezone(zone):%Y-%m-%d %H:%M}; kept as published "
                "(--replan to plan again)"
            ],
        )
    else:
        plan_input, calendar_note = build_input(session, settings, station, monday, replan)
        result = plan_week(plan_input)
        store_plan(session, station, week, monday, result)
        plan = WeekPlan(
            week,
            monday,
            result.events,
            result.objective,
            result.optimal,
            result.problems,
            result.solve_seconds,
            notes=[calendar_note] if calendar_note else [],
        )
    plan.paths = write_week(settings, station, week, monday, plan.events)
    return plan


def publish_week(session: Session, settings: Settings, station: Station, week: str):
    """Queue the planned week's rota (image and text) for the volunteers' and staff groups."""
    week, monday = parse_week(week)
    existing = find_week(session, station, week)
    if existing is None:
        raise InputError(f"--week: {week} is not planned yet (antifraud outreach plan --week {week})")
    paths = write_week(settings, station, week, monday, [as_event(r) for r in existing.events])
    return queue_week(session, settings, station, week, monday, paths)


def outreach_report(session: Session, station: Station, start: date, end: date) -> dict:
    """Per kind of event: planned, recorded, people reached, leaflets, app registrations."""
    if start > end:
        raise InputError(f"--from: {start.isoformat()!r} is after --to {end.isoformat()!r}")
    rows = events_of(session, station, start, end)
    report = {}
    for kind in EventKind:
        mine = [r for r in rows if r.kind == kind]
        report[str(kind)] = {
            "planned": len(mine),
            "recorded": sum(r.recorded_at is not None for r in mine),
            "attendance": sum(r.attendance or 0 for r in mine),
            "leaflets": sum(r.leaflets or 0 for r in mine),
            "registrations": sum(r.registrations or 0 for r in mine),
        }
    return report
