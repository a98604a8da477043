"""Delivery end to end: outbox rows, the sender, the robots' limits, approval; against real local robots."""

import json
import textwrap
from datetime import date, timedelta

import pytest

from antifraud.config import load_settings
from antifraud.db import connect
from antifraud.db.models import Delivery, utcnow
from antifraud.errors import InputError
from antifraud.incidents import service
from antifraud.incidents.categories import load_categories
from antifraud.incidents.validate import validate_incident
from antifraud.outbox.sender import MAX_ATTEMPTS, Sender
from antifraud.warnings.files import render_warning
from antifraud.warnings.service import approve, find_warning, publish, record_render

DAY = date(2026, 11, 22)

CONFIG = """
timezone: Asia/Shanghai
database: sqlite:///antifraud.db
output_dir: posters
publish: {{require_approval: {approval}}}
stations:
  - code: shigu
    name: 石鼓社区警务室
    contact: {{name: 李警官, phone: "13800000001"}}
    groups:
      - {{name: 石鼓工作群, channel: wecom, webhook_env: AF_T_STAFF, audience: staff}}
      - {{name: 石鼓居民1群, channel: wecom, webhook_env: AF_T_RES1, audience: residents}}
      - {{name: 大拇指义警群, channel: dingtalk, webhook_env: AF_T_DING, secret_env: AF_T_DING_SECRET,
          audience: volunteers}}
      - {{name: 飞书居民群, channel: feishu, webhook_env: AF_T_FEISHU, secret_env: AF_T_FEISHU_SECRET,
          audience: residents}}
      - {{name: 治安平台, channel: webhook, webhook_env: AF_T_HOOK, audience: staff}}
      - {{name: 石鼓居民微信群, channel: folder, audience: residents}}
{extra_groups}
"""


@pytest.fixture
def env(robots, monkeypatch):
    """Webhook secrets pointing at the local robots, set the way an operator sets them."""
    ding_url, ding_secret = robots.dingtalk_url("ding", secret="ding-secret")
    feishu_url, feishu_secret = robots.feishu_url("fs", secret="feishu-secret")
    values = {
        "AF_T_STAFF": robots.wecom_url("staff-key"),
        "AF_T_RES1": robots.wecom_url("res1-key"),
        "AF_T_DING": ding_url,
        "AF_T_DING_SECRET": ding_secret,
        "AF_T_FEISHU": feishu_url,
        "AF_T_FEISHU_SECRET": feishu_secret,
        "AF_T_HOOK": robots.webhook_url("platform"),
        "AF_T_SHARED": robots.wecom_url("shared-key"),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def make_world(tmp_path, approval=False, extra_groups=""):
    path = tmp_path / "config.yaml"
    path.write_text(
        textwrap.dedent(CONFIG.format(approval=str(approval).lower(), extra_groups=extra_groups)), encoding="utf-8"
    )
    settings = load_settings(path)
    categories = load_categories(settings)
    db = connect(settings, categories)
    fields = validate_incident(
        {
            "date": DAY.isoformat(),
            "category": "medical_insurance",
            "loss": "38000",
            "summary": "对方诱导下载会议软件开启屏幕共享。",
        },
        categories,
        date(2026, 11, 23),
    )
    with db.session() as session:
        service.add_incident(session, fields, "shigu", by="test")
    return settings, categories, db


def render_and_publish(settings, categories, db):
    station = settings.stations[0]
    with db.session() as session:
        rendered = render_warning(session, settings, categories, station, DAY)
        record = record_render(session, settings, station, rendered)
        return len(publish(session, settings, station, record, "test"))


def statuses(db):
    with db.session() as session:
        return {(d.group_name, d.kind): d.status for d in session.query(Delivery)}


@pytest.fixture
def clock(frozen_clock):
    """The sender's waits move the frozen clock instead of sleeping."""
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        frozen_clock.shift(seconds)

    sleep.waits = waits
    return sleep


def test_every_group_gets_image_then_text_once(tmp_path, env, robots, clock):
    settings, categories, db = make_world(tmp_path)
    assert render_and_publish(settings, categories, db) == 10
    assert Sender(db, settings, sleep=clock).drain() is True
    for key in ("staff-key", "res1-key"):
        assert [m["msgtype"] for m in robots.messages(key)] == ["image", "text"]
        assert "【电诈预警】" in robots.messages(key)[1]["body"]["text"]["content"]
    assert [m["msgtype"] for m in robots.messages("ding")] == ["markdown"]
    assert [m["msgtype"] for m in robots.messages("fs")] == ["post"]
    assert [m["body"]["kind"] for m in robots.messages("platform")] == ["image", "text"]
    forward = tmp_path / "posters" / "2026-11-22" / "shigu" / "forward" / "石鼓居民微信群"
    assert sorted(p.name for p in forward.iterdir()) == [
        "2026-11-22_石鼓居民微信群_预警图片.png",
        "2026-11-22_石鼓居民微信群_预警文字.txt",
    ]
    assert set(statuses(db).values()) == {"sent"}


def test_publishing_twice_sends_nothing_new(tmp_path, env, robots, clock):
    settings, categories, db = make_world(tmp_path)
    render_and_publish(settings, categories, db)
    Sender(db, settings, sleep=clock).drain()
    before = len(robots.received)
    assert render_and_publish(settings, categories, db) == 0
    assert Sender(db, settings, sleep=clock).drain() is True
    assert len(robots.received) == before


def test_rate_limit_answers_are_waited_out(tmp_path, env, robots, clock):
    settings, categories, db = make_world(tmp_path)
    render_and_publish(settings, categories, db)
    robots.fail_next("res1-key", "errcode:45009", times=2)
    start = utcnow()
    assert Sender(db, settings, sleep=clock).drain() is True
    assert [m["msgtype"] for m in robots.messages("res1-key")] == ["image", "text"]
    assert utcnow() - start >= timedelta(seconds=120)  # two 60 s pauses of that robot
    assert [m["msgtype"] for m in robots.messages("staff-key")] == ["image", "text"]  # others were not held up


def test_permanent_error_parks_only_that_group(tmp_path, env, robots, clock, monkeypatch):
    settings, categories, db = make_world(tmp_path)
    monkeypatch.setenv("AF_T_RES1", robots.wecom_url("res1-key").replace("res1-key", "revoked-key"))
    render_and_publish(settings, categories, db)
    assert Sender(db, settings, sleep=clock).drain() is True
    result = statuses(db)
    assert result[("石鼓居民1群", "image")] == "parked" and result[("石鼓居民1群", "text")] == "parked"
    assert {v for k, v in result.items() if k[0] != "石鼓居民1群"} == {"sent"}
    with db.session() as session:
        errors = {d.last_error for d in session.query(Delivery).filter_by(status="parked")}
    assert len(errors) == 1 and "errcode 93000" in errors.pop()
    assert not any("revoked-key" in e for e in errors)


@pytest.mark.parametrize("fault", ["http500", "reset", "timeout"])
def test_transient_failures_are_retried_with_backoff(tmp_path, env, robots, clock, fault):
    settings, categories, db = make_world(tmp_path)
    render_and_publish(settings, categories, db)
    robots.fail_next("staff-key", fault, times=2, delay=5)
    assert Sender(db, settings, sleep=clock, timeout=0.5).drain() is True
    assert [m["msgtype"] for m in robots.messages("staff-key")] == ["image", "text"]
    assert sum(clock.waits) >= 5 + 15  # the first two backoff steps
    with db.session() as session:
        image = session.query(Delivery).filter_by(group_name="石鼓工作群", kind="image").one()
        assert (image.status, image.attempts) == ("sent", 2)


def test_too_many_failures_park_the_row(tmp_path, env, robots, clock):
    settings, categories, db = make_world(tmp_path)
    render_and_publish(settings, categories, db)
    robots.fail_next("staff-key", "http500", times=MAX_ATTEMPTS)  # all taken by the image
    assert Sender(db, settings, sleep=clock).drain() is True
    assert statuses(db)[("石鼓工作群", "image")] == "parked"
    assert statuses(db)[("石鼓工作群", "text")] == "sent"  # the words still go out


def test_many_messages_to_one_robot_respect_its_limit(tmp_path, env, robots, clock):
    shared = "\n".join(
        f"      - {{name: 共享群{i:02d}, channel: wecom, webhook_env: AF_T_SHARED, audience: residents}}"
        for i in range(13)
    )
    settings, categories, db = make_world(tmp_path, extra_groups=shared)
    render_and_publish(settings, categories, db)
    start = utcnow()
    assert Sender(db, settings, sleep=clock).drain() is True
    assert robots.count("shared-key") == 26
    assert utcnow() - start >= timedelta(seconds=60)
    assert [r for r in robots.requests_for("shared-key") if r["errcode"] not in (0, None)] == []


def test_rate_window_holds_across_senders(tmp_path, env, robots, clock):
    """The window lives in the database: a second sender (another process, a restart) sees it."""
    shared = "\n".join(
        f"      - {{name: 共享群{i:02d}, channel: wecom, webhook_env: AF_T_SHARED, audience: residents}}"
        for i in range(13)
    )
    settings, categories, db = make_world(tmp_path, extra_groups=shared)
    render_and_publish(settings, categories, db)
    first = Sender(db, settings, sleep=clock)
    for _ in range(15):
        claimed, _ = first.claim_next(None)
        first.send(claimed)
    second = Sender(connect(settings, categories), settings, sleep=clock)
    assert second.drain() is True
    assert [r for r in robots.requests_for("shared-key") if r["errcode"] not in (0, None)] == []


def test_approval_holds_drafts(tmp_path, env, robots, clock):
    settings, categories, db = make_world(tmp_path, approval=True)
    station = settings.stations[0]

    def render():
        return record_render(session, settings, station, render_warning(session, settings, categories, station, DAY))

    with db.session() as session:
        record = render()
        assert record.status == "draft"
        with pytest.raises(InputError, match="waiting for approval"):
            publish(session, settings, station, record, "test")
    with db.session() as session:
        assert approve(session, station, DAY, "李警官").status == "approved"
    with db.session() as session:
        # Re-rendered after approval: the officer approved other words, so it is a draft again.
        assert render().status == "draft"
        approve(session, station, DAY, "李警官")
    with db.session() as session:
        record = render_warning(session, settings, categories, station, DAY) and find_warning(session, station, DAY)
        assert len(publish(session, settings, station, record, "test")) == 10
        assert record.status == "published" and record.approved_by == "李警官"


def test_cli_publish_flow_with_approval_and_preview(run, tmp_path, env, robots, config_file):
    config_file.write_text(textwrap.dedent(CONFIG.format(approval="true", extra_groups="")), encoding="utf-8")
    assert run("incident", "add", "--date", "2026-11-22", "--category", "刷单返利", "--loss", "800").code == 0
    rendered = run("warning", "render")
    assert "waiting for approval: antifraud warning approve --date 2026-11-22 --station shigu" in rendered.out
    refused = run("warning", "publish")
    assert refused.code == 2 and "waiting for approval" in refused.err
    assert robots.received == []
    preview = run("warning", "preview")
    assert preview.code == 0, preview.err
    assert {m["key"] for m in robots.received} == {"staff-key", "platform"}  # staff groups only
    assert run("warning", "approve").out.strip() == "2026-11-22 shigu: approved"
    published = run("warning", "publish")
    assert published.code == 0, published.out + published.err
    assert "10 sent, 0 pending, 0 sending, 0 parked" in published.out
    assert run("warning", "publish").out.count("queued 0 new message(s)") == 1
    listed = json.loads(run("outbox", "list", "--format", "json").out)
    assert len(listed) == 14 and {r["status"] for r in listed} == {"sent"}
    for secret in ("staff-key", "res1-key", "ding-secret", "feishu-secret"):
        assert secret not in published.out + published.err + json.dumps(listed)


def test_approvals_and_publishes_outside_the_web_are_in_the_audit_log(run, env, robots, config_file, monkeypatch):
    """Issue 12: who approved and who published, also from the CLI (and the daemon's own run as "daemon")."""
    config_file.write_text(textwrap.dedent(CONFIG.format(approval="true", extra_groups="")), encoding="utf-8")
    assert run("incident", "add", "--date", "2026-11-22", "--category", "刷单返利", "--loss", "800").code == 0
    assert run("warning", "render").code == 0
    assert run("warning", "approve", "--by", "李所长").code == 0
    monkeypatch.setattr("getpass.getuser", lambda: "zhou")
    assert run("warning", "publish", "--wait", "0").code in (0, 1)
    from antifraud.accounts.service import audit_entries

    settings = load_settings(config_file)
    with connect(settings, load_categories(settings)).session() as session:
        entries = [(e.by, e.action, e.station_code, e.target) for e in reversed(audit_entries(session))]
    assert entries == [
        ("李所长", "warning.approve", "shigu", "2026-11-22"),
        ("zhou", "warning.publish", "shigu", "2026-11-22"),
    ]


def test_cli_dry_run_sends_nothing(run, env, robots, config_file):
    config_file.write_text(textwrap.dedent(CONFIG.format(approval="false", extra_groups="")), encoding="utf-8")
    run("incident", "add", "--date", "2026-11-22", "--category", "other")
    result = run("warning", "publish", "--dry-run")
    assert result.code == 0
    assert "would send    image to 石鼓居民1群 (wecom, residents)" in result.out
    assert "would send markdown to 大拇指义警群 (dingtalk, volunteers)" in result.out
    assert robots.received == [] and json.loads(run("outbox", "list", "--format", "json").out) == []


def test_cli_parked_rows_can_be_retried(run, env, robots, config_file, monkeypatch):
    config_file.write_text(textwrap.dedent(CONFIG.format(approval="false", extra_groups="")), encoding="utf-8")
    run("incident", "add", "--date", "2026-11-22", "--category", "other")
    monkeypatch.delenv("AF_T_RES1")
    result = run("warning", "publish")
    assert result.code == 1 and "2 parked" in result.out
    parked = json.loads(run("outbox", "list", "--status", "parked", "--format", "json").out)
    assert {r["group"] for r in parked} == {"石鼓居民1群"}
    assert "AF_T_RES1" in parked[0]["last_error"]
    monkeypatch.setenv("AF_T_RES1", env["AF_T_RES1"])
    assert run("outbox", "retry", "--all-parked").code == 0
    assert run("outbox", "drain").code == 0
    assert [m["msgtype"] for m in robots.messages("res1-key")] == ["image", "text"]


def test_texts_waiting_for_their_images_never_block_the_queue(tmp_path, env, robots, clock, monkeypatch):
    """More waiting texts than one claim looks at, while every image is being retried."""
    import antifraud.outbox.sender as outbox

    monkeypatch.setattr(outbox, "CLAIM_WINDOW", 4)
    shared = "\n".join(
        f"      - {{name: 共享群{i:02d}, channel: wecom, webhook_env: AF_T_SHARED, audience: residents}}"
        for i in range(8)
    )
    settings, categories, db = make_world(tmp_path, extra_groups=shared)
    render_and_publish(settings, categories, db)
    robots.fail_next("shared-key", "http500", times=8)  # every group's image fails once
    assert Sender(db, settings, sleep=clock).drain(until=utcnow() + timedelta(hours=1)) is True
    for i in range(8):
        assert statuses(db)[(f"共享群{i:02d}", "text")] == "sent"
    assert robots.count("shared-key") == 16
    kinds = [m["msgtype"] for m in robots.messages("shared-key")]
    assert kinds.count("image") == 8 and kinds.count("text") == 8
