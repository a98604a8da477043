"""Surges reach the people (issue 13): the warning's headline and poster, the staff groups, and next
week's talk topics. The statistics themselves are in test_detection_methods.py."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

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


@pytest.mark.parametrize("method", ["C1", "C2", "C3", "weekly"])
def test_service_alarms_equal_the_method_on_the_whole_series(config_file, frozen_clock, monkeypatch, method):
    from antifraud.app import App
    from antifraud.db.models import Category, Incident
    from antifraud.db.reference import station_row
    from antifraud.detection.methods import daily_to_weekly, ears, weekly_poisson
    from antifraud.detection.service import detect_alarms, first_day_needed

    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL", raising=False)
    config_file.write_text(
        config_file.read_text(encoding="utf-8") + f"detection: {{method: {method}}}\n", encoding="utf-8"
    )
    app = App(config_file)
    d = app.settings.detection
    station = app.settings.stations[0]
    start, end = date(2026, 9, 1), date(2026, 11, 22)
    first = first_day_needed(d, start, method)
    rng = np.random.default_rng(5)
    with app.db.session() as s:
        codes = [c for c in s.scalars(select(Category.code)) if c != "other"][:3]
        sid = station_row(s, station.code).id
        series = {}
        for i, code in enumerate(codes):
            y = rng.poisson((0.2, 0.6, 1.5)[i], (end - first).days + 1)
            y[-20 + 3 * i : -17 + 3 * i] += 4  # a surge
            series[code] = y
            for n, k in enumerate(y):
                s.add_all(
                    Incident(station_id=sid, day=first + timedelta(days=n), category_code=code, entered_by="t")
                    for _ in range(int(k))
                )
    with app.db.session() as s:
        got = {(a.day, a.category_code, a.observed) for a in detect_alarms(s, app.settings, station, start, end)}
    want = set()
    offset = (start - first).days
    for code, y in series.items():
        if method == "weekly":
            for t in range(offset, len(y)):
                w = daily_to_weekly(y[: t + 1])
                r = weekly_poisson(w, weeks=d.weekly_weeks, alpha=d.weekly_alpha)
                if r.alarm[-1] and w[-1] >= d.min_cases:
                    want.add((first + timedelta(days=t), code, int(w[-1])))
        else:
            r = ears(
                y,
                method,
                alpha=d.alpha,
                baseline=d.baseline_days,
                guard=0 if method == "C1" else d.guard_days,
                min_sigma=d.min_sigma,
            )
            for t in range(offset, len(y)):
                if r.alarm[t] and y[t] >= d.min_cases:
                    want.add((first + timedelta(days=t), code, int(y[t])))
    assert want, "the series should alarm somewhere"
    assert got == want
