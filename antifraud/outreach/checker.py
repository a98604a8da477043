"""An independent check of a week's plan against every rota rule (written without the planner's code).

Each violation is one line "<kind>: <details>". Kinds:

* hard rules for people: ``unknown-person``, ``role``, ``availability``, ``one-a-day``, ``max-shifts``;
* events: ``week``, ``kind``, ``talk-day``, ``talk-time``, ``talk-composition``, ``factory``,
  ``stall-day``, ``stall-time``, ``stall-site``, ``stall-crew`` (held with fewer than the minimum crew);
* minimums the planner may fall short of when people are missing: ``talk-count``, ``stall-staffing``,
  ``stall-lead``, ``stall-coverage`` (a stall not held).

The factory cooldown is a preference, not a rule, so it is not checked here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from ..vocab import HELPER_ROLES, LEAD_ROLES, EventKind
from .model import Event, PlanInput

HARD_KINDS = ("unknown-person", "role", "availability", "one-a-day", "max-shifts")
SHORTFALL_KINDS = ("talk-count", "stall-staffing", "stall-lead", "stall-coverage")


def violation_kind(line: str) -> str:
    return line.split(":", 1)[0]


def check_plan(inp: PlanInput, events: list[Event]) -> list[str]:
    rules = inp.rules
    out: list[str] = []
    people = {}
    for person in inp.people:
        people.setdefault(person.name, person)
    factories = {f.name: f for f in inp.factories}
    sites = {s.name for s in inp.sites}
    week = [inp.week_start + timedelta(days=i) for i in range(7)]
    workdays = set(inp.workdays)
    stall_days = list(inp.stall_days)

    def label(e: Event) -> str:
        return f"{e.kind} {e.site} {e.date.isoformat()} {e.start:%H:%M}-{e.end:%H:%M}"

    per_day: dict[tuple[str, date], list[str]] = defaultdict(list)
    shifts: Counter[str] = Counter()
    talks_by_officer: Counter[str] = Counter()
    talks_by_factory: Counter[str] = Counter()
    stalls: dict[tuple[str, date], list[Event]] = defaultdict(list)

    for e in events:
        where = label(e)
        if e.date not in week:
            out.append(f"week: {where} is outside the week starting {inp.week_start.isoformat()}")
        if not e.start < e.end:
            out.append(f"{'talk' if e.kind == EventKind.FACTORY_TALK else 'stall'}-time: {where} ends before it starts")
        names = [name for name, _ in e.people]
        for name, count in Counter(names).items():
            if count > 1:
                out.append(f"one-a-day: {name} is listed {count} times in {where}")
        for name, role in e.people:
            person = people.get(name)
            if person is None:
                out.append(f"unknown-person: {name} in {where} is not one of the station's people")
                continue
            if role != person.role:
                out.append(f"role: {name} is listed as {role} in {where} but is {person.role}")
            if not person.free_on(e.date):
                out.append(f"availability: {name} is not free on {e.date.isoformat()} ({where})")
        for name in set(names):
            per_day[name, e.date].append(where)
            shifts[name] += 1

        if e.kind == EventKind.FACTORY_TALK:
            if e.date not in workdays:
                out.append(f"talk-day: {where} is not on an official working day")
            factory = factories.get(e.site)
            if factory is None:
                out.append(f"factory: {where} is not at a known factory")
            else:
                talks_by_factory[e.site] += 1
                if not any(w0 <= e.start and e.end <= w1 for w0, w1 in factory.talk_windows):
                    out.append(f"talk-time: {where} is not inside the factory's talk windows")
            officers = [(n, people[n].role) for n, _ in e.people if n in people and people[n].role == "officer"]
            helpers = [n for n, _ in e.people if n in people and people[n].role in HELPER_ROLES]
            others = [n for n, _ in e.people if n in people and people[n].role not in ("officer", *HELPER_ROLES)]
            if len(officers) != 1:
                out.append(f"talk-composition: {where} has {len(officers)} officers, needs exactly 1")
            elif e.people[0][0] != officers[0][0]:
                out.append(f"talk-composition: {where} does not list its officer first")
            if not rules.talk_helpers_min <= len(helpers) <= rules.talk_helpers_max:
                out.append(
                    f"talk-composition: {where} has {len(helpers)} auxiliary/patrol helpers, needs "
                    f"{rules.talk_helpers_min}-{rules.talk_helpers_max}"
                )
            if others:
                out.append(f"talk-composition: {where} includes {', '.join(others)}, who may not go to talks")
            if officers:
                talks_by_officer[officers[0][0]] += 1
        elif e.kind == EventKind.STREET_STALL:
            if e.date not in stall_days:
                out.append(f"stall-day: {where} is not on a stall day")
            if e.site not in sites:
                out.append(f"stall-site: {where} is not at a known stall site")
            if (e.start, e.end) != (rules.stall_start, rules.stall_end):
                out.append(f"stall-time: {where} should be {rules.stall_start:%H:%M}-{rules.stall_end:%H:%M}")
            stalls[e.site, e.date].append(e)
        else:
            out.append(f"kind: {where} has an unknown kind")

    for (name, day), wheres in sorted(per_day.items()):
        if len(wheres) > 1:
            out.append(f"one-a-day: {name} has {len(wheres)} events on {day.isoformat()}: {'; '.join(wheres)}")
    for name, count in sorted(shifts.items()):
        person = people.get(name)
        if person is not None and count > person.max_shifts_per_week:
            out.append(f"max-shifts: {name} has {count} events, at most {person.max_shifts_per_week} allowed")
    for name, count in sorted(talks_by_factory.items()):
        if count > 1:
            out.append(f"factory: {name} gets {count} talks this week, at most 1 allowed")
    for person in people.values():
        if person.role != "officer":
            continue
        n = talks_by_officer[person.name]
        if not rules.talks_per_officer_min <= n <= rules.talks_per_officer_max:
            out.append(
                f"talk-count: {person.name} gives {n} factory talks, needs "
                f"{rules.talks_per_officer_min}-{rules.talks_per_officer_max}"
            )
    for day in stall_days:
        for site in sorted(sites):
            found = stalls.get((site, day), [])
            if not found:
                out.append(f"stall-coverage: no stall at {site} on {day.isoformat()}")
                continue
            if len(found) > 1:
                out.append(f"stall-coverage: {len(found)} stalls at {site} on {day.isoformat()}, expected 1")
            for e in found:
                if len(e.people) < rules.stall_min_crew:
                    out.append(
                        f"stall-crew: {label(e)} is held with {len(e.people)} people, fewer than {rules.stall_min_crew}"
                    )
                if len(e.people) < rules.stall_staff:
                    out.append(
                        f"stall-staffing: {label(e)} has {len(e.people)} people, needs at least {rules.stall_staff}"
                    )
                lead = people.get(e.people[0][0]) if e.people else None
                if lead is None or lead.role not in LEAD_ROLES:
                    out.append(f"stall-lead: {label(e)} is not led by a patrol member or officer")
    return out
