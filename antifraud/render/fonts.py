"""Fonts with fallbacks and glyph coverage.

Pillow is used without raqm (basic layout), so each font draws only the characters
in its own character map; anything else would come out as an empty box. FontSet
therefore splits text into runs, one font per run, and refuses characters no font has.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from ..errors import AntifraudError, ConfigError
from ..lib.templates import find_template

SUBSET_HINT = (
    "or add the character to templates/fonts/extra_chars.txt and regenerate the subset (scripts/subset_fonts.py)"
)


class GlyphMissing(AntifraudError):
    """A character that none of a drawing's fonts can draw (it would print as a box)."""

    def __init__(self, char: str, where: str, fonts: Sequence[str], text: str | None = None, layout: str = ""):
        self.char = char
        self.where = where
        shown = f'"{text}" ({where})' if text is not None else f'"{where}"'
        what = layout.removesuffix(".yaml") or "drawing"
        super().__init__(
            f"{what}: the character '{char}' (U+{ord(char):04X}) in {shown} is in none of the fonts "
            f"({', '.join(fonts)}); add a font that has it under fonts: in {layout or 'the layout file'}, {SUBSET_HINT}"
        )


def _invisible(char: str) -> bool:
    # Whitespace, controls, format characters and variation selectors draw nothing
    # on their own, so a font lacking them is not a reason to refuse the text.
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F


@cache
def _code_points(path: Path) -> frozenset[int]:
    # lazy=True parses only the cmap table; the glyph outlines are never loaded here.
    with TTFont(path, lazy=True) as font:
        return frozenset(font["cmap"].getBestCmap())


class FontSet:
    """One weight: a primary font plus fallbacks, tried in order for each character."""

    def __init__(self, paths: Sequence[Path], layout: str = ""):
        if not paths:
            raise ValueError("a FontSet needs at least one font file")
        self.paths = tuple(Path(p) for p in paths)
        self.layout = layout  # the layout file that named these fonts, for messages
        self._cmaps = [_code_points(p) for p in self.paths]
        self._fonts: dict[tuple[int, int], ImageFont.FreeTypeFont] = {}
        self._advances: dict[tuple[int, int], dict[str, float]] = {}

    def _primary_covers(self, text: str) -> bool:
        # The common case, checked in C: every character is in the primary font.
        return set(map(ord, text)) <= self._cmaps[0]

    def covered_by_primary(self, text: str) -> bool:
        """Whether the first font alone draws every visible character of the text."""
        return self._primary_covers(text) or all(_invisible(c) or ord(c) in self._cmaps[0] for c in text)

    def font(self, size: int, index: int = 0) -> ImageFont.FreeTypeFont:
        # Opening a 1.6 MB CJK font is the slow part of drawing, so each size is opened once.
        key = (size, index)
        if key not in self._fonts:
            self._fonts[key] = ImageFont.truetype(str(self.paths[index]), size, layout_engine=ImageFont.Layout.BASIC)
        return self._fonts[key]

    def _index(self, char: str) -> int | None:
        code = ord(char)
        return next((i for i, cmap in enumerate(self._cmaps) if code in cmap), None)

    def _missing_error(self, char: str, where: str, text: str | None = None) -> GlyphMissing:
        return GlyphMissing(char, where, [p.name for p in self.paths], text, self.layout)

    def missing(self, text: str) -> list[str]:
        """Characters no font covers, unique, in order of first appearance."""
        if self._primary_covers(text):
            return []
        found = dict.fromkeys(c for c in text if not _invisible(c) and self._index(c) is None)
        return list(found)

    def drawable(self, text: str) -> str:
        """The text without the characters no font has (emoji and the like): what a poster can show of it."""
        if self._primary_covers(text):
            return text
        return "".join(c for c in text if not _invisible(c) and self._index(c) is not None or c == " ")

    def check(self, text: str, where: str, show_text: bool = False) -> None:
        """Raise GlyphMissing for the first character no font has; `show_text` quotes the text too."""
        if missing := self.missing(text):
            raise self._missing_error(missing[0], where, text if show_text else None)

    def runs(self, text: str, where: str = "text") -> list[tuple[int, str]]:
        """Split text into maximal runs that one font draws: (font index, run text)."""
        if self._primary_covers(text):
            return [(0, text)] if text else []
        runs: list[tuple[int, str]] = []
        for char in text:
            index = self._index(char)
            if _invisible(char) and (runs or index is None):
                # Spaces join the run they are in rather than switching fonts mid-line.
                index = runs[-1][0] if runs else 0
            elif index is None:
                raise self._missing_error(char, where)
            if runs and runs[-1][0] == index:
                runs[-1] = (index, runs[-1][1] + char)
            else:
                runs.append((index, char))
        return runs

    def _drawable_runs(self, text: str, where: str) -> list[tuple[int, str]]:
        # An invisible character the run's font lacks would draw as a box: leave it out.
        if self._primary_covers(text):
            return [(0, text)] if text else []
        cleaned = []
        for index, run in self.runs(text, where):
            cmap = self._cmaps[index]
            kept = "".join(c for c in run if not _invisible(c) or ord(c) in cmap)
            if kept:
                cleaned.append((index, kept))
        return cleaned

    def length(self, text: str, size: int, where: str = "text") -> float:
        """Width in pixels of one line, each run measured with its own font.

        Basic layout applies no kerning or shaping to these fonts, so a line is as wide as
        the sum of its characters' advances; caching those makes line breaking cheap.
        """
        total = 0.0
        for index, run in self._drawable_runs(text, where):
            advances = self._advances.setdefault((size, index), {})
            font = None
            for char in run:
                width = advances.get(char)
                if width is None:
                    font = font or self.font(size, index)
                    width = advances[char] = font.getlength(char)
                total += width
        return total

    def ascent(self, size: int) -> int:
        return self.font(size).getmetrics()[0]

    def line_height(self, size: int) -> int:
        ascent, descent = self.font(size).getmetrics()
        return ascent + descent

    def draw(
        self,
        image: Image.Image,
        xy: tuple[float, float],
        text: str,
        size: int,
        fill: object,
        where: str = "text",
    ) -> float:
        """Draw one line with its top at xy; returns the x just after the text.

        Every run is anchored on the primary font's baseline, so a fallback font with
        other ascent/descent still sits on the same line as the primary. Rendered runs
        are cached: labels, tips and contacts recur on every poster.
        """
        runs = self._drawable_runs(text, where)  # raises before anything is drawn
        x, top = xy
        baseline = round(top + self.ascent(size))
        for index, run in runs:
            mask, left, up = _run_mask(self.paths[index], size, run)
            if mask is not None:
                image.paste(fill, (round(x) + left, baseline + up), mask)
            x += self.length(run, size)
        return x


@lru_cache(maxsize=1024)
def _run_mask(path: Path, size: int, run: str) -> tuple[Image.Image | None, int, int]:
    """The run's coverage mask and its offset from the (left, baseline) anchor."""
    font = font_set((path,)).font(size)
    left, up, right, down = font.getbbox(run, anchor="ls")
    if right <= left or down <= up:
        return None, 0, 0
    mask = Image.new("L", (right - left, down - up), 0)
    ImageDraw.Draw(mask).text((-left, -up), run, font=font, fill=255, anchor="ls")
    return mask, left, up


@cache
def font_set(paths: tuple[Path, ...], layout: str = "") -> FontSet:
    """The shared FontSet for these files, so repeated posters reuse opened fonts."""
    return FontSet(paths, layout)


def resolve_fonts(names: Sequence[str], station_templates: Path | None, layout: str) -> FontSet:
    """The FontSet for font file names as a layout file lists them (the station's templates/ first)."""
    try:
        paths = tuple(find_template(name, station_templates) for name in names)
    except FileNotFoundError as exc:
        raise ConfigError(f"{layout}: fonts: {exc}") from None
    return font_set(paths, layout)
