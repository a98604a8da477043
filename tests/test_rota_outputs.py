"""The week's rota as the volunteers get it: image, group text, spreadsheet and calendar file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from icalendar import Calendar
from PIL import Image, ImageColor

from antifraud.channels.split import split_message as rota_text_chunks
from antifraud.errors import ConfigError
from antifraud.lib.templates import default_templates_dir
from antifraud.outreach.model import Event
from antifraud.outreach.outputs import write_rota
from antifraud.outreach.rota_image import draw_rota, load_rota_layout
from antifraud.render.fonts import GlyphMissing

MONDAY = date(2026, 11, 23)  # ISO week 2026-W48
WEEK_ID = "2026-W48"
WEEK_LABEL = "2026年第48周 11月23日—11月29日"
STATION = "石鼓社区警务室"
NOW = datetime(2026, 11, 20, 18, 5, tzinfo=ZoneInfo("Asia/Shanghai"))

OFFICERS = [("李警官", "officer"), ("王警官", "officer")]
HELPERS = [("钱队员", "patrol"), ("赵辅警", "auxiliary"), ("孙队员", "patrol"), ("周辅警", "auxiliary")]
VOLUNTEERS = [
    ("蒋志愿者", "volunteer"),
    ("沈阿姨", "volunteer"),
    ("韩建国", "volunteer"),
    ("杨淑芬", "volunteer"),
    ("朱海燕", "volunteer"),
    ("秦玥", "volunteer"),
    ("许志强", "volunteer"),
    ("何丽华", "volunteer"),
    ("吕小红", "volunteer"),
    ("施德明", "volunteer"),
]
FACTORIES = ["华强电子厂", "石鼓纺织有限公司", "鑫达物流园仓储中心", "龙华五金制品厂", "美佳食品厂"]
SITES = ["石鼓广场", "幸福里菜市场门口", "万家福超市东门"]
TOPICS = ["刷单返利", "虚假投资理财", "冒充电商物流客服", "虚假网络贷款", "冒充公检法"]


def sample_week(stall_sites: list[str] = SITES) -> list[Event]:
    """Talks at lunchtime Monday to Friday, stalls on Saturday and Sunday evenings at every site."""
    events = []
    for index, factory in enumerate(FACTORIES):
        officer = OFFICERS[index % 2]
        helpers = [HELPERS[index % 4]] + ([HELPERS[(index + 1) % 4]] if index % 2 == 0 else [])
        events.append(
            Event(
                date=date(2026, 11, 23 + index),
                start=time(12, 0),
                end=time(13, 0),
                kind="factory_talk",
                site=factory,
                topic=TOPICS[index],
                people=(officer, *helpers),
            )
        )
    for day_index, day in enumerate((date(2026, 11, 28), date(2026, 11, 29))):
        for site_index, site in enumerate(stall_sites):
            n = day_index * len(stall_sites) + site_index
            lead = HELPERS[n % 4]
            # Nobody is at two sites at once: a day's stalls take different volunteers.
            volunteers = [VOLUNTEERS[(3 * n + k) % len(VOLUNTEERS)] for k in range(3)]
            events.append(
                Event(
                    date=day,
                    start=time(19, 30),
                    end=time(21, 30),
                    kind="street_stall",
                    site=site,
                    topic=TOPICS[n % len(TOPICS)] if site_index != 2 else None,
                    people=(lead, *volunteers),
                )
            )
    return events


# --- helpers -----------------------------------------------------------------------------------


def write(folder: Path, events: list[Event] | None = None, templates: Path | None = None, now: datetime = NOW):
    return write_rota(
        folder,
        STATION,
        WEEK_LABEL,
        WEEK_ID,
        sample_week() if events is None else events,
        templates,
        "Asia/Shanghai",
        now=now,
    )


def person_events(events: list[Event]) -> list[tuple[Event, str]]:
    return [(e, name) for e in events for name, _ in e.people]


def all_names(events: list[Event]) -> set[str]:
    return {name for e in events for name, _ in e.people}


def long_week() -> list[Event]:
    """Stalls at six sites each evening: too long for one 2048-byte message."""
    sites = [*SITES, "石鼓小学北门", "幸福社区文化广场", "滨江公园南入口"]
    return sample_week(stall_sites=sites)


# --- the four files ------------------------------------------------------------------------------


def test_writes_the_four_files_into_the_folder(tmp_path):
    paths = write(tmp_path / "rota" / WEEK_ID / "shigu")
    assert set(paths) == {"png", "txt", "xlsx", "ics"}
    for kind, path in paths.items():
        assert path == tmp_path / "rota" / WEEK_ID / "shigu" / f"rota.{kind}"
        assert path.stat().st_size > 0
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in paths["png"].parent.iterdir()) == ["rota.ics", "rota.png", "rota.txt", "rota.xlsx"]


def test_png_is_phone_width_and_grows_with_the_week(tmp_path):
    small = write(tmp_path / "small", sample_week(stall_sites=SITES[:1]))["png"]
    full = write(tmp_path / "full")["png"]
    heights = []
    for path in (small, full):
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(path) as image:
            image.load()  # decodes every row
            assert image.width == 1080
            heights.append(image.height)
    assert heights[0] + 4 * 250 < heights[1]  # four more stall cards
    # Even a busy week stays under the 2 MB a WeCom robot accepts for an image.
    assert write(tmp_path / "long", long_week())["png"].stat().st_size < 2 * 1024 * 1024


def test_png_shows_the_header_colour_and_alternating_rows(tmp_path):
    layout = load_rota_layout(None)
    image = draw_rota("石鼓社区警务室 反诈宣传排班表", STATION, WEEK_LABEL, sample_week(), layout, None)
    assert image.getpixel((5, 5)) == ImageColor.getrgb(layout.colors.header)
    column = {image.getpixel((900, y)) for y in range(image.height)}
    assert ImageColor.getrgb(layout.colors.row) in column
    assert ImageColor.getrgb(layout.colors.row_alt) in column
    assert image.getpixel((5, image.height - 5)) == ImageColor.getrgb(layout.colors.footer)


def test_an_empty_week_still_draws(tmp_path):
    paths = write(tmp_path, [])
    with Image.open(paths["png"]) as image:
        assert image.width == 1080 and 400 < image.height < 1200
    assert "本周暂无排班" in paths["txt"].read_text(encoding="utf-8")


def test_text_names_everyone_and_every_site_in_one_message(tmp_path):
    events = sample_week()
    data = write(tmp_path, events)["txt"].read_bytes()
    text = data.decode("utf-8")  # strict: valid UTF-8
    assert len(data) <= 2048
    for name in all_names(events):
        assert name in text
    for e in events:
        assert e.site in text
    assert "11月28日 周六" in text and WEEK_LABEL in text
    assert rota_text_chunks(text) == [text]


def test_long_week_is_written_whole_and_sent_in_parts_at_day_boundaries(tmp_path):
    events = long_week()
    text = write(tmp_path, events)["txt"].read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) > 2048
    for name in all_names(events):
        assert name in text
    chunks = rota_text_chunks(text)
    assert len(chunks) >= 2
    assert "".join(chunks) == text
    for chunk in chunks:
        assert 0 < len(chunk.encode("utf-8")) <= 2048
    for chunk in chunks[1:]:
        assert chunk.startswith("【") and "月" in chunk.splitlines()[0]  # a day's heading starts each part


def test_chunks_fall_back_to_lines_and_characters():
    text = "甲" * 10 + "\n" + "乙" * 10 + "\n\n" + "丙" * 3
    chunks = rota_text_chunks(text, limit=16)  # 5 characters of 3 bytes
    assert "".join(chunks) == text
    assert all(len(c.encode("utf-8")) <= 16 for c in chunks)
    assert rota_text_chunks("") == []


def test_xlsx_has_a_row_per_person_per_event(tmp_path):
    events = sample_week()
    book = openpyxl.load_workbook(write(tmp_path, events)["xlsx"])
    assert book.sheetnames == ["排班表", "按人员"]
    sheet = book["排班表"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("日期", "星期", "时间", "类型", "地点", "主题", "人员", "角色")
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width >= 16  # sites are readable without widening
    body = rows[1:]
    assert len(body) == len(person_events(events))
    assert {(r[0].date(), r[4], r[6]) for r in body} == {(e.date, e.site, name) for e, name in person_events(events)}
    stall = next(r for r in body if r[4] == "石鼓广场" and r[0].date() == date(2026, 11, 28))
    assert stall[1:4] == ("周六", "19:30–21:30", "摆摊宣传")
    assert stall[5] == "刷单返利"
    assert stall[7] == "综管机动（带队）"  # the first person of a stall leads it

    people = list(book["按人员"].iter_rows(values_only=True))
    shifts = {row[0]: row[2] for row in people[1:]}
    assert shifts == {name: sum(n == name for _, n in person_events(events)) for name in all_names(events)}
    assert "11月23日周一" in next(row[4] for row in people if row[0] == "李警官")


def test_ics_has_an_entry_per_person_per_event_with_stable_uids(tmp_path):
    events = sample_week()
    first = Calendar.from_ical(write(tmp_path / "a", events)["ics"].read_bytes())
    again = Calendar.from_ical(write(tmp_path / "b", events, now=NOW + timedelta(hours=3))["ics"].read_bytes())
    entries = first.walk("VEVENT")
    assert len(entries) == len(person_events(events))
    uids = [str(v["UID"]) for v in entries]
    assert len(set(uids)) == len(uids)
    assert all(uid.endswith("@antifraud") for uid in uids)
    assert uids == [str(v["UID"]) for v in again.walk("VEVENT")]
    assert [tz["TZID"] for tz in first.walk("VTIMEZONE")] == ["Asia/Shanghai"]

    shanghai = ZoneInfo("Asia/Shanghai")
    stalls = [v for v in entries if str(v["SUMMARY"]).startswith("摆摊宣传")]
    assert len(stalls) == sum(len(e.people) for e in events if e.kind == "street_stall")
    for v in stalls:
        start, end = v.decoded("DTSTART"), v.decoded("DTEND")
        assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=8)
        assert str(start.tzinfo) == "Asia/Shanghai"
        assert (start.time(), end.time()) == (time(19, 30), time(21, 30))
        assert v["DTSTART"].params["TZID"] == "Asia/Shanghai"
        # The reminder pops up at 18:00 the evening before, not in the small hours.
        [alarm] = v.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert (start + alarm.decoded("TRIGGER")).astimezone(shanghai).time() == time(18, 0)

    qian = next(v for v in entries if str(v["SUMMARY"]) == "摆摊宣传·石鼓广场（钱队员）")
    assert str(qian["LOCATION"]) == "石鼓广场"
    description = str(qian["DESCRIPTION"])
    assert "主题：刷单返利" in description and "带队：钱队员（综管机动）" in description
    assert "蒋志愿者（义警）" in description
    talk = next(v for v in entries if str(v["SUMMARY"]) == "下工厂宣讲·华强电子厂（李警官）")
    assert talk.decoded("DTSTART") == datetime(2026, 11, 23, 12, 0, tzinfo=shanghai)
    assert talk.decoded("DTSTART") - talk.walk("VALARM")[0].decoded("TRIGGER") * -1 == datetime(
        2026, 11, 22, 18, 0, tzinfo=shanghai
    )


def test_a_name_the_font_cannot_draw_is_refused_by_name(tmp_path):
    events = sample_week()
    stall = events[-1]
    events[-1] = replace(stall, people=(*stall.people[:-1], ("王𓀀", "volunteer")))  # in no font, not even Rare
    folder = tmp_path / "out"
    with pytest.raises(GlyphMissing) as raised:
        write(folder, events)
    assert raised.value.char == "𓀀"
    assert "'𓀀' (U+13000)" in str(raised.value) and "王𓀀" in str(raised.value)
    assert "2026-11-29" in str(raised.value)  # where it is
    assert not folder.exists()  # nothing half-written


def test_a_station_can_override_the_text_template(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "rota.txt").write_text(
        "{{ station_name }}本周值班：\n"
        "{% for day in days %}\n"
        "{% for e in day.events %}\n"
        "{{ day.label }} {{ e.site }} {{ e.people | map(attribute='name') | join(' ') }}\n"
        "{% endfor %}\n"
        "{% endfor %}\n",
        encoding="utf-8",
    )
    text = write(tmp_path / "out", templates=templates)["txt"].read_text(encoding="utf-8")
    assert text.startswith("石鼓社区警务室本周值班：\n11月23日 周一 华强电子厂 李警官 钱队员 赵辅警\n")
    # The station folder overrides file by file: the image still uses the shipped layout.
    assert (tmp_path / "out" / "rota.png").exists()


def test_a_broken_layout_names_the_key(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    shipped = (default_templates_dir() / "rota.yaml").read_text(encoding="utf-8")
    (templates / "rota.yaml").write_text(shipped.replace('header: "#C8161D"', 'header: "red"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rota.yaml: colors.header: 'red' must be a colour"):
        load_rota_layout(templates)
    (templates / "rota.yaml").write_text(shipped.replace("{station} 反诈", "{name} 反诈"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"labels.title: .*uses \{name\}; the placeholders here are \{station\}"):
        load_rota_layout(templates)


def test_shipped_rota_templates_need_no_new_glyphs():
    """The font subset keeps every character of the templates; these add none it lacks."""
    regular, bold = load_rota_layout(None).font_sets(None)
    for name in ("rota.yaml", "rota.txt"):
        text = (default_templates_dir() / name).read_text(encoding="utf-8")
        assert regular.missing(text) == [] and bold.missing(text) == [], name
