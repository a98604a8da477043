"""The rota's layout file (templates/rota.yaml, or a station's own copy) as data: sizes, colours and
every word the rota prints that is not a name or a place, each checked for its {placeholders}.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import Field

from ..lib.schema import Strict
from ..render.layout import Colour, LayoutFile, Size, load_layout_file
from ..render.layout import label as _label
from ..vocab import kind_name
from .rota_view import Card, Shift, time_range

LAYOUT_FILE = "rota.yaml"

# Keys added after the first release have defaults, so a station's older copy of rota.yaml still loads.


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
    short: Colour = "#FFD43B"  # the tag of an empty place: a warning yellow, unlike any badge
    short_text: Colour = "#5C2B00"
    people: Colour = "#4A4A4A"  # the 按人查看 band


class RotaSizes(Strict):
    title: Size = 52
    week: Size = 34
    section: Size = 44
    day: Size = 40
    count: Size = 30
    time: Size = 40
    badge: Size = 30
    site: Size = 40
    body: Size = 34
    person: Size = 30
    footer: Size = 32
    note: Size = 28


class KindLabels(Strict):
    street_stall: _label()
    factory_talk: _label()

    def of(self, kind: str) -> str:
        return getattr(self, kind, kind_name(kind))


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
    sections: KindLabels = KindLabels(street_stall="周末摆摊", factory_talk="下工厂宣讲")
    officers: _label() = "民警"
    factory_contact: _label() = "厂方联系人"
    short: _label("count") = "缺{count}人"
    no_lead: KindLabels = KindLabels(street_stall="缺带队", factory_talk="缺主讲")
    by_person: _label() = "按人查看"
    kinds_short: KindLabels = KindLabels(street_stall="摆摊", factory_talk="宣讲")
    shift: _label("month", "day", "weekday", "time", "start", "end", "kind", "site") = (
        "{day}日周{weekday} {start} {kind}·{site}"
    )
    cancelled: _label() = "已取消"


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

    def tags(self, c: Card) -> list[str]:
        """The empty places of an event, as its card and the text show them: 缺带队, 缺1人."""
        tags = [] if c.lead else [getattr(self.labels.no_lead, c.event.kind, self.labels.no_lead.street_stall)]
        return tags + ([self.labels.short.format(count=c.short)] if c.short else [])

    def shift_label(self, shift: Shift) -> str:
        e = shift.card.event
        return self.labels.shift.format(
            month=e.date.month,
            day=e.date.day,
            weekday=self.labels.weekdays[e.date.weekday()],
            time=time_range(e),
            start=f"{e.start:%H:%M}",
            end=f"{e.end:%H:%M}",
            kind=self.labels.kinds_short.of(e.kind),
            site=e.site,
        )


def load_rota_layout(station_templates: Path | None) -> RotaLayout:
    """templates/rota.yaml, the station's own if it has one; errors name the file and the key."""
    return load_layout_file(LAYOUT_FILE, RotaLayout, station_templates)
