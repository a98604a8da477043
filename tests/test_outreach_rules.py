"""Outreach over a season (issue 11), as configured: each rule in config.yaml reaches the plan, the
shipped config keeps every officer's talks, the coverage report, and the words of the notes."""

import json

from antifraud.config import load_settings
from antifraud.outreach.store import rules_from

from conftest import plan_events

SATURDAY = "2026-12-05"  # 2026-W49


def _set(shigu, old: str, new: str) -> str:
    text = shigu.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    shigu.write_text(text, encoding="utf-8")
    return text


# ---- item 7: the minimum crew is configurable ------------------------------------------------------


def test_stall_min_crew_from_config_reaches_the_rules(shigu):
    """outreach.stall_min_crew reaches the planner's rules (rules_from left it out: it was always 3)."""
    _set(shigu, "stall_min_crew: 3", "stall_min_crew: 4")
    settings = load_settings(shigu)
    assert rules_from(settings).stall_min_crew == settings.outreach.stall_min_crew == 4


def test_a_stall_below_the_configured_crew_is_not_held(run, shigu):
    """With stall_min_crew 4 and only 3 people free on Saturday, no Saturday stall is held."""
    _set(shigu, "stall_min_crew: 3", "stall_min_crew: 4")
    for name in (
        "李警官",
        "王警官",
        "赵警官",
        "孙队员",
        "冯队员",
        "陈队员",
        "卫队员",
        "沈志愿者",
        "韩志愿者",
        "杨志愿者",
        "秦志愿者",
        "尤志愿者",
    ):
        assert run("outreach", "away", "--name", name, "--date", SATURDAY).code == 0
    result = run("outreach", "plan", "--week", "2026-W49", "--format", "json")
    plan = json.loads(result.out)
    saturday = [e for e in plan["events"] if e["kind"] == "street_stall" and e["date"] == SATURDAY]
    assert saturday == [], saturday  # was one stall of 3 (钱队员, 蒋志愿者, 许志愿者)
    assert any("需要至少4人" in p for p in plan["problems"]), plan["problems"]


# ---- item 14: outreach.no_stall_dates from config ---------------------------------------------------


def test_no_stall_dates_from_config_reach_the_plan(run, shigu):
    _set(shigu, "  solver_seconds: 2\n", f"  solver_seconds: 2\n  no_stall_dates: [{SATURDAY}]\n")
    result = run("outreach", "plan", "--week", "2026-W49")
    assert f"{SATURDAY} 周六 不安排摆摊" in result.out
    events = plan_events(run, "2026-W49")
    assert {e["date"] for e in events if e["kind"] == "street_stall"} == {"2026-12-06"}


# ---- items 9 and 10: a grid's incidents, through the database ------------------------------------


def test_a_grid_incident_puts_its_factory_first_with_its_topic(run, shigu):
    """An incident whose place names 第三网格 (示例塑胶厂's grid): that factory gets the week's first talk,
    on that category."""
    added = run(
        "incident", "add", "--category", "虚假网络贷款", "--loss", "5000", "--place", "第三网格幸福小区",
        "--victim", "王女士", "--by", "内勤",
    )  # fmt: skip
    assert added.code == 0, added.err
    events = plan_events(run, "2026-W49")
    talks = [e for e in events if e["kind"] == "factory_talk"]
    plastics = [e for e in talks if e["site"] == "示例塑胶厂"]
    assert plastics and plastics[0]["topic"] == "虚假贷款", plastics
    assert plastics[0]["date"] == min(e["date"] for e in talks)


def test_stalls_of_a_weekend_vary_even_with_one_recent_category(run, shigu):
    """Item 10: one incident category in the fortnight gave all six stalls that one topic."""
    added = run(
        "incident", "add", "--category", "刷单返利", "--loss", "3000", "--place", "石鼓路",
        "--victim", "王女士", "--by", "内勤",
    )  # fmt: skip
    assert added.code == 0, added.err
    stalls = [e for e in plan_events(run, "2026-W49") if e["kind"] == "street_stall"]
    assert len({e["topic"] for e in stalls}) > 1, [e["topic"] for e in stalls]


# ---- item 8: the shipped config itself -------------------------------------------------------------


def test_the_shipped_config_has_every_officers_talks_four_weeks_running(run, shigu):
    """Item 8 exactly as filed: 6 factories, cooldown 4, four consecutive weeks through the CLI."""
    for week in ("2026-W49", "2026-W50", "2026-W51", "2026-W52"):
        result = run("outreach", "plan", "--week", week, "--format", "json")
        assert result.code == 0, (week, result.out)
        talks = [e for e in json.loads(result.out)["events"] if e["kind"] == "factory_talk"]
        per_officer = {}
        for e in talks:
            per_officer[e["people"][0]["name"]] = per_officer.get(e["people"][0]["name"], 0) + 1
        assert sorted(per_officer) == ["李警官", "王警官", "赵警官"] and min(per_officer.values()) >= 2, (
            week,
            per_officer,
        )


# ---- item 9: the report's coverage -----------------------------------------------------------------


def test_report_shows_coverage_over_4_13_52_weeks_and_who_waits(run, shigu, frozen_clock):
    first = plan_events(run, "2026-W48")
    visited = {e["site"] for e in first if e["kind"] == "factory_talk"}
    frozen_clock.move_to("2026-12-01T09:00:00+08:00")
    settings = load_settings(shigu)
    heads = {f.name: f.headcount for f in settings.stations[0].factories}
    report = json.loads(run("outreach", "report", "--from", "2026-11-23", "--to", "2026-11-29", "--format", "json").out)
    c = report["coverage"]
    for window in ("4w", "13w", "52w"):
        assert c["visited"][window] == {"factories": len(visited), "workers": sum(heads[f] for f in visited)}
    assert c["factories"] == len(heads) and c["workers"] == sum(heads.values())
    assert c["never_visited"] == len(heads) - len(visited)
    assert len(c["longest_unvisited"]) == min(5, len(heads))
    text = run("outreach", "report", "--from", "2026-11-23", "--to", "2026-11-29").out
    assert "last 4 weeks" in text and "last 52 weeks" in text and "never visited" in text


# ---- item 6: plain words for a whole-week absence without a reason ---------------------------------


def test_a_whole_week_absence_without_a_reason_is_said_once(run, shigu):
    """Item 6, wording: `away` without --reason said "本周请假（请假）"."""
    assert run("outreach", "away", "--name", "王警官", "--date", "2026-11-30", "--to", "2026-12-06").code == 0
    out = run("outreach", "plan", "--week", "2026-W49").out
    assert "王警官 本周请假" in out and "本周请假（请假）" not in out, out
    assert run("outreach", "away", "--name", "赵警官", "--date", "2026-11-30", "--to", "2026-12-06",
               "--reason", "年休假").code == 0  # fmt: skip
    out = run("outreach", "plan", "--week", "2026-W49", "--replan").out
    assert "赵警官 本周请假（年休假）" in out


# ---- item 13: the source of each week's calendar, as the command prints it -------------------------


def test_plan_prints_the_computed_calendar_source_and_the_note_stops_with_config(run, shigu):
    result = run("outreach", "plan", "--week", "2030-W06")
    assert "note: 2030-W06 calendar: computed from the statutory rules" in result.out, result.out
    assert "not known" in result.out
    _set(shigu, "  workdays: []", "  workdays: [2030-02-09]")
    again = run("outreach", "plan", "--week", "2030-W07", "--replan")
    assert "not known" not in again.out and "calendar: config + " in again.out, again.out


# ---- item 15: check and plan both refuse empty availability / talk windows -------------------------


def test_check_and_plan_refuse_a_factory_without_talk_windows(run, shigu):
    _set(shigu, 'headcount: 350, talk_windows: ["12:00-13:00"]', "headcount: 350, talk_windows: []")
    for args in (("check",), ("outreach", "plan", "--week", "2026-W49")):
        result = run(*args)
        assert result.code == 2 and "factories[5].talk_windows: []" in result.out + result.err, (
            args,
            result.out,
            result.err,
        )


# ---- item 13: the holidays package is tried before the rules -----------------------------------------


def test_a_year_only_the_holidays_package_knows_uses_it(monkeypatch):
    """With chinese_calendar made to "forget" 2026, week_calendar takes the holidays package's notice
    (its make-up Saturday kept), not the computed rules."""
    from datetime import date as d

    from antifraud.outreach import calendar as cal

    monkeypatch.setattr(cal, "SOURCES", (lambda year: None, cal.from_holidays_package, cal.from_statutory_rules))
    cal.year_calendar.cache_clear()
    try:
        week = cal.week_calendar(d(2026, 2, 9))  # 2026-02-14 is a make-up Saturday in the notice
        assert week.source.startswith("holidays ") and week.note is None
        assert d(2026, 2, 14) in week.workdays
    finally:
        cal.year_calendar.cache_clear()
