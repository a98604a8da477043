"""Plain data the rota planner works on. No database, no clock: the planner is a pure function."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta


@dataclass(frozen=True)
class PersonInfo:
    name: str
    role: str  # one of vocab.ROLES
    team: str  # fairness is balanced within a team
    phone: str | None = None
    available: frozenset[int] = frozenset(range(7))  # weekdays, Monday = 0
    unavailable: frozenset[date] = frozenset()
    max_shifts_per_week: int = 3
    away_reason: str | None = None  # why they are away this week (an `outreach away` reason), for messages

    def free_on(self, day: date) -> bool:
        return day.weekday() in self.available and day not in self.unavailable


@dataclass(frozen=True)
class FactoryInfo:
    name: str
    grid: str | None
    headcount: int
    talk_windows: tuple[tuple[time, time], ...]  # e.g. ((12:00, 13:00),)
    last_talk: date | None = None  # the most recent talk held or planned before this week
    incidents_since_last_talk: int = 0  # among its workers or in its grid
    recent_incidents: int = 0  # in the last 30 days, for priority
    topics: tuple[str, ...] = ()  # categories of its own and its grid's recent incidents, most first


@dataclass(frozen=True)
class SiteInfo:
    name: str
    kind: str
    weight: float = 1.0


@dataclass(frozen=True)
class Rules:
    talks_per_officer_min: int = 2
    talks_per_officer_max: int = 3
    talk_helpers_min: int = 1  # auxiliaries or patrol members with the officer
    talk_helpers_max: int = 2
    stall_weekdays: tuple[int, ...] = (5, 6)  # Saturday, Sunday
    stall_start: time = time(19, 30)
    stall_end: time = time(21, 30)
    stall_staff: int = 4  # wanted per stall, including the lead
    stall_min_crew: int = 3  # fewer than this, and the stall is not held
    factory_cooldown_weeks: int = 4  # a factory talked to within this goes after the others
    fairness_weeks: int = 4
    time_limit_seconds: float = 2.0


@dataclass(frozen=True)
class Event:
    date: date
    start: time
    end: time
    kind: str  # an EventKind
    site: str
    topic: str | None
    people: tuple[tuple[str, str], ...]  # (name, role); for a stall the lead comes first

    def as_json(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
            "kind": self.kind,
            "site": self.site,
            "topic": self.topic,
            "people": [{"name": name, "role": role} for name, role in self.people],
        }


@dataclass(frozen=True)
class PlanInput:
    week_start: date  # the Monday
    workdays: tuple[date, ...]  # official working days of the week (调休 Saturdays included)
    people: tuple[PersonInfo, ...]
    factories: tuple[FactoryInfo, ...]
    sites: tuple[SiteInfo, ...]
    rules: Rules = Rules()
    history: dict[str, int] = field(default_factory=dict)  # shifts per person in the previous fairness weeks
    topics: tuple[str, ...] = ()  # category names most reported in the last 14 days, most first
    stall_topics: tuple[str, ...] = ()  # topics + further categories: a weekend's stalls never all one topic
    previous: tuple[Event, ...] = ()  # an earlier plan of this week, kept where the rules allow
    frozen: tuple[Event, ...] = ()  # held or recorded events: kept exactly, counted, never changed
    plan_from: date | None = None  # no new assignments before this day (a re-plan never rewrites the past)
    plan_from_time: time | None = None  # ... nor on that day before this time (station time, a re-plan at noon)
    no_stall: frozenset[date] = frozenset()  # 除夕 to 初二, config's no_stall_dates
    days_off: dict[date, str] = field(default_factory=dict)  # weekdays that are holidays, and their names

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.week_start + timedelta(days=i) for i in range(7))

    @property
    def stall_days(self) -> tuple[date, ...]:
        return tuple(d for d in self.days if d.weekday() in self.rules.stall_weekdays and d not in self.no_stall)


@dataclass
class PlanResult:
    events: list[Event]
    objective: float
    optimal: bool
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | ...
    problems: list[str] = field(default_factory=list)  # rules that could not be met, in plain words
    solve_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # what is so by design (leave, holidays), not a shortfall
