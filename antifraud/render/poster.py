"""The daily warning poster, drawn with Pillow from a layout (templates/poster.yaml).

Blocks are drawn top to bottom on a tall canvas that is cropped to the content,
so the height adapts. Every string is checked against the fonts first: a missing
glyph is an error naming the character, never a box on the poster.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from ..errors import ConfigError
from ..warnings.content import WarningContent, cn_date, yuan
from .layout import Block, PosterLayout
from .png import encode_png
from .text import FontSet, balanced_wrap, wrap

MAX_HEIGHT = 5000
LINE = 1.5  # line spacing, as a multiple of the font size
CAP = 0.88  # CJK glyphs reach this far above the baseline, as a multiple of the font size


@dataclass
class Poster:
    layout: PosterLayout
    regular: FontSet
    bold: FontSet
    quiet: bool
    image: Image.Image
    draw: ImageDraw.ImageDraw
    y: int = 0

    @property
    def left(self) -> int:
        return self.layout.margin

    @property
    def inner(self) -> int:
        return self.layout.width - 2 * self.layout.margin

    def colour(self, name: str) -> str:
        return self.layout.colour(name, self.quiet)

    def fonts(self, bold: bool) -> FontSet:
        return self.bold if bold else self.regular

    def text(self, x: float, top: float, text: str, size: int, fill: str, bold: bool = False, where: str = "poster"):
        """One line with its em-box top at `top`; returns the x after it."""
        fonts = self.fonts(bold)
        fonts.check(text, where)
        ascent = fonts.font(size).getmetrics()[0]
        return fonts.draw(self.image, (x, top + CAP * size - ascent), text, size, fill)

    def centred(
        self,
        top: float,
        text: str,
        size: int,
        fill: str,
        bold: bool = False,
        where: str = "poster",
        x0: float = 0,
        x1: float | None = None,
    ):
        x1 = self.layout.width if x1 is None else x1
        width = self.fonts(bold).length(text, size)
        self.text(x0 + (x1 - x0 - width) / 2, top, text, size, fill, bold, where)

    def lines(self, text: str, width: float, size: int, bold: bool = False, where: str = "poster") -> list[str]:
        fonts = self.fonts(bold)
        fonts.check(text, where)
        return wrap(text, width, lambda s: fonts.length(s, size))

    def balanced_lines(self, text: str, width: float, size: int, bold: bool = False, where: str = "poster"):
        self.lines(text, width, size, bold, where)  # checks the glyphs
        fonts = self.fonts(bold)
        return balanced_wrap(text, width, lambda s: fonts.length(s, size))

    def paragraph(self, lines: list[str], x: float, top: float, size: int, fill: str, bold: bool = False) -> float:
        for index, line in enumerate(lines):
            self.text(x, top + index * size * LINE, line, size, fill, bold)
        return len(lines) * size * LINE

    def section_title(self, title: str, size: int):
        self.draw.rectangle((self.left, self.y + 4, self.left + 10, self.y + size + 4), fill=self.colour("accent"))
        self.text(self.left + 28, self.y, title, size, self.colour("text"), bold=True, where="poster.yaml labels")
        self.y += round(size * 1.6)


def block_header(p: Poster, c: WarningContent, b: Block):
    labels, height = p.layout.labels, b.height or 300
    p.draw.rectangle((0, 0, p.layout.width, height), fill=p.colour("header"))
    p.centred(34, c.facts.station_name, b.station_size, p.colour("header_subtext"), where="stations[].name")
    title = labels["title_quiet" if p.quiet else "title"]
    title_top = 34 + b.station_size * 1.5
    p.centred(title_top, title, b.title_size, p.colour("header_text"), bold=True, where="poster.yaml labels")
    subtitle = labels["subtitle_quiet" if p.quiet else "subtitle"].format(
        date=f"{c.facts.day.year}年{cn_date(c.facts.day)}"
    )
    p.centred(height - 34 - b.subtitle_size * 1.1, subtitle, b.subtitle_size, p.colour("header_subtext"))
    p.y = height + p.layout.gap


def block_stats(p: Poster, c: WarningContent, b: Block):
    if p.quiet:
        return
    facts, labels = c.facts, p.layout.labels
    cells = [
        (f"{facts.total}起", labels["total"]),
        (f"{facts.stopped}起", labels["stopped"]),
        (yuan(facts.loss).removesuffix("元"), labels["loss"] + ("（元）" if facts.loss < 10000 else "")),
    ]
    gap, count = 24, len(cells)
    width = (p.inner - gap * (count - 1)) / count
    height = round(b.number_size * 1.25 + b.label_size * 1.5 + 48)
    for index, (number, label) in enumerate(cells):
        x0 = p.left + index * (width + gap)
        p.draw.rounded_rectangle((x0, p.y, x0 + width, p.y + height), radius=20, fill=p.colour("panel"))
        p.centred(p.y + 28, number, b.number_size, p.colour("accent"), bold=True, x0=x0, x1=x0 + width)
        p.centred(p.y + 36 + b.number_size * 1.25, label, b.label_size, p.colour("muted"), x0=x0, x1=x0 + width)
    p.y += height + p.layout.gap


def block_categories(p: Poster, c: WarningContent, b: Block):
    if p.quiet or not c.facts.categories:
        return
    p.section_title(p.layout.labels["categories"], b.title_size)
    most = max(k.count for k in c.facts.categories)
    for k in c.facts.categories:
        p.text(p.left, p.y, k.name, b.size, p.colour("text"), where="categories.yaml name")
        count = f"{k.count}起"
        p.text(p.left + p.inner - p.regular.length(count, b.size), p.y, count, b.size, p.colour("accent"), bold=True)
        bar_top = p.y + round(b.size * 1.35)
        p.draw.rounded_rectangle(
            (p.left, bar_top, p.left + p.inner, bar_top + b.bar_height),
            radius=b.bar_height // 2,
            fill=p.colour("bar_track"),
        )
        filled = max(b.bar_height, round(p.inner * k.count / most))
        p.draw.rounded_rectangle(
            (p.left, bar_top, p.left + filled, bar_top + b.bar_height),
            radius=b.bar_height // 2,
            fill=p.colour("accent"),
        )
        p.y = bar_top + b.bar_height + 22
    p.y += p.layout.gap - 22


def block_highlight(p: Poster, c: WarningContent, b: Block):
    for h in c.highlights[: p.layout.detail.highlights]:
        p.section_title(f"{p.layout.labels['highlight']} · {h.category_name}", b.title_size)
        pad = 32
        width = p.inner - 2 * pad
        outcome = "经民警劝阻，未受损失" if h.stopped else (f"被骗{yuan(h.loss)}" if h.loss else "")
        who = p.lines(h.who + (f"，{outcome}" if outcome else ""), width, b.size, bold=True, where="incident")
        summary = p.lines(h.summary, width, b.size, where="incident summary") if h.summary else []
        height = (len(who) + len(summary)) * b.size * LINE + 2 * pad + (12 if summary else 0)
        p.draw.rounded_rectangle((p.left, p.y, p.left + p.inner, p.y + height), radius=20, fill=p.colour("panel"))
        top = p.y + pad
        top += p.paragraph(who, p.left + pad, top, b.size, p.colour("accent"), bold=True) + 12
        p.paragraph(summary, p.left + pad, top, b.size, p.colour("text"))
        p.y += round(height) + p.layout.gap


def block_scripts(p: Poster, c: WarningContent, b: Block):
    scripts = c.scripts[: p.layout.detail.scripts]
    if not scripts:
        return
    p.section_title(p.layout.labels["scripts"], b.title_size)
    for s in scripts:
        lines = p.lines(f"【{s.short}】{s.script}", p.inner, b.size, where="categories.yaml script")
        p.y += round(p.paragraph(lines, p.left, p.y, b.size, p.colour("text")) + 8)
    p.y += p.layout.gap - 8


def block_tips(p: Poster, c: WarningContent, b: Block):
    tips = c.tips[: p.layout.detail.tips]
    if not tips:
        return
    p.section_title(p.layout.labels["tips"], b.title_size)
    badge = round(b.size * 1.2)
    indent = badge + 20
    for number, tip in enumerate(tips, start=1):
        centre_y = p.y + b.size * 0.45
        p.draw.ellipse((p.left, centre_y - badge / 2, p.left + badge, centre_y + badge / 2), fill=p.colour("accent"))
        p.centred(
            centre_y - b.size * 0.8 / 2 - 2,
            str(number),
            round(b.size * 0.8),
            p.colour("header_text"),
            bold=True,
            x0=p.left,
            x1=p.left + badge,
        )
        lines = p.lines(tip, p.inner - indent, b.size, where="categories.yaml tips")
        p.y += round(p.paragraph(lines, p.left + indent, p.y, b.size, p.colour("text")) + 10)
    p.y += p.layout.gap - 10


def block_key_point(p: Poster, c: WarningContent, b: Block):
    pad = 30
    lines = p.balanced_lines(
        f"{p.layout.labels['key_point']}：{c.key_point}",
        p.inner - 2 * pad,
        b.size,
        bold=True,
        where="categories.yaml key_point",
    )
    height = len(lines) * b.size * LINE + 2 * pad - b.size * (LINE - 1)
    p.draw.rounded_rectangle(
        (p.left, p.y, p.left + p.inner, p.y + height),
        radius=16,
        fill=p.colour("panel"),
        outline=p.colour("accent"),
        width=4,
    )
    for index, line in enumerate(lines):
        p.centred(p.y + pad + index * b.size * LINE, line, b.size, p.colour("accent"), bold=True)
    p.y += round(height) + p.layout.gap


def block_contact(p: Poster, c: WarningContent, b: Block, link: str | None = None):
    labels, contact = p.layout.labels, c.facts.contact
    qr = qr_image(link, b.qr_size) if link else None
    text_width = p.inner - (b.qr_size + 40 if qr else 0)
    top = p.y
    if contact:
        p.text(
            p.left, p.y, f"{labels['contact']} {contact.name}", b.size, p.colour("muted"), where="stations[].contact"
        )
        p.y += round(b.size * 1.5)
        p.text(p.left, p.y, contact.phone, b.phone_size, p.colour("accent"), bold=True)
        p.y += round(b.phone_size * 1.4)
    for line in (labels["hotline"], labels["emergency"]):
        for wrapped in p.lines(line, text_width, b.size, bold=True, where="poster.yaml labels"):
            p.text(p.left, p.y, wrapped, b.size, p.colour("text"), bold=True)
            p.y += round(b.size * LINE)
    if qr:
        x0 = p.left + p.inner - b.qr_size
        p.image.paste(qr, (x0, top))
        caption = round(b.size * 0.8)
        p.centred(top + b.qr_size + 8, labels["qr_caption"], caption, p.colour("muted"), x0=x0, x1=x0 + b.qr_size)
        p.y = max(p.y, round(top + b.qr_size + 8 + caption * LINE))
    p.y += p.layout.gap


def block_footer(p: Poster, c: WarningContent, b: Block):
    height = b.height or 110
    p.draw.rectangle((0, p.y, p.layout.width, p.y + height), fill=p.colour("footer"))
    text = f"{c.facts.station_name} · {p.layout.labels['footer']}"
    lines = p.balanced_lines(text, p.inner, b.size, where="poster.yaml labels")
    block = len(lines) * b.size * LINE - b.size * (LINE - 1)
    for index, line in enumerate(lines):
        p.centred(p.y + (height - block) / 2 + index * b.size * LINE, line, b.size, p.colour("footer_text"))
    p.y += height


BLOCKS = {
    "header": block_header,
    "stats": block_stats,
    "categories": block_categories,
    "highlight": block_highlight,
    "scripts": block_scripts,
    "tips": block_tips,
    "key_point": block_key_point,
    "contact": block_contact,
    "footer": block_footer,
}


class PosterTooTall(ConfigError):
    """The layout and content do not fit the tallest poster we draw."""


@lru_cache(maxsize=32)
def qr_image(link: str, size: int) -> Image.Image:
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(link)
    code.make(fit=True)
    return (
        code.make_image(fill_color="black", back_color="white")
        .get_image()
        .convert("RGB")
        .resize((size, size), Image.NEAREST)
    )


@lru_cache(maxsize=8)
def _blank(width: int, colour: str) -> Image.Image:
    return Image.new("RGB", (width, MAX_HEIGHT), colour)


def draw_warning_poster(
    content: WarningContent, layout: PosterLayout, station_templates: Path | None, link: str | None = None
) -> Image.Image:
    """The poster image, as tall as its content."""
    regular, bold = layout.font_sets(station_templates)
    image = _blank(layout.width, layout.colour("background")).copy()
    poster = Poster(layout, regular, bold, content.facts.quiet, image, ImageDraw.Draw(image))
    for block in layout.blocks:
        if block.type == "contact":
            block_contact(poster, content, block, link)
        else:
            BLOCKS[block.type](poster, content, block)
    if poster.y > MAX_HEIGHT:
        raise PosterTooTall(
            f"poster: the content needs {poster.y} px, more than {MAX_HEIGHT}; reduce sizes or detail in poster.yaml"
        )
    return image.crop((0, 0, layout.width, poster.y))


MAX_BYTES = 2 * 1024 * 1024  # the WeCom robot refuses larger images


def encode_poster(image: Image.Image) -> tuple[bytes, str]:
    """PNG keeps text crisp; JPEG (4:4:4, high quality) only if the PNG would be refused as too big."""
    png = encode_png(image)
    if len(png) <= MAX_BYTES:
        return png, "png"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, subsampling=0, optimize=True)
    return buffer.getvalue(), "jpg"
