"""Surges reach the people (issue 13): the warning's headline and poster, the staff groups, and next
week's talk topics. The statistics themselves are in test_detection_methods.py."""

from __future__ import annotations

import json
from datetime import date, timedelta

from PIL import Image

from conftest import plan_events


def add(run, day: date, category: str, times: int = 1, loss: str = "1000") -> None:
    for _ in range(times):
        result = run("incident", "add", "--date", day.isoformat(), "--category", category, "--loss", loss)
        assert result.code == 0, result.err


YESTERDAY = date(2026, 11, 22)


def render(run, config_file, day: date = YESTERDAY) -> str:
    assert run("warning", "render", "--date", day.isoformat()).code == 0
    return (config_file.parent / "posters" / day.isoformat() / "shigu" / "warning.txt").read_text(encoding="utf-8")


def test_a_surge_marks_the_warning_the_poster_and_alerts_the_staff(run, config_file, robots, monkeypatch):
    monkeypatch.setenv("AF_TEST_STAFF", robots.wecom_url("staff"))
    add(run, YESTERDAY - timedelta(days=12), "刷单返利")  # the usual: one now and then
    add(run, YESTERDAY, "刷单返利", times=4)
    text = render(run, config_file)
    assert text.startswith("【刷单返利高发预警】11月22日")
    assert "刷单返利类当日4起，平时很少发生，近期明显高发，请大家特别警惕！" in text
    poster = Image.open(config_file.parent / "posters" / "2026-11-22" / "shigu" / "warning.png").convert("RGB")
    assert poster.getpixel((5, 5)) == (0x5C, 0x0A, 0x0D)  # the surge header, not the everyday red
    assert run("outbox", "drain", "--wait", "5").code == 0
    [alert] = [m["body"]["text"]["content"] for m in robots.messages("staff") if m["msgtype"] == "text"]
    assert alert.startswith("【高发预警】石鼓社区警务室11月22日：刷单返利类当日4起")
    render(run, config_file)  # rendered again: the staff are not told twice
    assert run("outbox", "drain", "--wait", "5").code == 0
    assert len([m for m in robots.messages("staff") if m["msgtype"] == "text"]) == 1


def test_a_steady_category_is_no_surge(run, config_file):
    for offset in range(14):
        add(run, YESTERDAY - timedelta(days=offset), "冒充客服")
    text = render(run, config_file)
    assert text.startswith("【电诈预警】") and "高发" not in text


def test_a_single_case_on_a_quiet_station_is_no_surge(run, config_file):
    add(run, YESTERDAY, "冒充公检法")
    text = render(run, config_file)
    assert text.startswith("【电诈预警】") and "高发" not in text


def test_a_surge_takes_every_other_talk_next_week(run, shigu):
    """冒充公检法 surged on Friday 11-20; the week after it, every other talk without a factory topic of its
    own is about it (the factories here have no incidents of their own)."""
    add(run, date(2026, 11, 20), "冒充公检法", times=4)
    add(run, date(2026, 11, 19), "刷单返利")
    add(run, date(2026, 11, 18), "冒充客服")
    talks = [e for e in plan_events(run, "2026-W48") if e["kind"] == "factory_talk"]
    topics = [e["topic"] for e in sorted(talks, key=lambda e: (e["date"], e["start"], e["site"]))]
    assert topics[0] == "冒充公检法"
    assert topics.count("冒充公检法") >= len(topics) // 2


def test_stats_lists_the_alarms(run):
    add(run, YESTERDAY, "刷单返利", times=4)
    result = run("stats", "--from", "2026-11-16", "--to", "2026-11-22", "--format", "json")
    assert result.code == 0, result.err
    [alarm] = json.loads(result.out)["alarms"]
    assert alarm["category"] == "order_brushing" and alarm["day"] == "2026-11-22"
    assert alarm["observed"] == 4 and alarm["expected"] == 0 and alarm["method"] in ("C1", "C2", "C3", "weekly")
