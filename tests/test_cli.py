"""The command line as people use it: demo, check, listing, the installed console script."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_add_then_list_formats(run):
    assert (
        run(
            "incident",
            "add",
            "--date",
            "2026-11-22",
            "--category",
            "冒充客服",
            "--loss",
            "12600",
            "--channel",
            "qq",
            "--victim",
            "张先生",
            "--victim-age",
            "26",
            "--occupation",
            "工厂员工",
            "--place",
            "第一网格",
            "--summary",
            "快递理赔骗局",
        ).code
        == 0
    )
    assert (
        run(
            "incident",
            "add",
            "--date",
            "2026-11-20",
            "--category",
            "order_brushing",
            "--stopped",
            "--station",
            "qingfu",
        ).code
        == 0
    )
    table = run("incident", "list")
    assert table.code == 0 and "冒充客服" in table.out and "2 incident(s), total loss 12,600.00 yuan" in table.out
    [one] = json.loads(run("incident", "list", "--date", "2026-11-22", "--format", "json").out)
    assert one == {
        "id": 1,
        "date": "2026-11-22",
        "station": "shigu",
        "category": "fake_customer_service",
        "category_name": "冒充电商物流客服",
        "category_short": "冒充客服",
        "loss": "12600.00",
        "stopped": False,
        "channel": "qq",
        "victim": "张先生",
        "victim_age": "18-29",
        "occupation": "工厂员工",
        "place": "第一网格",
        "summary": "快递理赔骗局",
        "entered_by": one["entered_by"],
        "deleted": False,
    }
    csv_out = run("incident", "list", "--station", "qingfu", "--format", "csv").out.splitlines()
    assert csv_out[0].startswith("id,date,station,category,loss,stopped")
    assert len(csv_out) == 2 and ",qingfu,order_brushing,0.00,True," in csv_out[1]
    ranged = json.loads(run("incident", "list", "--from", "2026-11-21", "--to", "2026-11-23", "--format", "json").out)
    assert [r["id"] for r in ranged] == [1]


@pytest.mark.parametrize(
    "args,message",
    [
        (("--date", "2026-11-22", "--from", "2026-11-01"), "--date: use either --date or --from/--to, not both"),
        (("--from", "2026-11-22", "--to", "2026-11-01"), "--from: '2026-11-22' is after --to '2026-11-01'"),
        (("--from", "11/01"), "--from: '11/01' is not a date as YYYY-MM-DD"),
        (("--format", "xml"), "Invalid value for '--format'"),
        (("--station", "nowhere"), "--station: 'nowhere' is not a station"),
    ],
)
def test_list_rejects_bad_filters(run, args, message):
    result = run("incident", "list", *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err


def test_edit_reports_changes_and_validates(run):
    run("incident", "add", "--date", "2026-11-22", "--category", "other")
    changed = run("incident", "edit", "1", "--category", "刷单返利", "--loss", "500")
    assert changed.code == 0
    assert "category_code: other -> order_brushing" in changed.out and "loss: 0.00 -> 500.00" in changed.out
    assert run("incident", "edit", "1", "--loss", "500").out.strip() == "incident #1: nothing changed"
    bad = run("incident", "edit", "1", "--date", "2030-01-01")
    assert bad.code == 2 and "is in the future" in bad.err
    assert run("incident", "edit", "99", "--loss", "1").err.strip() == "error: id: 99 is not a recorded incident"
    assert run("incident", "edit", "1").code == 2


def test_categories_listing(run):
    items = json.loads(run("categories", "--format", "json").out)
    assert [c["code"] for c in items][:4] == [
        "impersonate_official",
        "fake_customer_service",
        "order_brushing",
        "medical_insurance",
    ]
    assert len(items) == 14 and all(3 <= len(c["tips"]) <= 5 for c in items)


def test_station_categories_can_be_added_in_config(run, config_file):
    text = (
        config_file.read_text(encoding="utf-8")
        + """
categories:
  - code: fake_parcel
    name: 虚假快递包裹
    script: 骗子寄来到付的“神秘包裹”，诱导签收付款。
    key_point: 没买过的东西不签收、不付款。
    tips: [没下单的到付包裹一律拒收。]
"""
    )
    config_file.write_text(text, encoding="utf-8")
    assert run("incident", "add", "--date", "2026-11-22", "--category", "虚假快递包裹").code == 0
    assert json.loads(run("incident", "list", "--format", "json").out)[0]["category"] == "fake_parcel"


def test_demo_shows_sample_incidents_without_touching_the_real_database(run, config_file):
    result = run("demo")
    assert result.code == 0, result.err
    assert "recorded 14 sample incidents" in result.out and "yesterday (2026-11-22)" in result.out
    assert "百万医疗" in result.out and "3 incident(s)" in result.out
    assert (config_file.parent / "demo.db").is_file()
    assert not (config_file.parent / "antifraud.db").exists()
    assert run("demo").code == 0  # again: a fresh database, not doubled data
    assert "recorded 14 sample incidents" in run("demo").out


def test_check_reports_missing_secret_in_plain_words(run, monkeypatch):
    monkeypatch.delenv("AF_TEST_STAFF", raising=False)
    result = run("check")
    assert result.code == 2
    assert "group '石鼓工作群' (wecom) needs the environment variable AF_TEST_STAFF" in result.out
    monkeypatch.setenv("AF_TEST_STAFF", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key")
    result = run("check")
    assert result.code == 0 and "all checks passed" in result.out
    assert "secret-key" not in result.out + result.err


def test_console_script_exits_2_without_traceback(tmp_path, config_file):
    """The installed `antifraud` entry point, as a person runs it."""
    exe = shutil.which("antifraud") or pytest.fail("the antifraud console script is not installed")
    env = {k: v for k, v in os.environ.items() if k != "ANTIFRAUD_DATABASE_URL"}
    result = subprocess.run(
        [exe, "incident", "add", "--config", str(config_file), "--date", "2026-02-30", "--category", "other"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr == "error: --date: '2026-02-30' is not a date: 2026年2月 has 28 days\n"
    result = subprocess.run([exe, "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and "incident" in result.stdout


def test_missing_config_file_is_exit_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "antifraud", "incident", "list"], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --config: 'config.yaml' does not exist"
