"""The same models, migrations, outbox and daemon lock on a real PostgreSQL server."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from antifraud.config import load_settings
from antifraud.db import connect
from antifraud.db.models import Base
from antifraud.db.session import make_engine, migrate
from antifraud.errors import ConfigError
from antifraud.incidents.categories import load_categories
from antifraud.scheduler.daemon import single_instance


def test_migrations_from_empty_match_the_models(postgres_url):
    engine = make_engine(postgres_url)
    assert migrate(engine) is True
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert migrate(engine) is False


def test_stopped_with_a_loss_is_mended_on_upgrade(postgres_url):
    from test_db import stopped_with_a_loss_is_mended_on_upgrade

    stopped_with_a_loss_is_mended_on_upgrade(make_engine(postgres_url))


def test_incidents_round_trip(run, postgres_url, monkeypatch):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", postgres_url)
    for loss in ("0.10", "0.20", "99999999.99"):
        assert (
            run(
                "incident",
                "add",
                "--date",
                "2026-11-22",
                "--category",
                "刷单返利",
                "--loss",
                loss,
                "--summary",
                "受害人电话13912345678",
            ).code
            == 0
        )
    records = json.loads(run("incident", "list", "--format", "json").out)
    assert [r["loss"] for r in records] == ["0.10", "0.20", "99999999.99"]
    assert all(r["summary"] == "受害人电话139****5678" for r in records)
    assert "total loss 100,000,000.29 yuan" in run("incident", "list").out


def test_publish_through_the_outbox(run, postgres_url, monkeypatch, robots, config_file):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", postgres_url)
    monkeypatch.setenv("AF_TEST_STAFF", robots.wecom_url("staff"))
    run("incident", "add", "--date", "2026-11-22", "--category", "other")
    result = run("warning", "publish")
    assert result.code == 0, result.out + result.err
    assert [m["msgtype"] for m in robots.messages("staff")] == ["image", "text"]
    assert run("warning", "publish").out.count("queued 0 new message(s)") == 1
    assert len(robots.received) == 2


def test_only_one_daemon_holds_the_advisory_lock(postgres_url, config_file, monkeypatch):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", postgres_url)
    settings = load_settings(config_file)
    first, second = connect(settings, load_categories(settings)), connect(settings, load_categories(settings))
    with single_instance(first):
        with pytest.raises(ConfigError, match="another `antifraud run` is active"):
            with single_instance(second):
                pass
    with single_instance(second):  # released when the first stopped
        pass


def test_stats_and_alarms_are_the_same_as_on_sqlite(run, postgres_url, monkeypatch):
    """The counts query takes values as each driver gives them (the day as text or a date, `stopped` as
    0/1 or a bool): one morning's stats, alarms included, read the same on both databases."""
    cases = [
        ("2026-11-20", "刷单返利", "800"),
        ("2026-11-16", "刷单返利", "200.50"),
        ("2026-11-12", "虚假投资理财", "50000"),
    ]
    cases += [("2026-11-21", "刷单返利", "100")] * 3 + [
        ("2026-10-01", "冒充客服", "0"),
        ("2026-09-27", "刷单返利", "9"),
    ]

    def stats_after_recording() -> dict:
        for day, category, loss in cases:
            assert run("incident", "add", "--date", day, "--category", category, "--loss", loss).code == 0
        assert run("incident", "add", "--date", "2026-11-19", "--category", "刷单返利", "--stopped").code == 0
        result = run("stats", "--format", "json")
        assert result.code == 0, result.err
        return json.loads(result.out)

    on_sqlite = stats_after_recording()
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", postgres_url)
    on_postgres = stats_after_recording()
    assert on_postgres == on_sqlite
    assert on_sqlite["total"] == {"count": 8, "loss": "51300.50", "stopped": 1}
    assert [(a["day"], a["category"]) for a in on_sqlite["alarms"]] == [("2026-11-21", "order_brushing")]
