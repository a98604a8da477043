"""Outreach through the command line: plan, keep, replan, publish, remind, record, report."""

import json
import re
from datetime import date
from pathlib import Path

import pytest

from antifraud.config import load_settings
from antifraud.db import connect
from antifraud.incidents.categories import load_categories
from antifraud.outreach.checker import check_plan
from antifraud.outreach.store import as_event, build_input, find_week, station_now

from conftest import plan_events

REPO = Path(__file__).resolve().parent.parent


def test_plan_writes_the_rota_and_obeys_every_rule(run, shigu):
    result = run("outreach", "plan", "--week", "2026-W49", "--format", "json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    assert plan["complete"] and plan["problems"] == [] and plan["week"] == "2026-W49"
    assert isinstance(plan["optimal"], bool) and plan["solve_seconds"] > 0
    events = plan["events"]
    assert {tuple(sorted(e)) for e in events} == {("date", "end", "kind", "people", "site", "start", "topic")}
    talks = [e for e in events if e["kind"] == "factory_talk"]
    stalls = [e for e in events if e["kind"] == "street_stall"]
    assert 6 <= len(talks) <= 9 and len(stalls) == 6
    assert all(e["start"] == "19:30" and e["end"] == "21:30" and len(e["people"]) >= 4 for e in stalls)
    folder = shigu.parent / "posters" / "rota" / "2026-W49" / "shigu"
    assert {"rota.ics", "rota.png", "rota.txt", "rota.xlsx"} <= {p.name for p in folder.iterdir()}
    settings = load_settings(shigu)
    db = connect(settings, load_categories(settings))
    with db.session() as session:
        station = settings.stations[0]
        plan_input, notes = build_input(
            session, settings, station, date(2026, 11, 30), False, station_now(settings, station)
        )
        stored = [as_event(r) for r in find_week(session, settings.stations[0], "2026-W49").events]
    assert notes == ["2026-W49 calendar: chinese_calendar 1.11.0"]
    assert check_plan(plan_input, stored) == []


def test_a_planned_week_is_kept_unless_replanned(run, shigu):
    first = plan_events(run, "2026-W49")
    again = run("outreach", "plan", "--week", "2026-W49")
    assert "kept as it is (--replan to plan again)" in again.out
    assert plan_events(run, "2026-W49") == first
    replanned = run("outreach", "plan", "--week", "2026-W49", "--replan", "--format", "json")
    assert json.loads(replanned.out)["events"] == first  # nothing changed, so the solver keeps every assignment
    assert "the re-plan changed nothing" in replanned.out


def test_holiday_weeks(run, shigu):
    w40 = plan_events(run, "2026-W40")
    assert {e["date"] for e in w40 if e["kind"] == "factory_talk"} <= {"2026-09-28", "2026-09-29", "2026-09-30"}
    w41 = plan_events(run, "2026-W41")
    assert {e["date"] for e in w41 if e["kind"] == "factory_talk"} <= {"2026-10-08", "2026-10-09", "2026-10-10"}
    assert {e["date"] for e in w41 if e["kind"] == "street_stall"} == {"2026-10-10", "2026-10-11"}


def test_unknown_calendar_year_falls_back_and_says_so(run, shigu):
    result = run("outreach", "plan", "--week", "2030-W02")
    assert result.code == 0, result.err
    assert "note: China's official calendar for 2030 is not known" in result.out


def test_infeasible_rules_are_reported_in_plain_words(run, shigu):
    text = shigu.read_text(encoding="utf-8").replace("stall_staff: 4 ", "stall_staff: 12 ")
    shigu.write_text(text, encoding="utf-8")
    result = run("outreach", "plan", "--week", "2026-W49")
    assert result.code == 4  # an incomplete plan
    assert re.search(r"未满足: 2026-12-05 周六 石鼓\S+ 需要12人（含1名带队），只排了\d+人（缺\d+人）", result.out), (
        result.out
    )
    assert (shigu.parent / "posters" / "rota" / "2026-W49" / "shigu" / "rota.png").exists()


@pytest.mark.parametrize("week", ["2026-48", "W48", "2026-W54", "nächste"])
def test_bad_week_is_exit_2(run, shigu, week):
    result = run("outreach", "plan", "--week", week)
    assert result.code == 2 and f"--week: {week!r} is not an ISO week like 2026-W48" in result.err


@pytest.mark.parametrize(
    ("word", "week"), [("this", "2026-W48"), ("本周", "2026-W48"), ("next", "2026-W49"), ("下周", "2026-W49")]
)
def test_week_words_name_the_week_in_the_station_time_zone(run, shigu, word, week):
    # The clock: Monday 2026-11-23 09:00 in Shigu, in ISO week 48.
    result = run("outreach", "plan", "--week", word, "--format", "json")
    assert result.code == 0, result.err
    assert (shigu.parent / "posters" / "rota" / week / "shigu" / "rota.png").exists()


def test_publish_and_remind_reach_the_groups(run, shigu, robots, frozen_clock):
    run("outreach", "plan", "--week", "2026-W48")
    published = run("outreach", "publish", "--week", "2026-W48")
    assert published.code == 0, published.out + published.err
    for key in ("volunteers", "staff"):
        assert [m["msgtype"] for m in robots.messages(key)][0] == "image"
        assert "text" in [m["msgtype"] for m in robots.messages(key)]
    assert robots.messages("residents") == []
    assert run("outreach", "publish", "--week", "2026-W48").out.startswith("2026-W48 shigu: queued 0 new")

    frozen_clock.move_to("2026-11-27T18:00:00+08:00")  # Friday evening: remind Saturday's people
    reminded = run("outreach", "remind")
    assert reminded.code == 0, reminded.err
    [message] = reminders(robots)
    text = message["body"]["text"]
    assert "11月28日（周六）" in text["content"] and "石鼓广场" in text["content"]
    assert text["mentioned_mobile_list"] and all(re.fullmatch(r"1\d{10}", p) for p in text["mentioned_mobile_list"])
    run("outreach", "remind")
    assert len(reminders(robots)) == 1  # once per day and group, however often it runs


def reminders(robots):
    return [m for m in robots.messages("volunteers") if "明日排班提醒" in json.dumps(m["body"], ensure_ascii=False)]


def test_record_and_report(run, shigu, frozen_clock):
    events = plan_events(run, "2026-W48")
    stall = next(e for e in events if e["kind"] == "street_stall" and e["date"] == "2026-11-28")
    early = run("outreach", "record", "--date", "2026-11-28", "--site", stall["site"], "--attendance", "120")
    assert early.code == 2 and "is in the future" in early.err
    frozen_clock.move_to("2026-11-29T10:00:00+08:00")
    done = run(
        "outreach",
        "record",
        "--date",
        "2026-11-28",
        "--site",
        stall["site"],
        "--attendance",
        "120",
        "--leaflets",
        "300",
        "--registrations",
        "45",
        "--notes",
        "群众反响热烈",
    )
    assert done.code == 0, done.err
    missing = run("outreach", "record", "--date", "2026-11-28", "--site", "不存在的广场", "--attendance", "1")
    assert missing.code == 2 and "no planned event at '不存在的广场'" in missing.err
    report = json.loads(run("outreach", "report", "--from", "2026-11-23", "--to", "2026-11-29", "--format", "json").out)
    assert report["street_stall"] == {
        "planned": 6,
        "recorded": 1,
        "attendance": 120,
        "leaflets": 300,
        "registrations": 45,
    }


def test_someone_away_is_left_out_of_the_next_plan(run, shigu):
    first = plan_events(run, "2026-W49")
    saturday = [e for e in first if e["date"] == "2026-12-05" and e["kind"] == "street_stall"]
    name = saturday[0]["people"][0]["name"]
    away = run("outreach", "away", "--name", name, "--date", "2026-12-05", "--reason", "家中有事")
    assert away.code == 0, away.err
    assert "already on the rota: 2026-12-05" in away.out and "--week 2026-W49 --replan" in away.out
    replanned = plan_events(run, "2026-W49", "--replan")
    on_saturday = {p["name"] for e in replanned if e["date"] == "2026-12-05" for p in e["people"]}
    assert name not in on_saturday
    unchanged = [e for e in first if e["date"] != "2026-12-05" and all(p["name"] != name for p in e["people"])]
    assert all(e in replanned for e in unchanged)  # the rest of the week stays as it was


@pytest.mark.parametrize(
    "args,message",
    [
        (("--name", "无名氏", "--date", "2026-12-05"), "--name: '无名氏' is not one of shigu's people"),
        (("--name", "钱队员", "--date", "2026-12-05", "--to", "2026-12-01"), "--to: '2026-12-01' must be on or after"),
        (("--name", "钱队员", "--date", "12/05"), "--date: '12/05' is not a date"),
    ],
)
def test_away_rejects_bad_input(run, shigu, args, message):
    result = run("outreach", "away", *args)
    assert result.code == 2 and message in result.err
