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


def _damage_one_page(path, pagetype):
    """Scribble over one page of the incidents table only: the database still opens."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = [
        r[0]
        for r in con.execute(
            "SELECT pageno FROM dbstat WHERE name = 'incidents' AND pagetype = ? ORDER BY pageno", (pagetype,)
        )
    ]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    page = pages[len(pages) // 2]
    data = bytearray(path.read_bytes())
    start = (page - 1) * size
    data[start + 8 : start + 400] = b"\xde\xad" * 196  # cell pointers and cells
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("pagetype", ["leaf", "internal"])
def test_check_reports_damage_that_only_quick_check_sees(run, config_file, tmp_path, pagetype):
    """The shipped test's damage makes opening fail first, so health_check() is never reached; here the
    database opens and only quick_check can tell (an interior page makes quick_check raise)."""
    rows = "".join(f"2026-11-{1 + n % 20:02d},其他,{n},第{n}件，{'很长的描述' * 10}\n" for n in range(600))
    (tmp_path / "many.csv").write_text("日期,类别,损失金额,简要案情\n" + rows, encoding="utf-8")
    assert run("incident", "import", str(tmp_path / "many.csv")).code == 0
    assert "quick_check ok" in run("check").out
    _damage_one_page(config_file.parent / "antifraud.db", pagetype)
    checked = run("check")
    assert checked.code == 2, checked
    assert "PROBLEM  database:" in checked.out and "is damaged" in checked.out, checked.out
    assert "database: database:" not in checked.out, checked.out
    assert "Traceback" not in checked.err


# ---- item 3: `check` on PostgreSQL that cannot be reached ------------------------------------------------


def test_check_on_an_unreachable_postgresql_is_one_problem_line(run, monkeypatch):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", "postgresql+psycopg://af:secret@127.0.0.1:1/af")
    checked = run("check")
    assert "Traceback" not in checked.err and "secret" not in checked.out + checked.err
    assert checked.code in (2, 3), checked
    assert "cannot reach the PostgreSQL server" in checked.out + checked.err, checked


@pytest.mark.parametrize("args", COMMANDS[1:], ids=lambda a: " ".join(a[:2]))
def test_read_only_for_every_named_command(run, station, config_file, monkeypatch, args):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", f"sqlite:///file:{station}?mode=ro&uri=true")
    args = [str(config_file.parent / a) if a == "cases.csv" else a for a in args]
    result = run(*args)
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1, result
    assert result.code == 3 and "is read-only" in result.err, result


def test_damaged_database_on_import(run, station, config_file):
    damage(station)
    result = run("incident", "import", str(config_file.parent / "cases.csv"))
    assert result.code == 3 and "is damaged" in result.err and len(result.err.strip().splitlines()) == 1, result
