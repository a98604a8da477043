"""The rota as calendar files: everyone's (rota.ics) and each person's own (rota-<name>.ics).

A phone that imported a week updates it rather than doubling it: the same person on the same event
keeps its UID across re-plans, every entry carries the week's revision as SEQUENCE, and a shift a
re-plan took away comes back under its old UID as STATUS:CANCELLED.

The files are plain calendars to import, not iTIP messages: they carry no METHOD, because an iTIP
PUBLISH may not list attendees, and nobody is meant to answer them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..vocab import kind_name, role_name
from .model import Event
from .rota_layout import RotaLayout
from .rota_view import Assignment, Directory, assignments, card, time_range

ALARM_AT = (18, 0)  # calendar reminders go off at 18:00 the day before, never in the small hours
PRODID = "-//antifraud//outreach rota//ZH"
PEOPLE = uuid.UUID("5f0e6f43-3c52-4c53-9c1a-7e1d2b7a0f11")  # namespace of the people's urn:uuid addresses

Cancelled = tuple[Event, str, str]  # the event as it was, the person taken off it, their role


@dataclass(frozen=True)
class Entry:
    """One VEVENT: a person's shift, or a shift a re-plan took away from them."""

    uid: str
    shift: Assignment
    cancelled: bool = False
    revision: int | None = None  # its week's revision, where a calendar spans several weeks


def assignment_uid(week_id: str, a: Assignment) -> str:
    """Stable across rewrites of the week: the same person on the same event keeps its UID."""
    key = "\x1f".join((week_id, a.event.date.isoformat(), a.event.site, a.event.kind, a.name))
    return f"{hashlib.sha1(key.encode('utf-8')).hexdigest()}@antifraud"


def tel_uri(phone: str) -> str:
    """An RFC 3966 tel: URI for a Chinese number: mobiles and landlines global (+86), short numbers local."""
    digits = re.sub(r"[\s-]", "", phone)
    if re.fullmatch(r"1\d{10}", digits):
        return f"tel:+86{digits}"
    if digits.startswith("0"):
        return f"tel:+86{digits[1:]}"
    return f"tel:{digits};phone-context=+86"


def _address(directory: Directory, who: str, cn: str, phone: str | None, **params: str):
    import icalendar

    # A calendar address must be a URI: the phone where the rota prints it, else a stable name-based urn:uuid.
    value = tel_uri(phone) if phone else f"urn:uuid:{uuid.uuid5(PEOPLE, f'{directory.station_code}/{who}')}"
    return icalendar.vCalAddress(value, params={"CN": cn, **params})


def _attendees(directory: Directory, event: Event) -> list:
    c = card(event, directory)
    out = []
    for name, _ in c.people:
        lead = c.lead is not None and c.lead[0] == name
        # Only the lead's phone, the one the image prints: a volunteer's calendar does not hand out everyone's.
        phone = c.lead_phone if lead else None
        out.append(
            _address(directory, name, name, phone, CUTYPE="INDIVIDUAL", ROLE="CHAIR" if lead else "REQ-PARTICIPANT")
        )
    return out


def _description(directory: Directory, event: Event, layout: RotaLayout) -> str:
    c = card(event, directory)
    lines = [
        f"{kind_name(event.kind)} {event.date.month}月{event.date.day}日 {time_range(event)}",
        f"地点：{event.site}",
    ]
    if event.topic:
        lines.append(f"{layout.labels.topic}：{event.topic}")
    if c.lead:
        phone = f" {c.lead_phone}" if c.lead_phone else ""
        lines.append(f"{layout.lead_label(event.kind)}：{c.lead[0]}（{role_name(c.lead[1])}）{phone}")
    if c.members:
        people = "、".join(f"{name}（{role_name(role)}）" for name, role in c.members)
        lines.append(f"{layout.members_label(event.kind)}：{people}")
    if c.officers:
        lines.append(f"{layout.labels.officers}：{'、'.join(name for name, _ in c.officers)}")
    if c.contact:
        lines.append(f"{layout.labels.factory_contact}：{c.contact[0]} {c.contact[1]}")
    lines.append(f"{directory.station_name} · {layout.labels.footer}")
    return "\n".join(lines)


def _vevent(directory: Directory, layout: RotaLayout, zone: ZoneInfo, stamp: datetime, revision: int, entry: Entry):
    import icalendar

    a, cancelled = entry.shift, entry.cancelled
    e = a.event
    start = datetime.combine(e.date, e.start, tzinfo=zone)
    end = datetime.combine(e.date, e.end, tzinfo=zone)
    if end <= start:
        end += timedelta(days=1)  # an event past midnight
    kind = kind_name(e.kind)
    summary = f"{kind}·{e.site}（{a.name}）"
    description = _description(directory, e, layout)
    vevent = icalendar.Event()
    vevent.add("uid", entry.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", entry.revision or revision)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    if cancelled:
        summary = f"{layout.labels.cancelled}：{summary}"
        description = f"{layout.labels.cancelled}\n{description}"
    vevent.add("summary", summary)
    vevent.add("location", e.site)
    vevent.add("description", description)
    vevent.add("categories", [kind])
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    vevent.add("organizer", _address(directory, "", directory.station_name or "警务室", directory.station_phone))
    # A cancelled entry names only the person it is cancelled for: the others may still be on the event.
    taken_off = [_address(directory, a.name, a.name, None, CUTYPE="INDIVIDUAL")]
    for attendee in taken_off if cancelled else _attendees(directory, e):
        vevent.add("attendee", attendee)
    if not cancelled:  # a cancelled shift does not ring
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"明天{e.start:%H:%M} {kind}·{e.site}")
        reminder = datetime.combine(e.date - timedelta(days=1), time(*ALARM_AT), tzinfo=zone)
        alarm.add("trigger", -(start - reminder))
        vevent.add_component(alarm)
    return vevent


def calendar_entries(
    week_id: str, events: Sequence[Event], cancelled: Iterable[Cancelled], directory: Directory
) -> list[Entry]:
    """Every shift of the week, then every shift a re-plan took away (each person and UID once)."""
    out: list[Entry] = []
    used: dict[str, int] = {}
    for a in assignments(events, directory):
        uid = assignment_uid(week_id, a)
        used[uid] = used.get(uid, 0) + 1
        if used[uid] > 1:
            uid = uid.replace("@", f"-{used[uid]}@")  # the same site twice a day: keep UIDs unique
        out.append(Entry(uid, a))
    for event, name, role in cancelled:
        a = Assignment(event, name, role, False)
        uid = assignment_uid(week_id, a)
        if uid in used:  # still on it (moved to another hour at the same site): the new entry replaces it
            continue
        used[uid] = 1
        out.append(Entry(uid, a, cancelled=True))
    return out


def rota_calendar(
    title: str,
    entries: Sequence[Entry],
    directory: Directory,
    layout: RotaLayout,
    zone: ZoneInfo,
    now: datetime,
    revision: int,
) -> bytes:
    """A calendar of these entries in the station's time zone (with its VTIMEZONE)."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", title)
    calendar.add("x-wr-timezone", zone.key)
    stamp = now.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    for entry in entries:
        calendar.add_component(_vevent(directory, layout, zone, stamp, revision, entry))
    if entries:
        years = [entry.shift.event.date.year for entry in entries]
        calendar.subcomponents.insert(0, _vtimezone(zone.key, min(years), max(years) + 1))
    return calendar.to_ical()


@functools.lru_cache(maxsize=8)
def _vtimezone(key: str, first_year: int, last_year: int):
    """The zone's VTIMEZONE for these years, built once: every calendar of a week shares it.

    icalendar's own add_missing_timezones spans 1970-2038 and costs ~75 ms a calendar; a week's files
    (one per person) would pay that thirty times over.
    """
    from icalendar import Timezone

    return Timezone.from_tzid(key, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))
