"""The daily warning poster, drawn from a layout file (templates/poster.yaml) with render's canvas.

Blocks are laid out top to bottom and the image is as tall as its content. Every string is checked
against the fonts first: a missing glyph is an error naming the character, never a box on the poster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..lib.schema import Strict
from ..lib.words import cn_date, yuan
from ..render.canvas import Canvas, TooTall
from ..render.layout import Colour, LayoutFile, Size, load_layout_file
from ..render.png import encode_image
from ..render.qr import qr_image
from .content import WarningContent

LAYOUT_FILE = "poster.yaml"
MAX_HEIGHT = 5000
MAX_BYTES = 2 * 1024 * 1024  # the WeCom robot refuses larger images
LINE = 1.5  # line spacing, as a multiple of the font size
BLOCK_TYPES = ("header", "stats", "categories", "highlight", "scripts", "tips", "key_point", "contact", "footer")
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

# A surge day's header, where a station's poster.yaml (copied before surges existed) has no words for it.
SURGE_LABELS = {"title": "{category}高发", "subtitle": "{date} 近期{categories}类警情高发"}

PosterTooTall = TooTall  # the layout and content do not fit the tallest poster we draw


# --- the layout, as data ---------------------------------------------------------------------


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


class PosterLayout(LayoutFile):
    width: int = Field(default=1080, ge=480, le=2160)
    margin: int = Field(default=56, ge=0, le=300)
    gap: int = Field(default=36, ge=0, le=200)
    colors: dict[str, Colour]
    detail: PosterDetail = PosterDetail()
    labels: dict[str, Annotated[str, Field(max_length=60)]]
    blocks: list[Block]

    @model_validator(mode="after")
    def _required_keys(self):
        for key, names in (("colors", REQUIRED_COLOURS), ("labels", REQUIRED_LABELS)):
            missing = [name for name in names if name not in getattr(self, key)]
            if missing:
                raise ValueError(f"{key}.{missing[0]}: is required")
        return self

    def scaled(self, factor: float) -> PosterLayout:
        """The same layout with the body's type `factor` times as big (header and footer as they are)."""
        keys = ("size", "title_size", "number_size", "label_size", "phone_size")

        def grown(block: Block) -> Block:
            if block.type in ("header", "footer"):
                return block
            return block.model_copy(update={k: min(400, round(getattr(block, k) * factor)) for k in keys})

        return self.model_copy(update={"blocks": [grown(b) for b in self.blocks]})

    def colour(self, name: str, quiet: bool = False, surge: bool = False) -> str:
        """The colour, in the quiet day's or the surge day's own shade where the layout has one."""
        mode = "quiet" if quiet else "surge" if surge else None
        return self.colors.get(f"{name}_{mode}", self.colors[name]) if mode else self.colors[name]

    def label(self, name: str, surge: bool = False) -> str:
        """A label, the surge day's own where there is one; a layout copied before surges had none."""
        if surge:
            return self.labels.get(f"{name}_surge", SURGE_LABELS.get(name, self.labels[name]))
        return self.labels[name]


def load_layout(station_templates: Path | None) -> PosterLayout:
    return load_layout_file(LAYOUT_FILE, PosterLayout, station_templates)


# --- drawing ---------------------------------------------------------------------------------


@dataclass
class Poster:
    """The canvas with the layout's measures and colours (quiet days have their own)."""

    c: Canvas
    layout: PosterLayout
    quiet: bool
    surge: bool = False  # a category is surging: the header says so, in the layout's surge colours

    @property
    def left(self) -> int:
        return self.layout.margin

    @property
    def inner(self) -> int:
        return self.layout.width - 2 * self.layout.margin

    def colour(self, name: str) -> str:
        return self.layout.colour(name, self.quiet, self.surge)

    def section(self, items: list, label: str, b: Block) -> bool:
        """A section's title, if it has items to show; False when there is nothing to draw."""
        if items:
            self.section_title(self.layout.labels[label], b.title_size)
        return bool(items)

    def section_title(self, title: str, size: int):
        c = self.c
        c.rect((self.left, c.y + 4, self.left + 10, c.y + size + 4), self.colour("accent"))
        c.text(self.left + 28, c.y, title, size, self.colour("text"), bold=True, where="poster.yaml labels")
        c.y += round(size * 1.6)


def block_header(p: Poster, content: WarningContent, b: Block):
    c, labels, height = p.c, p.layout.labels, b.height or 300
    c.rect((0, 0, p.layout.width, height), p.colour("header"))
    c.centred(34, content.facts.station_name, b.station_size, p.colour("header_subtext"), where="stations[].name")
    facts, day = content.facts, content.facts.day
    when = f"{day.year}年{cn_date(day)}"
    if p.surge:
        first = facts.surges[0].short
        title = p.layout.label("title", surge=True).format(category=first)
        if c.length(title, b.title_size, bold=True) > p.inner:  # a long category name: the plain title
            title = p.layout.label("title")
        subtitle = p.layout.label("subtitle", surge=True).format(date=when, categories=facts.surge_names)
    else:
        title = labels["title_quiet" if p.quiet else "title"]
        subtitle = labels["subtitle_quiet" if p.quiet else "subtitle"].format(date=when)
    title_top = 34 + b.station_size * 1.5
    c.centred(title_top, title, b.title_size, p.colour("header_text"), bold=True, where="poster.yaml labels")
    c.centred(height - 34 - b.subtitle_size * 1.1, subtitle, b.subtitle_size, p.colour("header_subtext"))
    c.y = height + p.layout.gap


def block_stats(p: Poster, content: WarningContent, b: Block):
    if p.quiet:
        return
    c, facts, labels = p.c, content.facts, p.layout.labels
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
        c.rect((x0, c.y, x0 + width, c.y + height), p.colour("panel"), radius=20)
        c.centred(c.y + 28, number, b.number_size, p.colour("accent"), bold=True, x0=x0, x1=x0 + width)
        c.centred(c.y + 36 + b.number_size * 1.25, label, b.label_size, p.colour("muted"), x0=x0, x1=x0 + width)
    c.y += height + p.layout.gap


def block_categories(p: Poster, content: WarningContent, b: Block):
    """Counts by category: bars when they differ, a compact grid when they are all the same."""
    if p.quiet or not content.facts.categories:
        return
    p.section_title(p.layout.labels["categories"], b.title_size)
    if len({k.count for k in content.facts.categories}) == 1:
        _category_grid(p, content.facts.categories, b)
    else:
        _category_bars(p, content.facts.categories, b)
    p.c.y += p.layout.gap


def _category_bars(p: Poster, categories, b: Block):
    c = p.c
    most = max(k.count for k in categories)
    for index, k in enumerate(categories):
        c.text(p.left, c.y, k.name, b.size, p.colour("text"), where="categories.yaml name")
        count = f"{k.count}起"
        c.text(p.left + p.inner - c.length(count, b.size), c.y, count, b.size, p.colour("accent"), bold=True)
        bar_top = c.y + round(b.size * 1.35)
        radius = b.bar_height // 2
        c.rect((p.left, bar_top, p.left + p.inner, bar_top + b.bar_height), p.colour("bar_track"), radius=radius)
        filled = max(b.bar_height, round(p.inner * k.count / most))
        c.rect((p.left, bar_top, p.left + filled, bar_top + b.bar_height), p.colour("accent"), radius=radius)
        c.y = bar_top + b.bar_height + (22 if index < len(categories) - 1 else 0)


def _category_grid(p: Poster, categories, b: Block, columns: int = 2, gap: int = 20):
    """Tiles of name and count, two to a row: equal bars would be a column of identical stripes."""
    c, pad = p.c, 24
    width = (p.inner - gap * (columns - 1)) / columns
    height = round(b.size * 2.2)
    for index, k in enumerate(categories):
        row, column = divmod(index, columns)
        x0, y0 = p.left + column * (width + gap), c.y + row * (height + gap)
        c.rect((x0, y0, x0 + width, y0 + height), p.colour("panel"), radius=16)
        count = f"{k.count}起"
        count_width = c.length(count, b.size, bold=True)
        fits = c.length(k.name, b.size) <= width - count_width - 3 * pad
        top = y0 + (height - b.size) / 2
        name = k.name if fits else k.short
        c.text(x0 + pad, top, name, b.size, p.colour("text"), where="categories.yaml name", hang=True)
        c.text(x0 + width - pad - count_width, top, count, b.size, p.colour("accent"), bold=True)
    rows = -(-len(categories) // columns)
    c.y += rows * height + (rows - 1) * gap


def block_highlight(p: Poster, content: WarningContent, b: Block):
    c = p.c
    for h in content.highlights[: p.layout.detail.highlights]:
        p.section_title(f"{p.layout.labels['highlight']} · {h.category_name}", b.title_size)
        pad = 32
        width = p.inner - 2 * pad
        # What people typed: a character no font has (an emoji) is left out of the poster, kept in the text.
        who = c.drawable(h.who + (f"，{h.outcome}" if h.outcome else ""), bold=True)
        who = c.lines(who, width, b.size, bold=True, where="incident")
        summary = c.drawable(h.summary or "")
        summary = c.lines(summary, width, b.size, where="incident summary") if summary else []
        height = (len(who) + len(summary)) * b.size * LINE + 2 * pad + (12 if summary else 0)
        c.rect((p.left, c.y, p.left + p.inner, c.y + height), p.colour("panel"), radius=20)
        top = c.y + pad
        top += c.paragraph(who, p.left + pad, top, b.size, p.colour("accent"), bold=True) + 12
        c.paragraph(summary, p.left + pad, top, b.size, p.colour("text"))
        c.y += round(height) + p.layout.gap


def block_scripts(p: Poster, content: WarningContent, b: Block):
    scripts = content.scripts[: p.layout.detail.scripts]
    if not p.section(scripts, "scripts", b):
        return
    c = p.c
    for s in scripts:
        lines = c.lines(f"【{s.short}】{s.script}", p.inner, b.size, where="categories.yaml script")
        c.y += round(c.paragraph(lines, p.left, c.y, b.size, p.colour("text")) + 8)
    c.y += p.layout.gap - 8


def block_tips(p: Poster, content: WarningContent, b: Block):
    tips = content.tips[: p.layout.detail.tips]
    if not p.section(tips, "tips", b):
        return
    c = p.c
    badge = round(b.size * 1.2)
    indent = badge + 20
    for number, tip in enumerate(tips, start=1):
        centre_y = c.y + b.size * 0.45
        c.ellipse((p.left, centre_y - badge / 2, p.left + badge, centre_y + badge / 2), p.colour("accent"))
        digit = round(b.size * 0.8)
        colour = p.colour("header_text")
        c.centred(centre_y - digit / 2 - 2, str(number), digit, colour, bold=True, x0=p.left, x1=p.left + badge)
        lines = c.lines(tip, p.inner - indent, b.size, where="categories.yaml tips")
        c.y += round(c.paragraph(lines, p.left + indent, c.y, b.size, p.colour("text")) + 10)
    c.y += p.layout.gap - 10


def block_key_point(p: Poster, content: WarningContent, b: Block):
    c, pad = p.c, 30
    text = f"{p.layout.labels['key_point']}：{content.key_point}"
    lines = c.lines(text, p.inner - 2 * pad, b.size, bold=True, where="categories.yaml key_point", phrases=True)
    height = len(lines) * b.size * LINE + 2 * pad - b.size * (LINE - 1)
    box = (p.left, c.y, p.left + p.inner, c.y + height)
    c.rect(box, p.colour("panel"), radius=16, outline=p.colour("accent"), outline_width=4)
    for index, line in enumerate(lines):
        c.centred(c.y + pad + index * b.size * LINE, line, b.size, p.colour("accent"), bold=True)
    c.y += round(height) + p.layout.gap


def block_contact(p: Poster, content: WarningContent, b: Block, link: str | None = None):
    c, labels, contact = p.c, p.layout.labels, content.facts.contact
    qr = qr_image(link, b.qr_size) if link else None
    text_width = p.inner - (b.qr_size + 40 if qr else 0)
    top = c.y
    if contact:
        line = f"{labels['contact']} {contact.name}"
        c.text(p.left, c.y, line, b.size, p.colour("muted"), where="stations[].contact")
        c.y += round(b.size * 1.5)
        c.text(p.left, c.y, contact.phone, b.phone_size, p.colour("accent"), bold=True)
        c.y += round(b.phone_size * 1.4)
    for line in (labels["hotline"], labels["emergency"]):
        for wrapped in c.lines(line, text_width, b.size, bold=True, where="poster.yaml labels"):
            c.text(p.left, c.y, wrapped, b.size, p.colour("text"), bold=True)
            c.y += round(b.size * LINE)
    if qr:
        x0 = p.left + p.inner - b.qr_size
        c.paste(qr, (x0, round(top)))
        caption = round(b.size * 0.8)
        c.centred(top + b.qr_size + 8, labels["qr_caption"], caption, p.colour("muted"), x0=x0, x1=x0 + b.qr_size)
        c.y = max(c.y, round(top + b.qr_size + 8 + caption * LINE))
    c.y += p.layout.gap


def block_footer(p: Poster, content: WarningContent, b: Block):
    c, height = p.c, b.height or 110
    c.rect((0, c.y, p.layout.width, c.y + height), p.colour("footer"))
    text = f"{content.facts.station_name} · {p.layout.labels['footer']}"
    lines = c.balanced_lines(text, p.inner, b.size, where="poster.yaml labels")
    block = len(lines) * b.size * LINE - b.size * (LINE - 1)
    for index, line in enumerate(lines):
        c.centred(c.y + (height - block) / 2 + index * b.size * LINE, line, b.size, p.colour("footer_text"))
    c.y += height


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


def draw_warning_poster(
    content: WarningContent, layout: PosterLayout, station_templates: Path | None, link: str | None = None
):
    """The poster image, as tall as its content; PosterTooTall beyond MAX_HEIGHT."""
    regular, bold = layout.font_sets(station_templates)
    quiet, surge = content.facts.quiet, bool(content.facts.surges)
    canvas = Canvas(layout.width, regular, bold, layout.colour("background", quiet, surge), MAX_HEIGHT)
    poster = Poster(canvas, layout, quiet, surge)
    for block in layout.blocks:
        if block.type == "contact":
            block_contact(poster, content, block, link)
        else:
            BLOCKS[block.type](poster, content, block)
    return canvas.paint("poster", "reduce sizes or detail in poster.yaml")


def encode_poster(image) -> tuple[bytes, str]:
    """PNG, or JPEG if a PNG would be over the robots' 2 MB."""
    return encode_image(image, MAX_BYTES)
