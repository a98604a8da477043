"""Render the warning for (station, day) into output_dir/D/S/: warning.png, warning.txt, warning.md,
and warning-<audience>.* for each audience whose variant differs (templates/audiences.yaml)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..errors import ConfigError
from ..incidents.categories import Categories
from ..incidents.privacy import NUMBER_KINDS, mask_pii
from ..lib.files import write_atomic
from .audiences import PUBLIC, load_profiles, own_variants
from .content import Detail, compose
from .facts import WarningFacts, gather_facts
from .poster import PosterTooTall, draw_warning_poster, encode_poster, load_layout
from .text import render_text


@dataclass(frozen=True)
class Variant:
    """One audience's poster and words (the public one is the warning's own)."""

    audience: str
    paths: dict[str, Path]
    text: str
    markdown: str
    image_sha256: str  # of the image bytes written: a publish sends exactly these


@dataclass(frozen=True)
class RenderedWarning:
    station: str
    day: date
    facts: WarningFacts
    paths: dict[str, Path]
    text: str
    markdown: str
    image_sha256: str  # of the image bytes written: a publish sends exactly these
    variants: dict[str, Variant] = field(default_factory=dict)  # audience -> its own, where it differs


def output_folder(settings: Settings, station: Station, day: date) -> Path:
    return settings.resolve(settings.output_dir) / day.isoformat() / station.code


def render_warning(
    session: Session, settings: Settings, categories: Categories, station: Station, day: date
) -> RenderedWarning | None:
    """Render and write the files, the public variant and one per audience of the station's groups
    whose profile differs from it (audiences.yaml); None on a quiet day when config says to stay silent."""
    facts = gather_facts(session, station, day, categories, settings)
    if facts.quiet and settings.warning.quiet_day == "none":
        return None
    station_templates = settings.resolve(settings.templates_dir)
    profiles = load_profiles(station_templates, categories.by_code)
    folder = output_folder(settings, station, day)
    posters: list = []  # drawn in this render: an audience whose poster would be the same reuses it
    public_drawn = compose_variant(facts, categories, station, station_templates, profiles.of(PUBLIC), posters)
    public = write_variant(folder, PUBLIC, public_drawn)
    variants = {}
    for audience in sorted(own_variants(station, settings.publish.audiences, profiles)):
        drawn = compose_variant(facts, categories, station, station_templates, profiles.of(audience), posters)
        if drawn != public_drawn:  # the same poster and words: the public files serve its groups
            variants[audience] = write_variant(folder, audience, drawn)
    return RenderedWarning(
        station.code, day, facts, public.paths, public.text, public.markdown, public.image_sha256, variants
    )


def compose_variant(
    facts, categories, station, station_templates, profile, posters: list
) -> tuple[bytes, str, str, str]:
    """(poster bytes, their suffix, text, markdown) of the warning for an audience's profile.
    `posters`: (plan, encoded) of the posters drawn so far; one with the same plan is not drawn again."""
    text = render_text("warning.txt", facts, categories, station_templates, profile)
    markdown = render_text("warning.md", facts, categories, station_templates, profile)
    plan = poster_plan(facts, categories, station_templates, profile)
    encoded = next((done for known, done in posters if known == plan), None)
    if encoded is None:
        encoded = encode_poster(draw_planned(plan, station, station_templates))
        posters.append((plan, encoded))
    png, suffix = encoded
    allowed = {station.contact.phone} if station.contact else set()
    for name, content in (("warning.txt", text), ("warning.md", markdown)):
        ensure_no_personal_numbers(content, allowed, name)
    return png, suffix, text, markdown


def write_variant(folder: Path, audience: str, drawn: tuple[bytes, str, str, str]) -> Variant:
    """warning.png/.txt/.md (the public variant), or warning-<audience>.* for an audience's own."""
    png, suffix, text, markdown = drawn
    stem = "warning" if audience == PUBLIC else f"warning-{audience}"
    paths = {
        "image": write_atomic(folder / f"{stem}.{suffix}", png),
        "text": write_atomic(folder / f"{stem}.txt", text.encode("utf-8")),
        "markdown": write_atomic(folder / f"{stem}.md", markdown.encode("utf-8")),
    }
    return Variant(audience, paths, text, markdown, hashlib.sha256(png).hexdigest())


def draw_poster(
    facts: WarningFacts, categories: Categories, station: Station, station_templates: Path | None, profile=None
):
    """The poster at the layout's level of detail (the type scaled for the audience), or a leaner one
    if that would be too tall."""
    return draw_planned(poster_plan(facts, categories, station_templates, profile), station, station_templates)


def poster_plan(facts, categories, station_templates, profile=None) -> tuple:
    """(layout, content, leaner content): all a poster is drawn from, so that two equal plans draw the
    same image. The poster shows only the layout's first `detail.highlights` cases."""
    layout = load_layout(station_templates)
    if profile is not None and profile.poster_scale != 1:
        layout = layout.scaled(profile.poster_scale)
    d = layout.detail
    plans = []
    for detail in (Detail(d.highlights, d.summary_chars, d.scripts, d.tips, True),
                   Detail(0, 0, min(d.scripts, 1), min(d.tips, 3), True)):  # fmt: skip
        content = compose(facts, categories, detail, profile)
        plans.append(replace(content, highlights=content.highlights[: d.highlights]))
    return layout, *plans


def draw_planned(plan: tuple, station: Station, station_templates: Path | None):
    layout, wanted, lean = plan
    try:
        return draw_warning_poster(wanted, layout, station_templates, station.link)
    except PosterTooTall:
        return draw_warning_poster(lean, layout, station_templates, station.link)


def ensure_no_personal_numbers(text: str, allowed: set[str], name: str) -> None:
    """A last guard: a station template must not print an unmasked number (the officer's own is fine)."""
    for phone in allowed:
        text = text.replace(phone, "")
    _, found = mask_pii(text)
    if found.keys() & NUMBER_KINDS:  # a name or age rule firing on a template's own words is no number
        raise ConfigError(
            f"template {name}: the rendered text contains an unmasked personal number; check the template"
        )
