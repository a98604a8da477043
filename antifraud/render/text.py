"""Text for posters: fonts with fallbacks, glyph checks, and Chinese line breaking.

Pillow is used without raqm (basic layout), so each font draws only the characters
in its own character map; anything else would come out as an empty box. FontSet
therefore splits text into runs, one font per run, and refuses characters no font has.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from ..errors import AntifraudError

# Kinsoku rules (GB/T 15834 and common practice): closing punctuation never starts a line,
# opening punctuation never ends one.
NO_LINE_START = frozenset("，。、；：？！）」』》〉】”’…—·%,.;:?!)]}～")
NO_LINE_END = frozenset("（「『《〈【“‘([{")

# Characters that glue letters and digits into one unbreakable token, so phone numbers,
# amounts, dates, times and codes ("138****5678", "1,234.50", "2026-11-22") stay whole.
_JOINERS = frozenset(".,%*+-/:@_'’¥￥#")
_PREFIXES = frozenset("¥￥#")  # bind to the number that follows: "¥1,234.50", "#110"
_SUFFIXES = frozenset("%％")  # bind to the number before: "50%"


class GlyphMissing(AntifraudError):
    """A character that none of a poster's fonts can draw (it would print as a box)."""

    def __init__(self, char: str, where: str, fonts: Sequence[str]):
        self.char = char
        self.where = where
        super().__init__(
            f"poster: the character '{char}' (U+{ord(char):04X}) in \"{where}\" is in none of the fonts "
            f"({', '.join(fonts)}); add a font that has it under fonts: in poster.yaml"
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

    def __init__(self, paths: Sequence[Path]):
        if not paths:
            raise ValueError("a FontSet needs at least one font file")
        self.paths = tuple(Path(p) for p in paths)
        self._cmaps = [_code_points(p) for p in self.paths]
        self._fonts: dict[tuple[int, int], ImageFont.FreeTypeFont] = {}
        self._advances: dict[tuple[int, int], dict[str, float]] = {}

    def _primary_covers(self, text: str) -> bool:
        # The common case, checked in C: every character is in the primary font.
        return set(map(ord, text)) <= self._cmaps[0]

    def font(self, size: int, index: int = 0) -> ImageFont.FreeTypeFont:
        # Opening a 1.6 MB CJK font is the slow part of drawing, so each size is opened once.
        key = (size, index)
        if key not in self._fonts:
            self._fonts[key] = ImageFont.truetype(str(self.paths[index]), size, layout_engine=ImageFont.Layout.BASIC)
        return self._fonts[key]

    def _index(self, char: str) -> int | None:
        code = ord(char)
        return next((i for i, cmap in enumerate(self._cmaps) if code in cmap), None)

    def _missing_error(self, char: str, where: str) -> GlyphMissing:
        return GlyphMissing(char, where, [p.name for p in self.paths])

    def missing(self, text: str) -> list[str]:
        """Characters no font covers, unique, in order of first appearance."""
        if self._primary_covers(text):
            return []
        found = dict.fromkeys(c for c in text if not _invisible(c) and self._index(c) is None)
        return list(found)

    def check(self, text: str, where: str) -> None:
        if missing := self.missing(text):
            raise self._missing_error(missing[0], where)

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
def font_set(paths: tuple[Path, ...]) -> FontSet:
    """The shared FontSet for these files, so repeated posters reuse opened fonts."""
    return FontSet(paths)


# --- line breaking -------------------------------------------------------------------------


def _is_alnum(char: str) -> bool:
    # Latin/Greek/Cyrillic letters and digits; CJK ideographs and full-width forms are
    # excluded because Chinese may break between any two of them.
    return unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl") and (
        unicodedata.east_asian_width(char) not in ("W", "F")
    )


def _char_class(char: str) -> str:
    if char.isspace():
        return "s"
    if _is_alnum(char):
        return "a"
    if char in _PREFIXES:
        return "p"
    if char in _SUFFIXES:
        return "%"
    return "j" if char in _JOINERS else "x"


# Matched against the string of character classes, one letter per character.
_TOKEN = re.compile(r"s+|p*a+(?:[pj%]+a+)*%*|.", re.DOTALL)


def _tokens(paragraph: str) -> list[str]:
    """Split at every break opportunity: whitespace runs, words/numbers, single other chars."""
    classes = "".join(map(_char_class, paragraph))
    return [paragraph[m.start() : m.end()] for m in _TOKEN.finditer(classes)]


def _break_point(line: list[str], token: str, width: float, measure: Callable[[str], float]) -> int | None:
    """Where to cut `line` when `token` does not fit: line[:k] stays, line[k:] moves down.

    Searches from the end so as little as possible moves; None if no cut obeys the rules.
    """
    for k in range(len(line), 0, -1):
        head = "".join(line[:k]).rstrip()
        tail = "".join(line[k:] + [token]).lstrip()
        if not head.strip():
            return None  # the line would be left empty
        if k < len(line) and measure(tail) > width:
            return None  # the tail only grows as k shrinks
        if head[-1] not in NO_LINE_END and tail[0] not in NO_LINE_START:
            return k
    return None


def _wrap_paragraph(paragraph: str, width: float, measure: Callable[[str], float]) -> list[str]:
    tokens: list[str] = []
    for token in _tokens(paragraph):
        # A token wider than a whole line cannot stay whole: split it into characters.
        too_wide = len(token) > 1 and not token.isspace() and measure(token) > width
        tokens.extend(token if too_wide else [token])

    lines: list[str] = []
    line: list[str] = []
    for token in tokens:
        if token.isspace() or not "".join(line).strip() or measure("".join(line + [token])) <= width:
            line.append(token)
            continue
        k = _break_point(line, token, width, measure)
        if k is None:
            if token[0] in NO_LINE_START:
                line.append(token)  # hang the punctuation past the edge rather than start a line with it
                continue
            k = len(line)  # nothing legal (e.g. a line of only "（"): break anyway
        lines.append("".join(line[:k]).rstrip())  # a space at the break is dropped
        rest = line[k:] + [token]
        while rest[0].isspace():
            rest.pop(0)
        line = rest
    lines.append("".join(line))
    return lines


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break text into lines no wider than `width` as measured by `measure`.

    "\\n" is a hard break and an empty paragraph gives an empty line, so wrap("") == [""].
    Breaks fall between CJK characters, at spaces (dropped at the break) and around words,
    never inside a word or number. Closing punctuation never starts a line and opening
    punctuation never ends one; when no legal break fits, the closing punctuation hangs
    past the width (usually one mark; "），" after a number that fills the line hangs both).
    Apart from the dropped spaces and the "\\n", no character is lost or moved.
    """
    return [line for paragraph in text.split("\n") for line in _wrap_paragraph(paragraph, width, measure)]


def balanced_wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """As few lines as wrap() gives, but evenly filled: no lone last character in a centred box."""
    lines = wrap(text, width, measure)
    low, high = width / 2, width
    for _ in range(8 if len(lines) > 1 else 0):
        middle = (low + high) / 2
        trial = wrap(text, middle, measure)
        if len(trial) <= len(lines):
            lines, high = trial, middle
        else:
            low = middle
    return lines
