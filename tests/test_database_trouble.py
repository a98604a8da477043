"""Database trouble is one line naming the problem and what to do, exit code 3, never a traceback (issue 14 item 3)."""

from __future__ import annotations

import sqlite3
import textwrap

import pytest

from antifraud.scheduler.runner import describe_failure

from conftest import BASE_CONFIG

COMMANDS = [
    ("incident", "add", "--date", "2026-11-22", "--category", "other"),
    ("warning", "render", "--date", "2026-11-22"),
    ("outbox", "drain", "--wait", "0"),
    ("incident", "import", "cases.csv"),
]


@pytest.fixture
def station(run, config_file):
    """A station with a database that exists, one incident, and a spreadsheet to import."""
    config_file.write_text(textwrap.dedent(BASE_CONFIG) + "database_timeout_seconds: 0.5\n", encoding="utf-8")
    assert run("incident", "add", "--date", "2026-11-22", "--category", "刷单返利", "--loss", "800").code == 0
    (config_file.parent / "cases.csv").write_text("日期,类别\n2026-11-21,其他\n", encoding="utf-8")
    return config_file.parent / "antifraud.db"


def one_line(result) -> str:
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1, result.err
    return result.err


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_lock_held_longer_than_the_timeout(run, station, config_file, args):
    holder = sqlite3.connect(station, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than database_timeout_seconds
    try:
        args = [str(config_file.parent / a) if a == "cases.csv" else a for a in args]
        result = run(*args)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.code == 3, result
    assert f"database: {station} is locked by another program for more than 0.5 s" in one_line(result)


def test_a_read_only_database(run, station, monkeypatch):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", f"sqlite:///file:{station}?mode=ro&uri=true")
    result = run("incident", "add", "--date", "2026-11-22", "--category", "other")
    assert result.code == 3, result
    assert f"database: {station} is read-only for this user" in one_line(result)


def damage(path) -> None:
    """Scribble over the pages after the first, as a failing disk or a bad copy would."""
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):
        data[offset + 8 : offset + 200] = b"\xde\xad" * 96
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("args", [("incident", "list"), *COMMANDS[:3]], ids=lambda a: " ".join(a[:2]))
def test_a_damaged_database(run, station, args):
    damage(station)
    result = run(*args)
    assert result.code == 3, result
    assert f"database: {station} is damaged" in one_line(result)
    assert "restore the newest copy from backup_dir" in result.err


def test_check_runs_sqlites_integrity_check(run, station):
    assert "quick_check ok" in run("check").out
    damage(station)
    checked = run("check")
    assert checked.code == 2
    assert "PROBLEM  database:" in checked.out and "is damaged" in checked.out


def test_the_daemon_log_says_locked_not_sql_and_a_url():
    from sqlalchemy.exc import OperationalError

    error = OperationalError("INSERT INTO deliveries ...", {}, sqlite3.OperationalError("database is locked"))
    line = describe_failure(error)
    assert "is locked by another program" in line
    assert "sqlite" not in line and "INSERT" not in line
