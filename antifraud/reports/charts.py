"""Charts with matplotlib (Agg): the weekly chart of `antifraud stats --chart` and the monthly one-page
summary. Chinese is drawn with the vendored Noto Sans SC (templates/fonts), checked character by character
first, so a label no font has is a GlyphMissing naming it instead of a box in the picture."""

from __future__ import annotations

import io
import tempfile
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

from ..config import Settings
from ..lib.files import write_atomic

FONT_FILES = {
    "regular": "fonts/NotoSansSC-Regular.otf",
    "bold": "fonts/NotoSansSC-Bold.otf",
    "rare": "fonts/NotoSansSC-Rare.otf",  # every other CJK ideograph: the fallback for both weights
}
CHART_WIDTH_PX = 1080  # a chat group shows an image this wide without scaling it down
CHART_DPI = 144
A4_INCHES = (8.27, 11.69)
SUMMARY_DPI = 150
# One colour per category, readable side by side and in grey print.
PALETTE = ["#c0392b", "#2e86c1", "#f39c12", "#27ae60", "#8e44ad", "#16a085", "#d35400", "#7f8c8d", "#2c3e50"]


class Fonts:
    """The vendored fonts registered with matplotlib, and a glyph check over the same files."""

    def __init__(self, settings: Settings):
        from matplotlib import font_manager

        from ..render.fonts import resolve_fonts

        station_templates = settings.resolve(settings.templates_dir)
        self.check_set = resolve_fonts([FONT_FILES["regular"], FONT_FILES["rare"]], station_templates, "reports")
        paths = {key: Path(p) for key, p in zip(("regular", "rare"), self.check_set.paths, strict=True)}
        paths["bold"] = resolve_fonts([FONT_FILES["bold"]], station_templates, "reports").paths[0]
        self.paths = paths
        families = []
        for key in ("regular", "bold", "rare"):
            font_manager.fontManager.addfont(str(paths[key]))
            name = font_manager.FontProperties(fname=str(paths[key])).get_name()
            if name not in families:
                families.append(name)
        self.families = families  # primary first, then the fallback

    def check(self, *texts: str) -> None:
        for text in texts:
            self.check_set.check(str(text), "chart label", show_text=True)


@contextmanager
def figure_context(fonts: Fonts, families: list[str] | None = None):
    """rcParams for our figures; a glyph matplotlib cannot find becomes an error, never a box."""
    import logging

    import matplotlib

    matplotlib.use("Agg")
    # The fallback font has no bold face; matplotlib says so on every bold label. Not news.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    with matplotlib.rc_context(
        {
            "font.family": families or fonts.families,
            "axes.unicode_minus": False,
            "pdf.fonttype": 42,  # TrueType/CID fonts embedded in the PDF, text stays text
            "ps.fonttype": 42,
            "svg.fonttype": "none",
        }
    ):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from.*")
            yield


def _save(fig, path: Path, fmt: str, dpi: int) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi)
    return write_atomic(path, buffer.getvalue())


def weekly_chart(settings: Settings, stats: dict, path: Path, title: str) -> Path:
    """A stacked bar per ISO week by category, and the weekly total as a line: 1080 px wide PNG."""
    fonts = Fonts(settings)
    weeks = stats["by_week"]
    categories = stats["by_category"]
    labels = [_week_label(w["week"]) for w in weeks]
    names = [c["short"] for c in categories]
    fonts.check(title, *labels, *names, "起数", "合计", "周", "暂无警情")
    with figure_context(fonts):
        from matplotlib import pyplot as plt
        from matplotlib.ticker import MaxNLocator

        fig, ax = plt.subplots(figsize=(CHART_WIDTH_PX / CHART_DPI, 900 / CHART_DPI), dpi=CHART_DPI)
        try:
            x = list(range(len(weeks)))
            bottom = [0] * len(weeks)
            for i, category in enumerate(categories):
                heights = [w["categories"].get(category["category"], 0) for w in weeks]
                ax.bar(x, heights, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=category["short"], width=0.6)
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
            totals = [w["count"] for w in weeks]
            ax.plot(x, totals, color="#333333", marker="o", linewidth=2, label="合计")
            for xi, total in zip(x, totals, strict=True):
                ax.annotate(
                    str(total), (xi, total), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=10
                )
            if not any(totals):
                ax.text(0.5, 0.5, "暂无警情", transform=ax.transAxes, ha="center", va="center", fontsize=16)
            ax.set_xticks(x, labels, fontsize=10)
            ax.set_ylabel("起数", fontsize=12, rotation=0, labelpad=18, va="center")
            ax.set_ylim(0, max([*totals, 1]) * 1.25)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(title, fontsize=15, fontweight="bold")
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", alpha=0.3)
            ax.legend(fontsize=10, ncol=min(4, len(categories) + 1), loc="upper left", frameon=False)
            fig.tight_layout()
            return _save(fig, path, "png", CHART_DPI)
        finally:
            plt.close(fig)


def _week_label(week: str) -> str:
    """2026-W47 -> 第47周 with its Monday: 47周\n11/16."""
    from datetime import date

    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    return f"第{int(number)}周\n{monday.month}/{monday.day}"


def summary_page(settings: Settings, summary: dict, png: Path, pdf: Path) -> tuple[Path, Path]:
    """The monthly one-page summary, A4 portrait: title, key figures, a bar chart by category (this month
    against last month) and a small table. The same figure is saved as PNG and as PDF (fonts embedded)."""
    fonts = Fonts(settings)
    rows = summary["table"]
    texts = [
        summary["title"],
        summary["subtitle"],
        *(f"{k} {v} {n}" for k, v, n in summary["figures"]),
        *(cell for row in [summary["table_header"], *rows] for cell in row),
        *summary["chart"]["labels"],
        summary["chart"]["this"],
        summary["chart"]["last"],
        summary["chart"]["title"],
        summary["footer"],
    ]
    fonts.check(*texts)
    with tempfile.TemporaryDirectory(prefix="antifraud-fonts-") as folder:
        families = truetype_families(fonts, ASCII + "".join(texts), Path(folder))
        return _draw_summary(fonts, families, summary, png, pdf)


def truetype_families(fonts: Fonts, text: str, folder: Path) -> list[str]:
    """TrueType copies of the vendored fonts with just these characters, registered with matplotlib under
    a family name of their own: the primary family (regular and bold), then the fallback if needed."""
    from matplotlib import font_manager

    tag = uuid.uuid4().hex[:8]
    primary, fallback = f"AF Report {tag}", f"AF Report Rare {tag}"
    covered = {chr(c) for c in _cmap(fonts.paths["regular"])}
    rest = "".join(sorted(set(text) - covered))
    families = []
    for key, family, chars in (("regular", primary, text), ("bold", primary, text), ("rare", fallback, rest)):
        path = truetype_subset(fonts.paths[key], chars, family, folder / key) if chars else None
        if path is not None:
            font_manager.fontManager.addfont(str(path))
            if family not in families:
                families.append(family)
    return families


def _cmap(path: Path) -> frozenset[int]:
    from ..render.fonts import _code_points

    return _code_points(path)


def _draw_summary(fonts: Fonts, families: list[str], summary: dict, png: Path, pdf: Path) -> tuple[Path, Path]:
    rows = summary["table"]
    with figure_context(fonts, families):
        from matplotlib import pyplot as plt
        from matplotlib.ticker import MaxNLocator

        fig = plt.figure(figsize=A4_INCHES, dpi=SUMMARY_DPI)
        try:
            fig.text(0.5, 0.955, summary["title"], ha="center", va="top", fontsize=20, fontweight="bold")
            fig.text(0.5, 0.915, summary["subtitle"], ha="center", va="top", fontsize=11, color="#555555")
            # Key figures: a grid of three columns.
            figures = summary["figures"]
            columns = 3
            for i, (label, value, note) in enumerate(figures):
                row, col = divmod(i, columns)
                x = 0.08 + col * 0.30
                y = 0.865 - row * 0.075
                fig.text(x, y, label, fontsize=10.5, color="#555555", va="top")
                fig.text(x, y - 0.022, value, fontsize=17, fontweight="bold", va="top", color="#1f3a60")
                if note:
                    fig.text(x, y - 0.051, note, fontsize=8.5, color="#888888", va="top")
            figure_rows = (len(figures) + columns - 1) // columns
            chart_top = 0.865 - figure_rows * 0.075 - 0.03
            # The bar chart by category: this month against last month.
            chart = summary["chart"]
            ax = fig.add_axes((0.1, chart_top - 0.30, 0.84, 0.27))
            n = len(chart["labels"])
            x = list(range(n))
            ax.bar([i - 0.2 for i in x], chart["last_values"], width=0.4, color="#b0bec5", label=chart["last"])
            ax.bar([i + 0.2 for i in x], chart["this_values"], width=0.4, color="#c0392b", label=chart["this"])
            ax.set_xticks(x, chart["labels"], fontsize=9)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylim(0, max([*chart["this_values"], *chart["last_values"], 1]) * 1.2)
            ax.set_title(chart["title"], fontsize=12, fontweight="bold")
            ax.spines[["top", "right"]].set_visible(False)
            ax.legend(fontsize=9, frameon=False)
            # The small table.
            table_top = chart_top - 0.36
            tax = fig.add_axes((0.06, 0.06, 0.88, table_top - 0.06))
            tax.axis("off")
            table = tax.table(
                cellText=rows or [["—"] * len(summary["table_header"])],
                colLabels=summary["table_header"],
                colWidths=[0.14, 0.09, 0.09, 0.21, 0.11, 0.21, 0.15],
                loc="upper center",
                cellLoc="center",
            )
            table.auto_set_font_size(False)
            table.set_fontsize(9)
            table.scale(1, 1.45)
            for (r, _c), cell in table.get_celld().items():
                cell.set_edgecolor("#cccccc")
                if r == 0:
                    cell.set_facecolor("#eef2f7")
                    cell.get_text().set_fontweight("bold")
            fig.text(0.5, 0.03, summary["footer"], ha="center", fontsize=8, color="#888888")
            _save(fig, png, "png", SUMMARY_DPI)
            _save(fig, pdf, "pdf", SUMMARY_DPI)
            return png, pdf
        finally:
            plt.close(fig)


# --- TrueType for the PDF -----------------------------------------------------------------------------------
# The vendored fonts are OpenType with CFF outlines. matplotlib's pdf.fonttype 42 embeds a font file as
# TrueType (FontFile2), which strict readers refuse for CFF data; so the summary is drawn with a TrueType
# copy of just the characters on the page, converted from the vendored fonts (cubic to quadratic curves).

ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


def truetype_subset(source: Path, text: str, family: str, folder: Path) -> Path | None:
    """A TrueType (glyf) font with the characters of `text` that `source` has, named `family`; None if none."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(source, lazy=False)
    wanted = {ord(c) for c in text} & set(font.getBestCmap())
    if not wanted:
        return None
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in (
        "maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
        "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
        "maxComponentElements", "maxComponentDepth",
    ):  # fmt: skip
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(family.replace(" ", ""), 6, record.platformID, record.platEncID, record.langID)
    font.sfntVersion = "\x00\x01\x00\x00"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{family.replace(' ', '-')}.ttf"
    font.save(path)
    return path
