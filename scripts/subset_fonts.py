#!/usr/bin/env python3
"""Build the subset CJK fonts vendored in templates/fonts/.

Posters must render Chinese on machines that have no system fonts, so the
project ships a subset of Noto Sans CJK SC (SIL Open Font License 1.1).

Source: Debian's ``fonts-noto-cjk`` package, whose .ttc collections hold
Noto Sans CJK SC at face index 2. Install it with ``apt-get install
fonts-noto-cjk`` and fontTools with ``pip install fonttools``, then run::

    python scripts/subset_fonts.py

The subset keeps:
  * every character of GB 2312 rows 0xA1-0xA9 (symbols, punctuation,
    fullwidth forms, kana, Greek, Cyrillic, pinyin, box drawing) and all
    6,763 hanzi of rows 0xB0-0xF7;
  * printable ASCII and a handful of punctuation/symbol ranges;
  * the characters listed in templates/fonts/extra_chars.txt;
  * every non-ASCII character found in the text templates under templates/
    and in config.yaml, so rerunning after a template edit keeps coverage.

A third file, NotoSansSC-Rare.otf (regular weight only), holds every other CJK
ideograph the source font has (extensions A, B and beyond: 䶮, 𠮷, ...). Layout
files list it after the main fonts, so a rare character in a name or a place
draws instead of stopping a morning's poster.

The output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = REPO_ROOT / "templates"
FONTS_DIR = TEMPLATES_DIR / "fonts"
EXTRA_CHARS_FILE = FONTS_DIR / "extra_chars.txt"
CONFIG_FILE = REPO_ROOT / "config.yaml"

DEFAULT_REGULAR = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEFAULT_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")

# Face index of Noto Sans CJK SC inside Debian's collections, and the family
# name that face must carry (checked, so a reordered collection fails loudly).
FACE_INDEX = 2
EXPECTED_FAMILY = "Noto Sans CJK SC"

# Family name written into the subset fonts. Noto's only Reserved Font Name is
# "Source" (inherited from Source Han Sans), so "Noto" may stay in the name;
# the suffix marks the files as a modified (subset) version.
OUTPUT_FAMILY = "Noto Sans SC Subset antifraud"
OUTPUT_PS_FAMILY = "NotoSansSCSubsetantifraud"

# Text files scanned for characters used by the templates.
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".txt", ".md", ".json", ".j2", ".jinja", ".html")

# OpenType layout features kept: fontTools' defaults (which also cover kern,
# locl, palt), minus the vertical-writing substitutions posters never use.
DROPPED_FEATURES = ("vert", "vrt2")

# Language systems kept in GSUB/GPOS besides each script's default. The
# collections share one GSUB whose 'locl' feature maps to the Japanese, Korean
# and traditional Chinese glyph forms; keeping only simplified Chinese keeps
# the few ZHS substitutions (quotes, dashes) without ~5,800 foreign glyphs,
# which would double the file size.
KEPT_LANGSYS = ("ZHS ",)

# Code point ranges kept in addition to GB 2312 (inclusive bounds).
EXTRA_RANGES = (
    (0x0020, 0x007E),  # printable ASCII
    (0x00A5, 0x00A5),  # ¥ yen/yuan sign
    (0x00B7, 0x00B7),  # · middle dot
    (0x00D7, 0x00D7),  # × multiplication sign
    (0x00F7, 0x00F7),  # ÷ division sign
    (0x2010, 0x2027),  # general punctuation: dashes, quotes, ellipsis
    (0x2030, 0x205E),  # general punctuation: per mille, primes, ※ ...
    (0x2460, 0x2473),  # ① .. ⑳ circled numbers
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF01, 0xFF5E),  # fullwidth ASCII forms
    (0xFFE5, 0xFFE5),  # ￥ fullwidth yen/yuan sign
)


def gb2312_chars(first_row: int, last_row: int) -> list[str]:
    """Decode every valid two-byte GB 2312 code point in the given rows."""
    chars = []
    for row in range(first_row, last_row + 1):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # unassigned cell
    return chars


def gb2312_hanzi() -> list[str]:
    """The 6,763 hanzi of GB 2312 (levels 1 and 2, rows 0xB0-0xF7)."""
    return gb2312_chars(0xB0, 0xF7)


def gb2312_symbols() -> list[str]:
    """GB 2312 rows 0xA1-0xA9: symbols, punctuation, fullwidth forms and more."""
    return gb2312_chars(0xA1, 0xA9)


def range_chars(ranges: Iterable[tuple[int, int]]) -> list[str]:
    return [chr(cp) for first, last in ranges for cp in range(first, last + 1)]


def read_extra_chars(path: Path) -> set[str]:
    """Characters from the extra-characters file; '#' lines are comments."""
    if not path.is_file():
        return set()
    chars: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        chars.update(ch for ch in line if not ch.isspace())
    return chars


def template_files() -> list[Path]:
    """Text templates under templates/ (fonts folder excluded) and config.yaml."""
    files = []
    if TEMPLATES_DIR.is_dir():
        for path in sorted(TEMPLATES_DIR.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in TEMPLATE_SUFFIXES:
                continue
            if FONTS_DIR in path.parents:
                continue
            files.append(path)
    if CONFIG_FILE.is_file():
        files.append(CONFIG_FILE)
    return files


def template_chars() -> set[str]:
    """Non-ASCII, non-whitespace, non-control characters used by the templates."""
    chars: set[str] = set()
    for path in template_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            print(f"warning: {path} is not UTF-8, skipped", file=sys.stderr)
            continue
        chars.update(ch for ch in text if ord(ch) > 0x7F and not ch.isspace() and unicodedata.category(ch)[0] != "C")
    return chars


def base_chars() -> set[str]:
    """GB 2312 plus the fixed ranges; gaps in the ranges are expected."""
    return set(gb2312_hanzi()) | set(gb2312_symbols()) | set(range_chars(EXTRA_RANGES))


def listed_chars() -> set[str]:
    """Characters asked for one by one: extra_chars.txt and the templates."""
    return read_extra_chars(EXTRA_CHARS_FILE) | template_chars()


def load_face(path: Path) -> TTFont:
    """Load the Noto Sans CJK SC face of a collection and check its family name."""
    font = TTFont(path, fontNumber=FACE_INDEX, recalcTimestamp=False)
    family = font["name"].getDebugName(1)
    if family != EXPECTED_FAMILY:
        raise SystemExit(f"{path}: face {FACE_INDEX} is {family!r}, expected {EXPECTED_FAMILY!r}")
    return font


def keep_simplified_chinese_only(font: TTFont) -> None:
    """Drop the JAN/KOR/ZHT/ZHH language systems so their glyphs are not kept."""
    for tag in ("GSUB", "GPOS"):
        if tag not in font:
            continue
        for record in font[tag].table.ScriptList.ScriptRecord:
            script = record.Script
            script.LangSysRecord = [lang for lang in script.LangSysRecord if lang.LangSysTag in KEPT_LANGSYS]
            script.LangSysCount = len(script.LangSysRecord)


def rename(font: TTFont, style: str, family: str = OUTPUT_FAMILY, ps_family: str = OUTPUT_PS_FAMILY) -> None:
    """Give the subset its own family name in the name table and the CFF table."""
    full_name = f"{family} {style}"
    ps_name = f"{ps_family}-{style}"
    version = font["name"].getDebugName(5) or ""
    name_table = font["name"]
    # Drop localized (e.g. zh-CN) copies of the old names and typographic names.
    name_table.names = [record for record in name_table.names if record.nameID not in (1, 2, 3, 4, 6, 16, 17)]
    records = {
        1: family,
        2: style,
        3: f"{version.removeprefix('Version ').split(';')[0]};{ps_name}",
        4: full_name,
        6: ps_name,
    }
    for name_id, value in records.items():
        name_table.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
    # The collections share one CFF table whose PostScript names are the
    # Japanese face's ("NotoSansCJKjp-..."); make them match the new names.
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    cff.fontNames = [ps_name]
    top.FullName = full_name
    top.FamilyName = family


def subset_face(src: Path, dest: Path, style: str, chars: set[str]) -> set[str]:
    """Write the subset of src's SC face to dest; return the characters not in the font."""
    font = load_face(src)
    cmap = font.getBestCmap()
    present = {ch for ch in chars if ord(ch) in cmap}

    options = subset.Options()
    options.layout_features = [tag for tag in options.layout_features if tag not in DROPPED_FEATURES]
    options.hinting = False
    options.desubroutinize = True
    options.glyph_names = False
    options.name_IDs = ["*"]  # keep copyright, licence and designer records
    options.name_languages = ["*"]
    options.notdef_outline = True  # draw a visible box for characters outside the subset
    options.recalc_timestamp = False  # keep the source's timestamp: reproducible output

    keep_simplified_chinese_only(font)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(ch) for ch in present))
    subsetter.subset(font)

    rename(font, style)
    dest.parent.mkdir(parents=True, exist_ok=True)
    font.save(dest)
    font.close()
    return chars - present


def is_ideograph(code: int) -> bool:
    return unicodedata.name(chr(code), "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def subset_rare(src: Path, dest: Path, exclude: set[str]) -> int:
    """Every CJK ideograph of src's SC face not in `exclude`, regular only; returns how many."""
    font = load_face(src)
    wanted = sorted(code for code in font.getBestCmap() if is_ideograph(code) and chr(code) not in exclude)
    options = subset.Options()
    options.layout_features = []  # single ideographs: no substitutions or positioning needed
    options.hinting = False
    options.desubroutinize = False  # keeps 23,000 outlines smaller
    options.glyph_names = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = False
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    rename(font, "Regular", f"{OUTPUT_FAMILY} Rare", f"{OUTPUT_PS_FAMILY}Rare")
    font.save(dest)
    font.close()
    return len(wanted)


def describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {ch} {unicodedata.name(ch, '?')}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--regular",
        type=Path,
        default=DEFAULT_REGULAR,
        help=f"NotoSansCJK-Regular collection (default: {DEFAULT_REGULAR})",
    )
    parser.add_argument(
        "--bold", type=Path, default=DEFAULT_BOLD, help=f"NotoSansCJK-Bold collection (default: {DEFAULT_BOLD})"
    )
    parser.add_argument(
        "--out-dir", type=Path, default=FONTS_DIR, help=f"folder for the .otf files (default: {FONTS_DIR})"
    )
    args = parser.parse_args(argv)

    for path in (args.regular, args.bold):
        if not path.is_file():
            parser.error(f"{path} not found (apt-get install fonts-noto-cjk)")

    base = base_chars()
    listed = listed_chars()
    chars = base | listed
    hanzi = set(gb2312_hanzi())
    print(
        f"{len(chars)} characters requested ({len(hanzi)} GB 2312 hanzi, "
        f"{len(listed - base)} from extra_chars.txt and the templates)"
    )

    for src, style in ((args.regular, "Regular"), (args.bold, "Bold")):
        dest = args.out_dir / f"NotoSansSC-{style}.otf"
        missing = subset_face(src, dest, style, chars)
        if missing & hanzi:
            raise SystemExit(f"{src}: {len(missing & hanzi)} GB 2312 hanzi missing from the font")
        covered = len(TTFont(dest, lazy=True).getBestCmap())
        print(f"{dest}: {dest.stat().st_size:,} bytes, {covered} characters")
        if missing - listed:
            print(f"  {len(missing - listed)} characters of the fixed ranges are not in the source font")
        for ch in sorted(missing & listed):
            print(f"  warning: not in the source font, will not render: {describe(ch)}")
    rare = args.out_dir / "NotoSansSC-Rare.otf"
    count = subset_rare(args.regular, rare, chars)
    print(f"{rare}: {rare.stat().st_size:,} bytes, {count} rare ideographs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
