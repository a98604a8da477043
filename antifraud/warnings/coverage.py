"""Can the posters print every character they may need? Checked by `antifraud check`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..config import Settings
from ..incidents.categories import Categories
from ..lib.templates import find_template
from ..render.fonts import GlyphMissing
from .content import LADDER, compose
from .facts import CategoryCount, Highlight, WarningFacts
from .poster import LAYOUT_FILE, draw_warning_poster, load_layout


def static_texts(
    settings: Settings, categories: Categories, station_templates: Path | None
) -> Iterator[tuple[str, str]]:
    """(where, text) for every fixed string a poster or post can show."""
    for category in categories:
        yield f"categories.{category.code}.name", category.name
        yield f"categories.{category.code}.short", category.short or ""
        yield f"categories.{category.code}.script", category.script
        yield f"categories.{category.code}.key_point", category.key_point
        for index, tip in enumerate(category.tips):
            yield f"categories.{category.code}.tips[{index}]", tip
    for index, tip in enumerate(categories.general_tips):
        yield f"general_tips[{index}]", tip
    for index, station in enumerate(settings.stations):
        yield f"stations[{index}].name", station.name
        if station.contact:
            yield f"stations[{index}].contact.name", station.contact.name
    layout = load_layout(station_templates)
    for key, label in layout.labels.items():
        yield f"poster.yaml labels.{key}", label
    for name in ("warning.txt", "warning.md"):
        yield name, find_template(name, station_templates).read_text(encoding="utf-8")


def missing_glyphs(settings: Settings, categories: Categories) -> list[GlyphMissing]:
    """Every character, in both weights, that no configured font has; plus a trial render per station."""
    station_templates = settings.resolve(settings.templates_dir)
    layout = load_layout(station_templates)
    problems: list[GlyphMissing] = []
    seen: set[str] = set()
    for fonts in layout.font_sets(station_templates):
        for where, text in static_texts(settings, categories, station_templates):
            for char in fonts.missing(text):
                if char not in seen:
                    seen.add(char)
                    problems.append(GlyphMissing(char, where, [p.name for p in fonts.paths], layout=LAYOUT_FILE))
    if problems:
        return problems
    # Strings written in code (units, outcomes, age words) only show up in a real render.
    for station in settings.stations:
        counts = [CategoryCount(c.code, c.name, c.short or c.name, 1, 1, Decimal("12345.67")) for c in categories]
        highlight = Highlight(
            counts[0].name, "一名18至29岁的工厂员工", Decimal("12345.67"), False, "电话", "事主被骗。"
        )
        busy = WarningFacts(
            station.code,
            station.name,
            date(2026, 1, 1),
            counts,
            len(counts),
            1,
            Decimal("12345.67"),
            3,
            9,
            Decimal("99999.99"),
            [highlight, highlight],
            station.contact,
        )
        quiet = WarningFacts(
            station.code, station.name, date(2026, 1, 1), [], 0, 0, Decimal(0), 0, 0, Decimal(0), [], station.contact
        )
        for facts in (busy, quiet):
            try:
                draw_warning_poster(compose(facts, categories, LADDER[0]), layout, station_templates, station.link)
            except GlyphMissing as exc:
                problems.append(exc)
    return problems
