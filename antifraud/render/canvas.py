"""One canvas for every drawing (the warning poster, the rota): record what to draw while the layout
is worked out top to bottom, then paint it on an image exactly as tall as the content.

Every string is checked against the fonts when it is placed, before anything is painted: a character
no font has is a GlyphMissing naming it and where it is, never a box on the image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image, ImageDraw

from ..errors import ConfigError
from .fonts import FontSet
from .linebreak import CLOSING, OPENING, balanced_wrap, wrap

CAP = 0.88  # CJK glyphs reach this far above the baseline, as a multiple of the font size

Op = Callable[[Image.Image, ImageDraw.ImageDraw], None]


class TooTall(ConfigError):
    """The content needs a taller image than the drawing allows."""


@lru_cache(maxsize=512)
def _blanks(fonts: FontSet, size: int, char: str) -> tuple[float, float]:
    """How much more blank a punctuation mark has left and right of its ink than a Chinese character (口)."""
    if fonts.missing(char):
        return 0.0, 0.0
    mark, reference = _ink(fonts, size, char), _ink(fonts, size, "口")
    if mark is None or reference is None:
        return 0.0, 0.0
    return max(0.0, mark[0] - reference[0]), max(0.0, mark[1] - reference[1])


def _ink(fonts: FontSet, size: int, char: str) -> tuple[float, float] | None:
    """The blank left and right of the character's ink, within its advance."""
    font = fonts.font(size)
    mask, (offset, _) = font.getmask2(char, anchor="ls")
    box = mask.getbbox()
    if not box:
        return None
    return float(offset + box[0]), font.getlength(char) - (offset + box[2])


def _quoted(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass
class Canvas:
    width: int
    regular: FontSet
    bold: FontSet
    background: str
    max_height: int
    ops: list[Op] = field(default_factory=list)
    y: float = 0  # where the next block goes

    def fonts(self, bold: bool = False) -> FontSet:
        return self.bold if bold else self.regular

    # -- text --------------------------------------------------------------------------
    def check(self, text: str, where: str, bold: bool = False) -> None:
        fonts = self.fonts(bold)
        if missing := fonts.missing(text):
            raise fonts._missing_error(missing[0], where, _quoted(text))

    def drawable(self, text: str, bold: bool = False) -> str:
        """What the fonts can show of text a person typed: characters no font has (emoji) are left out.

        Fixed strings (labels, categories, names in config) go through check() instead, so a missing
        character there is an error `antifraud check` reports, not a silent gap.
        """
        return self.fonts(bold).drawable(text)

    def length(self, text: str, size: int, bold: bool = False) -> float:
        return self.fonts(bold).length(text, size)

    def hang(self, text: str, size: int, bold: bool = False) -> float:
        """How far a line starting with an opening mark (“《（) hangs left, so its ink lines up with the rest.

        A full-width opening mark is blank on its left half; unhung, the line looks indented.
        """
        if not text or text[0] not in OPENING:
            return 0.0
        return _blanks(self.fonts(bold), size, text[0])[0]

    def tail(self, text: str, size: int, bold: bool = False) -> float:
        """The blank right half of a full-width closing mark (，。) ending a line, for centring by the ink."""
        if not text or text[-1] not in CLOSING:
            return 0.0
        return _blanks(self.fonts(bold), size, text[-1])[1]

    def text(
        self,
        x: float,
        top: float,
        text: str,
        size: int,
        colour: str,
        bold: bool = False,
        where: str = "label",
        hang: bool = False,
    ) -> float:
        """One line with its em-box top at `top`; returns the x after it. `hang`: a line start (see hang())."""
        self.check(text, where, bold)
        fonts = self.fonts(bold)
        x -= self.hang(text, size, bold) if hang else 0.0
        y = top + CAP * size - fonts.ascent(size)
        self.ops.append(lambda image, _draw: fonts.draw(image, (x, y), text, size, colour))
        return x + fonts.length(text, size)

    def centred(
        self,
        top: float,
        text: str,
        size: int,
        colour: str,
        bold: bool = False,
        where: str = "label",
        x0: float = 0,
        x1: float | None = None,
    ) -> None:
        """One line centred between x0 and x1 (default: the whole width), by its ink: a hung mark not counted."""
        self.check(text, where, bold)
        x1 = self.width if x1 is None else x1
        hang = self.hang(text, size, bold)
        visible = self.length(text, size, bold) - hang - self.tail(text, size, bold)
        self.text(x0 + (x1 - x0 - visible) / 2 - hang, top, text, size, colour, bold, where)

    def lines(
        self, text: str, width: float, size: int, bold: bool = False, where: str = "label", phrases: bool = False
    ) -> list[str]:
        """The text broken into lines no wider than `width` (Chinese line breaking rules, no orphans;
        `phrases`: for centred text, lines end after a clause where they can)."""
        self.check(text, where, bold)
        fonts = self.fonts(bold)
        return wrap(text, width, lambda s: fonts.length(s, size), phrases=phrases)

    def balanced_lines(self, text: str, width: float, size: int, bold: bool = False, where: str = "label"):
        """As few lines as lines() gives, evenly filled: for centred boxes."""
        self.check(text, where, bold)
        fonts = self.fonts(bold)
        return balanced_wrap(text, width, lambda s: fonts.length(s, size))

    def paragraph(
        self, lines: list[str], x: float, top: float, size: int, colour: str, bold: bool = False, leading=1.5
    ) -> float:
        """Lines drawn one under another, opening marks hung; returns the height they take."""
        for index, line in enumerate(lines):
            self.text(x, top + index * size * leading, line, size, colour, bold, hang=True)
        return len(lines) * size * leading

    # -- shapes ------------------------------------------------------------------------
    def mark(self) -> int:
        """A point in the drawing order, for rect(at=...) to slip a background under what follows it."""
        return len(self.ops)

    def rect(
        self,
        box: tuple[float, float, float, float],
        colour: str,
        radius: int = 0,
        at: int | None = None,
        corners: tuple[bool, bool, bool, bool] | None = None,
        outline: str | None = None,
        outline_width: int = 0,
    ) -> None:
        """A filled (rounded) rectangle; `at` puts it under what was recorded since that mark."""

        def op(_image, draw: ImageDraw.ImageDraw):
            if radius:
                draw.rounded_rectangle(
                    box, radius=radius, fill=colour, corners=corners, outline=outline, width=outline_width
                )
            else:
                draw.rectangle(box, fill=colour, outline=outline, width=outline_width)

        self.ops.insert(len(self.ops) if at is None else at, op)

    def ellipse(self, box: tuple[float, float, float, float], colour: str) -> None:
        self.ops.append(lambda _image, draw: draw.ellipse(box, fill=colour))

    def paste(self, picture: Image.Image, xy: tuple[int, int]) -> None:
        self.ops.append(lambda image, _draw: image.paste(picture, xy))

    # -- output ------------------------------------------------------------------------
    def paint(self, what: str = "image", hint: str = "reduce sizes in the layout file") -> Image.Image:
        height = round(self.y)
        if height > self.max_height:
            raise TooTall(f"{what}: the content needs {height} px, more than {self.max_height}; {hint}")
        image = Image.new("RGB", (self.width, max(height, 1)), self.background)
        draw = ImageDraw.Draw(image)
        for op in self.ops:
            op(image, draw)
        return image
