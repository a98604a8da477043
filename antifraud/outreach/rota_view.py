"""The week's events as every rota output shows them: in reading order, each with its crew, its empty
places and whom to call, and each person's shifts. Pure: no drawing, no files, no clock.

One place decides who leads, who is a member and what is missing, so the image, the text, the
spreadsheet and the calendars never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from ..vocab import HELPER_ROLES, LEAD_ROLES, EventKind
from .model import Event

# Who may be an event's first person, by kind: a stall is led by patrol or an officer, a talk given by an officer.
LEADERS = {EventKind.STREET_STALL: LEAD_ROLES, EventKind.FACTORY_TALK: ("officer",)}
SECTIONS = (EventKind.STREET_STALL, EventKind.FACTORY_TALK)  # volunteers read the stalls, so they come first
PERSON_ORDER = ("volunteer", "patrol", "auxiliary", "officer")  # 按人查看: volunteers find themselves first

Person = tuple[str, str]  # name, role


@dataclass(frozen=True)
class Directory:
    """What the rota prints beside the plan: how many people an event needs, phones, factory contacts."""

    station_name: str = ""
    station_code: str = ""
    stall_staff: int = 4  # people per stall, the lead included
    talk_helpers_min: int = 1  # auxiliaries or patrol going along with the officer
    phones: Mapping[str, str] = field(default_factory=dict)  # person -> phone
    roster: tuple[str, ...] = ()  # the station's people in config order
    factory_contacts: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # factory -> (name, phone)
    station_phone: str | None = None

    @classmethod
    def of(cls, settings, station) -> Directory:
        return cls(
            station_name=station.name,
            station_code=station.code,
            stall_staff=settings.outreach.stall_staff,
            talk_helpers_min=settings.outreach.talk_helpers_min,
            phones={p.name: p.phone for p in station.people if p.phone},
            roster=tuple(p.name for p in station.people),
            factory_contacts={f.name: (f.contact.name, f.contact.phone) for f in station.factories if f.contact},
            station_phone=station.contact.phone if station.contact else None,
        )


@dataclass(frozen=True)
class Card:
    """One event as the rota shows it."""

    event: Event
    lead: Person | None  # None: nobody who may lead it (缺带队 / 缺主讲)
    members: tuple[Person, ...]  # 队员 / 协助: never an officer
    officers: tuple[Person, ...]  # officers on it who do not lead it: their own row (民警)
    short: int  # places not filled
    lead_phone: str | None
    contact: tuple[str, str] | None  # the factory's contact person and phone

    @property
    def people(self) -> tuple[Person, ...]:
        return ((self.lead,) if self.lead else ()) + self.members + self.officers


def _unique(people: Sequence[Person]) -> list[Person]:
    seen: set[str] = set()
    out = []
    for name, role in people:
        if name not in seen:  # listed twice on one event: one place
            seen.add(name)
            out.append((name, role))
    return out


def card(event: Event, directory: Directory) -> Card:
    people = _unique(event.people)
    lead = people[0] if people and people[0][1] in LEADERS.get(event.kind, LEAD_ROLES) else None
    rest = people[1:] if lead else people
    # An officer on a stall led by patrol is not the patrol member's 队员: officers get a row of their own.
    officers = tuple(p for p in rest if p[1] == "officer")
    members = tuple(p for p in rest if p[1] != "officer")
    if event.kind == EventKind.FACTORY_TALK:
        short = directory.talk_helpers_min - sum(role in HELPER_ROLES for _, role in members)
    else:
        short = directory.stall_staff - len(people)
    return Card(
        event,
        lead,
        members,
        officers,
        max(0, short),
        directory.phones.get(lead[0]) if lead else None,
        directory.factory_contacts.get(event.site) if event.kind == EventKind.FACTORY_TALK else None,
    )


def time_range(event: Event) -> str:
    return f"{event.start:%H:%M}–{event.end:%H:%M}"


def sorted_events(events: Sequence[Event]) -> list[Event]:
    """By day and time; events at the same time keep the planner's order."""
    return sorted(events, key=lambda e: (e.date, e.start, e.end))


def by_day(events: Sequence[Event]) -> list[tuple[date, list[Event]]]:
    return [(day, list(group)) for day, group in groupby(sorted_events(events), key=lambda e: e.date)]


def _section(kind: str) -> int:
    return SECTIONS.index(kind) if kind in SECTIONS else len(SECTIONS)


def sections(cards: Sequence[Card]) -> list[tuple[str, list[tuple[date, list[Card]]]]]:
    """[(kind, [(day, cards)])]: the stalls first, then the talks (then any other kind), each by day and time."""
    ordered = sorted(cards, key=lambda c: (_section(c.event.kind), c.event.date, c.event.start, c.event.end))
    out = []
    for kind, of_kind in groupby(ordered, key=lambda c: c.event.kind):
        days = [(day, list(todays)) for day, todays in groupby(of_kind, key=lambda c: c.event.date)]
        out.append((kind, days))
    return out


def rota_cards(events: Sequence[Event], directory: Directory) -> list[Card]:
    """The week's cards in reading order: stalls by day and time, then talks by day and time."""
    return [c for _, days in sections([card(e, directory) for e in events]) for _, todays in days for c in todays]


@dataclass(frozen=True)
class Shift:
    card: Card
    lead: bool  # 带队 / 主讲


def shifts_by_person(cards: Sequence[Card], directory: Directory) -> list[tuple[Person, list[Shift]]]:
    """Each person on the rota with their shifts by day and time; volunteers first, then in config order."""
    shifts: dict[str, list[Shift]] = {}
    roles: dict[str, str] = {}
    for c in sorted(cards, key=lambda c: (c.event.date, c.event.start, c.event.end)):
        for name, role in c.people:
            shifts.setdefault(name, []).append(Shift(c, c.lead is not None and c.lead[0] == name))
            roles.setdefault(name, role)
    roster = {name: index for index, name in enumerate(directory.roster)}
    seen = {name: index for index, name in enumerate(shifts)}

    def order(name: str):
        role = roles[name]
        rank = PERSON_ORDER.index(role) if role in PERSON_ORDER else len(PERSON_ORDER)
        return rank, roster.get(name, len(roster)), seen[name]

    return [((name, roles[name]), shifts[name]) for name in sorted(shifts, key=order)]


@dataclass(frozen=True)
class Assignment:
    """One person on one event: a row of the spreadsheet, an entry of the calendar."""

    event: Event
    name: str
    role: str
    lead: bool


def assignments(events: Sequence[Event], directory: Directory | None = None) -> list[Assignment]:
    """Everyone on every event, by day and time; the lead is the card's lead (a stall's patrol or officer)."""
    directory = directory or Directory()
    out = []
    for event in sorted_events(events):
        c = card(event, directory)
        out += [Assignment(event, name, role, c.lead is not None and c.lead[0] == name) for name, role in c.people]
    return out
