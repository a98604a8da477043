"""Eight weeks of outreach as a station runs it (issue 11, done-when): plan on Friday, publish, record
Monday's talks on Tuesday, someone drops out, re-plan, publish the change, remind; through the real CLI,
with a real robot server and the solver, for a 40-factory and a 905-factory station."""

import json
import random
from datetime import date, timedelta

import pytest

from antifraud.lib.words import cn_date
from antifraud.outreach.store import week_of

FIRST_MONDAY = date(2026, 11, 2)  # 2026-W45; eight ordinary weeks follow (no holidays until 元旦)
WEEKS = 8
TZ = "+08:00"


def station_config(factories: int, officers: int, auxiliaries: int, patrol: int, volunteers: int, sites: int) -> str:
    rng = random.Random(factories)
    people = []
    phone = iter(range(13900000000, 13999999999))
    for n in range(officers):
        people.append(f"{{name: 警官{n:02d}, role: officer, team: 社区民警, phone: '{next(phone)}'}}")
    for n in range(auxiliaries):
        people.append(
            f"{{name: 辅警{n:02d}, role: auxiliary, team: 社区警务组, phone: '{next(phone)}', "
            "available: [mon, tue, wed, thu, fri]}"
        )
    for n in range(patrol):
        people.append(f"{{name: 队员{n:02d}, role: patrol, team: 综管机动组, phone: '{next(phone)}'}}")
    for n in range(volunteers):
        shifts = rng.choice((1, 2))
        people.append(
            f"{{name: 志愿者{n:02d}, role: volunteer, team: 义警队, phone: '{next(phone)}', "
            f"available: [sat, sun], max_shifts_per_week: {shifts}}}"
        )
    plants = []
    for n in range(factories):
        headcount = int(rng.lognormvariate(5.5, 1.0)) + 20
        window = rng.choice(('["12:00-13:00"]', '["12:30-13:30"]', '["17:30-18:30"]', '["12:00-13:00", "17:30-18:30"]'))
        plants.append(
            f"{{name: 工厂{n:03d}, grid: 第{n % 20 + 1}网格, headcount: {headcount}, talk_windows: {window}}}"
        )
    stalls = [f"{{name: 摊位{n}, kind: square, weight: {sites - n}}}" for n in range(sites)]

    def block(items):
        return "".join(f"      - {item}\n" for item in items)

    return f"""
timezone: Asia/Shanghai
database: sqlite:///antifraud.db
output_dir: posters
outreach:
  solver_seconds: 2
stations:
  - code: town
    name: 示例社区警务室
    groups:
      - {{name: 工作群, channel: wecom, webhook_env: AF_E2E_STAFF, audience: staff}}
      - {{name: 义警群, channel: wecom, webhook_env: AF_E2E_VOLUNTEERS, audience: volunteers}}
    people:
{block(people)}    factories:
{block(plants)}    stall_sites:
{block(stalls)}"""


STATIONS = {
    "40 factories": dict(factories=40, officers=3, auxiliaries=4, patrol=6, volunteers=10, sites=3),
    "905 factories": dict(factories=905, officers=6, auxiliaries=8, patrol=10, volunteers=16, sites=4),
}


def at(day: date, hhmm: str) -> str:
    return f"{day.isoformat()}T{hhmm}:00{TZ}"


def plan(run, week: str, *flags) -> dict:
    result = run("outreach", "plan", "--week", week, "--station", "town", *flags, "--format", "json")
    assert result.code == 0, (result.out, result.err)  # a complete plan: enough people and factories
    return json.loads(result.out)


def talk_counts(events) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in events:
        if e["kind"] == "factory_talk":
            counts[e["people"][0]["name"]] = counts.get(e["people"][0]["name"], 0) + 1
    return counts


@pytest.mark.parametrize("size", list(STATIONS))
def test_eight_weeks_of_a_station(run, config_file, robots, frozen_clock, monkeypatch, size):
    shape = STATIONS[size]
    config_file.write_text(station_config(**shape), encoding="utf-8")
    monkeypatch.setenv("AF_E2E_STAFF", robots.wecom_url("staff"))
    monkeypatch.setenv("AF_E2E_VOLUNTEERS", robots.wecom_url("volunteers"))
    officers = [f"警官{n:02d}" for n in range(shape["officers"])]
    recorded: dict[tuple[str, str], int] = {}
    visited: set[str] = set()
    distinct = []
    for n in range(WEEKS):
        monday = FIRST_MONDAY + timedelta(weeks=n)
        week = week_of(monday)
        friday_before = monday - timedelta(days=3)

        # A worker at a factory never visited loses money to 刷单 on Thursday; Friday's plan answers it.
        frozen_clock.move_to(at(friday_before, "10:00"))
        target = f"工厂{(n * 97 + 13) % shape['factories']:03d}"
        added = run(
            "incident", "add", "--station", "town", "--category", "刷单返利", "--loss", "3000",
            "--place", target, "--occupation", f"{target}员工", "--victim", "王女士", "--by", "内勤",
        )  # fmt: skip
        assert added.code == 0, added.err
        frozen_clock.move_to(at(friday_before, "16:00"))
        first = plan(run, week)
        events = first["events"]
        assert all(2 <= talk_counts(events).get(o, 0) <= 3 for o in officers), talk_counts(events)
        answered = [e for e in events if e["kind"] == "factory_talk" and e["site"] == target]
        assert answered and answered[0]["topic"] == "刷单返利", (target, answered)
        assert run("outreach", "publish", "--week", week, "--station", "town").code == 0

        # Tuesday afternoon: Monday's talks are recorded; a volunteer drops out of Saturday, an officer of
        # Thursday; the week is re-planned and the change published.
        tuesday = monday + timedelta(days=1)
        frozen_clock.move_to(at(tuesday, "14:00"))
        for e in events:
            if e["date"] == monday.isoformat():
                attendance = 50 + len(recorded)
                result = run(
                    "outreach", "record", "--station", "town", "--date", e["date"], "--site", e["site"],
                    "--kind", e["kind"], "--attendance", str(attendance), "--leaflets", "100",
                )  # fmt: skip
                assert result.code == 0, result.err
                recorded[e["date"], e["site"]] = attendance
        saturday = (monday + timedelta(days=5)).isoformat()
        leaver = next(p["name"] for e in events if e["date"] == saturday for p in e["people"] if "志愿者" in p["name"])
        thursday = (monday + timedelta(days=3)).isoformat()
        busy_officer = next((e["people"][0]["name"] for e in events if e["date"] == thursday), officers[0])
        for name, day in ((leaver, saturday), (busy_officer, thursday)):
            assert run("outreach", "away", "--station", "town", "--name", name, "--date", day).code == 0
        before_notices = notices(robots)
        second = plan(run, week, "--replan")
        after = second["events"]
        past = [e for e in events if e["date"] < tuesday.isoformat()]
        assert [e for e in after if e["date"] < tuesday.isoformat()] == past  # the past stays as it was
        assert all(2 <= talk_counts(after).get(o, 0) <= 3 for o in officers), talk_counts(after)
        assert not any(leaver in names(e) for e in after if e["date"] == saturday)
        assert not any(busy_officer in names(e) for e in after if e["date"] == thursday)
        assert run("outreach", "publish", "--week", week, "--station", "town").code == 0
        sent = [t for t in notices(robots) if t not in before_notices]
        assert sent, "the change was not announced"
        for change in changed(events, after):
            assert any(change["site"] in t and all(name in t for name in change["names"]) for t in sent), (change, sent)
        for site in added_or_cancelled(events, after):  # a talk moved to another day or factory, a stall dropped
            assert any(site in t for t in sent), (site, sent)

        # Friday evening: Saturday's reminder, without the volunteer who dropped out.
        frozen_clock.move_to(at(monday + timedelta(days=4), "18:00"))
        assert run("outreach", "remind", "--station", "town").code == 0
        reminder = [t for t in texts(robots, "volunteers") if cn_date(monday + timedelta(days=5)) in t and "提醒" in t]
        assert reminder and leaver not in reminder[-1], reminder[-1]

        visited |= {e["site"] for e in after if e["kind"] == "factory_talk"}
        distinct.append(len(visited))

    # Nothing recorded was lost on the way.
    frozen_clock.move_to(at(FIRST_MONDAY + timedelta(weeks=WEEKS), "09:00"))
    end = FIRST_MONDAY + timedelta(weeks=WEEKS, days=-1)
    report = json.loads(
        run(
            "outreach", "report", "--station", "town", "--from", FIRST_MONDAY.isoformat(), "--to", end.isoformat(),
            "--format", "json",
        ).out
    )  # fmt: skip
    talks = report["factory_talk"]
    assert talks["recorded"] == len(recorded) and talks["attendance"] == sum(recorded.values())
    assert talks["leaflets"] == 100 * len(recorded)
    assert report["coverage"]["visited"]["13w"]["factories"] == len(visited)
    if shape["factories"] > 500:
        assert all(b > a for a, b in zip(distinct, distinct[1:])), distinct  # new factories every week


def names(event) -> set[str]:
    return {p["name"] for p in event["people"]}


def changed(before, after) -> list[dict]:
    """Per event whose people changed: its site and the names that came off or went on."""
    old = {(e["date"], e["kind"], e["site"], e["start"]): names(e) for e in before}
    new = {(e["date"], e["kind"], e["site"], e["start"]): names(e) for e in after}
    out = []
    for key in old.keys() & new.keys():
        if old[key] != new[key]:
            out.append({"site": key[2], "names": sorted(old[key] ^ new[key])})
    return out


def added_or_cancelled(before, after) -> list[str]:
    """Sites of events the re-plan added or cancelled (their date, kind, site or start changed)."""
    old = {(e["date"], e["kind"], e["site"], e["start"]) for e in before}
    new = {(e["date"], e["kind"], e["site"], e["start"]) for e in after}
    return sorted({key[2] for key in old ^ new})


def texts(robots, key: str) -> list[str]:
    return [m["body"]["text"]["content"] for m in robots.messages(key) if m["msgtype"] == "text"]


def notices(robots) -> list[str]:
    return [t for key in ("staff", "volunteers") for t in texts(robots, key) if "【排班变更】" in t]
