"""Shared fixtures: a real SQLite file per test, a frozen station clock, and the people we test with."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine

from antifraud.cli import main

REPO = Path(__file__).resolve().parent.parent

# 2026-11-23 09:00 in Shigu (Asia/Shanghai); "yesterday" is 2026-11-22.
NOW = "2026-11-23T09:00:00+08:00"

# The personas: a station, an officer, a patrol lead, a volunteer, a duty clerk (the CLI user).
BASE_CONFIG = """
timezone: Asia/Shanghai
database: sqlite:///antifraud.db
output_dir: posters
stations:
  - code: shigu
    name: 石鼓社区警务室
    contact: {name: 李警官, phone: "13800000001"}
    groups:
      - {name: 石鼓工作群, channel: wecom, webhook_env: AF_TEST_STAFF, audience: staff}
      - {name: 石鼓居民微信群, channel: folder, audience: residents}
    people:
      - {name: 李警官, role: officer, team: 社区民警, phone: "13800000001"}
      - {name: 钱队员, role: patrol, team: 综管机动组, phone: "13800000021"}
      - {name: 蒋志愿者, role: volunteer, team: 大拇指义警队, phone: "13800000031", available: [sat, sun]}
  - code: qingfu
    name: 青福社区警务室
"""

DUTY_CLERK = "内勤小周"


@pytest.fixture(scope="session")
def postgres_server():
    from postgres import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server, request):
    """A fresh, empty PostgreSQL database for one test."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9]", "_", request.node.name.lower())[:50]
    return postgres_server.create_database(name)


@pytest.fixture
def robots():
    """A real HTTP server on 127.0.0.1 answering like the WeCom, DingTalk and Feishu robots."""
    from robots import RobotServer

    with RobotServer() as server:
        yield server


@pytest.fixture
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def config_file(tmp_path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(textwrap.dedent(BASE_CONFIG), encoding="utf-8")
    return path


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(config_file, capsys, frozen_clock, monkeypatch):
    """Run the real CLI entry point in-process against the test config; returns code, stdout, stderr."""
    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL", raising=False)

    def invoke(*args: str, config: Path | None = None) -> Result:
        argv = [*args, "--config", str(config or config_file)] if args and args[0] != "--help" else list(args)
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:  # main always exits
            code = -1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def shigu(config_file, robots, monkeypatch):
    """The example Shigu config, with its robot groups pointed at the local robot server."""
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("channel: dingtalk", "channel: wecom").replace(
        "        secret_env: AF_DINGTALK_VOLUNTEERS_SECRET\n", ""
    )
    config_file.write_text(text, encoding="utf-8")
    monkeypatch.setenv("AF_WECOM_STAFF", robots.wecom_url("staff"))
    monkeypatch.setenv("AF_WECOM_RESIDENTS_1", robots.wecom_url("residents"))
    monkeypatch.setenv("AF_DINGTALK_VOLUNTEERS", robots.wecom_url("volunteers"))
    return config_file


def plan_events(run, week, *flags):
    result = run("outreach", "plan", "--week", week, *flags, "--format", "json")
    assert result.code in (0, 4), result.err
    return json.loads(result.out)["events"]


@pytest.fixture
def web(config_file, frozen_clock, monkeypatch):
    """The web UI on the test config, in-process (Flask test client), on the frozen station clock."""
    from webtools import Web

    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL", raising=False)
    return Web(config_file)


@pytest.fixture(scope="session")
def chromium():
    """A real headless Chromium (Debian's), driven by Playwright; one per test worker."""
    from playwright.sync_api import sync_playwright
    from webtools import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium):
    """A fresh browser context the size of a phone (390×844), Chinese locale."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()
