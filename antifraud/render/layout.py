"""Layout files as data (templates/poster.yaml, templates/rota.yaml): loading, caching and the field
types they share. What each layout contains is declared by the drawing that uses it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field

from ..lib.schema import Strict, read_model
from ..lib.templates import find_template
from .fonts import FontSet, resolve_fonts


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise ValueError("must be a colour as #RRGGBB")
    return value


Colour = Annotated[str, AfterValidator(_colour)]
Size = Annotated[int, Field(ge=8, le=400)]


def _placeholders(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        for _, name, _, _ in string.Formatter().parse(value):
            if name is not None and name not in allowed:
                shown = ", ".join("{" + a + "}" for a in allowed) or "none"
                raise ValueError(f"uses {{{name}}}; the placeholders here are {shown}")
        return value

    return check


def label(*allowed: str):
    """A label of 1-60 characters that may use only these {placeholders}."""
    return Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_placeholders(allowed))]


class Fonts(Strict):
    regular: Annotated[list[str], Field(min_length=1)]
    bold: Annotated[list[str], Field(min_length=1)]


class LayoutFile(Strict):
    """What every layout file has: its fonts, and where it was read from (for messages)."""

    fonts: Fonts
    source: Path | None = Field(default=None, exclude=True)

    def font_sets(self, station_templates: Path | None) -> tuple[FontSet, FontSet]:
        """Regular and bold, each a primary font with fallbacks, as the file lists them."""
        name = self.source.name if self.source else "layout"
        return (
            resolve_fonts(self.fonts.regular, station_templates, name),
            resolve_fonts(self.fonts.bold, station_templates, name),
        )


L = TypeVar("L", bound=LayoutFile)


def load_layout_file(name: str, model: type[L], station_templates: Path | None) -> L:
    """The station's own copy of the layout file if it has one, else the shipped one; re-read when changed."""
    path = find_template(name, station_templates)
    return _load(path, path.stat().st_mtime_ns, model)


@lru_cache(maxsize=16)
def _load(path: Path, _mtime: int, model: type[L]) -> L:
    return read_model(path, model, {"source": path})
