"""One canvas for every drawing (the warning poster, the rota): record what to draw while the layout
is worked out top to bottom, then paint it on an image exactly as tall as the content.

Every string is checked against the fonts when it is placed, before anything is painted: a character
no font has is a GlyphMissing naming it and where it is, never a box on the image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from ..errors import ConfigError
from .fonts import FontSet
from .linebreak import balanced_wrap, wrap

CAP = 0.88  # CJK glyphs reach this far above the baseline, as a multiple of the font size

Op = Callable[[Image.Image, ImageDraw.ImageDraw], None]


class TooTall(ConfigError):
    """The content needs a taller image than the drawing allows."""


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

    def length(self, text: str, size: int, bold: bool = False) -> float:
        return self.fonts(bold).length(text, size)

    def text(
        self, x: float, top: float, text: str, size: int, colour: str, bold: bool = False, where: str = "label"
    ) -> float:
        """One line with its em-box top at `top`; returns the x after it."""
        self.check(text, where, bold)
        fonts = self.fonts(bold)
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
        """One line centred between x0 and x1 (default: the whole width)."""
        self.check(text, where, bold)
        x1 = self.width if x1 is None else x1
        self.text(x0 + (x1 - x0 - self.length(text, size, bold)) / 2, top, text, size, colour, bold, where)

    def lines(self, text: str, width: float, size: int, bold: bool = False, where: str = "label") -> list[str]:
        """The text broken into lines no wider than `width` (Chinese line breaking rules)."""
        self.check(text, where, bold)
        fonts = self.fonts(bold)
        return wrap(text, width, lambda s: fonts.length(s, size))

    def balanced_lines(self, text: str, width: float, size: int, bold: bool = False, where: str = "label"):
        """As few lines as lines() gives, evenly filled: for centred boxes."""
        self.check(text, where, bold)
        fonts = self.fonts(bold)
        return balanced_wrap(text, width, lambda s: fonts.length(s, size))

    def paragraph(
        self, lines: list[str], x: float, top: float, size: int, colour: str, bold: bool = False, leading=1.5
    ) -> float:
        """Lines drawn one under another; returns the height they take."""
        for index, line in enumerate(lines):
            self.text(x, top + index * size * leading, line, size, colour, bold)
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
