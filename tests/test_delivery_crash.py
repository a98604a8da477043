"""A sender killed mid-drain loses nothing and repeats nothing: real processes, a real robot server."""

import os
import shutil
import signal
import subprocess
import textwrap

import pytest

GROUPS = "\n".join(
    f"      - {{name: 车间{i}群, channel: wecom, webhook_env: AF_CRASH_OPEN, audience: residents}}" for i in range(1, 6)
)
CONFIG = f"""
timezone: Asia/Shanghai
database: sqlite:///antifraud.db
output_dir: posters
stations:
  - code: shigu
    name: 石鼓社区警务室
    groups:
{GROUPS}
      - {{name: 车间6群, channel: wecom, webhook_env: AF_CRASH_HELD, audience: residents}}
"""


def antifraud(config, env, *args, wait=True):
    exe = shutil.which("antifraud") or pytest.fail("the antifraud console script is not installed")
    command = [exe, *args, "--config", str(config)]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_killed_sender_resumes_without_loss_or_duplicates(tmp_path, robots):
    config = tmp_path / "config.yaml"
    config.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTIFRAUD_")}
    env |= {"AF_CRASH_OPEN": robots.wecom_url("open"), "AF_CRASH_HELD": robots.wecom_url("held")}
    added = antifraud(config, env, "incident", "add", "--date", "2026-11-01", "--category", "刷单返利", "--loss", "800")
    assert added.returncode == 0, added.stderr

    held = robots.hold_next("held")  # the 11th message: the sixth group's image
    publishing = antifraud(config, env, "warning", "publish", "--date", "2026-11-01", wait=False)
    try:
        assert held.arrived.wait(60), "the sender never reached the sixth group"
        publishing.send_signal(signal.SIGKILL)
        publishing.wait(10)
    finally:
        if publishing.poll() is None:
            publishing.kill()
    assert held.done.wait(10) and held.outcome == "dropped"  # the robot never took it
    assert robots.count("open") == 10 and robots.count("held") == 0

    resumed = antifraud(config, env, "outbox", "drain", "--wait", "30")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr

    assert [m["msgtype"] for m in robots.messages("held")] == ["image", "text"]
    assert [m["msgtype"] for m in robots.messages("open")] == ["image", "text"] * 5
    listed = antifraud(config, env, "outbox", "list", "--format", "json")
    assert listed.stdout.count('"status": "sent"') == 12
