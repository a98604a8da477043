"""Render the warning for (station, day) into output_dir/D/S/: warning.png, warning.txt, warning.md."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..errors import ConfigError
from ..incidents.categories import Categories
from ..incidents.privacy import NUMBER_KINDS, mask_pii
from ..lib.files import write_atomic
from .content import Detail, compose
from .facts import WarningFacts, gather_facts
from .poster import PosterTooTall, draw_warning_poster, encode_poster, load_layout
from .text import render_text


@dataclass(frozen=True)
class RenderedWarning:
    station: str
    day: date
    facts: WarningFacts
    paths: dict[str, Path]
    text: str
    markdown: str
    image_sha256: str  # of the image bytes written: a publish sends exactly these


def output_folder(settings: Settings, station: Station, day: date) -> Path:
    return settings.resolve(settings.output_dir) / day.isoformat() / station.code


def render_warning(
    session: Session, settings: Settings, categories: Categories, station: Station, day: date
) -> RenderedWarning | None:
    """Render and write the files; None on a quiet day when config says to stay silent."""
    facts = gather_facts(session, station, day, categories, settings)
    if facts.quiet and settings.warning.quiet_day == "none":
        return None
    station_templates = settings.resolve(settings.templates_dir)
    text = render_text("warning.txt", facts, categories, station_templates)
    markdown = render_text("warning.md", facts, categories, station_templates)
    image = draw_poster(facts, categories, station, station_templates)
    png, suffix = encode_poster(image)
    allowed = {station.contact.phone} if station.contact else set()
    for name, content in (("warning.txt", text), ("warning.md", markdown)):
        ensure_no_personal_numbers(content, allowed, name)
    folder = output_folder(settings, station, day)
    paths = {
        "image": write_atomic(folder / f"warning.{suffix}", png),
        "text": write_atomic(folder / "warning.txt", text.encode("utf-8")),
        "markdown": write_atomic(folder / "warning.md", markdown.encode("utf-8")),
    }
    return RenderedWarning(station.code, day, facts, paths, text, markdown, hashlib.sha256(png).hexdigest())


def draw_poster(facts: WarningFacts, categories: Categories, station: Station, station_templates: Path | None):
    """The poster at the layout's level of detail, or a leaner one if that would be too tall."""
    layout = load_layout(station_templates)
    d = layout.detail
    wanted = Detail(d.highlights, d.summary_chars, d.scripts, d.tips, context=True)
    lean = Detail(0, 0, min(d.scripts, 1), min(d.tips, 3), context=True)
    try:
        return draw_warning_poster(compose(facts, categories, wanted), layout, station_templates, station.link)
    except PosterTooTall:
        return draw_warning_poster(compose(facts, categories, lean), layout, station_templates, station.link)


def ensure_no_personal_numbers(text: str, allowed: set[str], name: str) -> None:
    """A last guard: a station template must not print an unmasked number (the officer's own is fine)."""
    for phone in allowed:
        text = text.replace(phone, "")
    _, found = mask_pii(text)
    if found.keys() & NUMBER_KINDS:  # a name or age rule firing on a template's own words is no number
        raise ConfigError(
            f"template {name}: the rendered text contains an unmasked personal number; check the template"
        )
