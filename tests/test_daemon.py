"""The daemon: duties driven by an injected clock, and `antifraud run` as a real process against local robots."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import subprocess
import textwrap
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from antifraud.accounts.service import audit_entries
from antifraud.config import load_settings
from antifraud.db import connect
from antifraud.db.models import DailyWarning, Delivery, DutyRun, RotaWeek, utcnow
from antifraud.incidents import service
from antifraud.incidents.categories import load_categories
from antifraud.incidents.validate import validate_incident
from antifraud.outbox.sender import Sender
from antifraud.outreach.store import events_of
from antifraud.scheduler.daemon import single_instance
from antifraud.scheduler.duties import DUTIES, Context
from antifraud.scheduler.runner import run_duty
from antifraud.warnings.service import find_warning, publish

from conftest import REPO

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 22)  # "yesterday" on Monday 2026-11-23
ROBOT_KEYS = {"AF_D_STAFF": "staff-key", "AF_D_RES": "res-key", "AF_D_VOL": "vol-key"}

PEOPLE = """
    people:
      - {name: 李警官, role: officer, team: 社区民警, phone: "13800000001"}
      - {name: 王警官, role: officer, team: 社区民警, phone: "13800000002"}
      - {name: 周辅警, role: auxiliary, team: 社区警务组, phone: "13800000011", available: [mon, tue, wed, thu, fri]}
      - {name: 吴辅警, role: auxiliary, team: 社区警务组, phone: "13800000012", available: [mon, tue, wed, thu, fri]}
      - {name: 钱队员, role: patrol, team: 综管机动组, phone: "13800000021"}
      - {name: 孙队员, role: patrol, team: 综管机动组, phone: "13800000022"}
      - {name: 蒋志愿者, role: volunteer, team: 大拇指义警队, phone: "13800000031", available: [sat, sun]}
      - {name: 沈志愿者, role: volunteer, team: 大拇指义警队, phone: "13800000032", available: [sat, sun]}
      - {name: 韩志愿者, role: volunteer, team: 大拇指义警队, phone: "13800000033", available: [sat, sun]}
      - {name: 秦志愿者, role: volunteer, team: 大拇指义警队, phone: "13800000034", available: [sat, sun]}
    factories:
      - {name: 示例电子厂, grid: 第一网格, headcount: 1200, talk_windows: ["12:00-13:00"]}
      - {name: 示例五金厂, grid: 第二网格, headcount: 450, talk_windows: ["12:00-13:00", "17:30-18:30"]}
      - {name: 示例塑胶厂, grid: 第三网格, headcount: 800, talk_windows: ["12:30-13:30"]}
      - {name: 示例制衣厂, grid: 第四网格, headcount: 600, talk_windows: ["12:00-13:00"]}
    stall_sites:
      - {name: 石鼓广场, kind: square}
"""


# Render and post at any hour: for tests of real processes, which run on the real clock.
ALWAYS_OPEN = '{warning_render: "00:00", warning_publish: "00:00", warning_publish_until: "24:00"}'


def config_text(schedule: str = "{}", people: bool = True, extra_groups: str = "") -> str:
    return (
        textwrap.dedent(
            f"""
        timezone: Asia/Shanghai
        database: sqlite:///antifraud.db
        output_dir: posters
        backup_keep: 3
        schedule: {schedule}
        outreach: {{solver_seconds: 1}}
        stations:
          - code: shigu
            name: 石鼓社区警务室
            contact: {{name: 李警官, phone: "13800000001"}}
            groups:
              - {{name: 石鼓工作群, channel: wecom, webhook_env: AF_D_STAFF, audience: staff}}
              - {{name: 石鼓居民1群, channel: wecom, webhook_env: AF_D_RES, audience: residents}}
              - {{name: 大拇指义警群, channel: wecom, webhook_env: AF_D_VOL, audience: volunteers}}
              - {{name: 石鼓居民微信群, channel: folder, audience: residents}}
        """
        )
        + extra_groups
        + (PEOPLE.lstrip("\n") if people else "")
    )


@pytest.fixture(autouse=True)
def own_database(monkeypatch):
    """Every test's database is the one beside its config, whatever the environment says."""
    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL", raising=False)


@pytest.fixture
def webhooks(robots, monkeypatch):
    """The groups' webhook URLs, pointing at the local robots, set the way an operator sets them."""
    values = {name: robots.wecom_url(key) for name, key in ROBOT_KEYS.items()}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def make_context(tmp_path, **kwargs) -> Context:
    path = tmp_path / "config.yaml"
    path.write_text(config_text(**kwargs), encoding="utf-8")
    settings = load_settings(path)
    categories = load_categories(settings)
    return Context(connect(settings, categories), settings, categories)


def add_incident(ctx: Context, day: date, today: date, category="medical_insurance"):
    fields = validate_incident(
        {"date": day.isoformat(), "category": category, "loss": "38000", "summary": "对方诱导开启屏幕共享。"},
        ctx.categories,
        today,
    )
    with ctx.db.session() as session:
        service.add_incident(session, fields, "shigu", by="test")


def run_all(ctx: Context) -> dict[str, str]:
    return {name: run_duty(ctx, name) for name in DUTIES}


def warning_of(ctx: Context, day: date = DAY) -> DailyWarning | None:
    with ctx.db.session() as session:
        row = find_warning(session, ctx.settings.stations[0], day)
        if row is not None:
            session.expunge(row)
        return row


def deliveries(ctx: Context) -> list[tuple[str, str, str, str]]:
    with ctx.db.session() as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.id))
        return [(d.subject, d.group_name, d.kind, d.status) for d in rows]


def msgtypes(robots, key: str) -> list[str]:
    return [m["msgtype"] for m in robots.messages(key)]


def assert_warning_delivered_once(robots, tmp_path, day: date = DAY):
    for key in ROBOT_KEYS.values():
        assert msgtypes(robots, key) == ["image", "text"], key
        assert "【电诈预警】" in robots.messages(key)[1]["body"]["text"]["content"]
    forward = tmp_path / "posters" / day.isoformat() / "shigu" / "forward" / "石鼓居民微信群"
    assert len([p for p in forward.iterdir() if p.name.startswith(day.isoformat())]) == 2


# -- the daily warning, on an injected clock ------------------------------------------------------------
def test_renders_after_seven_and_publishes_once_after_eight(tmp_path, webhooks, robots):
    with time_machine.travel("2026-11-23T06:00:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path)
        add_incident(ctx, DAY, date(2026, 11, 23))
        assert "2026-11-22" not in run_duty(ctx, "warning_render")  # the quiet days before are settled
        assert warning_of(ctx) is None and warning_of(ctx, date(2026, 11, 21)).status == "silent"

        clock.move_to("2026-11-23T07:05:00+08:00")
        assert run_duty(ctx, "warning_render") == "rendered shigu 2026-11-22"
        assert warning_of(ctx).status == "approved"
        assert (tmp_path / "posters" / "2026-11-22" / "shigu" / "warning.png").exists()

        clock.move_to("2026-11-23T07:30:00+08:00")
        assert run_duty(ctx, "warning_publish") == ""
        assert robots.received == [] and deliveries(ctx) == []

        clock.move_to("2026-11-23T08:01:00+08:00")
        assert run_duty(ctx, "warning_publish") == "published shigu 2026-11-22 (8 messages)"
        assert warning_of(ctx).status == "published"
        assert_warning_delivered_once(robots, tmp_path)
        sent = deliveries(ctx)
        assert len(sent) == 8 and {status for *_, status in sent} == {"sent"}

        received = len(robots.received)
        outcomes = run_all(ctx)
        assert outcomes["warning_render"] == outcomes["warning_publish"] == outcomes["outbox"] == ""
        clock.move_to("2026-11-23T09:00:00+08:00")
        run_all(ctx)
        assert len(robots.received) == received and deliveries(ctx) == sent


def test_a_daemon_down_over_eight_catches_up_on_start(tmp_path, webhooks, robots):
    with time_machine.travel("2026-11-22T20:00:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path)
        add_incident(ctx, DAY, DAY)
        add_incident(ctx, date(2026, 11, 18), DAY, category="other")  # five days old by Monday: stale news
        clock.move_to("2026-11-23T10:30:00+08:00")
        for name in DUTIES:  # what `antifraud run` does first
            run_duty(ctx, name)
        assert warning_of(ctx).status == "published"
        assert warning_of(ctx, date(2026, 11, 18)) is None
        assert_warning_delivered_once(robots, tmp_path)
        assert {subject for subject, *_ in deliveries(ctx)} == {"warning:2026-11-22"}
        with ctx.db.session() as session:
            last = {r.duty: r.outcome for r in session.scalars(select(DutyRun).order_by(DutyRun.id))}
        assert last["warning_render"] == last["warning_publish"] == "ok"
        assert set(last.values()) <= {"ok", "idle"}


def test_a_daemon_started_at_night_posts_nothing_until_morning_and_never_old_news(tmp_path, webhooks, robots):
    """Issue 10 item 2: rendering may catch up at 04:00; posting waits for the publish window, and a
    warning older than publish.max_age_days (2) is never posted on its own: the staff are told."""
    with time_machine.travel("2026-11-23T04:00:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path)
        for day in (date(2026, 11, 20), date(2026, 11, 21), DAY):
            add_incident(ctx, day, date(2026, 11, 23))
        run_all(ctx)
        assert warning_of(ctx, date(2026, 11, 20)).status == warning_of(ctx, date(2026, 11, 21)).status == "approved"
        assert robots.received == [] and deliveries(ctx) == []  # nothing at four in the morning

        clock.move_to("2026-11-23T08:30:00+08:00")
        run_all(ctx)
        rows = deliveries(ctx)
        assert {subject for subject, *_ in rows} == {"warning:2026-11-21", "warning:2026-11-22", "stale:2026-11-20"}
        assert {group for subject, group, *_ in rows if subject.startswith("stale:")} == {"石鼓工作群"}
        assert warning_of(ctx, date(2026, 11, 20)).status == "approved"  # left for a person to post
        texts = [str(m["body"]) for m in robots.messages("staff-key") if m["msgtype"] == "text"]
        [notice] = [text for text in texts if "未发布预警" in text]
        assert "antifraud warning publish --date 2026-11-20" in notice

        clock.move_to("2026-11-23T20:30:00+08:00")  # after warning_publish_until: nothing new goes out
        add_incident(ctx, date(2026, 11, 23), date(2026, 11, 23))
        clock.move_to("2026-11-24T07:30:00+08:00")
        run_all(ctx)
        assert len(deliveries(ctx)) == len(rows)
        clock.move_to("2026-11-24T08:05:00+08:00")
        assert run_duty(ctx, "warning_publish").startswith("published shigu 2026-11-23")


def delivered(ctx: Context, group: str) -> list[tuple[str, str]]:
    with ctx.db.session() as session:
        rows = session.scalars(select(Delivery).where(Delivery.group_name == group).order_by(Delivery.id))
        return [(d.kind, d.status) for d in rows]


def test_a_residents_retry_after_posting_hours_waits_for_the_morning(tmp_path, webhooks, robots):
    """Issue 10 item 2: posted at 19:50, the residents' robot failed once; the retry is not sent when
    the daemon comes back at 03:00 (nor at 20:00), but at the next morning's publish time."""
    with time_machine.travel("2026-11-23T19:50:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path, people=False)
        add_incident(ctx, DAY, date(2026, 11, 23))
        robots.fail_next("res-key", "http500")
        run_duty(ctx, "warning_render")
        run_duty(ctx, "warning_publish")
        assert robots.count("res-key") == 0 and msgtypes(robots, "staff-key") == ["image", "text"]
        with ctx.db.session() as session:  # the morning's own run is in the audit log, as "daemon"
            assert [(e.by, e.action) for e in audit_entries(session)] == [("daemon", "warning.publish")]
        clock.move_to("2026-11-24T03:00:00+08:00")
        run_duty(ctx, "outbox")
        assert robots.count("res-key") == 0, "a residents' group got the warning at 03:00"
        with ctx.db.session() as session:
            due = session.scalars(select(Delivery.next_attempt_at).where(Delivery.status == "pending")).all()
        assert {when.astimezone(ZoneInfo("Asia/Shanghai")).isoformat() for when in due} == {"2026-11-24T08:00:00+08:00"}
        clock.move_to("2026-11-24T08:00:01+08:00")
        run_duty(ctx, "outbox")
        assert msgtypes(robots, "res-key") == ["image", "text"]


def test_a_retry_that_would_go_out_too_old_is_parked_not_sent(run, tmp_path, config_file, webhooks, robots):
    """The warning of 11-21, posted on its last day (11-23), failed for residents: by the next
    morning it is three days old (publish.max_age_days 2), so it is parked, and `status` says why."""
    config_file.write_text(config_text(people=False), encoding="utf-8")
    with time_machine.travel("2026-11-23T19:50:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path, people=False)
        add_incident(ctx, date(2026, 11, 21), date(2026, 11, 23))
        robots.fail_next("res-key", "http500")
        run_duty(ctx, "warning_render")
        run_duty(ctx, "warning_publish")
        clock.move_to("2026-11-23T21:00:00+08:00")
        run_duty(ctx, "outbox")
        assert robots.count("res-key") == 0
        assert delivered(ctx, "石鼓居民1群") == [("image", "parked"), ("text", "parked")]
        assert "older than publish.max_age_days (2)" in run("status").out


def test_a_warning_a_person_publishes_after_hours_goes_at_once(tmp_path, webhooks, robots):
    """Posting hours bind the daemon; a person who publishes at 21:00 on purpose is obeyed."""
    with time_machine.travel("2026-11-23T21:00:00+08:00", tick=False):
        ctx = make_context(tmp_path, people=False)
        add_incident(ctx, DAY, date(2026, 11, 23))
        run_duty(ctx, "warning_render")
        station = ctx.settings.stations[0]
        with ctx.db.session() as session:
            publish(session, ctx.settings, station, find_warning(session, station, DAY), "test")
        run_duty(ctx, "outbox")
        assert msgtypes(robots, "res-key") == ["image", "text"]


def test_a_warning_never_posted_is_still_reported_days_later(run, tmp_path, config_file, webhooks, robots):
    """Rendered on 11-20 before the publish hour, then the daemon was down until 11-24: the warning of
    11-19 is too old, and both `status` and the staff still hear of it (once)."""
    config_file.write_text(config_text(people=False), encoding="utf-8")
    with time_machine.travel("2026-11-20T07:30:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path, people=False)
        add_incident(ctx, date(2026, 11, 19), date(2026, 11, 20))
        assert run_duty(ctx, "warning_render").startswith("rendered")
        clock.move_to("2026-11-24T08:30:00+08:00")
        [station] = json.loads(run("status", "--format", "json").out)["stations"]
        assert station["warnings_too_old"] == ["2026-11-19"]
        run_duty(ctx, "warning_publish")
        run_duty(ctx, "warning_publish")
        assert [s for s, *_ in deliveries(ctx)] == ["stale:2026-11-19"]


def test_max_age_days_is_the_operators_to_set(tmp_path, webhooks, robots):
    """publish.max_age_days 1: only yesterday's warning is posted on its own; the day before's is told to the staff."""
    with time_machine.travel("2026-11-23T04:00:00+08:00", tick=False) as clock:
        path = tmp_path / "config.yaml"
        path.write_text(config_text(people=False) + "publish: {max_age_days: 1}\n", encoding="utf-8")
        settings = load_settings(path)
        categories = load_categories(settings)
        ctx = Context(connect(settings, categories), settings, categories)
        for day in (date(2026, 11, 21), DAY):
            add_incident(ctx, day, date(2026, 11, 23))
        run_duty(ctx, "warning_render")
        clock.move_to("2026-11-23T08:30:00+08:00")
        run_duty(ctx, "warning_render")
        run_duty(ctx, "warning_publish")
        assert {s for s, *_ in deliveries(ctx)} == {"warning:2026-11-22", "stale:2026-11-21"}


def test_each_station_day_renders_on_its_own_and_a_failure_is_named(run, tmp_path, config_file, frozen_clock):
    """Issue 14 item 1: one day that cannot be rendered does not stop the others, and the duty says so."""
    config_file.write_text(config_text(), encoding="utf-8")
    ctx = make_context(tmp_path)
    for day in (date(2026, 11, 20), date(2026, 11, 21), DAY):
        add_incident(ctx, day, date(2026, 11, 23))
    (tmp_path / "posters").mkdir()
    (tmp_path / "posters" / "2026-11-21").write_text("a file where the day's folder should be")
    result = run("duty", "warning_render")
    assert result.code == 1, result
    assert "rendered shigu 2026-11-20, shigu 2026-11-22" in result.out
    assert "failed: shigu 2026-11-21:" in result.out
    assert (tmp_path / "posters" / "2026-11-22" / "shigu" / "warning.png").exists()
    assert warning_of(ctx, date(2026, 11, 21)) is None  # still owed: the next run tries it again


def test_status_lists_warnings_too_old_to_post(run, tmp_path, config_file, webhooks, frozen_clock):
    config_file.write_text(config_text(), encoding="utf-8")
    ctx = make_context(tmp_path)
    add_incident(ctx, date(2026, 11, 20), date(2026, 11, 23))
    frozen_clock.move_to("2026-11-23T04:00:00+08:00")
    run_duty(ctx, "warning_render")
    [station] = json.loads(run("status", "--format", "json").out)["stations"]
    assert station["warnings_too_old"] == ["2026-11-20"] and station["warnings_to_publish"] == []
    assert "too old to post automatically: 2026-11-20" in run("status").out


def dead_pid() -> int:
    """The pid of a process that has come and gone (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_rows_left_sending_by_a_dead_process_go_out_once(tmp_path, webhooks, robots):
    with time_machine.travel("2026-11-23T08:30:00+08:00", tick=False):
        ctx = make_context(tmp_path)
        add_incident(ctx, DAY, date(2026, 11, 23))
        run_duty(ctx, "warning_render")
        station = ctx.settings.stations[0]
        with ctx.db.session() as session:  # queued, not yet sent, as `warning_publish` leaves it
            assert len(publish(session, ctx.settings, station, find_warning(session, station, DAY), "test")) == 8

        # A sender in another process sent the staff group's two messages, then claimed the residents'
        # image and died before posting it.
        gone = Sender(ctx.db, ctx.settings)
        for _ in range(2):
            claimed, _ = gone.claim_next(None)
            assert gone.send(claimed).status == "sent"
        claimed, _ = gone.claim_next(None)
        with ctx.db.session() as session:
            row = session.get(Delivery, claimed)
            assert (row.group_name, row.kind, row.status) == ("石鼓居民1群", "image", "sending")
            row.claimed_by = f"{socket.gethostname()}:{dead_pid()}:deadbeef"
        assert msgtypes(robots, "staff-key") == ["image", "text"] and robots.count("res-key") == 0

        assert run_duty(ctx, "outbox") == "sent or retried 6 message(s)"
        assert_warning_delivered_once(robots, tmp_path)
        assert [r["outcome"] for r in robots.requests_for("res-key")] == ["accepted", "accepted"]
        assert {status for *_, status in deliveries(ctx)} == {"sent"}
        assert run_duty(ctx, "outbox") == "" and len(robots.received) == 6


def test_a_claim_by_a_living_process_is_left_alone(tmp_path, webhooks, robots):
    with time_machine.travel("2026-11-23T08:30:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path)
        add_incident(ctx, DAY, date(2026, 11, 23))
        run_duty(ctx, "warning_render")
        station = ctx.settings.stations[0]
        with ctx.db.session() as session:
            publish(session, ctx.settings, station, find_warning(session, station, DAY), "test")
        other = Sender(ctx.db, ctx.settings, token=f"{socket.gethostname()}:1:cafe0001")
        claimed, _ = other.claim_next(None)  # pid 1 is alive: its claim holds until the lease runs out
        assert run_duty(ctx, "outbox") == "sent or retried 6 message(s)"
        assert robots.count("staff-key") == 0  # its text waits behind the claimed image
        clock.shift(timedelta(minutes=11))
        run_duty(ctx, "outbox")
        assert_warning_delivered_once(robots, tmp_path)
        with ctx.db.session() as session:
            assert session.get(Delivery, claimed).status == "sent"


# -- outreach, on an injected clock ------------------------------------------------------------------------
def test_reminders_after_six_the_day_before(run, frozen_clock, tmp_path, config_file, webhooks, robots):
    config_file.write_text(config_text(), encoding="utf-8")
    planned = run("outreach", "plan", "--week", "2026-W48")
    assert planned.code == 0, planned.err
    ctx = make_context(tmp_path)
    frozen_clock.move_to("2026-11-27T17:55:00+08:00")  # Friday, before a Saturday with a stall
    assert run_duty(ctx, "reminders") == ""
    frozen_clock.move_to("2026-11-27T18:05:00+08:00")
    assert run_duty(ctx, "reminders") == "reminded for shigu 2026-11-28"

    # Each group hears about the stall and @-mentions its own people: volunteers theirs, staff the patrol.
    assert robots.count("res-key") == 0
    texts = {key: [m["body"]["text"] for m in robots.messages(key)] for key in ("vol-key", "staff-key")}
    assert all(len(t) == 1 and t[0]["content"].startswith("【明日排班提醒】11月28日（周六）") for t in texts.values())
    people = {p.name: p for p in ctx.settings.stations[0].people}
    with ctx.db.session() as session:
        [stall] = events_of(session, ctx.settings.stations[0], date(2026, 11, 28), date(2026, 11, 28))
        on_duty = [people[p["name"]] for p in stall.people]
    assert len(on_duty) >= 4
    volunteers = sorted(p.phone for p in on_duty if p.role == "volunteer")
    staff = sorted(p.phone for p in on_duty if p.role != "volunteer")
    assert sorted(texts["vol-key"][0]["mentioned_mobile_list"]) == volunteers
    assert sorted(texts["staff-key"][0]["mentioned_mobile_list"]) == staff

    frozen_clock.move_to("2026-11-27T21:00:00+08:00")
    assert run_duty(ctx, "reminders") == "" and len(robots.received) == 2


def test_next_weeks_rota_is_planned_and_sent_on_friday_afternoon(tmp_path, webhooks, robots):
    with time_machine.travel("2026-11-27T15:55:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path)
        assert run_duty(ctx, "rota_plan") == ""
        with ctx.db.session() as session:
            assert session.scalars(select(RotaWeek)).all() == []

        clock.move_to("2026-11-27T16:05:00+08:00")
        assert run_duty(ctx, "rota_plan") == "planned shigu 2026-W49"
        with ctx.db.session() as session:
            assert [(w.week, w.monday) for w in session.scalars(select(RotaWeek))] == [("2026-W49", date(2026, 11, 30))]
        rota = (tmp_path / "posters" / "rota" / "2026-W49" / "shigu" / "rota.txt").read_text(encoding="utf-8")
        for key in ("vol-key", "staff-key"):
            kinds = msgtypes(robots, key)
            assert kinds[0] == "image" and kinds[1:] and set(kinds[1:]) == {"text"}, kinds
            assert "".join(m["body"]["text"]["content"] for m in robots.messages(key)[1:]) == rota
        assert robots.count("res-key") == 0

        received = len(robots.received)
        clock.move_to("2026-11-27T17:00:00+08:00")
        assert run_duty(ctx, "rota_plan") == "" and run_duty(ctx, "outbox") == ""
        assert len(robots.received) == received


def test_nightly_backup_once_after_three_keeping_the_newest(tmp_path, webhooks):
    backups = tmp_path / "backups"
    backups.mkdir()
    for day in range(17, 23):
        (backups / f"antifraud-202611{day}.db").write_bytes(b"old")
    with time_machine.travel("2026-11-23T02:59:00+08:00", tick=False) as clock:
        ctx = make_context(tmp_path)
        add_incident(ctx, DAY, date(2026, 11, 23))
        assert run_duty(ctx, "backup") == ""
        assert len(list(backups.iterdir())) == 6

        clock.move_to("2026-11-23T03:01:00+08:00")
        target = backups / "antifraud-20261123.db"
        assert run_duty(ctx, "backup") == f"backed up to {target}"
        assert sorted(p.name for p in backups.iterdir()) == [
            "antifraud-20261121.db",
            "antifraud-20261122.db",
            "antifraud-20261123.db",
        ]
        copy = sqlite3.connect(target)
        try:
            assert copy.execute("SELECT count(*) FROM incidents").fetchone() == (1,)
        finally:
            copy.close()
        written = target.stat().st_mtime_ns

        clock.move_to("2026-11-23T23:00:00+08:00")
        assert run_duty(ctx, "backup") == ""
        assert target.stat().st_mtime_ns == written

        clock.move_to("2026-11-24T03:30:00+08:00")
        assert run_duty(ctx, "backup").endswith("antifraud-20261124.db")
        assert sorted(p.name for p in backups.iterdir()) == [
            "antifraud-20261122.db",
            "antifraud-20261123.db",
            "antifraud-20261124.db",
        ]


# -- what operators ask ------------------------------------------------------------------------------------
def test_jobs_and_status_report_what_is_owed_and_done(run, tmp_path, config_file, webhooks, robots):
    config_file.write_text(config_text(), encoding="utf-8")  # the clock: Monday 2026-11-23 09:00
    before = json.loads(run("status", "--format", "json").out)
    assert before["stations"] == [
        {
            "station": "shigu",
            "warnings_to_render": ["2026-11-20", "2026-11-21", "2026-11-22"],
            "warnings_to_publish": [],
            "warnings_too_old": [],
            "rota_to_plan": None,
        }
    ]
    never = json.loads(run("jobs", "--format", "json").out)
    assert [j["duty"] for j in never] == list(DUTIES) and {j["last_outcome"] for j in never} == {None}
    # What each does, in words (issue 10 item 10), not the function's name.
    assert all(" " in j["does"] and j["does"] != DUTIES[j["duty"]].__name__ for j in never), never

    ctx = make_context(tmp_path)
    add_incident(ctx, DAY, date(2026, 11, 23))
    run_all(ctx)

    jobs = {j["duty"]: j for j in json.loads(run("jobs", "--format", "json").out)}
    assert list(jobs) == list(DUTIES)
    assert {name: j["next_run"] for name, j in jobs.items() if name != "outbox"} == {
        "warning_render": "2026-11-24T07:00+08:00",
        "warning_publish": "2026-11-24T08:00+08:00",
        "rota_plan": "2026-11-27T16:00+08:00",
        "reminders": "2026-11-23T18:00+08:00",
        "backup": "2026-11-24T03:00+08:00",
    }
    assert jobs["outbox"]["next_run"] is not None
    assert {name: j["last_outcome"] for name, j in jobs.items()} == {
        "warning_render": "ok",
        "warning_publish": "ok",
        "rota_plan": "idle",
        "reminders": "idle",
        "outbox": "idle",
        "backup": "ok",
    }
    assert jobs["warning_publish"]["last_message"] == "published shigu 2026-11-22 (8 messages)"
    assert all(j["last_run"] and j["does"] for j in jobs.values())

    after = run("status")
    assert after.out.splitlines()[0] == "shigu: warnings to render none, to publish none, rota to plan none"
    assert "outbox: 0 pending, 0 sending, 8 sent, 0 parked" in after.out


# -- `antifraud run`, a real process on the real clock -----------------------------------------------------
def antifraud_exe() -> str:
    return shutil.which("antifraud") or pytest.fail("the antifraud console script is not installed")


def process_env(robots, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTIFRAUD_")}
    return env | {name: robots.wecom_url(key) for name, key in ROBOT_KEYS.items()} | extra


def cli(config, env, *args) -> subprocess.CompletedProcess:
    command = [antifraud_exe(), *args, "--config", str(config)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, cwd=config.parent)


class Daemon:
    """`antifraud run` in the background; its stderr lines arrive through a queue."""

    def __init__(self, config, env, *args, session: bool = False):
        command = [antifraud_exe(), "run", *args, "--config", str(config)]
        self.proc = subprocess.Popen(
            command,
            env=env,
            cwd=config.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=session,  # its own process group, as systemd gives it
        )
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The first line (from now on) containing text; fails on timeout (generous: a loaded 2-core machine
        renders slowly, and the wait ends at the line) or when stderr closes."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                pytest.fail(f"no {text!r} on stderr within {timeout} s: {self.lines}")
            if line is None:
                pytest.fail(f"stderr closed before {text!r}: {self.lines}")
            self.lines.append(line)
            if text in line:
                return line

    def finish(self, timeout: float = 10) -> int:
        """Wait for the exit; then every line it wrote is in self.lines."""
        code = self.proc.wait(timeout)
        while (line := self._queue.get(timeout=timeout)) is not None:  # up to the reader's end mark
            self.lines.append(line)
        return code

    def terminate(self, timeout: float = 10) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.finish(timeout)


@pytest.fixture
def daemons():
    """Start daemons; whatever is still running at the end is killed."""
    started = []

    def start(config, env, *args, session: bool = False) -> Daemon:
        daemon = Daemon(config, env, *args, session=session)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        if daemon.proc.poll() is None:
            daemon.proc.kill()
            daemon.proc.wait(10)


def wait_until(condition, timeout: float = 30, what: str = "the condition") -> None:
    """For real processes only: look again every 0.1 s until the condition holds."""
    deadline, tick = time.monotonic() + timeout, threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s")
        tick.wait(0.1)


def real_yesterday() -> date:
    return datetime.now(SHANGHAI).date() - timedelta(days=1)


def test_a_second_daemon_refuses_and_a_standby_takes_over(tmp_path, robots, daemons):
    config = tmp_path / "config.yaml"
    config.write_text(config_text(people=False), encoding="utf-8")
    env = process_env(robots)
    settings = load_settings(config)
    with single_instance(connect(settings, load_categories(settings))):
        refused = cli(config, env, "run")
        assert refused.returncode == 2
        assert len(refused.stderr.splitlines()) == 1 and "Traceback" not in refused.stderr
        assert "another `antifraud run`" in refused.stderr and f"pid {os.getpid()}" in refused.stderr

        standby, quitter = daemons(config, env, "--standby"), daemons(config, env, "--standby")
        # Readiness, not a fixed wait (issue 10 item 15): each standby says it is waiting.
        assert "another daemon (pid" in standby.wait_for("waiting", timeout=30)
        quitter.wait_for("waiting", timeout=30)
        assert standby.proc.poll() is None and quitter.proc.poll() is None
        assert quitter.terminate() == 0, quitter.lines  # stopped while waiting: a clean exit
        assert not any("Traceback" in line or "started" in line for line in quitter.lines), quitter.lines
    assert "started" in standby.wait_for("started", timeout=10)
    assert standby.terminate() == 0
    assert "stopped" in standby.lines[-1]


def test_a_retry_goes_out_at_its_backoff_time_not_at_the_next_outbox_run(tmp_path, robots, daemons):
    """Issue 10 item 9: with the outbox run an hour apart, a message that failed once is sent again
    at its backoff (5 s), because the daemon schedules an early outbox run for it."""
    config = tmp_path / "config.yaml"
    schedule = (
        '{warning_render: "00:00", warning_publish: "00:00", warning_publish_until: "24:00", outbox_seconds: 3600}'
    )
    config.write_text(config_text(schedule, people=False), "utf-8")
    env = process_env(robots)
    day = real_yesterday()
    assert cli(config, env, "incident", "add", "--date", day.isoformat(), "--category", "刷单返利").returncode == 0
    robots.fail_next("staff-key", "http500")
    daemon = daemons(config, env)
    daemon.wait_for("started")
    wait_until(lambda: robots.count("staff-key") >= 2, timeout=40, what="the staff group's image after one 500")
    failed, accepted = robots.requests_for("staff-key")[:2]
    assert failed["status"] == 500 and accepted["outcome"] == "accepted"
    assert 4 <= (accepted["at"] - failed["at"]).total_seconds() < 30  # the backoff, not the hourly run
    assert daemon.terminate() == 0


def catches_sigterm(pid: int) -> bool:
    """The process has a SIGTERM handler installed (its SigCgt mask in /proc), whatever it is doing."""
    try:
        status = open(f"/proc/{pid}/status", encoding="ascii").read()
    except OSError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def loaded(pid: int, library: str) -> bool:
    try:
        return library in open(f"/proc/{pid}/maps", encoding="ascii", errors="replace").read()
    except OSError:
        return False


def test_sigterm_during_start_up_is_a_clean_stop(tmp_path, robots, daemons):
    """Issue 14 item 9: the SIGTERM handler comes before click, the config and the database load
    (it used to come after them: a stop in the first second exited 143). Seen from outside: the
    handler is there while SQLAlchemy is not loaded yet, and a SIGTERM then exits 0."""
    config = tmp_path / "config.yaml"
    config.write_text(config_text(people=False), encoding="utf-8")
    env = process_env(robots)
    early, tick = False, threading.Event()
    for _ in range(3):  # the early moment lasts a few tenths of a second; look for it closely
        daemon = daemons(config, env)
        deadline = time.monotonic() + 30
        while not catches_sigterm(daemon.proc.pid) and daemon.proc.poll() is None and time.monotonic() < deadline:
            tick.wait(0.002)
        early = not loaded(daemon.proc.pid, "sqlalchemy")
        assert daemon.terminate() == 0, daemon.lines
        assert not any("Traceback" in line for line in daemon.lines)
        if early:
            break
    assert early, "the SIGTERM handler was only installed once SQLAlchemy had loaded"


def a_morning_to_post(tmp_path, robots):
    """A station that posts at any hour, with yesterday's incident entered: (config, env, day)."""
    config = tmp_path / "config.yaml"
    config.write_text(config_text(ALWAYS_OPEN, people=False), "utf-8")
    env = process_env(robots)
    day = real_yesterday()
    added = cli(config, env, "incident", "add", "--date", day.isoformat(), "--category", "刷单返利", "--loss", "800")
    assert added.returncode == 0, added.stderr
    return config, env, day


def test_sigterm_to_the_process_group_lets_the_duty_finish_its_message(tmp_path, robots, daemons):
    """systemd's default KillMode sends SIGTERM to every process of the unit: the duty child then
    finishes the message it is sending and settles it; nothing is left 'sending'."""
    config, env, _ = a_morning_to_post(tmp_path, robots)
    hold = robots.hold_next("staff-key")
    daemon = daemons(config, env, session=True)
    assert hold.arrived.wait(60), daemon.lines  # the publish duty's process is in the middle of a send
    os.killpg(daemon.proc.pid, signal.SIGTERM)
    hold.set()
    assert daemon.finish(timeout=60) == 0, daemon.lines
    settings = load_settings(config)
    with connect(settings, load_categories(settings)).session() as session:
        statuses = [d.status for d in session.scalars(select(Delivery))]
    assert "sending" not in statuses and statuses.count("sent") >= 1, statuses
    assert hold.outcome == "processed"


def test_a_second_daemon_through_a_symlink_is_refused(tmp_path, robots, daemons):
    """The lock is on the database file's real path, not on the path as written."""
    config = tmp_path / "config.yaml"
    config.write_text(config_text(people=False), encoding="utf-8")
    env = process_env(robots)
    first = daemons(config, env)
    first.wait_for("started")
    (tmp_path / "via").symlink_to(tmp_path)
    linked = tmp_path / "linked.yaml"
    linked.write_text(
        config_text(people=False).replace("sqlite:///antifraud.db", f"sqlite:///{tmp_path / 'via' / 'antifraud.db'}"),
        "utf-8",
    )
    second = cli(linked, env, "run")
    assert second.returncode == 2 and "another `antifraud run`" in second.stderr, second.stderr
    assert first.terminate() == 0


def test_sigterm_stops_the_daemon_cleanly(tmp_path, robots, daemons):
    config = tmp_path / "config.yaml"
    config.write_text(config_text(people=False), encoding="utf-8")
    daemon = daemons(config, process_env(robots))
    daemon.wait_for("started")
    assert daemon.terminate() == 0
    assert "stopped" in daemon.lines[-1] and not any("Traceback" in line for line in daemon.lines)
    assert daemon.lines[0].split()[0].endswith("+08:00"), daemon.lines[0]  # the log reads in station time


def test_end_to_end_restarted_daemon_sends_each_message_once(tmp_path, robots, daemons):
    config, env, day = a_morning_to_post(tmp_path, robots)

    first = daemons(config, env)
    first.wait_for("started")
    wait_until(lambda: all(robots.count(k) >= 2 for k in ROBOT_KEYS.values()), what="every robot group's warning")
    assert first.terminate() == 0, first.lines
    assert any(f"published shigu {day.isoformat()} (8 messages)" in line for line in first.lines), first.lines

    settings = load_settings(config)
    db = connect(settings, load_categories(settings))
    restarted_at = utcnow()
    second = daemons(config, env)
    second.wait_for("started")

    def outbox_ran():  # a run is recorded when it starts: wait for one that has finished
        with db.session() as session:
            return session.scalar(
                select(DutyRun).where(
                    DutyRun.duty == "outbox", DutyRun.started_at >= restarted_at, DutyRun.finished_at.is_not(None)
                )
            )

    wait_until(outbox_ran, timeout=45, what="the restarted daemon's finished outbox run")
    assert second.terminate() == 0, second.lines

    for key in ROBOT_KEYS.values():
        assert msgtypes(robots, key) == ["image", "text"], key
        assert [r["outcome"] for r in robots.requests_for(key)] == ["accepted", "accepted"]
    forward = tmp_path / "posters" / day.isoformat() / "shigu" / "forward" / "石鼓居民微信群"
    assert len(list(forward.iterdir())) == 2  # the image and the text, once
    with db.session() as session:
        assert {d.status for d in session.scalars(select(Delivery))} == {"sent"}


def test_json_logs_never_show_a_webhook_key(tmp_path, robots, daemons):
    secret = "k-7f3c9e1d-never-log-me"
    unknown = f"{robots.base_url}/cgi-bin/webhook/send?key={secret}"  # not a robot: WeCom answers 93000
    extra = "      - {name: 旧居民群, channel: wecom, webhook_env: AF_D_GONE, audience: residents}\n"
    config = tmp_path / "config.yaml"
    schedule = ALWAYS_OPEN
    config.write_text(config_text(schedule, people=False, extra_groups=extra), "utf-8")
    settings = load_settings(config)
    ctx = Context(connect(settings, load_categories(settings)), settings, load_categories(settings))
    add_incident(ctx, real_yesterday(), real_yesterday() + timedelta(days=1))

    daemon = daemons(config, process_env(robots, AF_D_GONE=unknown), "--log-format", "json")
    daemon.wait_for('"published ')
    wait_until(lambda: robots.requests_for(secret), timeout=30, what="the unknown robot's refusal")
    assert daemon.terminate() == 0
    records = [json.loads(line) for line in daemon.lines]
    assert all({"time", "level", "event"} <= set(r) for r in records), records
    assert records[0]["event"] == "started" and records[-1]["event"] == "stopped"
    assert {r["errcode"] for r in robots.requests_for(secret)} == {93000}
    with ctx.db.session() as session:
        parked = session.scalars(select(Delivery).where(Delivery.status == "parked")).all()
        errors = [d.last_error for d in parked]
    assert {d.group_name for d in parked} == {"旧居民群"} and all("93000" in e for e in errors)
    assert secret not in "\n".join(daemon.lines + errors)


def test_the_daemon_process_does_not_load_imaging_or_solver_libraries():
    """Render and planning run in child processes; the long-running parent stays small."""
    import subprocess
    import sys

    code = (
        "import sys, antifraud.cli, antifraud.scheduler.daemon, antifraud.scheduler.runner, "
        "antifraud.outreach.publish, antifraud.outbox.sender; "
        "print(sorted(m for m in ('PIL', 'ortools', 'fontTools', 'openpyxl') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_unit_sets_killmode_deliberately():
    unit = (REPO / "deploy" / "antifraud.service").read_text(encoding="utf-8")
    lines = [line.strip() for line in unit.splitlines() if not line.lstrip().startswith("#")]
    assert "KillMode=mixed" in lines and "TimeoutStopSec=150" in lines


def test_sigterm_to_the_daemon_only_lets_the_child_finish_its_message(tmp_path, robots):
    """KillMode=mixed (the shipped unit): SIGTERM reaches the daemon only; it must pass it on and wait."""
    config, env, _ = a_morning_to_post(tmp_path, robots)
    hold = robots.hold_next("staff-key")
    daemon = Daemon(config, env, session=True)
    try:
        assert hold.arrived.wait(60), daemon.lines
        os.kill(daemon.proc.pid, signal.SIGTERM)  # the daemon only, not its group
        hold.set()
        assert daemon.finish(timeout=60) == 0, daemon.lines
    finally:
        if daemon.proc.poll() is None:
            os.killpg(daemon.proc.pid, signal.SIGKILL)
    settings = load_settings(config)
    with connect(settings, load_categories(settings)).session() as session:
        statuses = [d.status for d in session.scalars(select(Delivery))]
    assert "sending" not in statuses and statuses.count("sent") >= 1, statuses
    assert hold.outcome == "processed"
