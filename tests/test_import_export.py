"""`antifraud incident import` and `incident export`, end to end through the CLI.

Every test runs the real entry point against a real SQLite file (see conftest.py); what was
stored is observed through `incident list --format json`. Today is 2026-11-23 (Asia/Shanghai).
The bulk-import tests call the two service functions `incident import` calls, one after the
other, to watch the statements sent and SQLite's write lock in between.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import textwrap
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from conftest import BASE_CONFIG, DUTY_CLERK

ZH_HEADER = ["日期", "类别", "损失金额", "是否劝阻", "渠道", "年龄", "职业", "地点", "简要案情"]
EN_HEADER = ["date", "category", "loss", "stopped", "channel", "victim_age", "occupation", "place", "summary"]
COMPARED = ("date", "category", "loss", "stopped", "channel", "victim_age", "occupation", "place", "summary")

# Three rows every "all or nothing" test starts from; all of them are valid.
GOOD_ZH_ROWS = [
    ["2026-11-20", "刷单返利", "800", "否", "微信", "32", "工厂员工", "石鼓社区第三网格", "网上兼职刷单被骗"],
    [
        "2026-11-21",
        "冒充公检法及政府机关",
        "0",
        "是",
        "电话",
        "67",
        "退休",
        "石鼓社区第一网格",
        "自称警察称涉嫌洗钱，劝阻成功",
    ],
    ["2026-11-22", "其他", "1500.5", "否", "QQ", "", "", "", ""],
]


def write_csv(path, header, rows, encoding="utf-8"):
    """A CSV file as Excel or an editor would save it; returns the path."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def listed(run, config=None) -> list[dict]:
    result = run("incident", "list", "--format", "json", config=config)
    assert result.code == 0, result.err
    return json.loads(result.out)


def comparable(records: list[dict]) -> list[dict]:
    return [{key: record[key] for key in COMPARED} for record in records]


def fresh_config(folder):
    """A second station config with its own (empty) database in another folder."""
    folder.mkdir()
    path = folder / "config.yaml"
    path.write_text(textwrap.dedent(BASE_CONFIG), encoding="utf-8")
    return path


def assert_one_clean_error(result):
    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.out == ""
    return result.err


# --- reading files ---------------------------------------------------------------------------


def test_csv_with_english_headers_imports_every_row_with_checked_values(run, tmp_path):
    path = write_csv(
        tmp_path / "cases.csv",
        EN_HEADER,
        [
            ["2026-11-20", "order_brushing", "1,234.5", "no", "wechat", "32", "工厂员工", "第三网格", "刷单返利"],
            ["2026/11/21", "impersonate_official", "0", "yes", "phone", "17", "学生", "第一网格", "冒充警察"],
            ["2026年11月22日", "fake_loan", "1.2万", "", "sms", "75", "", "", ""],
        ],
    )

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert "imported 3 incident(s)" in result.out
    assert comparable(listed(run)) == [
        {
            "date": "2026-11-20",
            "category": "order_brushing",
            "loss": "1234.50",
            "stopped": False,
            "channel": "wechat",
            "victim_age": "30-39",
            "occupation": "工厂员工",
            "place": "第三网格",
            "summary": "刷单返利",
        },
        {
            "date": "2026-11-21",
            "category": "impersonate_official",
            "loss": "0.00",
            "stopped": True,
            "channel": "phone",
            "victim_age": "<18",
            "occupation": "学生",
            "place": "第一网格",
            "summary": "冒充警察",
        },
        {
            "date": "2026-11-22",
            "category": "fake_loan",
            "loss": "12000.00",
            "stopped": False,
            "channel": "sms",
            "victim_age": "70+",
            "occupation": None,
            "place": None,
            "summary": None,
        },
    ]
    assert {record["station"] for record in listed(run)} == {"shigu"}


EXPECTED_FROM_GOOD_ZH_ROWS = [
    {
        "date": "2026-11-20",
        "category": "order_brushing",
        "loss": "800.00",
        "stopped": False,
        "channel": "wechat",
        "victim_age": "30-39",
        "occupation": "工厂员工",
        "place": "石鼓社区第三网格",
        "summary": "网上兼职刷单被骗",
    },
    {
        "date": "2026-11-21",
        "category": "impersonate_official",
        "loss": "0.00",
        "stopped": True,
        "channel": "phone",
        "victim_age": "60-69",
        "occupation": "退休",
        "place": "石鼓社区第一网格",
        "summary": "自称警察称涉嫌洗钱，劝阻成功",
    },
    {
        "date": "2026-11-22",
        "category": "other",
        "loss": "1500.50",
        "stopped": False,
        "channel": "qq",
        "victim_age": None,
        "occupation": None,
        "place": None,
        "summary": None,
    },
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_with_chinese_headers_imports_identically_in_every_encoding(run, tmp_path, encoding):
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, GOOD_ZH_ROWS, encoding=encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert "imported 3 incident(s)" in result.out
    assert comparable(listed(run)) == EXPECTED_FROM_GOOD_ZH_ROWS


def test_xlsx_with_typed_cells_imports(run, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ZH_HEADER)
    sheet.append([date(2026, 11, 20), "刷单返利", 1500.5, "否", "微信", 32, "工厂员工", "第三网格", "刷单被骗"])
    sheet.append([date(2026, 11, 22), "冒充公检法及政府机关", 0, True, "电话", 45, None, None, "劝阻成功"])
    path = tmp_path / "警情.xlsx"
    workbook.save(path)

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert "imported 2 incident(s)" in result.out
    assert comparable(listed(run)) == [
        {
            "date": "2026-11-20",
            "category": "order_brushing",
            "loss": "1500.50",
            "stopped": False,
            "channel": "wechat",
            "victim_age": "30-39",
            "occupation": "工厂员工",
            "place": "第三网格",
            "summary": "刷单被骗",
        },
        {
            "date": "2026-11-22",
            "category": "impersonate_official",
            "loss": "0.00",
            "stopped": True,
            "channel": "phone",
            "victim_age": "40-49",
            "occupation": None,
            "place": None,
            "summary": "劝阻成功",
        },
    ]


# --- all or nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value, problem",
    [
        ("损失金额", "abc", "is not an amount in yuan"),
        ("日期", "2026-11-24", "is in the future"),
        ("类别", "隔空取物", "is not a known category"),
        ("渠道", "飞鸽传书", "is not one of"),
        ("简要案情", "案" * 501, "501 characters"),
    ],
    ids=["bad-loss", "future-date", "unknown-category", "bad-channel", "long-summary"],
)
def test_one_bad_row_imports_nothing_and_names_row_and_column(run, tmp_path, column, value, problem):
    bad = list(GOOD_ZH_ROWS[0])
    bad[ZH_HEADER.index(column)] = value
    # header is row 1, so the bad row is row 4 as Excel shows it
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, [GOOD_ZH_ROWS[0], GOOD_ZH_ROWS[1], bad, GOOD_ZH_ROWS[2]])

    result = run("incident", "import", str(path))

    assert result.code == 2
    assert "Traceback" not in result.err
    error_lines = [line for line in result.err.splitlines() if line.startswith("error: row")]
    assert len(error_lines) == 1
    assert "row 4," in error_lines[0]
    assert column in error_lines[0]
    assert problem in error_lines[0]
    assert "nothing was imported" in result.err
    assert "imported" not in result.out
    assert listed(run) == []


def test_english_header_error_names_the_english_column(run, tmp_path):
    rows = [
        ["2026-11-20", "order_brushing", "800", "", "", "", "", "", ""],
        ["2026-11-21", "order_brushing", "abc", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "cases.csv", EN_HEADER, rows)

    result = run("incident", "import", str(path))

    assert result.code == 2
    assert "row 3, column loss: 'abc' is not an amount in yuan" in result.err
    assert listed(run) == []


def test_every_bad_row_is_reported_and_nothing_is_imported(run, tmp_path):
    rows = [
        ["2026-11-20", "刷单返利", "abc", "否", "微信", "", "", "", ""],  # row 2: loss
        GOOD_ZH_ROWS[0],  # row 3: fine
        ["2026-12-01", "刷单返利", "800", "否", "微信", "", "", "", ""],  # row 4: future
        ["2026-11-20", "刷单返利", "800", "也许", "微信", "", "", "", ""],  # row 5: stopped
        GOOD_ZH_ROWS[1],  # row 6: fine
        ["2026-11-20", "隔空取物", "800", "否", "微信", "", "", "", ""],  # row 7: category
    ]
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, rows)

    result = run("incident", "import", str(path))

    assert result.code == 2
    assert "Traceback" not in result.err
    reported = [line for line in result.err.splitlines() if line.startswith("error: row")]
    assert [line.split(",")[0] for line in reported] == ["error: row 2", "error: row 4", "error: row 5", "error: row 7"]
    assert "4 row(s) with problems; nothing was imported" in result.err
    assert listed(run) == []


def test_dry_run_checks_but_stores_nothing(run, tmp_path):
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, GOOD_ZH_ROWS)

    result = run("incident", "import", str(path), "--dry-run")

    assert result.code == 0, result.err
    assert "3 row(s) are valid, 3 would be imported; nothing written (--dry-run)" in result.out
    assert listed(run) == []


def test_dry_run_still_reports_bad_rows(run, tmp_path):
    bad = list(GOOD_ZH_ROWS[0])
    bad[2] = "-5"
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, [bad])

    result = run("incident", "import", str(path), "--dry-run")

    assert result.code == 2
    assert "row 2, column 损失金额 (loss)" in result.err
    assert listed(run) == []


def test_importing_the_same_file_twice_adds_nothing_the_second_time(run, tmp_path):
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, GOOD_ZH_ROWS)
    first = run("incident", "import", str(path))
    assert first.code == 0, first.err
    assert "imported 3 incident(s)" in first.out

    second = run("incident", "import", str(path))

    assert second.code == 0, second.err
    assert "imported 0 incident(s), skipped 3 already recorded" in second.out
    assert comparable(listed(run)) == EXPECTED_FROM_GOOD_ZH_ROWS


def test_two_identical_rows_in_one_file_are_both_kept_and_both_skipped_on_reimport(run, tmp_path):
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, [GOOD_ZH_ROWS[0], GOOD_ZH_ROWS[0]])
    assert "imported 2 incident(s)" in run("incident", "import", str(path)).out

    second = run("incident", "import", str(path))

    assert "imported 0 incident(s), skipped 2 already recorded" in second.out
    assert len(listed(run)) == 2


def test_personal_numbers_are_masked_on_import(run, tmp_path):
    summary = "受害人手机13912345678，身份证110105199001011234，转账至银行卡6222021234567890123"
    row = ["2026-11-20", "刷单返利", "800", "否", "微信", "32", "", "联系电话13912345678", summary]
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, [row])

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert "masked" in result.out
    for kind in ("ID card number", "bank card number", "phone numbers"):
        assert kind in result.out
    stored = json.dumps(listed(run), ensure_ascii=False)
    for original in ("13912345678", "110105199001011234", "6222021234567890123", "199001011234"):
        assert original not in stored
    record = listed(run)[0]
    assert "139****5678" in record["summary"]
    assert record["place"] == "联系电话139****5678"
    assert "110***********1234" in record["summary"]
    assert "6222***********0123" in record["summary"]


# --- header problems --------------------------------------------------------------------------


def test_unknown_column_fails_naming_it(run, tmp_path):
    path = write_csv(tmp_path / "警情.csv", ["日期", "类别", "备注x"], [["2026-11-20", "刷单返利", "x"]])

    result = run("incident", "import", str(path))

    err = assert_one_clean_error(result)
    assert "备注x" in err
    assert "row 1, column 3" in err
    assert len(err.strip().splitlines()) == 1
    assert listed(run) == []


@pytest.mark.parametrize("header, missing", [(["类别", "损失金额"], "date"), (["日期", "损失金额"], "category")])
def test_missing_required_column_fails(run, tmp_path, header, missing):
    path = write_csv(tmp_path / "警情.csv", header, [["刷单返利" if missing == "date" else "2026-11-20", "800"]])

    result = run("incident", "import", str(path))

    err = assert_one_clean_error(result)
    assert f"the {missing!r} column" in err
    assert "is missing" in err
    assert listed(run) == []


def test_ignored_and_annotated_headers_are_accepted(run, tmp_path):
    path = write_csv(
        tmp_path / "警情.csv",
        ["序号", "案发日期", "诈骗类型", "损失金额（元）"],
        [["1", "2026-11-20", "刷单返利", "¥800"]],
    )

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert [(r["date"], r["category"], r["loss"]) for r in listed(run)] == [("2026-11-20", "order_brushing", "800.00")]


# --- stations ---------------------------------------------------------------------------------


@pytest.mark.parametrize("station_value", ["qingfu", "青福社区警务室"])
def test_station_column_puts_the_row_under_that_station(run, tmp_path, station_value):
    path = write_csv(
        tmp_path / "警情.csv",
        ["日期", "类别", "警务室"],
        [
            ["2026-11-20", "刷单返利", station_value],
            ["2026-11-21", "刷单返利", ""],  # no station: the first in config
        ],
    )

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert [(r["date"], r["station"]) for r in listed(run)] == [("2026-11-20", "qingfu"), ("2026-11-21", "shigu")]
    assert [r["date"] for r in json.loads(run("incident", "list", "--station", "qingfu", "--format", "json").out)] == [
        "2026-11-20"
    ]


def test_unknown_station_fails_the_whole_import(run, tmp_path):
    path = write_csv(
        tmp_path / "警情.csv",
        ["日期", "类别", "警务室"],
        [
            ["2026-11-20", "刷单返利", "qingfu"],
            ["2026-11-21", "刷单返利", "金山社区警务室"],
        ],
    )

    result = run("incident", "import", str(path))

    assert result.code == 2
    assert "Traceback" not in result.err
    assert "row 3, column 警务室 (station): '金山社区警务室' is not a station" in result.err
    assert listed(run) == []


# --- export and round trip --------------------------------------------------------------------


def add_sample_incidents(run):
    samples = [
        (
            "--date",
            "2026-11-20",
            "--category",
            "order_brushing",
            "--loss",
            "800",
            "--channel",
            "wechat",
            "--victim",
            "王女士",
            "--victim-age",
            "32",
            "--occupation",
            "工厂员工",
            "--place",
            "石鼓社区第三网格",
            "--summary",
            "网上兼职刷单，对方称先垫付，被骗800元，联系人13912345678",
        ),
        (
            "--date",
            "2026-11-21",
            "--category",
            "impersonate_official",
            "--stopped",
            "--channel",
            "phone",
            "--victim-age",
            "70+",
            "--summary",
            "自称公安局民警，称其涉嫌洗钱，要求转账到安全账户，劝阻成功",
        ),
        (
            "--date",
            "2026-11-22",
            "--category",
            "medical_insurance",
            "--loss",
            "12345.67",
            "--channel",
            "app",
            "--victim-age",
            "15",
            "--station",
            "qingfu",
            "--place",
            "青福社区",
        ),
    ]
    for args in samples:
        result = run("incident", "add", *args)
        assert result.code == 0, result.err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_into_a_fresh_database_round_trips(run, tmp_path, suffix):
    add_sample_incidents(run)
    original = listed(run)
    assert len(original) == 3
    exported = tmp_path / "out" / f"警情导出{suffix}"

    result = run("incident", "export", str(exported))

    assert result.code == 0, result.err
    assert "wrote 3 incident(s)" in result.out
    if suffix == ".csv":
        assert exported.read_bytes().startswith(b"\xef\xbb\xbf")

    other = fresh_config(tmp_path / "other")
    assert listed(run, config=other) == []
    imported = run("incident", "import", str(exported), config=other)
    assert imported.code == 0, imported.err
    assert "imported 3 incident(s)" in imported.out

    copied = listed(run, config=other)
    keys = (*COMPARED, "victim", "station")
    assert [{k: r[k] for k in keys} for r in copied] == [{k: r[k] for k in keys} for r in original]
    # and importing it back into the database it came from adds nothing
    again = run("incident", "import", str(exported))
    assert "imported 0 incident(s), skipped 3 already recorded" in again.out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_round_trip_keeps_ascii_quotes_and_commas_in_text(run, tmp_path, suffix):
    summary = '对方自称"京东客服"，称"百万保险"要关闭, 否则每月扣费'
    added = run(
        "incident",
        "add",
        "--date",
        "2026-11-20",
        "--category",
        "medical_insurance",
        "--loss",
        "3000",
        "--place",
        '"幸福"小区',
        "--summary",
        summary,
    )
    assert added.code == 0, added.err
    exported = tmp_path / f"out{suffix}"
    assert run("incident", "export", str(exported)).code == 0

    other = fresh_config(tmp_path / "other")
    imported = run("incident", "import", str(exported), config=other)

    assert imported.code == 0, imported.err
    [record] = listed(run, config=other)
    assert record["summary"] == summary
    assert record["place"] == '"幸福"小区'


def test_csv_saved_by_excel_with_quotes_in_a_cell_imports_the_text_unchanged(run, tmp_path):
    # Excel (and Python's csv module) write a " inside a cell as "" within a quoted cell.
    summary = '对方自称"客服"'
    path = write_csv(tmp_path / "警情.csv", ["日期", "类别", "简要案情"], [["2026-11-20", "刷单返利", summary]])
    assert '"对方自称""客服"""' in path.read_text(encoding="utf-8")

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert [r["summary"] for r in listed(run)] == [summary]


def test_export_honours_date_range_and_station(run, tmp_path):
    add_sample_incidents(run)
    path = tmp_path / "range.csv"

    result = run("incident", "export", str(path), "--from", "2026-11-21", "--to", "2026-11-22", "--station", "qingfu")

    assert result.code == 0, result.err
    assert "wrote 1 incident(s)" in result.out
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["编号", "日期", "类别"]
    assert [row[1] for row in rows[1:]] == ["2026-11-22"]


def test_export_to_unsupported_extension_fails(run, tmp_path):
    result = run("incident", "export", str(tmp_path / "out.json"))

    err = assert_one_clean_error(result)
    assert "must end in .csv or .xlsx" in err
    assert not (tmp_path / "out.json").exists()


# --- unreadable files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("garbage.csv", b"\xff\xfe\x00\x00garbage", "is neither UTF-8 nor GBK text"),
        ("utf16.csv", "日期,类别\n2026-11-20,刷单返利\n".encode("utf-16"), "is neither UTF-8 nor GBK text"),
        ("cases.json", b'[{"date": "2026-11-20"}]', "is not a .csv or .xlsx file"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "is not a readable .xlsx workbook"),
        ("empty.csv", b"", "has no rows"),
    ],
    ids=["binary", "utf-16", "json", "broken-xlsx", "empty"],
)
def test_unreadable_file_fails_with_one_error_line(run, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    result = run("incident", "import", str(path))

    err = assert_one_clean_error(result)
    assert len(err.strip().splitlines()) == 1
    assert message in err
    assert listed(run) == []


def test_missing_file_fails_cleanly(run, tmp_path):
    result = run("incident", "import", str(tmp_path / "nope.csv"))

    err = assert_one_clean_error(result)
    assert "does not exist" in err


# --- exports carry no live formulas, and read back exactly (issue item 2) ---------------------

FORMULA_SUMMARY = '=HYPERLINK("http://example.com/x","点击查看详情")'


def add(run, *args: str) -> None:
    result = run("incident", "add", *args)
    assert result.code == 0, result.err


def add_formula_looking_incidents(run) -> None:
    add(run, "--date", "2026-11-20", "--category", "刷单返利", "--loss", "800", f"--summary={FORMULA_SUMMARY}")
    add(run, "--date", "2026-11-21", "--category", "其他", "--place=+第三网格", "--occupation=@工厂员工")
    add(run, "--date", "2026-11-22", "--category", "其他", "--summary=-先垫付后返利")


def test_csv_export_puts_a_quote_before_cells_a_spreadsheet_would_run_as_formulas(run, tmp_path):
    add_formula_looking_incidents(run)
    path = tmp_path / "out.csv"

    assert run("incident", "export", str(path)).code == 0

    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    by_day = {row[header.index("日期")]: dict(zip(header, row)) for row in rows}
    assert by_day["2026-11-20"]["简要案情"] == "'" + FORMULA_SUMMARY
    assert by_day["2026-11-21"]["地点"] == "'+第三网格"
    assert by_day["2026-11-21"]["职业"] == "'@工厂员工"
    assert by_day["2026-11-22"]["简要案情"] == "'-先垫付后返利"
    assert [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    # every cell quoted (OWASP), so a delimiter inside a cell never starts a new one
    assert path.read_text(encoding="utf-8-sig").splitlines()[1].startswith('"')


def test_xlsx_export_stores_formula_looking_text_as_text_never_as_a_formula(run, tmp_path):
    add_formula_looking_incidents(run)
    path = tmp_path / "out.xlsx"

    assert run("incident", "export", str(path)).code == 0

    sheet = load_workbook(path).worksheets[0]  # not data_only: a formula would show as one
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert "'" + FORMULA_SUMMARY in [cell.value for cell in cells]
    assert {cell.data_type for cell in cells if isinstance(cell.value, str)} == {"s"}


AWKWARD = [
    # (arguments to `incident add`) -- summaries that start like formulas, quotes, commas, every channel;
    # newlines and tabs cannot be stored (text fields keep single spaces), so they cannot round-trip.
    ("--date", "2026-11-18", "--category", "刷单返利", "--loss", "1234.50", "--channel", "phone",
     "--victim", "王女士", "--victim-age", "32", "--occupation==工厂员工", "--place=+第三网格",
     f"--summary={FORMULA_SUMMARY}"),
    ("--date", "2026-11-19", "--category", "冒充公检法及政府机关", "--stopped", "--channel", "qq",
     "--victim", "欧阳先生", "--victim-age", "70+", "--summary=+1 对方自称民警，劝阻成功"),
    ("--date", "2026-11-20", "--category", "fake_loan", "--loss", "0.01", "--channel", "wechat",
     "--station", "qingfu", "--summary=-5元红包, 先垫付; 后返利"),
    ("--date", "2026-11-21", "--category", "medical_insurance", "--loss", "100000000", "--channel", "app",
     "--place=@石鼓", '--summary=@客服 对方自称"京东客服"，称"百万保险"要关闭, 否则每月扣费'),
    ("--date", "2026-11-22", "--category", "其他", "--channel", "sms", "--stopped",
     "--summary='=已带引号的等号"),
    ("--date", "2026-11-22", "--category", "其他", "--loss", "99.9", "--channel", "other",
     "--victim-age", "15", "--summary='单引号开头, 不是公式"),
]  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_import_round_trips_every_field_of_awkward_values(run, tmp_path, suffix):
    for args in AWKWARD:
        add(run, *args)
    original = listed(run)
    exported = tmp_path / f"awkward{suffix}"
    assert run("incident", "export", str(exported)).code == 0

    other = fresh_config(tmp_path / "other")
    imported = run("incident", "import", str(exported), config=other)

    assert imported.code == 0, imported.err
    assert f"imported {len(AWKWARD)} incident(s)" in imported.out
    fields = (*COMPARED, "victim", "station")
    assert [{k: r[k] for k in fields} for r in listed(run, config=other)] == [
        {k: r[k] for k in fields} for r in original
    ]
    assert {r["channel"] for r in original} == {"phone", "qq", "wechat", "app", "sms", "other"}
    again = run("incident", "import", str(exported))
    assert f"imported 0 incident(s), skipped {len(AWKWARD)} already recorded" in again.out
    assert len(listed(run)) == len(AWKWARD)


# --- no data lost quietly on import (issue item 8) --------------------------------------------


def write_text(path, text: str):
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(
    "body",
    [
        # the quote is never closed: everything after it would be one cell
        '2026-11-20,刷单返利,800,网上兼职\n2026-11-21,刷单返利,500,"对方自称客服\n2026-11-22,其他,0,劝阻成功\n',
        # closed by a stray quote at the end of a later line: the row between is swallowed whole
        '2026-11-20,刷单返利,800,网上兼职\n2026-11-21,刷单返利,500,"对方自称客服\n2026-11-22,其他,0,劝阻成功"\n'
        "2026-11-22,其他,100,被骗\n",
        # closed in the middle of a later cell
        '2026-11-20,刷单返利,800,网上兼职\n2026-11-21,刷单返利,500,"对方自称客服\n2026-11-22,其他,0,"劝阻"成功\n',
    ],
    ids=["never-closed", "closed-at-line-end", "closed-mid-cell"],
)
def test_an_unclosed_quote_is_an_error_naming_its_row(run, tmp_path, body):
    path = write_text(tmp_path / "警情.csv", "日期,类别,损失金额,简要案情\n" + body)

    result = run("incident", "import", str(path))

    err = assert_one_clean_error(result)
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: row 3")
    assert "check for an unclosed quote" in err
    assert listed(run) == []


def test_a_quoted_cell_over_several_lines_still_imports(run, tmp_path):
    path = write_text(tmp_path / "警情.csv", '日期,类别,简要案情\n2026-11-20,刷单返利,"对方称：\n先垫付, 再返利"\n')

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert [r["summary"] for r in listed(run)] == ["对方称： 先垫付, 再返利"]


@pytest.mark.parametrize(
    "header, row, where",
    [
        (ZH_HEADER, [*GOOD_ZH_ROWS[1], "多出来的一格"], "row 3, column 10"),
        (ZH_HEADER[:3] + [""] + ZH_HEADER[3:], [*GOOD_ZH_ROWS[1][:3], "800", *GOOD_ZH_ROWS[1][3:]], "row 3, column 4"),
    ],
    ids=["beyond-the-header", "under-an-empty-title"],
)
def test_a_cell_without_a_column_title_is_an_error_naming_row_and_column(run, tmp_path, header, row, where):
    first = GOOD_ZH_ROWS[0] if len(header) == len(ZH_HEADER) else [*GOOD_ZH_ROWS[0][:3], "", *GOOD_ZH_ROWS[0][3:]]
    path = write_csv(tmp_path / "警情.csv", header, [first, row])

    result = run("incident", "import", str(path))

    assert result.code == 2
    reported = [line for line in result.err.splitlines() if line.startswith("error: row")]
    assert len(reported) == 1
    assert reported[0].startswith(f"error: {where}:")
    assert "nothing was imported" in result.err
    assert listed(run) == []


def test_empty_cells_beyond_the_header_are_fine(run, tmp_path):
    path = write_csv(tmp_path / "警情.csv", ZH_HEADER, [[*row, "", " "] for row in GOOD_ZH_ROWS])

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert comparable(listed(run)) == EXPECTED_FROM_GOOD_ZH_ROWS


def xlsx_with_formulas(path, saved: dict[str, int | str] | None = None):
    """A workbook with formula cells, as openpyxl writes it: no saved results, unless `saved` gives some
    (by formula, as the sheet's XML spells it)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ZH_HEADER)
    sheet.append(["2026-11-20", "刷单返利", "=800*2", "否", "微信", "32", "", "", "网上兼职刷单"])
    sheet.append(["2026-11-21", "刷单返利", "500", "否", "微信", "32", "", "", "=A3&B3"])
    workbook.save(path)
    if saved:  # put a saved result next to a formula, as Excel or WPS does when saving
        with zipfile.ZipFile(path) as source:
            parts = {item: source.read(item) for item in source.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        for formula, value in saved.items():
            cell = re.search(rf'<c r="(\w+)"><f>{re.escape(formula)}</f><v />', xml)
            kind = ' t="str"' if isinstance(value, str) else ""  # how Excel marks a text result
            xml = xml.replace(cell.group(0), f'<c r="{cell.group(1)}"{kind}><f>{formula}</f><v>{value}</v>')
        parts["xl/worksheets/sheet1.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w") as target:
            for name, data in parts.items():
                target.writestr(name, data)
    return path


def test_xlsx_formula_without_a_saved_result_is_an_error_naming_row_and_column(run, tmp_path):
    path = xlsx_with_formulas(tmp_path / "警情.xlsx")

    result = run("incident", "import", str(path))

    assert result.code == 2
    reported = [line for line in result.err.splitlines() if line.startswith("error: row")]
    assert [line.split(": ")[1] for line in reported] == [
        "row 2, column 损失金额 (loss)",
        "row 3, column 简要案情 (summary)",
    ]
    assert "=800*2" in reported[0]
    assert "no saved result" in reported[0]
    assert listed(run) == []


def test_xlsx_formula_with_a_saved_result_imports_that_result(run, tmp_path):
    path = xlsx_with_formulas(tmp_path / "警情.xlsx", saved={"800*2": 1600, "A3&amp;B3": "2026-11-21刷单返利"})

    result = run("incident", "import", str(path))

    assert result.code == 0, result.err
    assert [(r["loss"], r["summary"]) for r in listed(run)] == [
        ("1600.00", "网上兼职刷单"),
        ("500.00", "2026-11-21刷单返利"),
    ]


# --- bulk import, and the write lock only for the writing (issue item 4) ----------------------

TODAY = date(2026, 11, 23)


def many_rows(path, count: int):
    rows = [
        [f"2026-{11 - n % 2:02d}-{1 + n % 20:02d}", "刷单返利", str(n + 1), "否", "微信", "32", "工厂员工",
         f"第{n % 12 + 1}网格", f"第{n + 1}件，对方手机13912345678"]
        for n in range(count)
    ]  # fmt: skip
    return write_csv(path, ZH_HEADER, rows)


def test_an_import_writes_incidents_and_their_audit_rows_in_bulk(config_file, tmp_path):
    from sqlalchemy import event, select

    from antifraud.app import App
    from antifraud.db.models import Incident, IncidentAudit
    from antifraud.incidents.service import check_import, import_rows

    app = App(config_file)
    plan = check_import(many_rows(tmp_path / "many.csv", 2500), app.settings, app.categories, TODAY, "shigu")
    statements = []
    event.listen(app.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    with app.db.session() as session:
        result = import_rows(session, plan.rows, DUTY_CLERK)

    assert (result.added, result.skipped, dict(result.masked)) == (2500, 0, {"mobile": 2500})
    # a few reads and a few multi-row INSERTs, however many rows (one by one it was four per row)
    assert len(statements) <= 12, statements[:20]
    with app.db.session() as session:
        incidents = session.scalars(select(Incident).order_by(Incident.id)).all()
        audits = session.execute(select(IncidentAudit).order_by(IncidentAudit.id)).scalars().all()
        assert [i.summary for i in incidents][:2] == ["第1件，对方手机139****5678", "第2件，对方手机139****5678"]
        assert {(i.source, i.entered_by) for i in incidents} == {("import", DUTY_CLERK)}
        assert [a.incident_id for a in audits] == [i.id for i in incidents]
        assert {(a.action, a.by) for a in audits} == {("create", DUTY_CLERK)}
        assert audits[-1].changes == {
            "day": "2026-10-20",
            "category_code": "order_brushing",
            "loss": "2500.00",
            "stopped": False,
            "channel": "wechat",
            "victim": None,
            "victim_age": "30-39",
            "occupation": "工厂员工",
            "place": "第4网格",
            "summary": "第2500件，对方手机139****5678",
        }


def test_an_import_audit_row_reads_like_the_one_incident_add_writes(run, tmp_path):
    add(run, "--date", "2026-11-20", "--category", "刷单返利", "--loss", "800", "--channel", "wechat",
        "--victim", "王女士", "--victim-age", "32", "--place", "第三网格", "--summary", "网上兼职刷单被骗")  # fmt: skip
    path = write_csv(
        tmp_path / "警情.csv",
        [*ZH_HEADER, "受害人"],
        [["2026-11-20", "刷单返利", "800", "否", "微信", "32", "", "第三网格", "网上兼职刷单被骗", "王女士"]],
    )
    other = fresh_config(tmp_path / "other")
    assert run("incident", "import", str(path), config=other).code == 0

    assert only_audit_entry(run, other) == only_audit_entry(run)


def only_audit_entry(run, config=None) -> tuple[str, dict]:
    shown = run("incident", "show", "1", "--format", "json", config=config)
    assert shown.code == 0, shown.err
    [entry] = json.loads(shown.out)["audit"]
    return entry["action"], entry["changes"]


def test_checking_a_file_needs_no_database_lock_and_leaves_none(config_file, tmp_path):
    from antifraud.app import App
    from antifraud.incidents.service import check_import, import_rows

    app = App(config_file)
    app.db  # opened and migrated, as the CLI has it by the time it imports
    path = many_rows(tmp_path / "many.csv", 2000)
    other_writer = sqlite3.connect(config_file.parent / "antifraud.db", timeout=0, isolation_level=None)
    try:
        # Another writer holds SQLite's write lock for the whole check: were the check to write, it
        # would wait for the lock and fail with "database is locked".
        other_writer.execute("BEGIN IMMEDIATE")
        other_writer.execute("UPDATE stations SET name = name")
        plan = check_import(path, app.settings, app.categories, TODAY, "shigu")
        other_writer.execute("COMMIT")
        # and the checked file keeps no lock: a writer with no patience at all gets it at once
        other_writer.execute("BEGIN IMMEDIATE")
        other_writer.execute("ROLLBACK")
    finally:
        other_writer.close()
    assert len(plan.rows) == 2000

    with app.db.session() as session:
        assert import_rows(session, plan.rows, DUTY_CLERK).added == 2000


def test_a_bulk_import_and_its_reimport_work_on_postgresql(run, tmp_path, postgres_url, monkeypatch):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", postgres_url)
    path = many_rows(tmp_path / "many.csv", 1500)

    first = run("incident", "import", str(path))
    again = run("incident", "import", str(path))

    assert first.code == 0, first.err
    assert "imported 1500 incident(s)" in first.out
    assert "imported 0 incident(s), skipped 1500 already recorded" in again.out
    first_row = min(listed(run), key=lambda record: record["id"])
    assert (first_row["loss"], first_row["summary"]) == ("1.00", "第1件，对方手机139****5678")
    action, changes = only_audit_entry(run)
    assert (action, changes["loss"], changes["summary"]) == ("create", "1.00", "第1件，对方手机139****5678")
