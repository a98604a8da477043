"""Poster layout as data (templates/poster.yaml): sizes, colours, labels and the order of blocks."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..config import describe_validation_error
from ..errors import ConfigError
from ..resources import find_template
from .text import FontSet, font_set

LAYOUT_FILE = "poster.yaml"
BLOCK_TYPES = ("header", "stats", "categories", "highlight", "scripts", "tips", "key_point", "contact", "footer")


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise ValueError("must be a colour as #RRGGBB")
    return value


Colour = Annotated[str, AfterValidator(_colour)]
Size = Annotated[int, Field(ge=8, le=400)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fonts(Strict):
    regular: Annotated[list[str], Field(min_length=1)]
    bold: Annotated[list[str], Field(min_length=1)]


class PosterDetail(Strict):
    highlights: int = Field(default=1, ge=0, le=2)
    summary_chars: int = Field(default=160, ge=0, le=500)
    scripts: int = Field(default=2, ge=0, le=3)
    tips: int = Field(default=5, ge=1, le=5)


class Block(Strict):
    type: Literal[BLOCK_TYPES]  # type: ignore[valid-type]
    height: Size | None = None
    size: Size = 34
    title_size: Size = 42
    station_size: Size = 34
    subtitle_size: Size = 38
    number_size: Size = 76
    label_size: Size = 30
    phone_size: Size = 56
    qr_size: Size = 230
    bar_height: Size = 18


class PosterLayout(Strict):
    width: int = Field(default=1080, ge=480, le=2160)
    margin: int = Field(default=56, ge=0, le=300)
    gap: int = Field(default=36, ge=0, le=200)
    fonts: Fonts
    colors: dict[str, Colour]
    detail: PosterDetail = PosterDetail()
    labels: dict[str, Annotated[str, Field(max_length=60)]]
    blocks: list[Block]
    # Where the layout was read from, for fonts and messages.
    source: Path | None = Field(default=None, exclude=True)

    def colour(self, name: str, quiet: bool = False) -> str:
        return self.colors.get(f"{name}_quiet", self.colors[name]) if quiet else self.colors[name]

    def font_sets(self, station_templates: Path | None) -> tuple[FontSet, FontSet]:
        def resolve(names: list[str]) -> tuple[Path, ...]:
            try:
                return tuple(find_template(name, station_templates) for name in names)
            except FileNotFoundError as exc:
                raise ConfigError(f"{LAYOUT_FILE}: fonts: {exc}") from None

        return font_set(resolve(self.fonts.regular)), font_set(resolve(self.fonts.bold))


REQUIRED_COLOURS = (
    "background",
    "header",
    "header_text",
    "header_subtext",
    "text",
    "muted",
    "accent",
    "panel",
    "bar_track",
    "footer",
    "footer_text",
)
REQUIRED_LABELS = (
    "title",
    "title_quiet",
    "subtitle",
    "subtitle_quiet",
    "total",
    "stopped",
    "loss",
    "categories",
    "highlight",
    "scripts",
    "tips",
    "key_point",
    "contact",
    "hotline",
    "emergency",
    "qr_caption",
    "footer",
)


def load_layout(station_templates: Path | None) -> PosterLayout:
    path = find_template(LAYOUT_FILE, station_templates)
    return _load(path, path.stat().st_mtime_ns)


def read_model(path: Path, model: type[BaseModel]):
    """A layout file parsed into its model; errors name the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of layout keys")
        return model.model_validate({**data, "source": path})
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation_error(exc)}") from None


@lru_cache(maxsize=8)
def _load(path: Path, _mtime: int) -> PosterLayout:
    layout = read_model(path, PosterLayout)
    for key, names in (("colors", REQUIRED_COLOURS), ("labels", REQUIRED_LABELS)):
        missing = [name for name in names if name not in getattr(layout, key)]
        if missing:
            raise ConfigError(f"{path}: {key}.{missing[0]}: is required")
    return layout
