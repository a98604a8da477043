"""A morning without surprises (issue 10): what a new user and a duty officer hit in daily use.

Each test names the item of the issue it covers; the daemon's items (2, 9, 10, 15) are in test_daemon.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from antifraud.config import load_settings
from antifraud.db import connect
from antifraud.db.models import Delivery
from antifraud.incidents.categories import load_categories
from antifraud.scheduler.daemon import LineFormatter
from antifraud.warnings.content import LADDER, compose
from antifraud.warnings.facts import CategoryCount, Highlight, WarningFacts
from antifraud.warnings.poster import draw_warning_poster, load_layout
from antifraud.warnings.text import render_text

DAY = date(2026, 11, 22)


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def dump(database: Path) -> list[str]:
    """The database's content (its file may change when SQLite checkpoints the WAL; the content may not)."""
    connection = sqlite3.connect(database)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def add(run, *args: str):
    result = run("incident", "add", *args)
    assert result.code == 0, result.err
    return result


# -- item 1: the demo keeps to itself; a publish sends the bytes rendered ---------------------------------


def test_demo_leaves_the_stations_output_and_database_byte_identical(run, config_file):
    add(run, "--date", "2026-11-22", "--category", "刷单返利", "--loss", "800")
    assert run("warning", "render").code == 0
    assert run("outreach", "plan", "--week", "2026-W49").code == 4  # three people: a week it cannot fill
    posters = config_file.parent / "posters"
    before = tree(posters)
    database = dump(config_file.parent / "antifraud.db")

    result = run("demo")
    assert result.code == 0, result.err
    assert tree(posters) == before
    assert dump(config_file.parent / "antifraud.db") == database
    demo = config_file.parent / "posters-demo" / "2026-11-22" / "shigu"
    assert (demo / "warning.png").is_file() and "posters-demo" in result.out


def test_a_publish_refuses_an_image_written_over_since_it_was_rendered(run, config_file, robots, monkeypatch):
    monkeypatch.setenv("AF_TEST_STAFF", robots.wecom_url("staff"))
    add(run, "--date", "2026-11-22", "--category", "刷单返利", "--loss", "800")
    assert run("warning", "render").code == 0
    # The staff group's poster: its audience's own variant where that differs (audiences.yaml).
    folder = config_file.parent / "posters" / "2026-11-22" / "shigu"
    poster = folder / "warning-staff.png" if (folder / "warning-staff.png").exists() else folder / "warning.png"
    rendered = poster.read_bytes()
    Image.new("RGB", (1080, 400), "white").save(poster)  # what the demo used to do to a station's folder

    published = run("warning", "publish", "--wait", "5")
    assert published.code == 1 and "PARKED" in published.out
    assert "is not the image that was rendered for warning:2026-11-22" in published.out
    assert [m for m in robots.messages("staff") if m["msgtype"] == "image"] == []

    assert run("warning", "render").code == 0  # render again: the parked rows take the new image
    assert run("outbox", "retry", "--all-parked").code == 0
    assert run("outbox", "drain", "--wait", "5").code == 0
    [image] = [m for m in robots.messages("staff") if m["msgtype"] == "image"]
    assert image["body"]["image"]["md5"] == hashlib.md5(poster.read_bytes()).hexdigest()
    assert poster.read_bytes() == rendered  # the same facts draw the same poster


# -- item 3: each subject has its own forwarding files ------------------------------------------------------


def test_the_folder_channel_names_files_for_their_subject(run, config_file, robots, monkeypatch):
    monkeypatch.setenv("AF_TEST_STAFF", robots.wecom_url("staff"))
    # The rota of week 48 is dated Monday 2026-11-23, like a warning reporting on that day.
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace("audience: residents}", "audience: volunteers}"),
        encoding="utf-8",
    )
    add(run, "--date", "2026-11-23", "--category", "刷单返利", "--loss", "800")
    assert run("warning", "publish", "--date", "2026-11-23", "--wait", "5").code == 0
    assert run("outreach", "plan", "--week", "2026-W48").code == 4  # three people: a week it cannot fill
    assert run("outreach", "publish", "--week", "2026-W48", "--wait", "5").code == 0
    forward = config_file.parent / "posters" / "2026-11-23" / "shigu" / "forward" / "石鼓居民微信群"
    names = sorted(p.name for p in forward.iterdir())
    assert names == [
        "2026-11-23_石鼓居民微信群_排班图片.png",
        "2026-11-23_石鼓居民微信群_排班文字.txt",
        "2026-11-23_石鼓居民微信群_预警图片.png",
        "2026-11-23_石鼓居民微信群_预警文字.txt",
    ]
    warning = config_file.parent / "posters" / "2026-11-23" / "shigu" / "warning.png"
    assert (forward / "2026-11-23_石鼓居民微信群_预警图片.png").read_bytes() == warning.read_bytes()


def test_reminders_beside_the_rota_have_their_own_file_names(run, shigu):
    """Item 3, reminders: the shipped config with the rota's reminders routed to the residents' folder
    group; each reminder is its own 排班提醒 file and no rota or warning file is written over."""
    shigu.write_text(
        shigu.read_text(encoding="utf-8").replace("\noutreach:", "\noutreach:\n  reminder_audience: residents\n#", 1),
        encoding="utf-8",
    )
    add(run, "--date", "2026-11-23", "--category", "刷单返利", "--loss", "800")
    assert run("warning", "publish", "--date", "2026-11-23", "--wait", "5").code == 0
    assert run("outreach", "plan", "--week", "2026-W48").code in (0, 4)
    assert run("outreach", "publish", "--week", "2026-W48", "--wait", "5").code == 0
    posters = shigu.parent / "posters"
    group = "石鼓居民微信群（人工转发）"
    before = {p: p.read_bytes() for p in posters.glob(f"*/shigu/forward/{group}/*")}
    assert {p.name.rsplit("_", 1)[1] for p in before} >= {"排班图片.png", "排班文字.txt", "预警图片.png"}
    for day in range(23, 30):
        assert run("outreach", "remind", "--date", f"2026-11-{day}", "--wait", "5").code == 0
    reminders = sorted(p.name for p in posters.glob(f"*/shigu/forward/{group}/*") if p not in before)
    assert reminders and all(name.endswith("_排班提醒.txt") for name in reminders), reminders
    assert {p: p.read_bytes() for p in before} == before  # nothing written over


# -- item 4: deleted rows are marked and not counted --------------------------------------------------------


def test_list_with_deleted_marks_them_and_leaves_their_loss_out_of_the_total(run):
    add(run, "--date", "2026-11-22", "--category", "other", "--loss", "100")
    add(run, "--date", "2026-11-22", "--category", "other", "--loss", "5600.5")
    assert run("incident", "delete", "2").code == 0
    out = run("incident", "list", "--deleted").out
    assert re.search(r"2\s+已删除", out), out
    assert "1 incident(s), total loss 100.00 yuan (1 deleted, not counted)" in out
    rows = list(csv.DictReader(run("incident", "list", "--deleted", "--format", "csv").out.splitlines()))
    assert [r["deleted"] for r in rows] == ["False", "True"]


# -- items 5, 6: the stopped rule in imports; errors and notes that are true --------------------------------


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("日期,类别,损失金额,是否劝阻,简要案情\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_import_names_the_real_problem_with_a_day_and_the_stopped_rule(run, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", ["2026/11/31,刷单返利,800,否,", "2026/11/20,刷单返利,5000,是,"])
    result = run("incident", "import", str(bad))
    assert result.code == 2
    assert "row 2, column 日期 (date): '2026/11/31' is not a date: 2026年11月 has 30 days" in result.err
    assert "row 3, column 损失金额 (loss): 5,000.00 yuan on a case marked stopped" in result.err


def test_import_says_what_it_masked_only_for_rows_it_imported(run, tmp_path):
    good = write_csv(tmp_path / "good.csv", ["2026/11/20,刷单返利,800,否,对方电话13912345678"])
    first = run("incident", "import", str(good))
    assert first.code == 0 and "masked 1 phone number" in first.out
    again = run("incident", "import", str(good))
    assert again.code == 0 and "skipped 1 already recorded" in again.out
    assert "masked" not in again.out
    dry = run("incident", "import", str(good), "--dry-run")  # a dry run says the same of a file already in
    assert "1 row(s) are valid, 0 would be imported, 1 already recorded; nothing written" in dry.out, dry.out
    assert "mask" not in dry.out


# -- item 7: station time wherever a person reads a time ----------------------------------------------------


def test_times_people_read_are_in_station_time(run, config_file, frozen_clock):
    add(run, "--date", "2026-11-22", "--category", "other")  # the clock: 2026-11-23 09:00 in Shigu
    [entry] = json.loads(run("incident", "show", "1", "--format", "json").out)["audit"]
    assert entry["at"] == "2026-11-23T09:00:00+08:00"
    assert run("duty", "backup").code == 0
    backup = next(j for j in json.loads(run("jobs", "--format", "json").out) if j["duty"] == "backup")
    assert backup["last_run"] == "2026-11-23T09:00:00+08:00" and backup["next_run"].endswith("+08:00")


@pytest.fixture
def settings(config_file):
    return load_settings(config_file)


def test_daemon_log_lines_are_in_station_time(settings, frozen_clock):
    record = logging.LogRecord("antifraud.daemon", logging.INFO, __file__, 1, "started", None, None)
    line = LineFormatter(False, settings.display_zone).format(record)
    assert line.split()[0] == "2026-11-23T09:00:00+08:00"


# -- items 12, 13, 14: the poster and the text --------------------------------------------------------------


CODES = {
    "order_brushing": "刷单返利",
    "fake_loan": "虚假网络贷款",
    "fake_customer_service": "冒充电商物流客服",
    "medical_insurance": "“百万医疗保险”关闭扣费",
}


def facts_with(counts: list[int], summary: str = "事主被骗。", stopped: bool = False, codes=CODES) -> WarningFacts:
    categories = [CategoryCount(c, n, n[:4], k, 0, Decimal(0)) for (c, n), k in zip(codes.items(), counts) if k]
    loss = Decimal(0) if stopped else Decimal(800)
    highlight = Highlight(categories[0].name, "一名18至29岁的工厂员工", loss, stopped, "电话", summary)
    return WarningFacts("shigu", "石鼓社区警务室", DAY, categories, sum(counts), 0, loss, 3, 9, loss, [highlight], None)


def poster_height(settings, facts: WarningFacts) -> int:
    content = compose(facts, load_categories(settings), LADDER[1])
    return draw_warning_poster(content, load_layout(None), None).height


def test_equal_counts_are_a_compact_grid_not_a_row_of_identical_bars(settings):
    equal = poster_height(settings, facts_with([1, 1, 1, 1]))
    different = poster_height(settings, facts_with([3, 1, 1, 1]))
    assert equal < different - 100  # two rows of tiles instead of four bars


def test_the_key_point_box_breaks_after_a_clause(settings, monkeypatch):
    """请记住：宣称稳赚不赔、高额回报的投资，都是骗局。 must not break inside 高额 (issue 10 item 13)."""
    from antifraud.render import canvas

    seen = []
    original = canvas.Canvas.lines

    def recording(self, text, *args, **kwargs):
        lines = original(self, text, *args, **kwargs)
        if text.startswith("请记住"):
            seen.append(lines)
        return lines

    monkeypatch.setattr(canvas.Canvas, "lines", recording)
    poster_height(settings, facts_with([1], codes={"fake_investment": "虚假网络投资理财"}))
    [lines] = seen
    assert lines[0].endswith("，") and len(lines) == 2, lines


@pytest.mark.parametrize(
    ("summary", "stopped", "text"),
    [
        ("民警及时上门劝阻，未造成损失。", True, "一名18至29岁的工厂员工。民警及时上门劝阻，未造成损失。"),
        ("事主准备转账时接到96110劝阻电话。", True, "一名18至29岁的工厂员工，经民警劝阻未受损失。事主准备转账"),
        ("事主被骗。", False, "一名18至29岁的工厂员工，被骗800元。事主被骗。"),
    ],
)
def test_the_outcome_is_said_once(settings, summary, stopped, text):
    rendered = render_text("warning.txt", facts_with([1], summary, stopped), load_categories(settings), None)
    assert text in rendered, rendered


def test_a_loss_is_never_hidden_behind_the_stopped_mark():
    """Issue 10 item 5: a row stored stopped with a loss (before entry refused that pair) says its loss."""
    highlight = Highlight("刷单返利", "一名18至29岁的工厂员工", Decimal("5000"), True, "电话", "事主被骗。")
    assert highlight.outcome == "被骗5,000元"


def test_deliveries_keep_the_hash_of_what_was_rendered(run, config_file):
    add(run, "--date", "2026-11-22", "--category", "刷单返利", "--loss", "800")
    assert run("warning", "publish", "--wait", "0").code in (0, 1)
    settings = load_settings(config_file)
    db = connect(settings, load_categories(settings))
    poster = config_file.parent / "posters" / "2026-11-22" / "shigu" / "warning.png"
    with db.session() as session:
        hashes = {d.image_sha256 for d in session.query(Delivery).filter(Delivery.kind == "image")}
    assert hashes == {hashlib.sha256(poster.read_bytes()).hexdigest()}


def test_equal_counts_draw_tiles_side_by_side_and_unequal_ones_bars(settings, monkeypatch):
    """Issue 10 item 12, drawn: four equal counts are a 2x2 grid of names; unequal ones, four bars."""
    from antifraud.render import canvas

    seen = []
    original = canvas.Canvas.text

    def recording(self, x, top, text, *args, **kwargs):
        if kwargs.get("where") == "categories.yaml name" or "categories.yaml name" in args:
            seen.append((round(x), round(top)))
        return original(self, x, top, text, *args, **kwargs)

    monkeypatch.setattr(canvas.Canvas, "text", recording)
    poster_height(settings, facts_with([2, 2, 2, 2]))
    equal, seen[:] = list(seen), []
    poster_height(settings, facts_with([3, 1, 1, 1]))
    assert len({x for x, _ in equal}) == 2 and len({y for _, y in equal}) == 2, equal
    assert len({x for x, _ in seen}) == 1 and len({y for _, y in seen}) == 4, seen
