"""Outreach over a season through the command line (issue 11): re-plans keep what happened, changes reach
the people they concern, kept plans notice absences, reminders go to the groups of the people on them."""

import json

import pytest

from conftest import plan_events

MONDAY_W48 = "2026-11-23"


def texts(robots, key: str) -> list[dict]:
    """The text messages a robot group received: content and the phones @-mentioned."""
    return [m["body"]["text"] for m in robots.messages(key) if m["msgtype"] == "text"]


def phone_of(shigu_config: str, name: str) -> str:
    line = next(line for line in shigu_config.splitlines() if f"name: {name}," in line)
    return line.split('phone: "')[1].split('"')[0]


def test_a_replan_keeps_recorded_outcomes(run, shigu, frozen_clock):
    """Item 1: plan W48, record Monday's talk, someone goes away, re-plan: the outcome is still there."""
    first = plan_events(run, "2026-W48")
    monday_talk = next(e for e in first if e["kind"] == "factory_talk" and e["date"] == MONDAY_W48)
    frozen_clock.move_to("2026-11-24T15:00:00+08:00")  # Tuesday afternoon
    recorded = run(
        "outreach", "record", "--date", MONDAY_W48, "--site", monday_talk["site"],
        "--attendance", "120", "--leaflets", "200", "--registrations", "35",
    )  # fmt: skip
    assert recorded.code == 0, recorded.err
    volunteer = next(
        p["name"] for e in first if e["kind"] == "street_stall" for p in e["people"] if "志愿者" in p["name"]
    )
    assert run("outreach", "away", "--name", volunteer, "--date", "2026-11-28", "--to", "2026-11-29").code == 0
    replanned = run("outreach", "plan", "--week", "2026-W48", "--replan", "--format", "json")
    assert replanned.code in (0, 4), replanned.err
    assert monday_talk in json.loads(replanned.out)["events"]
    report = json.loads(run("outreach", "report", "--from", MONDAY_W48, "--to", "2026-11-29", "--format", "json").out)
    assert report["factory_talk"]["recorded"] == 1
    assert (report["factory_talk"]["attendance"], report["factory_talk"]["leaflets"]) == (120, 200)
    assert report["factory_talk"]["registrations"] == 35


def test_a_replan_never_rewrites_the_past(run, shigu, frozen_clock):
    """Item 2: on Tuesday, Monday's officer goes away for the week; the re-plan leaves Monday as it was."""
    first = plan_events(run, "2026-W48")
    monday = [e for e in first if e["date"] == MONDAY_W48]
    officer = next(e["people"][0]["name"] for e in monday if e["kind"] == "factory_talk")
    frozen_clock.move_to("2026-11-24T08:00:00+08:00")
    assert run("outreach", "away", "--name", officer, "--date", MONDAY_W48, "--to", "2026-11-29").code == 0
    replanned = plan_events(run, "2026-W48", "--replan")
    assert [e for e in replanned if e["date"] == MONDAY_W48] == monday
    later = [e for e in replanned if e["date"] >= "2026-11-24"]
    assert later and all(officer not in {p["name"] for p in e["people"]} for e in later)
    # A week never planned may still be filled in afterwards, past or not.
    back = plan_events(run, "2026-W46")
    assert any(e["kind"] == "factory_talk" for e in back)


def test_a_changed_rota_reaches_the_people(run, shigu, robots, frozen_clock):
    """Item 3: after away + re-plan, publish sends a change notice @-mentioning who is off and who is on,
    and the changed day is reminded again; nothing is sent twice."""
    first = plan_events(run, "2026-W49")
    assert run("outreach", "publish", "--week", "2026-W49").code == 0
    frozen_clock.move_to("2026-12-04T18:00:00+08:00")  # Friday evening: Saturday's reminder goes out
    assert run("outreach", "remind").code == 0
    config = shigu.read_text(encoding="utf-8")
    stall = next(e for e in first if e["kind"] == "street_stall" and e["date"] == "2026-12-05")
    leaver = next(p["name"] for p in stall["people"] if "志愿者" in p["name"])
    [reminded] = [t for t in texts(robots, "volunteers") if "明日排班提醒" in t["content"]]
    assert phone_of(config, leaver) in reminded["mentioned_mobile_list"]

    away = run("outreach", "away", "--name", leaver, "--date", "2026-12-05", "--reason", "家中有事")
    assert "--week 2026-W49 --replan" in away.out
    replanned = run("outreach", "plan", "--week", "2026-W49", "--replan")
    assert "(revision 2)" in replanned.out and "sends the change notice" in replanned.out
    after = next(e for e in plan_events(run, "2026-W49") if e["site"] == stall["site"] and e["date"] == "2026-12-05")
    newcomers = [p["name"] for p in after["people"] if p not in stall["people"]]
    assert leaver not in {p["name"] for p in after["people"]} and newcomers

    before = len(robots.messages("volunteers"))
    published = run("outreach", "publish", "--week", "2026-W49")
    assert published.code == 0, published.err
    assert "queued 0 new" not in published.out
    [notice] = [t for t in texts(robots, "volunteers") if "【排班变更】" in t["content"]]
    assert f"{leaver}（家中有事） 不再参加" in notice["content"] and "（第2版）" in notice["content"]
    assert all(name in notice["content"] for name in newcomers)
    assert phone_of(config, leaver) in notice["mentioned_mobile_list"]
    assert all(phone_of(config, n) in notice["mentioned_mobile_list"] for n in newcomers if "志愿者" in n)
    assert [m["msgtype"] for m in robots.messages("volunteers")[before:]].count("image") == 1  # the new rota
    assert any("【排班变更】" in t["content"] for t in texts(robots, "staff"))

    again = run("outreach", "remind")
    assert again.code == 0 and "queued 0 reminder" not in again.out
    updated = [t for t in texts(robots, "volunteers") if "明日排班提醒·有变更" in t["content"]]
    assert len(updated) == 1 and leaver not in updated[0]["content"]
    assert phone_of(config, leaver) not in updated[0]["mentioned_mobile_list"]
    # Running both again sends nothing new.
    count = len(robots.messages("volunteers"))
    assert "queued 0 new" in run("outreach", "publish", "--week", "2026-W49").out
    assert "queued 0 reminder" in run("outreach", "remind").out
    assert len(robots.messages("volunteers")) == count


def test_a_kept_plan_checks_new_absences(run, shigu, robots, frozen_clock):
    """Item 4: after `away`, a plain `plan` says the kept plan conflicts (exit 4); the reminder does not name
    the absent person as coming, and does not @-mention her."""
    first = plan_events(run, "2026-W49")
    stall = next(e for e in first if e["kind"] == "street_stall" and e["date"] == "2026-12-05")
    absent = next(p["name"] for p in stall["people"] if "志愿者" in p["name"])
    assert run("outreach", "away", "--name", absent, "--date", "2026-12-05").code == 0
    kept = run("outreach", "plan", "--week", "2026-W49")
    assert kept.code == 4
    assert "已排的班与1条请假冲突：12月5日 " in kept.out and absent in kept.out
    frozen_clock.move_to("2026-12-04T18:00:00+08:00")
    reminded = run("outreach", "remind")
    assert f"warning: {absent} is away on 2026-12-05" in reminded.err
    [text] = [t for t in texts(robots, "volunteers") if "明日排班提醒" in t["content"]]
    assert f"{absent} 已请假，缺1人" in text["content"]
    assert phone_of(shigu.read_text(encoding="utf-8"), absent) not in text["mentioned_mobile_list"]


def test_an_incomplete_plan_exits_4_and_says_why_in_json(run, shigu):
    """Item 5: too few people for the stalls: exit 4, and the JSON carries the problems and solver outcome;
    the rota text shows the empty places."""
    text = shigu.read_text(encoding="utf-8").replace("stall_staff: 4 ", "stall_staff: 6 ")
    shigu.write_text(text, encoding="utf-8")
    result = run("outreach", "plan", "--week", "2026-W49", "--format", "json")
    assert result.code == 4
    plan = json.loads(result.out)
    assert plan["complete"] is False and plan["problems"] and isinstance(plan["optimal"], bool)
    assert plan["solve_seconds"] > 0 and plan["events"]
    rota = (shigu.parent / "posters" / "rota" / "2026-W49" / "shigu" / "rota.txt").read_text(encoding="utf-8")
    assert "缺" in rota


def test_reminders_go_to_the_groups_of_the_people_on_them(run, shigu, robots, frozen_clock):
    """Item 11: a day of talks is reminded in the staff group, @-mentioning the officers and auxiliaries;
    the volunteers' group hears only of events with volunteers, and only volunteers are @-mentioned there."""
    events = plan_events(run, "2026-W49")
    config = shigu.read_text(encoding="utf-8")
    frozen_clock.move_to("2026-11-30T18:00:00+08:00")  # Monday evening: Tuesday's talks
    assert run("outreach", "remind").code == 0
    tuesday = [e for e in events if e["date"] == "2026-12-01"]
    assert tuesday and all(e["kind"] == "factory_talk" for e in tuesday)
    [staff] = [t for t in texts(robots, "staff") if "明日排班提醒" in t["content"]]
    on_tuesday = {p["name"] for e in tuesday for p in e["people"]}
    assert set(staff["mentioned_mobile_list"]) == {phone_of(config, n) for n in on_tuesday}
    assert not [t for t in texts(robots, "volunteers") if "明日排班提醒" in t["content"]]

    frozen_clock.move_to("2026-12-04T18:00:00+08:00")  # Saturday's stalls: patrol, volunteers, maybe an officer
    assert run("outreach", "remind").code == 0
    [volunteers] = [t for t in texts(robots, "volunteers") if "12月5日" in t["content"]]
    saturday = [e for e in events if e["date"] == "2026-12-05"]
    volunteer_phones = {phone_of(config, p["name"]) for e in saturday for p in e["people"] if "志愿者" in p["name"]}
    assert set(volunteers["mentioned_mobile_list"]) == volunteer_phones
    [staff_saturday] = [t for t in texts(robots, "staff") if "12月5日" in t["content"]]
    assert set(staff_saturday["mentioned_mobile_list"]).isdisjoint(volunteer_phones)


@pytest.mark.parametrize("setting", ["{street_stall: [volunteers], factory_talk: [staff]}", "volunteers"])
def test_reminder_audience_in_config_wins(run, shigu, robots, frozen_clock, setting):
    """Item 11: `outreach.reminder_audience` per kind routes reminders there, @-mentioning everyone on it;
    the older single-audience form still reads."""
    text = shigu.read_text(encoding="utf-8").replace(
        "  solver_seconds: 2\n", f"  solver_seconds: 2\n  reminder_audience: {setting}\n"
    )
    shigu.write_text(text, encoding="utf-8")
    events = plan_events(run, "2026-W49")
    frozen_clock.move_to("2026-12-04T18:00:00+08:00")
    assert run("outreach", "remind").code == 0
    assert not [t for t in texts(robots, "staff") if "明日排班提醒" in t["content"]]
    [volunteers] = [t for t in texts(robots, "volunteers") if "明日排班提醒" in t["content"]]
    everyone = {phone_of(text, p["name"]) for e in events if e["date"] == "2026-12-05" for p in e["people"]}
    assert set(volunteers["mentioned_mobile_list"]) == everyone


def test_a_quiet_fortnight_still_gives_every_event_a_topic(run, shigu):
    """With no incident in the last two weeks, talks and stalls take the common types in turn (never 其他),
    and the next week starts one type further on rather than repeating the same talk."""
    w49, w50 = plan_events(run, "2026-W49"), plan_events(run, "2026-W50")
    assert all(e["topic"] and e["topic"] != "其他" for e in w49 + w50)
    first_talk = [next(e["topic"] for e in week if e["kind"] == "factory_talk") for week in (w49, w50)]
    assert first_talk[0] != first_talk[1]


def test_an_away_reason_is_cleaned_on_entry_and_defanged_in_the_change_notice(config_file, frozen_clock):
    from datetime import date

    from antifraud.app import App
    from antifraud.outreach.publish import _why
    from antifraud.outreach.store import absences, mark_away

    app = App(config_file)
    station = app.settings.station("shigu")
    day = date(2026, 11, 28)
    reason = "家里有事\x07\u202e，详见 http://evil.example.com @all 电话13912345678"
    with app.db.session() as session:
        mark_away(session, station, "钱队员", day, None, reason, "test")
    with app.db.session() as session:
        away = absences(session, station, day, day)
    text = _why("钱队员", day, away)  # what change_text puts into the 排班变更 post
    assert "\x07" not in text and "\u202e" not in text, repr(text)
    assert "http://" not in text and "@" not in text, text
    assert "13912345678" not in text, text
