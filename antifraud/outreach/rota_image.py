"""The week's outreach rota as an image for the volunteers' group, laid out by templates/rota.yaml.

A header band (station, week), then one section per day with a card per event: when, what,
where, the topic and who is on it, lead first. Drawn with render's canvas: every string is checked
against the fonts and placed first, then an image exactly that tall is painted. A character no
font has is an error naming it, never a box.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import Annotated

from PIL.Image import Image
from pydantic import Field

from ..lib.schema import Strict
from ..render.canvas import Canvas
from ..render.layout import Colour, LayoutFile, Size, load_layout_file
from ..render.layout import label as _label
from ..vocab import kind_name, role_name
from .model import Event

LAYOUT_FILE = "rota.yaml"
LINE = 1.45  # line spacing, as a multiple of the font size
MAX_HEIGHT = 30000  # a week of about a hundred events; beyond that the rota is not for a phone


# --- the layout, as data ---------------------------------------------------------------------


class RotaColours(Strict):
    background: Colour
    header: Colour
    header_text: Colour
    header_subtext: Colour
    text: Colour
    muted: Colour
    day: Colour
    row: Colour
    row_alt: Colour
    street_stall: Colour
    factory_talk: Colour
    badge_text: Colour
    footer: Colour
    footer_text: Colour
    footer_subtext: Colour


class RotaSizes(Strict):
    title: Size = 52
    week: Size = 34
    day: Size = 40
    count: Size = 30
    time: Size = 40
    badge: Size = 30
    site: Size = 40
    body: Size = 34
    footer: Size = 32
    note: Size = 28


class KindLabels(Strict):
    street_stall: _label()
    factory_talk: _label()


class RotaLabels(Strict):
    title: _label("station")
    day: _label("month", "day", "weekday")
    weekdays: Annotated[str, Field(min_length=7, max_length=7)]  # Monday first
    count: _label("count")
    topic: _label()
    lead: KindLabels
    members: KindLabels
    empty: _label()
    footer: _label()
    generated: _label("station", "time")


class RotaLayout(LayoutFile):
    width: int = Field(default=1080, ge=480, le=2160)
    margin: int = Field(default=44, ge=0, le=300)
    gap: int = Field(default=22, ge=0, le=200)
    padding: int = Field(default=28, ge=0, le=200)
    radius: int = Field(default=18, ge=0, le=100)
    colors: RotaColours
    sizes: RotaSizes = RotaSizes()
    labels: RotaLabels

    def lead_label(self, kind: str) -> str:
        """What the first person of an event is: 带队 (a stall's lead) or 主讲 (a talk's officer)."""
        return getattr(self.labels.lead, kind, self.labels.lead.street_stall)

    def members_label(self, kind: str) -> str:
        return getattr(self.labels.members, kind, self.labels.members.street_stall)

    def day_label(self, day: date) -> str:
        return self.labels.day.format(month=day.month, day=day.day, weekday=self.labels.weekdays[day.weekday()])


def load_rota_layout(station_templates: Path | None) -> RotaLayout:
    """templates/rota.yaml, the station's own if it has one; errors name the file and the key."""
    return load_layout_file(LAYOUT_FILE, RotaLayout, station_templates)


# --- text helpers shared with the other rota outputs ---------------------------------------------


def time_range(event: Event) -> str:
    return f"{event.start:%H:%M}–{event.end:%H:%M}"


def person_label(name: str, role: str) -> str:
    return f"{name}（{role_name(role)}）"


def sorted_events(events: Sequence[Event]) -> list[Event]:
    """By day and time; events at the same time keep the planner's order."""
    return sorted(events, key=lambda e: (e.date, e.start, e.end))


def by_day(events: Sequence[Event]) -> list[tuple[date, list[Event]]]:
    return [(day, list(group)) for day, group in groupby(sorted_events(events), key=lambda e: e.date)]


# --- drawing ---------------------------------------------------------------------------------

Segment = tuple[str, bool, str]  # text, bold, colour


def _flow(c: Canvas, items: list[list[Segment]], width: float, size: int, sep: Segment) -> list[list[Segment]]:
    """Lay out items (a person: name and role) on lines, never splitting an item that fits on a line.

    The separator ("、") stays at the end of the line it follows. An item wider than a whole line
    is broken with the Chinese line breaking rules, in its first segment's style.
    """
    lines: list[list[Segment]] = [[]]
    used = 0.0
    for index, item in enumerate(items):
        last = index == len(items) - 1
        segments = item + ([] if last else [sep])
        need = sum(_advance(c, segment, size) for segment in segments)
        if used and used + need > width:
            lines.append([])
            used = 0.0
        if need <= width or used:
            lines[-1].extend(segments)
            used += need
            continue
        _, bold, colour = item[0]
        plain = "".join(text for text, _, _ in segments)
        for k, part in enumerate(c.lines(plain, width, size, bold)):
            if k:
                lines.append([])
            lines[-1].append((part, bold, colour))
        used = _advance(c, lines[-1][0], size)
    return lines


SQUEEZE = 0.3  # of the font size: full-width brackets are half blank, which looks loose between names


def _advance(c: Canvas, segment: Segment, size: int) -> float:
    text, bold, _ = segment
    squeeze = (text.startswith("（") + text.endswith("）")) * SQUEEZE * size
    return c.length(text, size, bold) - squeeze


def _draw_segments(c: Canvas, x: float, top: float, line: list[Segment], size: int, where: str):
    for segment in line:
        text, bold, colour = segment
        shift = SQUEEZE * size if text.startswith("（") else 0
        c.text(x - shift, top, text, size, colour, bold, where)
        x += _advance(c, segment, size)


def _header(c: Canvas, layout: RotaLayout, title: str, week_label: str):
    s, colours = layout.sizes, layout.colors
    pad = 44
    inner = c.width - 2 * max(layout.margin, 40)
    titles = c.balanced_lines(title, inner, s.title, bold=True, where="the rota's title")
    weeks = c.balanced_lines(week_label, inner, s.week, where="the week label")
    top = pad
    for line in titles:
        c.centred(top, line, s.title, colours.header_text, bold=True, where="the rota's title")
        top += s.title * 1.3
    top += s.week * 0.35
    for line in weeks:
        c.centred(top, line, s.week, colours.header_subtext, where="the week label")
        top += s.week * LINE
    height = round(top - s.week * (LINE - 1) + pad)
    c.rect((0, 0, c.width, height), colours.header, at=0)
    c.y = height + layout.gap + 12


def _day(c: Canvas, layout: RotaLayout, day: date, count: int):
    s, colours = layout.sizes, layout.colors
    left = layout.margin
    label = layout.day_label(day)
    c.rect((left, c.y + 2, left + 10, c.y + s.day + 2), colours.day, radius=3)
    c.text(left + 26, c.y, label, s.day, colours.text, bold=True, where="labels.day in rota.yaml")
    total = layout.labels.count.format(count=count)
    right = c.width - layout.margin - c.length(total, s.count)
    c.text(right, c.y + (s.day - s.count) * 0.6, total, s.count, colours.muted, where="labels.count in rota.yaml")
    c.y += round(s.day * 1.55)


def _card(c: Canvas, layout: RotaLayout, event: Event, shade: int):
    s, colours, labels = layout.sizes, layout.colors, layout.labels
    kind_colour = getattr(colours, event.kind, colours.muted)
    where_event = f"{event.date.isoformat()} {event.site}"
    x0, x1 = layout.margin, c.width - layout.margin
    stripe = 10
    left, right = x0 + stripe + layout.padding, x1 - layout.padding
    inner = right - left
    mark = c.mark()
    top = c.y + layout.padding

    # When, and what (a badge in the kind's colour at the right).
    c.text(left, top, time_range(event), s.time, colours.text, bold=True, where=f"the time of {where_event}")
    kind = kind_name(event.kind)
    c.check(kind, "the kind of event", bold=True)
    badge_w = c.length(kind, s.badge, bold=True) + s.badge
    badge_h = round(s.badge * 1.6)
    badge_top = top + (s.time - badge_h) / 2 + 2
    c.rect((right - badge_w, badge_top, right, badge_top + badge_h), kind_colour, radius=badge_h // 2)
    c.text(right - badge_w + s.badge / 2, badge_top + (badge_h - s.badge) / 2, kind, s.badge, colours.badge_text, True)
    top += s.time * LINE

    # Where.
    for line in c.lines(event.site, inner, s.site, bold=True, where=f"the site of {where_event}"):
        c.text(left, top, line, s.site, colours.text, bold=True, where=f"the site of {where_event}")
        top += s.site * LINE

    # Labelled rows: topic, lead, members. Labels in one column, values wrapped beside them.
    rows: list[tuple[str, list[list[Segment]]]] = []
    row_labels = [labels.topic, layout.lead_label(event.kind), layout.members_label(event.kind)]
    label_w = max(c.length(label, s.body) for label in row_labels) + round(s.body * 0.7)
    value_w = inner - label_w
    if event.topic:
        lines = c.lines(event.topic, value_w, s.body, where=f"the topic of {where_event}")
        rows.append((row_labels[0], [[(line, False, colours.text)] for line in lines]))
    people = [
        [(name, True, colours.text), (f"（{role_name(role)}）", False, colours.muted)] for name, role in event.people
    ]
    for name, _ in event.people:
        c.check(name, f"a person's name, {where_event}", bold=True)
    sep: Segment = ("、", False, colours.muted)
    if people:
        rows.append((row_labels[1], _flow(c, people[:1], value_w, s.body, sep)))
    if len(people) > 1:
        rows.append((row_labels[2], _flow(c, people[1:], value_w, s.body, sep)))
    if rows:
        top += s.body * 0.15
    for label, lines in rows:
        c.text(left, top, label, s.body, colours.muted, where="labels in rota.yaml")
        for line in lines:
            _draw_segments(c, left + label_w, top, line, s.body, f"a person's name, {where_event}")
            top += s.body * LINE

    bottom = round(top - s.body * (LINE - 1) + layout.padding) if rows else round(top + layout.padding)
    fill = colours.row if shade % 2 == 0 else colours.row_alt
    # Under the text: the card in the kind's colour, its body over all but a stripe at the left.
    c.rect((x0 + stripe, c.y, x1, bottom), fill, radius=layout.radius, at=mark, corners=(False, True, True, False))
    c.rect((x0, c.y, x1, bottom), kind_colour, radius=layout.radius, at=mark)
    c.y = bottom + layout.gap


def _footer(c: Canvas, layout: RotaLayout, station_name: str, generated_at: datetime | None):
    s, colours, labels = layout.sizes, layout.colors, layout.labels
    c.y += 12
    start, pad, mark = c.y, 34, c.mark()
    inner = c.width - 2 * max(layout.margin, 40)
    top = start + pad
    for line in c.balanced_lines(labels.footer, inner, s.footer, bold=True, where="labels.footer in rota.yaml"):
        c.centred(top, line, s.footer, colours.footer_text, bold=True, where="labels.footer in rota.yaml")
        top += s.footer * LINE
    if generated_at:
        when = f"{generated_at.month}月{generated_at.day}日 {generated_at:%H:%M}"
        note = labels.generated.format(station=station_name, time=when)
    else:
        note = station_name
    for line in c.balanced_lines(note, inner, s.note, where="the station name"):
        c.centred(top, line, s.note, colours.footer_subtext, where="the station name")
        top += s.note * LINE
    c.y = round(top - s.note * (LINE - 1) + pad)
    c.rect((0, start, c.width, c.y), colours.footer, at=mark)


def draw_rota(
    title: str,
    station_name: str,
    week_label: str,
    events: list[Event],
    layout: RotaLayout,
    station_templates: Path | None,
    *,
    generated_at: datetime | None = None,
) -> Image:
    """The rota image: `layout.width` wide (1080 by default), as tall as the week needs.

    Days without events are left out. Raises GlyphMissing naming the first
    character, and where it is, that no font can draw, before anything is painted.
    """
    regular, bold = layout.font_sets(station_templates)
    c = Canvas(layout.width, regular, bold, layout.colors.background, MAX_HEIGHT)
    _header(c, layout, title, week_label)
    days = by_day(events)
    if not days:
        c.centred(c.y + 40, layout.labels.empty, layout.sizes.day, layout.colors.muted, where="labels.empty")
        c.y += 40 + layout.sizes.day * 2
    shade = 0
    for day, todays in days:
        _day(c, layout, day, len(todays))
        for event in todays:
            _card(c, layout, event, shade)
            shade += 1
        c.y += 14
    _footer(c, layout, station_name, generated_at)
    return c.paint("rota", "reduce sizes in rota.yaml")
