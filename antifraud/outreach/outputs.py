"""The week's rota in the forms people use it: an image and a text for the volunteers' group,
a spreadsheet for the station, and calendar files: everyone's, and each person's own.

Everything is written atomically into one folder (readers never see a half-written file), and
rewriting a week gives the same calendar UIDs, so an imported calendar updates rather than doubles.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import groupby
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..channels.split import split_message
from ..errors import ConfigError
from ..lib.files import write_atomic
from ..lib.jinja import render_template
from ..render.png import encode_png
from ..vocab import kind_name, role_name
from .model import Event
from .rota_ics import Cancelled, Entry, calendar_entries, rota_calendar
from .rota_image import draw_rota
from .rota_layout import RotaLayout, load_rota_layout
from .rota_view import (
    Assignment,
    Card,
    Directory,
    Shift,
    assignments,
    card,
    sections,
    shifts_by_person,
    time_range,
)

TEXT_TEMPLATE = "rota.txt"
SHEET_ROTA = "排班表"
SHEET_PEOPLE = "按人员"
COLUMNS = ("日期", "星期", "时间", "类型", "地点", "主题", "人员", "角色")
PERSON_ICS = "ics:"  # write_rota's key of a person's own calendar: "ics:钱队员"
# The text's forms, fullest first: (compact rota, compact 按人查看).
TEXT_FORMS = ((False, False), (False, True), (True, False), (True, True))


def write_rota(
    folder: Path,
    station_name: str,
    week_label: str,
    week_id: str,
    events: list[Event],
    station_templates: Path | None,
    timezone: str,
    *,
    now: datetime | None = None,
    directory: Directory | None = None,
    cancelled: Sequence[Cancelled] = (),
    revision: int = 1,
) -> dict[str, Path]:
    """Write rota.png, rota.txt, rota.xlsx, rota.ics and each person's rota-<name>.ics into `folder`.

    Returns {"png": path, "txt": ..., "xlsx": ..., "ics": ..., "ics:<name>": path per person}.
    `directory` says how many people an event needs and whom to call (default: none known);
    `cancelled` lists the (event, name, role) a re-plan took away, each cancelled in the calendars;
    `revision` (1 for the first plan) is every calendar entry's SEQUENCE. `now` (default: the
    current time) is shown on the image and stamped into the calendars. Everything is made before
    anything is written, so a bad name or template leaves the folder as it was. A person's calendar
    from an earlier plan, of someone neither on this one nor taken off it, is left as it is: what
    it says still holds.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: {timezone!r} is not a known time zone (e.g. Asia/Shanghai)") from None
    now = (now or datetime.now(zone)).astimezone(zone)
    directory = directory or Directory(station_name=station_name)
    layout = load_rota_layout(station_templates)
    title = layout.labels.title.format(station=station_name)
    image = draw_rota(
        title, station_name, week_label, events, layout, station_templates, generated_at=now, directory=directory
    )
    text = rota_text(station_name, week_label, week_id, events, layout, station_templates, directory)
    entries = calendar_entries(week_id, events, cancelled, directory)
    calendar_name = f"{station_name} 反诈宣传排班 {week_id}"
    files = {
        "png": ("rota.png", encode_png(image)),
        "txt": ("rota.txt", text.encode("utf-8")),
        "xlsx": ("rota.xlsx", rota_xlsx(events, layout, now, directory)),
        "ics": ("rota.ics", rota_calendar(calendar_name, entries, directory, layout, zone, now, revision)),
    }
    mine: dict[str, list[Entry]] = {}
    for entry in entries:
        mine.setdefault(entry.shift.name, []).append(entry)
    for name, theirs in mine.items():
        payload = rota_calendar(f"{calendar_name} {name}", theirs, directory, layout, zone, now, revision)
        files[PERSON_ICS + name] = (person_calendar_name(name), payload)
    return {key: write_atomic(folder / name, payload) for key, (name, payload) in files.items()}


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]+')


def person_calendar_name(name: str) -> str:
    """rota-钱队员.ics: the name kept where it is safe in a file name on any system; where something had
    to be replaced, a short hash of the name keeps two such names apart."""
    safe = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip("._")[:60]
    if safe != name:
        safe = f"{safe}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}".lstrip("-")
    return f"rota-{safe}.ics"


# --- text ------------------------------------------------------------------------------------


def _person(name: str, role: str) -> dict:
    return {"name": name, "role": role_name(role)}


def _event_view(rc: Card, layout: RotaLayout) -> dict:
    e = rc.event
    return {
        "date": e.date,
        "time": time_range(e),
        "start": f"{e.start:%H:%M}",
        "kind": kind_name(e.kind),
        "kind_code": e.kind,
        "site": e.site,
        "topic": e.topic,
        "lead_label": layout.lead_label(e.kind),
        "members_label": layout.members_label(e.kind),
        "officers_label": layout.labels.officers,
        "lead": _person(*rc.lead) if rc.lead else None,
        "lead_phone": rc.lead_phone,
        "members": [_person(*p) for p in rc.members],
        "officers": [_person(*p) for p in rc.officers],
        "people": [_person(*p) for p in rc.people],
        "contact_label": layout.labels.factory_contact,
        "contact": {"name": rc.contact[0], "phone": rc.contact[1]} if rc.contact else None,
        "tags": layout.tags(rc),
    }


def _shift_view(shift: Shift, layout: RotaLayout) -> dict:
    e = shift.card.event
    weekday = f"周{layout.labels.weekdays[e.date.weekday()]}"
    return {
        "day": f"{e.date.month}月{e.date.day}日{weekday}",
        "weekday": weekday,
        "time": time_range(e),
        "start": f"{e.start:%H:%M}",
        "kind": kind_name(e.kind),
        "site": e.site,
        "short": layout.shift_label(shift),
        "lead": layout.lead_label(e.kind) if shift.lead else None,
    }


def _context(
    station_name: str,
    week_label: str,
    week_id: str,
    events: Sequence[Event],
    layout: RotaLayout,
    directory: Directory,
) -> dict:
    cards = [card(e, directory) for e in events]
    views = {id(rc): _event_view(rc, layout) for rc in cards}

    def day_view(day: date, todays: Sequence[Card]) -> dict:
        return {"date": day, "label": layout.day_label(day), "events": [views[id(rc)] for rc in todays]}

    in_time = sorted(cards, key=lambda rc: (rc.event.date, rc.event.start, rc.event.end))
    days = [day_view(day, list(todays)) for day, todays in groupby(in_time, key=lambda rc: rc.event.date)]
    kinds = [
        {
            "kind_code": kind,
            "kind": kind_name(kind),
            "label": layout.labels.sections.of(kind),
            "count": sum(len(todays) for _, todays in of_kind),
            "days": [day_view(day, todays) for day, todays in of_kind],
        }
        for kind, of_kind in sections(cards)
    ]
    people = [
        {"name": name, "role": role_name(role), "shifts": [_shift_view(s, layout) for s in shifts]}
        for (name, role), shifts in shifts_by_person(cards, directory)
    ]
    # 按人查看 in the text comes in groups by role, each its own paragraph: a long list is sent in parts
    # at those, and each part says what it is.
    groups = [
        {"label": role, "people": [p for p in people if p["role"] == role]}
        for role in dict.fromkeys(p["role"] for p in people)
    ]
    return {
        "station_name": station_name,
        "week_label": week_label,
        "week_id": week_id,
        "days": days,
        "sections": kinds,
        "people": people,
        "people_groups": groups,
        "by_person_label": layout.labels.by_person,
    }


def rota_text(
    station_name: str,
    week_label: str,
    week_id: str,
    events: Sequence[Event],
    layout: RotaLayout,
    station_templates: Path | None,
    directory: Directory | None = None,
) -> str:
    """rota.txt rendered in the form that needs the fewest messages, the fullest of those.

    The full form if it fits one message; else the rota full and 按人查看 compact, and so on down to
    both compact. A week too long for one message anyway is sent in parts (channels.split) at the
    blank lines between days, each part starting with its day's heading.
    """
    context = _context(station_name, week_label, week_id, events, layout, directory or Directory())
    best: tuple[int, str] | None = None
    for compact, compact_people in TEXT_FORMS:
        text = render_template(
            TEXT_TEMPLATE, station_templates, **context, compact=compact, compact_people=compact_people
        )
        messages = len(split_message(text))
        if best is None or messages < best[0]:
            best = (messages, text)
        if messages <= 1:
            break
    return best[1]


# --- spreadsheet -----------------------------------------------------------------------------


def _weekday(layout: RotaLayout, day: date) -> str:
    return f"周{layout.labels.weekdays[day.weekday()]}"


def _role(layout: RotaLayout, a: Assignment) -> str:
    role = role_name(a.role)
    if not a.lead:
        return role
    return f"{role}（{layout.lead_label(a.event.kind)}）"


def _display_width(text: str) -> int:
    # Spreadsheet column widths count Latin characters; a Chinese character takes two.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _fit_columns(sheet, minimum: int = 6, maximum: int = 60) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        widest = max((_display_width(_shown(value)) for value in column), default=0)
        sheet.column_dimensions[get_column_letter(index)].width = max(minimum, min(maximum, widest + 3))


def _shown(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def rota_xlsx(events: Sequence[Event], layout: RotaLayout, now: datetime, directory: Directory | None = None) -> bytes:
    """排班表: one row per person per event; 按人员: each person's number of shifts and their days."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_ROTA
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="FFF1EF")
    sheet.append(COLUMNS)
    rows = assignments(events, directory)
    for a in rows:
        e = a.event
        sheet.append(
            [
                e.date,
                _weekday(layout, e.date),
                time_range(e),
                kind_name(e.kind),
                e.site,
                e.topic or "",
                a.name,
                _role(layout, a),
            ]
        )
    for cell in sheet["A"][1:]:
        cell.number_format = "yyyy-mm-dd"

    people = book.create_sheet(SHEET_PEOPLE)
    people.append(("人员", "角色", "班次", "带队/主讲", "日期"))
    shifts: dict[str, list[Assignment]] = {}
    for a in rows:
        shifts.setdefault(a.name, []).append(a)
    for name, mine in sorted(shifts.items(), key=lambda item: -len(item[1])):  # stable: first seen first
        days = "；".join(
            f"{a.event.date.month}月{a.event.date.day}日{_weekday(layout, a.event.date)} {time_range(a.event)} "
            f"{kind_name(a.event.kind)}·{a.event.site}" + (f"（{layout.lead_label(a.event.kind)}）" if a.lead else "")
            for a in mine
        )
        people.append((name, role_name(mine[0].role), len(mine), sum(a.lead for a in mine), days))

    for row in people.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for ws in (sheet, people):
        for cell in ws[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center")
        ws.freeze_panes = "A2"
        if ws.max_row > 1:
            ws.auto_filter.ref = ws.dimensions
        _fit_columns(ws)
    # Fixed document times, so the same week gives the same file.
    book.properties.created = book.properties.modified = now.replace(tzinfo=None, microsecond=0)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def week_label(week: str, monday: date) -> str:
    """'2026-W48' -> '2026年第48周 11月23日—11月29日'."""
    sunday = monday + timedelta(days=6)
    year, number = week.split("-W")
    return f"{year}年第{int(number)}周 {monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日"


def write_week(
    settings, station, week: str, monday: date, events, *, cancelled: Sequence[Cancelled] = (), revision: int = 1
) -> dict[str, Path]:
    """The week's rota files under output_dir/rota/WEEK/STATION/ (see write_rota for the keys).

    `cancelled`: the (event as it was, name, role) a re-plan took away; `revision`: how many times
    the week was planned, 1 for the first plan.
    """
    folder = settings.resolve(settings.output_dir) / "rota" / week / station.code
    return write_rota(
        folder,
        station.name,
        week_label(week, monday),
        week,
        events,
        settings.resolve(settings.templates_dir),
        settings.station_timezone(station).key,
        directory=Directory.of(settings, station),
        cancelled=cancelled,
        revision=revision,
    )
