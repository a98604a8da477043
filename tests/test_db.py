"""The database: migrations from empty, models matching migrations, SQLite settings, exact money."""

import json
from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from antifraud.config import load_settings
from antifraud.db import connect
from antifraud.db.models import Base, Incident
from antifraud.db.session import MIGRATIONS, SCHEMA_HEAD, alembic_config, make_engine, migrate
from antifraud.incidents.categories import load_categories


def open_configured(config_file):
    settings = load_settings(config_file)
    return connect(settings, load_categories(settings))


def test_migrations_from_empty_create_every_table(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert migrate(engine) is True
    assert set(inspect(engine).get_table_names()) >= {
        "alembic_version",
        "stations",
        "categories",
        "incidents",
        "incident_audit",
    }
    assert migrate(engine) is False  # already at head: nothing to do


def test_the_fast_path_knows_the_newest_migration():
    """SCHEMA_HEAD lets a current database open without loading Alembic; it must be Alembic's own head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_migrations_match_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], "models changed without a migration"


def stopped_with_a_loss_is_mended_on_upgrade(engine) -> None:
    """Issue 10 item 5: rows recorded before the rule (stopped, yet with a loss) keep the loss and lose
    the stopped mark on upgrade, with an audit row; other rows are left as they are."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0011")
        connection.execute(text("INSERT INTO stations (id, code, name) VALUES (1, 'shigu', '石鼓')"))
        connection.execute(
            text(
                "INSERT INTO categories (code, name, short, position) VALUES ('order_brushing', '刷单返利', '刷单', 0)"
            )
        )
        for number, loss, stopped in ((1, 500000, True), (2, 0, True), (3, 120000, False)):
            connection.execute(
                text(
                    "INSERT INTO incidents (id, station_id, day, category_code, loss, stopped, entered_by, source, "
                    "created_at, updated_at) VALUES (:id, 1, '2026-11-20', 'order_brushing', :loss, :stopped, "
                    "'clerk', 'cli', '2026-11-21 01:00:00', '2026-11-21 01:00:00')"
                ),
                {"id": number, "loss": loss, "stopped": stopped},
            )
    assert migrate(engine) is True
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, loss, stopped FROM incidents ORDER BY id")).all()
        trail = connection.execute(text("SELECT incident_id, action, changes FROM incident_audit")).all()
    assert [(i, loss, bool(stopped)) for i, loss, stopped in rows] == [
        (1, 500000, False),
        (2, 0, True),
        (3, 120000, False),
    ]
    [(incident_id, action, changes)] = trail
    changes = json.loads(changes) if isinstance(changes, str) else changes
    assert (incident_id, action, changes) == (1, "update", {"stopped": [True, False]})


def test_stopped_with_a_loss_is_mended_on_upgrade(tmp_path):
    stopped_with_a_loss_is_mended_on_upgrade(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))


def test_sqlite_runs_in_wal_mode_with_foreign_keys(config_file):
    db = open_configured(config_file)
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (config_file.parent / "antifraud.db").is_file()


def test_open_syncs_stations_and_categories(config_file):
    db = open_configured(config_file)
    with db.session() as session:
        codes = session.scalars(text("SELECT code FROM stations ORDER BY id")).all()
        assert codes == ["shigu", "qingfu"]
        assert session.scalar(text("SELECT count(*) FROM categories")) == 14


def test_money_is_exact(run, config_file):
    for loss in ("0.10", "0.20", "99999999.99"):
        assert run("incident", "add", "--date", "2026-11-22", "--category", "other", "--loss", loss).code == 0
    db = open_configured(config_file)
    with db.session() as session:
        total = session.scalar(select(func.sum(Incident.loss)))
    assert total == Decimal("100000000.29")


def test_delete_is_soft_with_audit_trail(run):
    run("incident", "add", "--date", "2026-11-22", "--category", "other", "--by", "内勤小周")
    assert run("incident", "edit", "1", "--loss", "300", "--by", "内勤小周").code == 0
    assert run("incident", "delete", "1", "--reason", "重复录入", "--by", "李警官").code == 0
    assert json.loads(run("incident", "list", "--format", "json").out) == []
    [deleted] = json.loads(run("incident", "list", "--deleted", "--format", "json").out)
    assert deleted["deleted"] is True
    shown = json.loads(run("incident", "show", "1", "--format", "json").out)
    assert [(a["action"], a["by"]) for a in shown["audit"]] == [
        ("create", "内勤小周"),
        ("update", "内勤小周"),
        ("delete", "李警官"),
    ]
    assert shown["audit"][1]["changes"] == {"loss": ["0.00", "300.00"]}
    assert shown["audit"][2]["changes"] == {"reason": "重复录入"}
    assert run("incident", "restore", "1").code == 0
    assert len(json.loads(run("incident", "list", "--format", "json").out)) == 1


def test_unreachable_database_is_a_clear_error(run, monkeypatch, tmp_path):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", f"sqlite:///{tmp_path}/missing/dir/is/a/file.db/x.db")
    (tmp_path / "missing").write_text("not a folder")
    result = run("incident", "list")
    assert result.code == 2
    assert result.err.startswith("error: ") and "Traceback" not in result.err


def test_a_database_from_a_newer_version_is_a_clear_error(run, config_file):
    assert run("incident", "list").code == 0
    engine = make_engine(f"sqlite:///{config_file.parent / 'antifraud.db'}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    result = run("incident", "list")
    assert result.code == 2 and "has a schema this version of antifraud does not know" in result.err
    assert "Traceback" not in result.err
