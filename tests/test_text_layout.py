"""Poster text: fonts with fallbacks, missing-glyph errors, and Chinese line breaking."""

from __future__ import annotations

import re

import pytest
from fontTools import subset
from PIL import Image

from antifraud.errors import AntifraudError
from antifraud.lib.templates import find_template
from antifraud.render.fonts import FontSet, GlyphMissing, font_set
from antifraud.render.linebreak import NO_LINE_END, NO_LINE_START, wrap

REGULAR = find_template("fonts/NotoSansSC-Regular.otf", None)
BOLD = find_template("fonts/NotoSansSC-Bold.otf", None)


def fixed(text: str) -> float:
    """Every character 10 px wide, so expected lines can be worked out by hand."""
    return len(text) * 10


# Each text with the tokens that must never be split when a line is wide enough for them.
CASES = [
    ("公检法机关不会通过电话办案，更不存在“安全账户”。", []),
    (
        "接到自称“客服”的电话（号码138****5678），要求转账¥1,234.50？请立即拨打96110！",
        ["138****5678", "¥1,234.50", "96110"],
    ),
    (
        "2026-11-22 12:30，居民在QQ群里下载了某App，被骗走《理财》收益……请勿轻信——切记。",
        ["2026-11-22", "12:30", "QQ", "App"],
    ),
    ("紧急提醒：“刷单返利”都是诈骗！！不要相信“高回报、零风险”的说法，损失已达1,234.50元。", ["1,234.50"]),
    ("Call 96110 now, don't wait. 接到陌生来电请挂断，并拨打110报警。", ["Call", "96110", "don't", "110"]),
    ("防范电信诈骗\n\n拨打96110咨询，或到社区警务室（石鼓路12号）。", ["96110", "12"]),
]


def same_text(lines: list[str], text: str) -> bool:
    """True if the lines hold the text in order, only whitespace (breaks, "\\n") left out."""
    source = iter(text)
    for char in "".join(lines):
        for original in source:
            if original == char:
                break
            if not original.isspace():
                return False
        else:
            return False
    return all(rest.isspace() for rest in source)


def assert_rules(lines: list[str], text: str, tokens: list[str], width: float, measure) -> None:
    assert same_text(lines, text), lines
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", text)
    for line in filter(None, lines):
        assert line[0] not in NO_LINE_START, (line, lines)
        assert line[-1] not in NO_LINE_END, (line, lines)
        # Only closing punctuation that could go nowhere else may hang past the edge.
        assert measure(line.rstrip("".join(NO_LINE_START))) <= width, (line, lines)
    for token in tokens:
        if measure(token) <= width:
            assert any(token in line for line in lines), (token, lines)


@pytest.mark.parametrize(("text", "tokens"), CASES)
@pytest.mark.parametrize("width", [chars * 10 for chars in range(3, 21)] + [37, 55, 104.5])
def test_wrap_rules_with_fixed_width(text, tokens, width):
    assert_rules(wrap(text, width, fixed), text, tokens, width, fixed)


@pytest.fixture(scope="module")
def regular() -> FontSet:
    return font_set((REGULAR,))


@pytest.mark.parametrize(("text", "tokens"), CASES)
@pytest.mark.parametrize("width", [150, 250, 333, 480, 600])
def test_wrap_rules_with_real_font(regular, text, tokens, width):
    measure = lambda s: regular.length(s, 36)
    assert_rules(wrap(text, width, measure), text, tokens, width, measure)


PROSECUTOR = "公检法机关不会通过电话办案，更不存在“安全账户”。"


@pytest.mark.parametrize(
    ("chars", "expected"),
    [
        # Naively "，" would start line 2: "案" comes down with it.
        (13, ["公检法机关不会通过电话办", "案，更不存在“安全账户”。"]),
        # Naively "。" would start line 3; "户”。" alone would be an orphan: "账户" comes down.
        (12, ["公检法机关不会通过电话办", "案，更不存在“安全", "账户”。"]),
        # Naively "”" would start line 2; and "户”。" alone would be an orphan.
        (23, ["公检法机关不会通过电话办案，更不存在“安全", "账户”。"]),
        # Naively "“" would end line 1: it moves down to its word.
        (19, ["公检法机关不会通过电话办案，更不存在", "“安全账户”。"]),
    ],
)
def test_wrap_keeps_punctuation_with_its_words(chars, expected):
    assert wrap(PROSECUTOR, chars * 10, fixed) == expected


@pytest.mark.parametrize(
    ("text", "chars", "expected"),
    [
        ("", 5, [""]),
        ("防范\n\n诈骗\n", 5, ["防范", "", "诈骗", ""]),
        ("call 96110 now", 10, ["call 96110", "now"]),  # the space at the break is dropped
        ("拨打96110咨询", 4, ["拨打96", "110", "咨询"]),  # wider than a line: split by characters
        ("拨打96110咨询", 5, ["拨打", "96110", "咨询"]),
        ("我，", 1, ["我，"]),  # no room to carry "我" down: the comma hangs
        ("损失50%。", 3, ["损失", "50%。"]),
        ("他说……好", 3, ["他", "说……", "好"]),  # neither "…" may start a line
        # A number that fills the line cannot be split, so both marks hang.
        ("号码138****5678），", 11, ["号码", "138****5678），"]),
    ],
)
def test_wrap_examples(text, chars, expected):
    assert wrap(text, chars * 10, fixed) == expected


KEY_POINT = "请记住：宣称稳赚不赔、高额回报的投资，都是骗局。"


@pytest.mark.parametrize(
    ("text", "chars", "phrases", "expected"),
    [
        # A lone "局。" under a full line: "骗" comes down with it.
        (KEY_POINT, 22, False, ["请记住：宣称稳赚不赔、高额回报的投资，都是", "骗局。"]),
        # "现。" alone on the last line (issue 10): the line above gives it company.
        (
            "陌生来电要求转账，一律挂断核实后再说，以免骗子得逞的情况出现。",
            29,
            False,
            ["陌生来电要求转账，一律挂断核实后再说，以免骗子得逞的情况", "出现。"],
        ),
        # Centred text ends a line after a clause rather than inside "高额" (高 / 额回报).
        (KEY_POINT, 22, True, ["请记住：宣称稳赚不赔、高额回报的投资，", "都是骗局。"]),
        (KEY_POINT, 14, True, ["请记住：宣称稳赚不赔、", "高额回报的投资，都是骗局。"]),
        (
            "请记住：天上不会掉馅饼，陌生人给的高额回报都是诱饵。",
            20,
            True,
            ["请记住：天上不会掉馅饼，", "陌生人给的高额回报都是诱饵。"],
        ),
        # No clause break fills enough of the line: the usual break.
        ("请记住：天上掉馅饼的高额回报都是诱饵。", 12, True, ["请记住：天上掉馅饼的高额", "回报都是诱饵。"]),
        # Narrow columns (every line is short anyway) are left as they are.
        ("他说……好", 3, False, ["他", "说……", "好"]),
    ],
)
def test_no_orphans_and_clause_breaks(text, chars, phrases, expected):
    lines = wrap(text, chars * 10, fixed, phrases=phrases)
    assert lines == expected
    assert_rules(lines, text, [], chars * 10, fixed)


# --- fonts ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ascii_font(tmp_path_factory):
    """A primary font with only ASCII, so CJK really has to come from the fallback."""
    path = tmp_path_factory.mktemp("fonts") / "AsciiOnly.otf"
    font = subset.load_font(str(REGULAR), subset.Options())
    subsetter = subset.Subsetter(subset.Options())
    subsetter.populate(unicodes=range(0x20, 0x7F))
    subsetter.subset(font)
    subset.save_font(font, str(path), subset.Options())
    return path


def test_missing_lists_uncovered_characters_once(regular):
    assert regular.missing("电诈预警龘") == ["龘"]
    assert regular.missing("龘\n電 龘\t") == ["龘", "電"]
    assert regular.missing("拨打96110，¥1,234.50“安全账户”……") == []


def test_check_names_character_code_point_and_place(regular):
    with pytest.raises(GlyphMissing) as caught:
        regular.check("石鼓龘社区", "stations[0].name")
    message = str(caught.value)
    assert isinstance(caught.value, AntifraudError)
    assert "'龘'" in message and "U+9F98" in message and '"stations[0].name"' in message
    assert "NotoSansSC-Regular.otf" in message and "\n" not in message
    regular.check("石鼓社区", "stations[0].name")  # no error


def test_fonts_and_font_sets_are_reused(regular):
    assert regular.font(40) is regular.font(40)
    assert regular.font(40) is not regular.font(41)
    assert font_set((REGULAR,)) is regular


def test_length_and_line_height(regular):
    assert regular.length("电诈", 40) == pytest.approx(80, abs=2)
    ascent, descent = regular.font(40).getmetrics()
    assert regular.line_height(40) == ascent + descent


def test_runs_prefer_the_primary_font():
    fonts = FontSet([REGULAR, BOLD])
    text = "电诈预警 96110，¥1,234.50。"
    assert fonts.runs(text) == [(0, text)]


def test_runs_use_the_fallback_only_where_needed(ascii_font):
    fonts = FontSet([ascii_font, REGULAR])
    assert fonts.missing("App下载") == []
    assert fonts.runs("App 下载96110") == [(0, "App "), (1, "下载"), (0, "96110")]
    assert fonts.length("App下载", 40) == pytest.approx(
        fonts.font(40, 0).getlength("App") + fonts.font(40, 1).getlength("下载")
    )
    with pytest.raises(GlyphMissing, match="AsciiOnly.otf, NotoSansSC-Regular.otf"):
        fonts.runs("App龘", where="title")


# --- drawing -------------------------------------------------------------------------------


def blank() -> Image.Image:
    return Image.new("L", (800, 100), 255)


def test_draw_renders_text_and_returns_the_end(regular):
    image = blank()
    end = regular.draw(image, (10, 10), "电诈预警 96110 ，。", 40, fill=0)
    dark = image.point(lambda v: 255 if v < 128 else 0).histogram()[255]
    assert dark > 500
    assert end == pytest.approx(10 + regular.length("电诈预警 96110 ，。", 40))
    left, top, _, bottom = image.point(lambda v: 255 - v).getbbox()
    assert left >= 10 and top >= 10 and bottom <= 10 + regular.line_height(40)


def test_fallback_runs_share_the_baseline(ascii_font):
    fonts = FontSet([ascii_font, REGULAR])
    image = blank()
    fonts.draw(image, (10, 10), "HH工工", 40, fill=0)
    ink = image.point(lambda v: 255 - v)
    split = int(10 + fonts.length("HH", 40))
    latin = ink.crop((0, 0, split, 100)).getbbox()
    chinese = ink.crop((split, 0, 800, 100)).getbbox()
    # "H" and "工" both stand on the baseline.
    assert abs(latin[3] - chinese[3]) <= 2


def test_draw_refuses_missing_glyph_instead_of_a_box(regular):
    image = blank()
    with pytest.raises(GlyphMissing, match="U\\+9F98"):
        regular.draw(image, (10, 10), "电诈龘", 40, fill=0, where="headline")
    assert image.getextrema() == (255, 255)  # nothing drawn, not even the covered part


# --- the canvas: opening marks hang, closing marks do not push a centred line off centre -------------


def ink_left(image: Image.Image, top: int, bottom: int) -> int:
    band = image.crop((0, top, image.width, bottom)).convert("L").point(lambda v: 255 if v < 128 else 0)
    return band.getbbox()[0]


def test_a_line_starting_with_an_opening_quote_hangs_it_into_the_margin(regular):
    from antifraud.render.canvas import Canvas

    c = Canvas(600, regular, regular, "#FFFFFF", 400)
    c.paragraph(["“安全账户”是骗局", "安全账户是骗局"], 50, 10, 40, "#000000")
    c.y = 200
    image = c.paint()
    quoted, plain = ink_left(image, 0, 70), ink_left(image, 70, 140)
    assert abs(quoted - plain) <= 4, (quoted, plain)  # unhung, the quote's blank half would indent it ~20 px


def test_a_centred_line_is_centred_by_its_ink(regular):
    from antifraud.render.canvas import Canvas

    c = Canvas(600, regular, regular, "#FFFFFF", 400)
    c.centred(10, "都是骗局。", 40, "#000000")
    c.y = 80
    image = c.paint().convert("L").point(lambda v: 255 if v < 128 else 0)
    left, _, right, _ = image.getbbox()
    assert abs(left - (600 - right)) <= 6, (left, 600 - right)
