"""Outreach as people use it: plan a week, publish it, remind, record what happened, report.

The CLI, the daemon and the web UI call these; none of them repeats the sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..errors import InputError
from ..lib.words import cn_date
from ..vocab import EventKind
from .model import Event
from .outputs import write_week
from .planner import plan_week
from .publish import Queued, changes_between, published_events, queue_change_notice, queue_reminders, queue_rota
from .store import (
    as_event,
    build_input,
    cancelled_shifts,
    conflicts,
    events_of,
    find_week,
    last_talks,
    mark_away,
    parse_week,
    record_outcome,
    settled,
    station_now,
    store_plan,
)

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
    revision: int = 1
    frozen: int = 0  # events a re-plan kept as held or recorded

    @property
    def talks(self) -> int:
        return sum(e.kind == EventKind.FACTORY_TALK for e in self.events)

    @property
    def stalls(self) -> int:
        return sum(e.kind == EventKind.STREET_STALL for e in self.events)

    @property
    def complete(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "week": self.week,
            "revision": self.revision,
            "kept": self.kept,
            "complete": self.complete,
            "optimal": self.optimal,
            "objective": self.objective,
            "solve_seconds": self.solve_seconds,
            "problems": self.problems,
            "notes": self.notes,
            "events": [e.as_json() for e in self.events],
        }


def plan_and_store(
    session: Session,
    settings: Settings,
    station: Station,
    week: str,
    replan: bool = False,
    now: datetime | None = None,
) -> WeekPlan:
    """Plan the week (or keep its earlier plan unless `replan`), store it and write its rota files.

    A re-plan keeps every held or recorded event as it is and plans only from `now` (station time).
    """
    week, monday = parse_week(week)
    now = now or station_now(settings, station)
    existing = find_week(session, station, week)
    if existing is not None and not replan:
        zone = settings.station_timezone(station)
        plan = WeekPlan(
            week,
            monday,
            [as_event(r) for r in existing.events],
            existing.objective,
            existing.optimal,
            list(existing.problems),
            None,
            kept=True,
            revision=existing.revision,
            notes=[
                f"{week} was planned on {existing.planned_at.astimezone(zone):%Y-%m-%d %H:%M}; kept as it is "
                "(--replan to plan again)"
            ],
        )
        clashes = [(r, name) for r, name in conflicts(session, station, existing.events) if not settled(r, now)]
        if clashes:
            listed = "；".join(f"{cn_date(r.day)} {r.site} {name}" for r, name in clashes)
            plan.problems.append(f"已排的班与{len(clashes)}条请假冲突：{listed}（请用 --replan 重新排班）")
        row = existing
    else:
        plan_input, notes = build_input(session, settings, station, monday, replan, now)
        result = plan_week(plan_input)
        row, changed = store_plan(session, station, week, monday, result)
        plan = WeekPlan(
            week,
            monday,
            [as_event(r) for r in row.events],
            result.objective,
            result.optimal,
            result.problems,
            result.solve_seconds,
            notes=notes + result.notes,
            revision=row.revision,
            frozen=len(plan_input.frozen),
        )
        if plan_input.frozen:
            plan.notes.append(f"{len(plan_input.frozen)} event(s) already held or recorded were kept as they were")
        if replan and existing is not None and not changed:
            plan.notes.append("the re-plan changed nothing")
        if changed and row.published_revision is not None:
            plan.notes.append(
                f"changed since it was published: antifraud outreach publish --week {week} sends the change notice"
            )
    plan.paths = write_files(settings, station, row)
    return plan


def write_files(settings: Settings, station: Station, row) -> dict[str, Path]:
    events = [as_event(r) for r in row.events]
    return write_week(
        settings, station, row.week, row.monday, events, cancelled=cancelled_shifts(row), revision=row.revision
    )


def publish_week(
    session: Session, settings: Settings, station: Station, week: str, paths: dict[str, Path] | None = None
) -> Queued:
    """Queue the planned week's rota for the groups; after a re-plan, a change notice and the new rota.

    Publishing a revision twice queues nothing new. `paths`: the rota files just written for it, if any.
    """
    week, monday = parse_week(week)
    row = find_week(session, station, week)
    if row is None:
        raise InputError(f"--week: {week} is not planned yet (antifraud outreach plan --week {week})")
    events = [as_event(r) for r in row.events]
    result = Queued()
    if row.published_revision is None:
        subject = f"rota:{week}"
    else:
        subject = f"rota:{week}:r{row.revision}" if row.revision > 1 else f"rota:{week}"
        changes = changes_between(published_events(row), events)
        if row.published_revision != row.revision and changes:
            notice = f"rota-change:{week}:r{row.revision}"
            result.created += queue_change_notice(session, settings, station, week, monday, row.revision, changes)
            result.subjects.append(notice)
    paths = paths or write_files(settings, station, row)
    result.created += queue_rota(session, settings, station, week, subject, monday, events, paths)
    result.subjects.append(subject)
    row.published_revision = row.revision
    row.published_events = [e.as_json() for e in events]
    clashes = [
        (r, name)
        for r, name in conflicts(session, station, row.events)
        if not settled(r, station_now(settings, station))
    ]
    result.warnings += [
        f"{name} is away on {r.day.isoformat()} but on the rota at {r.site}; re-plan with "
        f"antifraud outreach plan --week {week} --replan"
        for r, name in clashes
    ]
    return result


def outreach_report(session: Session, station: Station, start: date, end: date, today: date) -> dict:
    """Per kind of event: planned, recorded, people reached, leaflets, app registrations; and the factory
    rotation's coverage as of `end` (or today, if earlier)."""
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
    report["coverage"] = factory_coverage(session, station, min(end, today))
    return report


COVERAGE_WEEKS = (4, 13, 52)


def factory_coverage(session: Session, station: Station, as_of: date) -> dict:
    """How far the rotation has reached: factories (and their workers) with a talk held in the last
    4, 13 and 52 weeks, and the factories waiting longest (never visited first, the biggest of them first)."""
    last = last_talks(session, station, as_of)
    factories = station.factories
    total_workers = sum(f.headcount for f in factories)
    windows = {}
    for weeks in COVERAGE_WEEKS:
        since = as_of - timedelta(weeks=weeks)
        visited = [f for f in factories if f.name in last and last[f.name] > since]
        windows[f"{weeks}w"] = {
            "factories": len(visited),
            "workers": sum(f.headcount for f in visited),
        }
    waiting = sorted(
        factories,
        key=lambda f: (last.get(f.name) is not None, last.get(f.name) or date.min, -f.headcount, f.name),
    )[:5]
    return {
        "as_of": as_of.isoformat(),
        "factories": len(factories),
        "workers": total_workers,
        "visited": windows,
        "never_visited": sum(f.name not in last for f in factories),
        "longest_unvisited": [
            {
                "factory": f.name,
                "headcount": f.headcount,
                "last_talk": last[f.name].isoformat() if f.name in last else None,
            }
            for f in waiting
        ],
    }
