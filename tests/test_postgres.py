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
