"""The daily warning: facts, text within byte limits, poster, privacy, quiet days."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image, ImageChops

from antifraud.config import load_settings
from antifraud.db import connect
from antifraud.incidents import service
from antifraud.incidents.categories import load_categories
from antifraud.incidents.validate import validate_incident
from antifraud.lib.words import yuan
from antifraud.render import fonts as render_text_module
from antifraud.render.png import encode_png
from antifraud.warnings.content import LADDER, compose, shorten
from antifraud.warnings.facts import describe_victim, gather_facts
from antifraud.warnings.text import LIMITS, render_text

DAY = date(2026, 11, 22)


@pytest.fixture
def world(config_file, frozen_clock):
    """Settings, categories and an open database with helpers to add incidents."""
    settings = load_settings(config_file)
    categories = load_categories(settings)
    db = connect(settings, categories)

    def add(station="shigu", **raw):
        raw.setdefault("date", DAY.isoformat())
        fields = validate_incident(raw, categories, date(2026, 11, 23))
        with db.session() as session:
            return service.add_incident(session, fields, station, by="test").id

    def facts(day=DAY, station="shigu"):
        with db.session() as session:
            return gather_facts(session, settings.station(station), day, categories)

    return settings, categories, add, facts


def test_facts_for_known_data(world):
    settings, categories, add, facts = world
    add(category="order_brushing", loss="800", victim_age="22", occupation="工厂员工", summary="刷单被骗。")
    add(category="order_brushing", loss="0", stopped=True, summary="刷单被劝阻。")
    add(
        category="medical_insurance",
        loss="38000",
        victim="吴女士",
        victim_age="45",
        occupation="工厂员工",
        summary="百万医疗保险骗局。",
    )
    add(category="other", loss="50", date="2026-11-20")  # in the 7 days
    add(category="other", loss="70", date="2026-10-25")  # in the 30 days only
    add(category="other", loss="90", date="2026-10-23")  # outside the 30 days
    add(category="other", loss="999", station="qingfu")  # another station
    f = facts()
    assert (f.total, f.stopped, f.completed, f.loss) == (3, 1, 2, Decimal("38800.00"))
    assert [(c.code, c.count, c.stopped, c.loss) for c in f.categories] == [
        ("order_brushing", 2, 1, Decimal("800.00")),
        ("medical_insurance", 1, 0, Decimal("38000.00")),
    ]
    assert (f.week_total, f.month_total, f.month_loss) == (4, 5, Decimal("38920.00"))
    assert [h.who for h in f.highlights] == ["吴女士（40多岁，工厂员工）", "一名群众"]
    assert f.highlights[0].loss == Decimal("38000.00") and f.highlights[1].stopped


@pytest.mark.parametrize(
    "victim,age,occupation,expected",
    [
        ("王女士", "30-39", "工厂员工", "王女士（30多岁，工厂员工）"),
        ("王女士", None, None, "王女士"),
        (None, "18-29", "学生", "一名18至29岁的学生"),
        (None, "<18", None, "一名未成年的群众"),
        (None, "70+", "退休人员", "一名70岁以上的退休人员"),
        (None, None, "保安", "一名保安"),
        (None, None, None, "一名群众"),
    ],
)
def test_victims_appear_only_as_surname_or_age_band(victim, age, occupation, expected):
    assert describe_victim(victim, age, occupation) == expected


@pytest.mark.parametrize(
    "text,limit,expected",
    [
        ("第一句。第二句！第三句？", None, "第一句。第二句！第三句？"),
        ("第一句。第二句！第三句？", 8, "第一句。第二句！"),
        ("第一句。第二句！第三句？", 5, "第一句。"),
        ("很长的第一句没有结束", 5, ""),
        ("前半句；后半句。", 5, "前半句。"),
        ("任何内容。", 0, ""),
    ],
)
def test_shorten_keeps_whole_sentences(text, limit, expected):
    assert shorten(text, limit) == expected


@pytest.mark.parametrize(
    "amount,text",
    [
        ("0", "0元"),
        ("800", "800元"),
        ("800.50", "800.5元"),
        ("9999.99", "9,999.99元"),
        ("5600.50", "5,600.5元"),
        ("1280", "1,280元"),
        ("10000", "1万元"),
        ("50600", "5.06万元"),
        ("38000", "3.8万元"),
        ("99999999.99", "1亿元"),  # rounded to 万 first, then named in 亿 (was 10000万元)
        ("99994999.99", "9999.5万元"),
        ("100000000", "1亿元"),
        ("123456789", "1.23亿元"),
    ],
)
def test_yuan(amount, text):
    assert yuan(Decimal(amount)) == text


def test_byte_limits_hold_for_the_longest_inputs(world, config_file):
    settings, categories, add, facts = world
    long_summary = ("事主接到自称客服的电话，对方称其账户异常需要处理，随后诱导其下载会议软件并开启屏幕共享。" * 12)[
        :500
    ]
    for category in categories:
        for _ in range(2):
            add(
                category=category.code,
                loss="99999999.99",
                summary=long_summary,
                victim="欧阳女士",
                victim_age="45",
                occupation="工厂员工工厂员工",
                place="路" * 100,
            )
    f = facts()
    for name, limit in LIMITS.items():
        text = render_text(name, f, categories, settings.resolve(settings.templates_dir))
        assert len(text.encode("utf-8")) <= limit
        assert "【电诈预警】" in text or "电诈预警" in text
        assert "96110" in text and "110" in text
        # Nothing cut mid-sentence: every line ends a sentence, a heading or a list item.
        for line in text.splitlines():
            assert not line or line[-1] in "。！？】）：*起" or line.startswith(("#", "-", "**")), line


def test_full_detail_is_used_when_it_fits(world):
    settings, categories, add, facts = world
    add(category="order_brushing", loss="800", summary="刷单被骗。")
    text = render_text("warning.txt", facts(), categories, settings.resolve(settings.templates_dir))
    full = compose(facts(), categories, LADDER[0])
    assert all(tip in text for tip in full.tips)
    assert "近7天辖区共接报电诈警情1起，近30天1起。" in text


def test_warning_render_cli_writes_three_files(run, world, config_file):
    settings, categories, add, facts = world
    add(category="medical_insurance", loss="38000", summary="对方诱导下载会议软件开启屏幕共享。")
    result = run("warning", "render")  # default: yesterday, 2026-11-22
    assert result.code == 0, result.err
    folder = config_file.parent / "posters" / "2026-11-22" / "shigu"
    assert result.out.split() == [str(folder / "warning.png"), str(folder / "warning.txt"), str(folder / "warning.md")]
    image = Image.open(folder / "warning.png")
    assert image.format == "PNG" and image.width == 1080 and 1000 < image.height < 5000
    assert (folder / "warning.png").stat().st_size <= 2 * 1024 * 1024
    assert len((folder / "warning.txt").read_bytes()) <= 2048
    assert "“百万医疗保险”关闭扣费1起" in (folder / "warning.txt").read_text(encoding="utf-8")
    assert not list(folder.glob(".*.tmp"))


@pytest.mark.parametrize(
    "args,message",
    [
        (("--date", "2026-11-24"), "--date: '2026-11-24' is in the future"),
        (("--date", "22.11.2026"), "--date: '22.11.2026' is not a date"),
        (("--station", "nowhere"), "--station: 'nowhere' is not a station"),
    ],
)
def test_warning_render_rejects_bad_input(run, args, message):
    result = run("warning", "render", *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err


def record_drawn_text(monkeypatch) -> list[str]:
    """Every string the poster draws, from now on (the text a resident sees on the image)."""
    drawn = []
    original = render_text_module.FontSet.draw

    def recording_draw(self, image, xy, text, *args, **kwargs):
        drawn.append(text)
        return original(self, image, xy, text, *args, **kwargs)

    monkeypatch.setattr(render_text_module.FontSet, "draw", recording_draw)
    return drawn


def test_one_character_never_stops_a_morning(run, world, config_file, monkeypatch):
    """Issue 14 item 1: rare ideographs draw (the fallback font), an emoji is left out of the poster
    and kept in the text; entering it says so."""
    added = run(
        "incident",
        "add",
        "--date",
        "2026-11-22",
        "--category",
        "other",
        "--summary",
        "被骗了😭。𠮷野家门口，刘䶮报警。",
    )
    assert added.code == 0, added.err
    assert "the poster cannot show '😭' (U+1F62D)" in added.out and "the post text keeps it" in added.out
    drawn = record_drawn_text(monkeypatch)
    result = run("warning", "render", "--date", "2026-11-22")
    assert result.code == 0, result.err
    poster = "".join(drawn)
    assert "𠮷野家" in poster and "䶮" in poster and "😭" not in poster
    text = (config_file.parent / "posters" / "2026-11-22" / "shigu" / "warning.txt").read_text(encoding="utf-8")
    assert "被骗了😭。" in text


def test_an_import_says_which_characters_the_poster_cannot_show(run, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("日期,类别,简要案情\n2026-11-20,其他,被骗了😭\n2026-11-21,其他,刘䶮报警\n", encoding="utf-8")
    result = run("incident", "import", str(path))
    assert result.code == 0, result.err
    assert "the poster cannot show '😭' (U+1F62D)" in result.out and "䶮" not in result.out


def test_check_reports_uncovered_characters_in_config(run, config_file, monkeypatch):
    monkeypatch.setenv("AF_TEST_STAFF", "https://example.invalid/hook")
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace("青福社区警务室", "青福社区警务室𓀀"), encoding="utf-8"
    )
    result = run("check")
    assert result.code == 2
    assert "'𓀀' (U+13000) in \"stations[1].name\"" in result.out


def test_masked_numbers_are_dropped_from_the_public_text_and_poster(run, world, config_file, monkeypatch):
    settings, categories, add, facts = world
    add(
        category="impersonate_official",
        loss="56000",
        summary="对方来电13912345678，要求把身份证110105199001011234和银行卡6222021234567890123的钱转入安全账户。",
    )
    drawn = record_drawn_text(monkeypatch)
    assert run("warning", "render").code == 0
    folder = config_file.parent / "posters" / "2026-11-22" / "shigu"
    everything = "\n".join([*drawn, (folder / "warning.txt").read_text(), (folder / "warning.md").read_text()])
    # Not even the masked fragments (issue 10): "139****5678" is not for a public post either.
    assert not re.search(r"\d\*{3,}|\*{3,}\d", everything), everything
    assert "身份证和银行卡的钱" in everything
    for secret in ("13912345678", "110105199001011234", "6222021234567890123", "1234567890"):
        assert secret not in everything
    assert "13800000001" in everything  # the officer's own number is meant to be public


def test_quiet_day_none_renders_nothing(run, config_file):
    result = run("warning", "render", "--date", "2026-11-22")
    assert result.code == 0
    assert "no incidents, and warning.quiet_day is 'none': nothing rendered" in result.out
    assert not (config_file.parent / "posters").exists()


def test_quiet_day_safety_tip_rotates_through_categories(run, config_file):
    config_file.write_text(
        config_file.read_text(encoding="utf-8") + "warning: {quiet_day: safety_tip}\n", encoding="utf-8"
    )
    topics = set()
    for day in ("2026-11-20", "2026-11-21", "2026-11-22"):
        assert run("warning", "render", "--date", day).code == 0
        text = (config_file.parent / "posters" / day / "shigu" / "warning.txt").read_text(encoding="utf-8")
        assert text.startswith("【平安提示】") and "未接报电信网络诈骗警情" in text
        topics.add(text.split("今天给大家讲讲", 1)[1].split("。", 1)[0])
    assert len(topics) == 3


def test_station_templates_override_shipped_ones(run, world, config_file):
    settings, categories, add, facts = world
    add(category="other")
    (config_file.parent / "templates").mkdir()
    (config_file.parent / "templates" / "warning.txt").write_text(
        "{{ facts.station_name }}今日提醒：{{ facts.total }}起。\n", encoding="utf-8"
    )
    assert run("warning", "render").code == 0
    text = (config_file.parent / "posters" / "2026-11-22" / "shigu" / "warning.txt").read_text(encoding="utf-8")
    assert text == "石鼓社区警务室今日提醒：1起。\n"


def test_a_template_printing_a_raw_number_is_refused(run, world, config_file):
    settings, categories, add, facts = world
    add(category="other")
    (config_file.parent / "templates").mkdir()
    (config_file.parent / "templates" / "warning.txt").write_text("请联系13912345678。\n", encoding="utf-8")
    result = run("warning", "render")
    assert result.code == 2 and "unmasked personal number" in result.err


def test_png_encoder_is_lossless():
    image = Image.new("RGB", (301, 97), "#C8161D")
    image.paste((10, 200, 30), (50, 20, 120, 60))
    data = encode_png(image)
    back = Image.open(io.BytesIO(data))
    back.load()
    assert back.size == image.size and ImageChops.difference(back.convert("RGB"), image).getbbox() is None


def _station_layout(config_file, replace_from, replace_to):
    from antifraud.lib.templates import default_templates_dir

    shipped = (default_templates_dir() / "poster.yaml").read_text(encoding="utf-8")
    assert replace_from in shipped
    (config_file.parent / "templates").mkdir(exist_ok=True)
    (config_file.parent / "templates" / "poster.yaml").write_text(
        shipped.replace(replace_from, replace_to), encoding="utf-8"
    )


def test_too_tall_poster_falls_back_to_less_detail(run, world, config_file):
    settings, categories, add, facts = world
    add(category="other", summary="事主被骗。" * 100)
    _station_layout(
        config_file, "{type: highlight, title_size: 42, size: 34}", "{type: highlight, title_size: 42, size: 120}"
    )
    assert run("warning", "render").code == 0
    image = Image.open(config_file.parent / "posters" / "2026-11-22" / "shigu" / "warning.png")
    assert image.height <= 5000


def test_poster_that_cannot_fit_is_a_clear_error(run, world, config_file):
    settings, categories, add, facts = world
    for category in categories:
        add(category=category.code)
    _station_layout(
        config_file,
        "{type: categories, title_size: 42, size: 34, bar_height: 18}",
        "{type: categories, title_size: 42, size: 300, bar_height: 18}",
    )
    result = run("warning", "render")
    assert result.code == 2 and "reduce sizes or detail in poster.yaml" in result.err


def test_bad_layout_names_the_key(run, world, config_file):
    settings, categories, add, facts = world
    add(category="other")
    _station_layout(config_file, 'header: "#C8161D"', 'header: "red"')
    result = run("warning", "render")
    assert result.code == 2 and "colors.header: 'red' must be a colour as #RRGGBB" in result.err


NASTY_SUMMARY = (
    "事主收到短信“[点我领奖](http://evil.example.com/win?id=1)”。又见<font color=red>官方</font>通知"
    "和![图](https://img.evil.cn/a.png)。群里有人@all 说去www.fake-bank.top登记。"
    "**加急**处理`退款`，# 立即\x07\x1b[31m转账\x1b[0m\u202e\u200b。受害人王小明（男，35岁）"
    "接到座机0769-12345678和一三八一二三四五六七八的来电。"
)


def _rendered(config_file, day="2026-11-22"):
    folder = config_file.parent / "posters" / day / "shigu"
    return (folder / "warning.txt").read_text(encoding="utf-8"), (folder / "warning.md").read_text(encoding="utf-8")


def test_markup_links_mentions_and_controls_never_reach_a_post(run, world, config_file, monkeypatch):
    """Issue 6: user text cannot make a link, a mention, markup or a terminal/bidi trick in any post."""
    settings, categories, add, facts = world
    add(category="other", loss="500", summary=NASTY_SUMMARY)
    drawn = record_drawn_text(monkeypatch)
    assert run("warning", "render").code == 0
    text, markdown = _rendered(config_file)
    poster = "".join(drawn)
    assert "事主收到短信" in poster  # the poster shows the summary too (as much as its layout allows)
    for post in (text, markdown, poster):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", post)
        assert "@" not in post and not re.search(r"(?i)https?://|www\.|evil\.|fake-bank\.top", post), post
        assert "王小明" not in post and "35岁" not in post and "12345678" not in post
    for post in (text, markdown):
        assert "＠all" in post and "www［.］fake-bank［.］top" in post
        assert "hxxp://evil［.］example［.］com/win?id=1" in post and "王某某（男，30多岁）" in post
        assert "座机和某号码的来电" in post  # the second number had no word naming it
    # Markdown: every value is escaped with full-width look-alikes; our own markup still works.
    assert "［点我领奖］（hxxp://evil［.］example［.］com/win?id=1）" in markdown
    assert "＜font color=red＞官方＜/font＞" in markdown and "<" not in markdown and "](" not in markdown
    assert "！［图］（hxxps://img［.］evil［.］cn/a［.］png）" in markdown
    assert "＊＊加急＊＊处理｀退款｀，＃ 立即转账" in markdown
    assert markdown.startswith("## 电诈预警 · 11月22日\n") and "**防范提示**" in markdown
    # Plain text is not markdown: it keeps the characters as typed, defanged.
    assert "[点我领奖](hxxp://evil［.］example［.］com/win?id=1)" in text and "<font color=red>" in text


def test_a_station_markdown_template_cannot_forget_to_escape(run, world, config_file):
    settings, categories, add, facts = world
    add(category="other", summary="点[这里](http://evil.example.com)领奖，<b>急</b>，@all")
    (config_file.parent / "templates").mkdir()
    (config_file.parent / "templates" / "warning.md").write_text(
        "**{{ facts.station_name }}**\n{% for h in c.highlights %}> {{ h.summary }}\n{% endfor %}", encoding="utf-8"
    )
    assert run("warning", "render").code == 0
    text, markdown = _rendered(config_file)
    assert markdown == "**石鼓社区警务室**\n> 点［这里］（hxxp://evil［.］example［.］com）领奖，＜b＞急＜/b＞，＠all\n"


def test_officer_landline_from_config_is_printed_as_configured(run, world, config_file):
    """Issue 5: landlines are masked in what people type, never in the station's own contact."""
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace(
            'contact: {name: 李警官, phone: "13800000001"}', 'contact: {name: 李警官, phone: "0769-12345678"}'
        ),
        encoding="utf-8",
    )
    settings, categories, add, facts = world
    add(category="other", summary="对方座机0769-87654321。")
    result = run("warning", "render")
    assert result.code == 0, result.err
    text, markdown = _rendered(config_file)
    assert "李警官（0769-12345678）" in text and "李警官（0769-12345678）" in markdown
    assert "87654321" not in text + markdown


def test_rota_text_defangs_links_and_mentions_in_values(tmp_path):
    """Plain-text templates (rota.txt, warning.txt) get no markdown escaping, but no link or mention either."""
    from antifraud.lib.jinja import render_template

    (tmp_path / "rota.txt").write_text("{{ person }}：{{ topic }}\n", encoding="utf-8")
    text = render_template("rota.txt", tmp_path, person="@all 钱队员", topic="看 https://evil.example.com/x **急**")
    assert text == "＠all 钱队员：看 hxxps://evil［.］example［.］com/x **急**\n"


@pytest.mark.parametrize(
    "typed,shown",
    [
        ("访问bit.ly/abc领奖", "访问bit［.］ly/abc领奖"),
        ("evil.jp", "evil［.］jp"),
        ("192.168.1.10:8080/pay", "192［.］168［.］1［.］10:8080/pay"),
        ("shop.example.foo:443", "shop［.］example［.］foo:443"),
        ("损失1.2万元，v1.2版，2026.11.22", "损失1.2万元，v1.2版，2026.11.22"),  # numbers are not links
    ],
)
def test_links_on_any_ending_and_bare_addresses_are_defanged(typed, shown):
    """Issue 14 item 6: a chat app links more than the usual endings; a path, a port or an IP makes a link."""
    from antifraud.lib.safetext import defang

    assert defang(typed) == shown
