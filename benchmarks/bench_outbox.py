"""Outbox throughput: how fast the sender drains many groups (city scale: thousands of groups).

Generic webhook robots (no rate limit) from the test suite's robot server on 127.0.0.1, a
fresh SQLite database in a temporary folder. Run from the repository root:
    python benchmarks/bench_outbox.py [--messages N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from robots import RobotServer  # noqa: E402

from antifraud.config import load_settings  # noqa: E402
from antifraud.db import connect
from antifraud.db.models import Delivery  # noqa: E402
from antifraud.incidents.categories import load_categories  # noqa: E402
from antifraud.outbox.sender import Sender  # noqa: E402

ROBOTS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    count = parser.parse_args().messages
    with RobotServer() as robots, tempfile.TemporaryDirectory() as tmp:
        groups = "\n".join(
            f"      - {{name: g{i}, channel: webhook, webhook_env: AF_BENCH_{i % ROBOTS}, audience: residents}}"
            for i in range(count)
        )
        config = Path(tmp, "config.yaml")
        config.write_text(f"stations:\n  - code: s\n    name: 测试\n    groups:\n{groups}\n", encoding="utf-8")
        for i in range(ROBOTS):
            os.environ[f"AF_BENCH_{i}"] = robots.webhook_url(f"sink{i}")
        settings = load_settings(config)
        db = connect(settings, load_categories(settings))
        with db.session() as session:
            for i in range(count):
                session.add(
                    Delivery(
                        station_id=1,
                        group_name=f"g{i}",
                        channel="webhook",
                        subject="bench",
                        day=date(2026, 11, 22),
                        kind="text",
                        body="电诈预警",
                    )
                )
        started = time.perf_counter()
        Sender(db, settings).drain(["bench"])
        elapsed = time.perf_counter() - started
        print(
            f"{count} messages to {ROBOTS} robots: {elapsed:.2f} s, {count / elapsed:.0f} messages/s, "
            f"received {len(robots.received)}"
        )


if __name__ == "__main__":
    main()
