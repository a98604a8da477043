"""The week's rota in the forms people use it: an image and a text for the volunteers' group,
a spreadsheet for the station, and a calendar file each person can import their own shifts from.

Everything is written atomically into one folder (readers never see a half-written file), and
rewriting a week gives the same calendar UIDs, so an imported calendar updates rather than doubles.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..channels.split import TEXT_LIMIT
from ..errors import ConfigError
from ..lib.files import write_atomic
from ..lib.jinja import render_template
from ..render.png import encode_png
from ..vocab import kind_name, role_name
from .model import Event
from .rota_image import RotaLayout, by_day, draw_rota, load_rota_layout, sorted_events, time_range

TEXT_TEMPLATE = "rota.txt"
ALARM_AT = (18, 0)  # calendar reminders go off at 18:00 the day before, never in the small hours
SHEET_ROTA = "排班表"
SHEET_PEOPLE = "按人员"
COLUMNS = ("日期", "星期", "时间", "类型", "地点", "主题", "人员", "角色")


@dataclass(frozen=True)
class Assignment:
    """One person on one event: a row of the spreadsheet, an entry of the calendar."""

    event: Event
    name: str
    role: str
    lead: bool


def assignments(events: Sequence[Event]) -> list[Assignment]:
    out = []
    for event in sorted_events(events):
        seen = set()
        for index, (name, role) in enumerate(event.people):
            if name in seen:
                continue  # listed twice on one event: one shift, one calendar entry
            seen.add(name)
            out.append(Assignment(event, name, role, index == 0))
    return out


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
) -> dict[str, Path]:
    """Write rota.png, rota.txt, rota.xlsx and rota.ics into `folder`; returns {"png": path, ...}.

    `now` (default: the current time) is shown on the image and stamped into the calendar.
    Everything is made before anything is written, so a bad name or template leaves the
    folder as it was.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: {timezone!r} is not a known time zone (e.g. Asia/Shanghai)") from None
    now = (now or datetime.now(zone)).astimezone(zone)
    layout = load_rota_layout(station_templates)
    title = layout.labels.title.format(station=station_name)
    image = draw_rota(title, station_name, week_label, events, layout, station_templates, generated_at=now)
    data = {
        "png": encode_png(image),
        "txt": rota_text(station_name, week_label, week_id, events, layout, station_templates).encode("utf-8"),
        "xlsx": rota_xlsx(events, layout, now),
        "ics": rota_ics(station_name, week_id, events, layout, zone, now),
    }
    return {kind: write_atomic(folder / f"rota.{kind}", payload) for kind, payload in data.items()}


# --- text ------------------------------------------------------------------------------------


def _person(name: str, role: str) -> dict:
    return {"name": name, "role": role_name(role)}


def _context(station_name: str, week_label: str, week_id: str, events: Sequence[Event], layout: RotaLayout) -> dict:
    days = []
    for day, todays in by_day(events):
        views = []
        for e in todays:
            people = [_person(name, role) for name, role in e.people]
            views.append(
                {
                    "date": e.date,
                    "time": time_range(e),
                    "kind": kind_name(e.kind),
                    "kind_code": e.kind,
                    "site": e.site,
                    "topic": e.topic,
                    "lead_label": layout.lead_label(e.kind),
                    "members_label": layout.members_label(e.kind),
                    "lead": people[0] if people else None,
                    "members": people[1:],
                    "people": people,
                }
            )
        days.append({"date": day, "label": layout.day_label(day), "events": views})
    return {"station_name": station_name, "week_label": week_label, "week_id": week_id, "days": days}


def rota_text(
    station_name: str,
    week_label: str,
    week_id: str,
    events: Sequence[Event],
    layout: RotaLayout,
    station_templates: Path | None,
) -> str:
    """rota.txt rendered; the compact form if only that fits one message, else the full one."""
    context = _context(station_name, week_label, week_id, events, layout)
    full = render_template(TEXT_TEMPLATE, station_templates, **context, compact=False)
    if len(full.encode("utf-8")) <= TEXT_LIMIT:
        return full
    compact = render_template(TEXT_TEMPLATE, station_templates, **context, compact=True)
    # Too long even when compact: the folder keeps the full text, sent in parts.
    return compact if len(compact.encode("utf-8")) <= TEXT_LIMIT else full


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


def rota_xlsx(events: Sequence[Event], layout: RotaLayout, now: datetime) -> bytes:
    """排班表: one row per person per event; 按人员: each person's number of shifts and their days."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_ROTA
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="FFF1EF")
    sheet.append(COLUMNS)
    rows = assignments(events)
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


# --- calendar --------------------------------------------------------------------------------


def assignment_uid(week_id: str, a: Assignment) -> str:
    """Stable across rewrites of the week: the same person on the same event keeps its UID."""
    key = "\x1f".join((week_id, a.event.date.isoformat(), a.event.site, a.event.kind, a.name))
    return f"{hashlib.sha1(key.encode('utf-8')).hexdigest()}@antifraud"


def _description(station_name: str, a: Assignment, layout: RotaLayout) -> str:
    e = a.event
    lines = [f"{kind_name(e.kind)} {e.date.month}月{e.date.day}日 {time_range(e)}", f"地点：{e.site}"]
    if e.topic:
        lines.append(f"主题：{e.topic}")
    people = [f"{name}（{role_name(role)}）" for name, role in e.people]
    if people:
        lines.append(f"{layout.lead_label(e.kind)}：{people[0]}")
    if people[1:]:
        lines.append(f"{layout.members_label(e.kind)}：{'、'.join(people[1:])}")
    lines.append(f"{station_name} · {layout.labels.footer}")
    return "\n".join(lines)


def rota_ics(
    station_name: str, week_id: str, events: Sequence[Event], layout: RotaLayout, zone: ZoneInfo, now: datetime
) -> bytes:
    """One VEVENT per person per event, in the station's time zone (with its VTIMEZONE)."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//antifraud//outreach rota//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{station_name} 反诈宣传排班 {week_id}")
    calendar.add("x-wr-timezone", zone.key)
    stamp = now.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    used: dict[str, int] = {}
    for a in assignments(events):
        e = a.event
        start = datetime.combine(e.date, e.start, tzinfo=zone)
        end = datetime.combine(e.date, e.end, tzinfo=zone)
        if end <= start:
            end += timedelta(days=1)  # an event past midnight
        uid = assignment_uid(week_id, a)
        used[uid] = used.get(uid, 0) + 1
        if used[uid] > 1:
            uid = uid.replace("@", f"-{used[uid]}@")  # the same site twice a day: keep UIDs unique
        kind = kind_name(e.kind)
        entry = icalendar.Event()
        entry.add("uid", uid)
        entry.add("dtstamp", stamp)
        entry.add("dtstart", start)
        entry.add("dtend", end)
        entry.add("summary", f"{kind}·{e.site}（{a.name}）")
        entry.add("location", e.site)
        entry.add("description", _description(station_name, a, layout))
        entry.add("categories", [kind])
        entry.add("transp", "OPAQUE")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"明天{e.start:%H:%M} {kind}·{e.site}")
        reminder = datetime.combine(e.date - timedelta(days=1), time(*ALARM_AT), tzinfo=zone)
        alarm.add("trigger", -(start - reminder))
        entry.add_component(alarm)
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def week_label(week: str, monday: date) -> str:
    """'2026-W48' -> '2026年第48周 11月23日—11月29日'."""
    sunday = monday + timedelta(days=6)
    year, number = week.split("-W")
    return f"{year}年第{int(number)}周 {monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日"


def write_week(settings, station, week: str, monday: date, events) -> dict[str, Path]:
    """The week's rota files under output_dir/rota/WEEK/STATION/."""
    folder = settings.resolve(settings.output_dir) / "rota" / week / station.code
    return write_rota(
        folder,
        station.name,
        week_label(week, monday),
        week,
        events,
        settings.resolve(settings.templates_dir),
        settings.station_timezone(station).key,
    )
