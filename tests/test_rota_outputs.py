"""The week's rota as the volunteers get it: image, group text, spreadsheet and calendar files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import yaml
from icalendar import Calendar
from PIL import Image, ImageColor

from antifraud.channels.split import split_message as rota_text_chunks
from antifraud.config import load_settings
from antifraud.errors import ConfigError
from antifraud.lib.templates import default_templates_dir
from antifraud.outreach.model import Event
from antifraud.outreach.outputs import person_calendar_name, write_rota, write_week
from antifraud.outreach.rota_image import draw_rota, layout_rota
from antifraud.outreach.rota_layout import load_rota_layout
from antifraud.outreach.rota_view import Directory
from antifraud.render.fonts import GlyphMissing

MONDAY = date(2026, 11, 23)  # ISO week 2026-W48
WEEK_ID = "2026-W48"
WEEK_LABEL = "2026年第48周 11月23日—11月29日"
STATION = "石鼓社区警务室"
NOW = datetime(2026, 11, 20, 18, 5, tzinfo=ZoneInfo("Asia/Shanghai"))

OFFICERS = [("李警官", "officer"), ("王警官", "officer")]
HELPERS = [("钱队员", "patrol"), ("赵辅警", "auxiliary"), ("孙队员", "patrol"), ("周辅警", "auxiliary")]
# Stalls are led by patrol or an officer (the planner's rule); each day's three stalls by three people.
STALL_LEADS = [("钱队员", "patrol"), ("孙队员", "patrol"), ("王警官", "officer"), ("李警官", "officer")]
PHONES = {"李警官": "13800000001", "王警官": "13800000002", "钱队员": "13800000021", "孙队员": "13800000022"}
CONTACT = ("刘主管", "13800000101")  # 华强电子厂's
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
            lead = STALL_LEADS[n % 4]
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


def directory(**changes) -> Directory:
    known = {
        "station_name": STATION,
        "station_code": "shigu",
        "phones": PHONES,
        "factory_contacts": {"华强电子厂": CONTACT},
        "station_phone": "13800000001",
    }
    return Directory(**{**known, **changes})


def write(
    folder: Path,
    events: list[Event] | None = None,
    templates: Path | None = None,
    now: datetime = NOW,
    directory: Directory | None = None,
):
    return write_rota(
        folder,
        STATION,
        WEEK_LABEL,
        WEEK_ID,
        sample_week() if events is None else events,
        templates,
        "Asia/Shanghai",
        now=now,
        directory=directory,
    )


def image_lines(events: list[Event], directory: Directory | None = None, templates: Path | None = None) -> list[str]:
    """What the rota image says, line by line from the top, as drawn (not read back from pixels)."""
    layout = load_rota_layout(templates)
    c = layout_rota(
        "石鼓社区警务室 反诈宣传排班表", STATION, WEEK_LABEL, events, layout, templates, directory=directory
    )
    return c.reading()


def first(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if text in line)


def person_events(events: list[Event]) -> list[tuple[Event, str]]:
    return [(e, name) for e in events for name, _ in e.people]


def all_names(events: list[Event]) -> set[str]:
    return {name for e in events for name, _ in e.people}


def long_week() -> list[Event]:
    """Stalls at six sites each evening: too long for one 2048-byte message."""
    sites = [*SITES, "石鼓小学北门", "幸福社区文化广场", "滨江公园南入口"]
    return sample_week(stall_sites=sites)


# --- the files ----------------------------------------------------------------------------------


def test_writes_the_four_files_and_a_calendar_per_person_into_the_folder(tmp_path):
    events = sample_week()
    folder = tmp_path / "rota" / WEEK_ID / "shigu"
    paths = write(folder, events)
    assert set(paths) == {"png", "txt", "xlsx", "ics"} | {f"ics:{name}" for name in all_names(events)}
    for kind in ("png", "txt", "xlsx", "ics"):
        assert paths[kind] == folder / f"rota.{kind}"
    for name in all_names(events):
        assert paths[f"ics:{name}"] == folder / f"rota-{name}.ics"  # Chinese names kept as they are
    assert all(path.stat().st_size > 0 for path in paths.values())
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths.values())


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
    assert set(paths) == {"png", "txt", "xlsx", "ics"}  # nobody on it, nobody's own calendar
    with Image.open(paths["png"]) as image:
        assert image.width == 1080 and 400 < image.height < 1200
    assert "本周暂无排班" in paths["txt"].read_text(encoding="utf-8")


def test_a_small_week_is_one_message(tmp_path):
    events = [e for e in sample_week(stall_sites=SITES[:1]) if e.date.weekday() != 4]
    data = write(tmp_path, events)["txt"].read_bytes()
    text = data.decode("utf-8")  # strict: valid UTF-8
    assert len(data) <= 2048
    for name in all_names(events):
        assert name in text
    for e in events:
        assert e.site in text
    assert "11月28日 周六" in text and WEEK_LABEL in text and "【按人查看 · 义警】" in text
    assert rota_text_chunks(text) == [text]


def test_a_usual_week_takes_two_messages_each_starting_with_a_heading(tmp_path):
    events = sample_week()
    text = write(tmp_path, events, directory=directory())["txt"].read_text(encoding="utf-8")
    chunks = rota_text_chunks(text)
    assert len(chunks) == 2 and "".join(chunks) == text
    assert chunks[1].startswith("【")
    rota, by_person = text.split("\n\n【按人查看", 1)
    for name in all_names(events):
        assert name in rota and f"\n{name}：" in by_person
    for e in events:
        assert e.site in rota


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
        heading = chunk.splitlines()[0]  # a day's heading (naming its section) or 按人查看 starts each part
        assert heading.startswith(("【周末摆摊 · 11月", "【下工厂宣讲 · 11月", "【按人查看 · ")), heading


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


# --- what the rota says ----------------------------------------------------------------------------


def stall(day: int, site: str, *people: tuple[str, str], start: time = time(19, 30)) -> Event:
    return Event(date(2026, 11, day), start, time(21, 30), "street_stall", site, None, tuple(people))


def talk(day: int, factory: str, *people: tuple[str, str]) -> Event:
    return Event(date(2026, 11, day), time(12, 0), time(13, 0), "factory_talk", factory, "刷单返利", tuple(people))


def test_stalls_come_before_talks_on_the_image_and_in_the_text(tmp_path):
    events = sample_week()  # talks Monday to Friday, stalls at the weekend
    lines = image_lines(events, directory())
    stalls, talks = first(lines, "周末摆摊"), first(lines, "下工厂宣讲")
    assert stalls < first(lines, "11月28日 周六") < first(lines, "11月29日 周日") < talks
    assert talks < first(lines, "11月23日 周一") < first(lines, "11月27日 周五") < first(lines, "按人查看")
    # Within a day, by time; at the same time, as the planner listed them.
    assert first(lines, "石鼓广场") < first(lines, "幸福里菜市场门口") < first(lines, "万家福超市东门")

    text = write(tmp_path, events, directory=directory())["txt"].read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("【")][1:]
    assert headings == [
        "【周末摆摊 · 11月28日 周六】",
        "【周末摆摊 · 11月29日 周日】",
        *(f"【下工厂宣讲 · 11月{d}日 周{w}】" for d, w in zip(range(23, 28), "一二三四五", strict=True)),
        "【按人查看 · 义警】",
        "【按人查看 · 综管机动】",
        "【按人查看 · 辅警】",
        "【按人查看 · 社区民警】",
    ]


def test_by_person_lists_everyone_with_their_shifts(tmp_path):
    events = sample_week()
    lines = image_lines(events, directory())
    block = lines[first(lines, "按人查看") :]
    qian = first(block, "钱队员")
    # Volunteers first (they read it), then patrol, auxiliaries and officers.
    assert first(block, "蒋志愿者") < qian < first(block, "赵辅警") < first(block, "李警官")
    assert block[qian] == "钱队员23日周一 12:00 宣讲·华强电子厂"
    assert block[qian + 1 : qian + 4] == [
        "27日周五 12:00 宣讲·美佳食品厂",
        "28日周六 19:30 摆摊·石鼓广场（带队）",
        "29日周日 19:30 摆摊·幸福里菜市场门口（带队）",
    ]
    assert "24日周二 12:00 宣讲·石鼓纺织有限公司（主讲）" in block[first(block, "王警官")]

    # The text: the full form where it saves no message, else the short one; both say who leads.
    text = write(tmp_path, events, directory=directory())["txt"].read_text(encoding="utf-8")
    by_person = text.split("\n\n【按人查看", 1)[1]
    [qian_line] = [line for line in by_person.splitlines() if line.startswith("钱队员：")]
    assert qian_line.count("；") == 3 and "石鼓广场（带队）" in qian_line and "华强电子厂" in qian_line
    for name in all_names(events):
        mine = [e for e in events if name in {n for n, _ in e.people}]
        [line] = [line for line in by_person.splitlines() if line.startswith(f"{name}：")]
        assert all(e.site in line for e in mine) and line.count("；") == len(mine) - 1


def test_empty_places_are_tagged_on_the_image_and_in_the_text(tmp_path):
    events = [
        stall(28, "石鼓广场", ("钱队员", "patrol"), ("蒋志愿者", "volunteer")),  # 2 of 4
        stall(28, "幸福里菜市场门口", ("沈阿姨", "volunteer"), ("韩建国", "volunteer"), ("赵辅警", "auxiliary")),
        stall(29, "万家福超市东门", ("孙队员", "patrol"), *VOLUNTEERS[3:6]),  # full
        talk(23, "华强电子厂", ("李警官", "officer")),  # no helper, one needed
        talk(24, "美佳食品厂", ("王警官", "officer"), ("周辅警", "auxiliary")),
    ]
    lines = image_lines(events, directory())
    assert lines[first(lines, "19:30–21:30") : first(lines, "石鼓广场")] == ["19:30–21:30", "缺2人摆摊宣传"]
    market = first(lines, "幸福里菜市场门口")
    assert lines[market - 1] == "缺带队缺1人摆摊宣传"  # an auxiliary is not a stall lead: he is 队员
    assert lines[market + 1].startswith("队员") and "赵辅警（辅警）" in lines[market + 1]
    assert "缺" not in lines[first(lines, "万家福超市东门") - 1]
    assert lines[first(lines, "华强电子厂") - 1] == "缺1人下工厂宣讲"
    assert lines[first(lines, "美佳食品厂") - 1] == "下工厂宣讲"

    text = write(tmp_path, events, directory=directory())["txt"].read_text(encoding="utf-8")
    assert "◆19:30–21:30 石鼓广场 【缺2人】" in text
    assert "◆19:30–21:30 幸福里菜市场门口 【缺带队，缺1人】" in text
    assert "◆19:30–21:30 万家福超市东门\n" in text
    assert "◆12:00–13:00 华强电子厂 【缺1人】" in text and "◆12:00–13:00 美佳食品厂\n" in text

    # How many a stall needs and a talk takes along comes from the settings.
    fuller = image_lines(events, directory(stall_staff=5, talk_helpers_min=2))
    assert fuller[first(fuller, "美佳食品厂") - 1] == "缺1人下工厂宣讲"
    assert fuller[first(fuller, "华强电子厂") - 1] == "缺2人下工厂宣讲"
    assert fuller[first(fuller, "万家福超市东门") - 1] == "缺1人摆摊宣传"


def test_cards_show_the_leads_phone_and_the_factorys_contact(tmp_path):
    events = sample_week()
    known = directory(phones={**PHONES, "蒋志愿者": "13800000031"})
    lines = image_lines(events, known)
    card = lines[first(lines, "华强电子厂") : first(lines, "11月24日")]
    assert "主讲李警官（社区民警） 13800000001" in card
    assert "厂方联系人：刘主管 13800000101" in card
    # Another factory has no contact configured: no line for it.
    assert not any("厂方联系人" in line for line in lines[first(lines, "石鼓纺织有限公司") : first(lines, "11月25日")])
    assert "带队钱队员（综管机动） 13800000021" in lines[first(lines, "石鼓广场") : first(lines, "幸福里菜市场门口")]

    paths = write(tmp_path, events, directory=known)
    text = paths["txt"].read_text(encoding="utf-8")
    assert "主讲：李警官（社区民警） 13800000001" in text or "李警官（主讲）13800000001" in text
    assert "刘主管 13800000101" in text or "刘主管13800000101" in text
    # Only the leads' phones are printed: a volunteer's stays with the station.
    assert "13800000031" not in text and not any("13800000031" in line for line in lines)
    assert b"13800000031" not in paths["ics"].read_bytes()


def test_an_officer_is_never_listed_as_a_member_under_a_patrol_lead(tmp_path):
    events = [
        stall(
            28,
            "石鼓广场",
            ("钱队员", "patrol"),
            ("王警官", "officer"),
            ("蒋志愿者", "volunteer"),
            ("沈阿姨", "volunteer"),
        ),
        stall(29, "石鼓广场", ("李警官", "officer"), ("孙队员", "patrol"), ("韩建国", "volunteer")),
    ]
    lines = image_lines(events, directory())
    saturday = lines[first(lines, "11月28日 周六") : first(lines, "11月29日 周日")]
    assert "带队钱队员（综管机动） 13800000021" in saturday
    [members] = [line for line in saturday if line.startswith("队员")]
    assert "王警官" not in members and "蒋志愿者" in members
    assert "民警王警官" in saturday
    # An officer who leads leads; patrol under an officer are members like anyone else.
    sunday = lines[first(lines, "11月29日 周日") : first(lines, "按人查看")]
    assert "带队李警官（社区民警） 13800000001" in sunday and any(line.startswith("队员孙队员") for line in sunday)

    paths = write(tmp_path, events, directory=directory())
    text = paths["txt"].read_text(encoding="utf-8")
    member_lines = [line for line in text.splitlines() if line.startswith("队员：")]
    assert member_lines and "王警官" not in member_lines[0] and "民警：王警官" in text
    calendar = Calendar.from_ical(paths["ics"].read_bytes())
    description = next(str(v["DESCRIPTION"]) for v in calendar.walk("VEVENT") if "（王警官）" in str(v["SUMMARY"]))
    assert "民警：王警官" in description
    assert not any(line.startswith("队员：") and "王警官" in line for line in description.splitlines())
    rows = list(openpyxl.load_workbook(paths["xlsx"])["排班表"].iter_rows(values_only=True))
    assert {r[6]: r[7] for r in rows[1:] if r[0].day == 28}["王警官"] == "社区民警"  # not 带队


# --- calendars, per person and across re-plans ------------------------------------------------------

CONFIG = """
timezone: Asia/Shanghai
output_dir: out
outreach: {stall_staff: 4, talk_helpers_min: 1}
stations:
  - code: shigu
    name: 石鼓社区警务室
    contact: {name: 李警官, phone: "13800000001"}
    people:
      - {name: 李警官, role: officer, phone: "13800000001"}
      - {name: 王警官, role: officer, phone: "13800000002"}
      - {name: 钱队员, role: patrol, phone: "13800000021"}
      - {name: 孙队员, role: patrol, phone: "13800000022"}
      - {name: 赵辅警, role: auxiliary}
      - {name: 周辅警, role: auxiliary}
%s
    factories:
      - {name: 华强电子厂, contact: {name: 刘主管, phone: "13800000101"}}
"""


@pytest.fixture
def shigu(tmp_path):
    volunteers = "\n".join(f"      - {{name: {name}, role: volunteer}}" for name, _ in VOLUNTEERS)
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG % volunteers, encoding="utf-8")
    settings = load_settings(path)
    return settings, settings.stations[0]


def entries(path: Path) -> dict[str, object]:
    return {str(v["UID"]): v for v in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}


def test_everyone_gets_their_own_calendar_with_attendees(shigu):
    settings, station = shigu
    events = sample_week()
    paths = write_week(settings, station, WEEK_ID, MONDAY, events)
    folder = settings.resolve(settings.output_dir) / "rota" / WEEK_ID / "shigu"
    assert paths["ics"] == folder / "rota.ics" and paths["ics:钱队员"] == folder / "rota-钱队员.ics"

    everyone = entries(paths["ics"])
    for name in all_names(events):
        mine = entries(paths[f"ics:{name}"])
        assert len(mine) == sum(name in {n for n, _ in e.people} for e in events)
        assert all(str(v["SUMMARY"]).endswith(f"（{name}）") for v in mine.values())
        assert all(everyone[uid].to_ical() == v.to_ical() for uid, v in mine.items())  # the same entries

    calendar = Calendar.from_ical(paths["ics:钱队员"].read_bytes())
    assert "METHOD" not in calendar  # a calendar to import, not an invitation to answer
    assert str(calendar["X-WR-CALNAME"]) == f"{STATION} 反诈宣传排班 {WEEK_ID} 钱队员"
    [saturday] = [v for v in calendar.walk("VEVENT") if v.decoded("DTSTART").day == 28]
    assert (saturday["SEQUENCE"], str(saturday["STATUS"])) == (1, "CONFIRMED")
    attendees = {a.params["CN"]: a for a in saturday["ATTENDEE"]}
    assert list(attendees) == ["钱队员", "蒋志愿者", "沈阿姨", "韩建国"]
    assert str(attendees["钱队员"]) == "tel:+8613800000021" and attendees["钱队员"].params["ROLE"] == "CHAIR"
    for name in ("蒋志愿者", "沈阿姨", "韩建国"):  # no volunteer's phone goes round in everyone's calendar
        assert str(attendees[name]).startswith("urn:uuid:") and attendees[name].params["ROLE"] == "REQ-PARTICIPANT"
    assert str(saturday["ORGANIZER"]) == "tel:+8613800000001" and saturday["ORGANIZER"].params["CN"] == STATION
    talk_entry = next(v for v in entries(paths["ics:李警官"]).values() if "华强电子厂" in str(v["SUMMARY"]))
    assert "主讲：李警官（社区民警） 13800000001" in str(talk_entry["DESCRIPTION"])
    assert "厂方联系人：刘主管 13800000101" in str(talk_entry["DESCRIPTION"])


def test_a_replan_cancels_the_shifts_it_took_away_under_their_old_uids(shigu):
    settings, station = shigu
    events = sample_week()
    before = write_week(settings, station, WEEK_ID, MONDAY, events)
    old = {name: entries(before[f"ics:{name}"]) for name in all_names(events)}

    # The re-plan: 蒋志愿者 off Saturday's 石鼓广场 (施德明 instead); 吕小红, on one stall only, off it;
    # 钱队员's Saturday stall moves half an hour (the same site and day: his entry is updated, not cancelled).
    square, shop = events[5], events[7]
    assert (square.site, square.date.day, shop.site, shop.date.day) == ("石鼓广场", 28, "万家福超市东门", 28)
    moved = replace(
        square,
        start=time(19, 0),
        people=tuple(("施德明", "volunteer") if n == "蒋志愿者" else (n, r) for n, r in square.people),
    )
    smaller = replace(shop, people=tuple(p for p in shop.people if p[0] != "吕小红"))
    replanned = [moved if e is square else smaller if e is shop else e for e in events]
    removed = [(square, "蒋志愿者", "volunteer"), (shop, "吕小红", "volunteer"), (square, "钱队员", "patrol")]
    after = write_week(settings, station, WEEK_ID, MONDAY, replanned, cancelled=removed, revision=2)

    jiang = entries(after["ics:蒋志愿者"])
    assert set(jiang) == set(old["蒋志愿者"])  # the same UIDs: the phone updates what it imported
    status = {v.decoded("DTSTART").day: (str(v["STATUS"]), v["SEQUENCE"]) for v in jiang.values()}
    assert status == {28: ("CANCELLED", 2), 29: ("CONFIRMED", 2)}
    [cancelled] = [v for v in jiang.values() if str(v["STATUS"]) == "CANCELLED"]
    assert str(cancelled["SUMMARY"]).startswith("已取消：") and not cancelled.walk("VALARM")

    # Someone left with no shift still gets a file, with the cancellation.
    [lv] = entries(after["ics:吕小红"]).values()
    assert str(lv["UID"]) in old["吕小红"] and (str(lv["STATUS"]), lv["SEQUENCE"]) == ("CANCELLED", 2)
    assert "吕小红" not in {n for e in replanned for n, _ in e.people}

    # Moved within the evening: one entry, confirmed at the new time, under the old UID.
    qian = entries(after["ics:钱队员"])
    assert set(qian) == set(old["钱队员"])
    [saturday] = [v for v in qian.values() if v.decoded("DTSTART").day == 28]
    assert str(saturday["STATUS"]) == "CONFIRMED" and saturday.decoded("DTSTART").time() == time(19, 0)

    shi = entries(after["ics:施德明"])
    assert {v.decoded("DTSTART").day for v in shi.values()} == {28, 29}
    assert all((str(v["STATUS"]), v["SEQUENCE"]) == ("CONFIRMED", 2) for v in shi.values())

    # Everyone's calendar has every entry of every file, the cancellations among them, each UID once.
    raw = after["ics"].read_text(encoding="utf-8")
    everyone = entries(after["ics"])
    assert raw.count("BEGIN:VEVENT") == len(everyone) == len(person_events(replanned)) + 2
    assert {uid for name in all_names(events) for uid in entries(after[f"ics:{name}"])} == set(everyone)
    assert all(v["SEQUENCE"] == 2 for v in everyone.values())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("钱队员", "rota-钱队员.ics"),
        ("欧阳娜娜", "rota-欧阳娜娜.ics"),
        ("王𠮷", "rota-王𠮷.ics"),  # a rare character is still a name
        ("Li Ming", "rota-Li_Ming-"),
        ("a/b", "rota-a_b-"),
        ("..\\秘密", "rota-秘密-"),
        ("张三:李四?", "rota-张三_李四-"),
    ],
)
def test_a_persons_calendar_file_name_is_safe(name, expected):
    file = person_calendar_name(name)
    assert file.startswith(expected) and file.endswith(".ics")
    assert not set(file) & set('/\\:*?"<>| ') and ".." not in file


def test_names_made_safe_the_same_way_still_get_files_of_their_own():
    assert person_calendar_name("a/b") != person_calendar_name("a:b")


def test_write_week_keeps_the_call_the_service_makes(shigu):
    settings, station = shigu
    paths = write_week(settings, station, WEEK_ID, MONDAY, sample_week())  # as outreach.service calls it
    assert {"png", "txt", "xlsx", "ics"} <= set(paths)
    assert all(v["SEQUENCE"] == 1 for v in entries(paths["ics"]).values())


# --- the layout file ----------------------------------------------------------------------------------

NEW_KEYS = {
    "colors": ("short", "short_text", "people"),
    "sizes": ("section", "person"),
    "labels": ("sections", "officers", "factory_contact", "short", "no_lead", "by_person", "kinds_short", "shift"),
}


def test_an_older_station_layout_still_loads_and_a_station_can_reword_the_new_labels(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    data = yaml.safe_load((default_templates_dir() / "rota.yaml").read_text(encoding="utf-8"))
    for section, keys in NEW_KEYS.items():
        for key in keys:
            del data[section][key]
    del data["labels"]["cancelled"]
    (templates / "rota.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_rota_layout(templates) == load_rota_layout(None).model_copy(update={"source": templates / "rota.yaml"})

    data["labels"].update({"by_person": "个人班次", "short": "差{count}人", "officers": "警官"})
    (templates / "rota.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    events = [stall(28, "石鼓广场", ("钱队员", "patrol"), ("王警官", "officer"))]
    lines = image_lines(events, directory(), templates)
    assert "个人班次" in lines and "差2人摆摊宣传" in lines and "警官王警官" in lines
    text = write(tmp_path / "out", events, templates, directory=directory())["txt"].read_text(encoding="utf-8")
    assert "【个人班次 · 义警】" not in text and "【个人班次 · 综管机动】" in text and "【差2人】" in text

    data["labels"]["short"] = "缺{n}人"
    (templates / "rota.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"labels.short: .*uses \{n\}; the placeholders here are \{count\}"):
        load_rota_layout(templates)
