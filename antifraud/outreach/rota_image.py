"""The week's outreach rota as an image for the volunteers' group, laid out by templates/rota.yaml.

A header band (station, week); the street stalls, then the factory talks, each a band of the kind's
colour over a card per event by day and time: when, where, the topic, who leads (and their phone),
who goes along, the factory's contact, and a tag for each empty place (缺1人, 缺带队); then 按人查看,
each person's shifts in a few lines. Drawn with render's canvas: every string is checked against the
fonts and placed first, then an image exactly that tall is painted. A character no font has is an
error naming it, never a box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from PIL.Image import Image

from ..render.canvas import Canvas
from ..vocab import kind_name, role_name
from .model import Event
from .rota_layout import RotaLayout
from .rota_view import Card, Directory, Shift, card, sections, shifts_by_person, time_range

LINE = 1.45  # line spacing, as a multiple of the font size
MAX_HEIGHT = 30000  # a week of about a hundred events; beyond that the rota is not for a phone


# --- drawing ---------------------------------------------------------------------------------


@dataclass
class RotaCanvas(Canvas):
    """The canvas, remembering each string and where it went: what the image says, for tests and checks."""

    drawn: list[tuple[float, float, str]] = field(default_factory=list)  # top, x, text

    def text(self, x, top, text, size, colour, bold=False, where="label", hang=False) -> float:
        self.drawn.append((top, x, text))
        return super().text(x, top, text, size, colour, bold, where, hang)

    def reading(self) -> list[str]:
        """The image's lines of text top to bottom, the pieces of a line joined left to right."""
        rows: dict[int, list[tuple[float, str]]] = {}
        for top, x, text in self.drawn:
            rows.setdefault(round(top), []).append((x, text))
        return ["".join(text for _, text in sorted(row)) for _, row in sorted(rows.items())]


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


def _band(c: Canvas, layout: RotaLayout, label: str, note: str | None, colour: str):
    """A section's heading: a band in the kind's colour, its name at the left and its count at the right."""
    s, colours = layout.sizes, layout.colors
    left, right = layout.margin, c.width - layout.margin
    height = round(s.section * 1.75)
    c.rect((left, c.y, right, c.y + height), colour, radius=layout.radius)
    top = c.y + (height - s.section) / 2
    c.text(left + layout.padding, top, label, s.section, colours.badge_text, True, "labels.sections in rota.yaml")
    if note:
        x = right - layout.padding - c.length(note, s.count)
        c.text(x, top + (s.section - s.count) * 0.6, note, s.count, colours.badge_text, where="labels.count")
    c.y += height + layout.gap


def _day(c: Canvas, layout: RotaLayout, day: date, count: int, colour: str):
    s, colours = layout.sizes, layout.colors
    left = layout.margin
    label = layout.day_label(day)
    c.rect((left, c.y + 2, left + 10, c.y + s.day + 2), colour, radius=3)
    c.text(left + 26, c.y, label, s.day, colours.text, bold=True, where="labels.day in rota.yaml")
    total = layout.labels.count.format(count=count)
    right = c.width - layout.margin - c.length(total, s.count)
    c.text(right, c.y + (s.day - s.count) * 0.6, total, s.count, colours.muted, where="labels.count in rota.yaml")
    c.y += round(s.day * 1.55)


def _pill(c: Canvas, right: float, middle: float, text: str, size: int, colours: tuple[str, str], where: str):
    """A rounded tag (fill, ink) ending at `right`, centred on `middle`; returns its left edge."""
    c.check(text, where, bold=True)
    width = c.length(text, size, bold=True) + size
    height = round(size * 1.6)
    top = middle - height / 2
    c.rect((right - width, top, right, top + height), colours[0], radius=height // 2)
    c.text(right - width + size / 2, top + (height - size) / 2, text, size, colours[1], True, where)
    return right - width


def _card(c: Canvas, layout: RotaLayout, rc: Card, shade: int):
    s, colours, labels = layout.sizes, layout.colors, layout.labels
    event = rc.event
    kind_colour = getattr(colours, event.kind, colours.muted)
    where_event = f"{event.date.isoformat()} {event.site}"
    x0, x1 = layout.margin, c.width - layout.margin
    stripe = 10
    left, right = x0 + stripe + layout.padding, x1 - layout.padding
    inner = right - left
    mark = c.mark()
    top = c.y + layout.padding

    # When; at the right what it is (a badge in the kind's colour), and before it each empty place, loud.
    c.text(left, top, time_range(event), s.time, colours.text, bold=True, where=f"the time of {where_event}")
    middle = top + s.time / 2 + 2
    edge = _pill(c, right, middle, kind_name(event.kind), s.badge, (kind_colour, colours.badge_text), "the kind")
    for tag in reversed(layout.tags(rc)):
        tagged = (colours.short, colours.short_text)
        edge = _pill(c, edge - s.badge * 0.4, middle, tag, s.badge, tagged, "labels.short/no_lead in rota.yaml")
    top += s.time * LINE

    # Where.
    for line in c.lines(event.site, inner, s.site, bold=True, where=f"the site of {where_event}"):
        c.text(left, top, line, s.site, colours.text, bold=True, where=f"the site of {where_event}")
        top += s.site * LINE

    # Labelled rows: topic, lead (with their phone), members, officers. Labels in one column, values beside.
    row_labels = [labels.topic, layout.lead_label(event.kind), layout.members_label(event.kind), labels.officers]
    label_w = max(c.length(label, s.body) for label in row_labels) + round(s.body * 0.7)
    value_w = inner - label_w
    sep: Segment = ("、", False, colours.muted)
    rows: list[tuple[str, list[list[Segment]]]] = []
    if event.topic:
        lines = c.lines(event.topic, value_w, s.body, where=f"the topic of {where_event}")
        rows.append((row_labels[0], [[(line, False, colours.text)] for line in lines]))
    for name, _ in rc.people:
        c.check(name, f"a person's name, {where_event}", bold=True)
    if rc.lead:
        lead = [(rc.lead[0], True, colours.text), (f"（{role_name(rc.lead[1])}）", False, colours.muted)]
        if rc.lead_phone:
            lead.append((f" {rc.lead_phone}", False, colours.text))
        rows.append((row_labels[1], _flow(c, [lead], value_w, s.body, sep)))
    if rc.members:
        people = [[(n, True, colours.text), (f"（{role_name(r)}）", False, colours.muted)] for n, r in rc.members]
        rows.append((row_labels[2], _flow(c, people, value_w, s.body, sep)))
    if rc.officers:
        rows.append(
            (row_labels[3], _flow(c, [[(n, True, colours.text)] for n, _ in rc.officers], value_w, s.body, sep))
        )
    if rows:
        top += s.body * 0.15
    for label, lines in rows:
        c.text(left, top, label, s.body, colours.muted, where="labels in rota.yaml")
        for line in lines:
            _draw_segments(c, left + label_w, top, line, s.body, f"a person's name, {where_event}")
            top += s.body * LINE

    # The factory's contact, on a line of its own under the people.
    if rc.contact:
        name, phone = rc.contact
        where = f"the contact of {event.site}"
        contact = [(f"{labels.factory_contact}：", False, colours.muted), (name, True, colours.text)]
        contact.append((f" {phone}", False, colours.text))
        top += s.body * 0.15
        for line in _flow(c, [contact], inner, s.body, sep):
            _draw_segments(c, left, top, line, s.body, where)
            top += s.body * LINE

    body = rows or rc.contact  # the last line is body text, not the site
    bottom = round(top - s.body * (LINE - 1) + layout.padding) if body else round(top + layout.padding)
    fill = colours.row if shade % 2 == 0 else colours.row_alt
    # Under the text: the card in the kind's colour, its body over all but a stripe at the left.
    c.rect((x0 + stripe, c.y, x1, bottom), fill, radius=layout.radius, at=mark, corners=(False, True, True, False))
    c.rect((x0, c.y, x1, bottom), kind_colour, radius=layout.radius, at=mark)
    c.y = bottom + layout.gap


def _by_person(c: Canvas, layout: RotaLayout, people: Sequence[tuple[tuple[str, str], list[Shift]]]):
    """按人查看: a table, one row per person, their name at the left and one line per shift beside it."""
    s, colours, labels = layout.sizes, layout.colors, layout.labels
    _band(c, layout, labels.by_person, None, colours.people)
    x0, x1 = layout.margin, c.width - layout.margin
    left, right = x0 + layout.padding, x1 - layout.padding
    size, pad = s.person, round(s.person * 0.4)
    for (name, _), _shifts in people:
        c.check(name, "a person's name in 按人查看", bold=True)
    name_w = max(c.length(name, size, bold=True) for (name, _), _ in people) + size
    name_w = min(name_w, (right - left) * 0.4)  # a very long name wraps rather than squeezing the shifts
    shift_w = right - left - name_w
    last = len(people) - 1
    for index, ((name, _), shifts) in enumerate(people):
        mark, row_top = c.mark(), c.y
        top = c.y + pad
        names = c.lines(name, name_w - size / 2, size, bold=True, where="a person's name in 按人查看")
        for k, line in enumerate(names):
            c.text(left, top + k * size * LINE, line, size, colours.text, True, "a person's name in 按人查看")
        lines: list[list[Segment]] = []
        for shift in shifts:
            kind_colour = getattr(colours, shift.card.event.kind, colours.muted)
            item: list[Segment] = [(layout.shift_label(shift), False, colours.text)]
            if shift.lead:
                item.append((f"（{layout.lead_label(shift.card.event.kind)}）", True, kind_colour))
            lines += _flow(c, [item], shift_w, size, ("", False, colours.text))
        for k, line in enumerate(lines):
            _draw_segments(c, left + name_w, top + k * size * LINE, line, size, f"a shift of {name}")
        height = max(len(names), len(lines)) * size * LINE - size * (LINE - 1)
        c.y = round(top + height + pad)
        # Rows alternate like the cards; the table's first and last rows round its corners.
        corners = (index == 0, index == 0, index == last, index == last)
        fill = colours.row if index % 2 == 0 else colours.row_alt
        c.rect((x0, row_top, x1, c.y), fill, radius=layout.radius, at=mark, corners=corners)
    c.y += layout.gap


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


def layout_rota(
    title: str,
    station_name: str,
    week_label: str,
    events: Sequence[Event],
    layout: RotaLayout,
    station_templates: Path | None,
    *,
    generated_at: datetime | None = None,
    directory: Directory | None = None,
) -> RotaCanvas:
    """The rota laid out and checked against the fonts, not painted yet (draw_rota paints it)."""
    directory = directory or Directory(station_name=station_name)
    regular, bold = layout.font_sets(station_templates)
    c = RotaCanvas(layout.width, regular, bold, layout.colors.background, MAX_HEIGHT)
    _header(c, layout, title, week_label)
    cards = [card(e, directory) for e in events]
    if not cards:
        c.centred(c.y + 40, layout.labels.empty, layout.sizes.day, layout.colors.muted, where="labels.empty")
        c.y += 40 + layout.sizes.day * 2
    shade = 0
    for kind, days in sections(cards):
        colour = getattr(layout.colors, kind, layout.colors.day)
        count = layout.labels.count.format(count=sum(len(todays) for _, todays in days))
        _band(c, layout, layout.labels.sections.of(kind), count, colour)
        for day, todays in days:
            _day(c, layout, day, len(todays), colour)
            for rc in todays:
                _card(c, layout, rc, shade)
                shade += 1
            c.y += 14
    people = shifts_by_person(cards, directory)
    if people:
        c.y += 8
        _by_person(c, layout, people)
    _footer(c, layout, station_name, generated_at)
    return c


def draw_rota(
    title: str,
    station_name: str,
    week_label: str,
    events: Sequence[Event],
    layout: RotaLayout,
    station_templates: Path | None,
    *,
    generated_at: datetime | None = None,
    directory: Directory | None = None,
) -> Image:
    """The rota image: `layout.width` wide (1080 by default), as tall as the week needs.

    Days without events are left out. Raises GlyphMissing naming the first
    character, and where it is, that no font can draw, before anything is painted.
    """
    c = layout_rota(
        title,
        station_name,
        week_label,
        events,
        layout,
        station_templates,
        generated_at=generated_at,
        directory=directory,
    )
    return c.paint("rota", "reduce sizes in rota.yaml")
