"""Outbox throughput: how fast the sender drains many groups (city scale: thousands of groups).

Two runs, on a fresh SQLite database in a temporary folder (and with --postgres on the test
suite's throwaway PostgreSQL server from tests/postgres.py as well):

* throughput: --messages rows (default 10,000), one per group, to generic webhook robots (no
  rate limit) on the test suite's robot server on 127.0.0.1. Prints msg/s and the sender's CPU
  time per message (time.thread_time of the sending thread: the robot server's threads are not
  counted) over the first and the last 1,000 messages; flat within 20% is the target.
* rate limits: --limited rows to --robots WeCom robots (20 a minute each, enforced by the robot
  server), in real time: the achieved rate against the robots' combined limit, and how many
  requests the robots refused for going too fast (target 0).

Run from the repository root:
    python benchmarks/bench_outbox.py [--messages N] [--limited N] [--robots N] [--postgres]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import robots as robot_server  # noqa: E402
from robots import RobotServer  # noqa: E402

from antifraud.config import load_settings  # noqa: E402
from antifraud.db import connect  # noqa: E402
from antifraud.db.models import Delivery  # noqa: E402
from antifraud.incidents.categories import load_categories  # noqa: E402
from antifraud.outbox.sender import Sender  # noqa: E402

ROBOTS = 50

# The test robot server writes a response's headers and body separately; on a kept-alive connection
# Nagle's algorithm then waits ~40 ms for the client's delayed ACK before the body goes. Real robots
# answer in one segment, so the benchmark turns Nagle off on the server side (TCP_NODELAY).
robot_server._Handler.disable_nagle_algorithm = True
SLICE = 1000
PER_MINUTE = 20  # WeCom's limit per robot


def world(tmp: str, count: int, channel: str, robots: int, url, database: str):
    groups = "\n".join(
        f"      - {{name: g{i}, channel: {channel}, webhook_env: AF_BENCH_{i % robots}, audience: residents}}"
        for i in range(count)
    )
    config = Path(tmp, "config.yaml")
    config.write_text(f"stations:\n  - code: s\n    name: 测试\n    groups:\n{groups}\n", encoding="utf-8")
    for i in range(robots):
        os.environ[f"AF_BENCH_{i}"] = url(f"r{i}")
    os.environ["ANTIFRAUD_DATABASE_URL"] = database
    settings = load_settings(config)
    db = connect(settings, load_categories(settings))
    with db.session() as session:
        for i in range(count):
            session.add(
                Delivery(
                    station_id=1,
                    group_name=f"g{i}",
                    channel=channel,
                    subject="bench",
                    day=date(2026, 11, 22),
                    kind="text",
                    body="电诈预警",
                )
            )
    return settings, db


def throughput(count: int, database) -> None:
    with RobotServer() as robots, tempfile.TemporaryDirectory() as tmp:
        settings, db = world(tmp, count, "webhook", ROBOTS, robots.webhook_url, database(tmp))
        cpu = []
        sender = Sender(db, settings, report=lambda outcome: cpu.append(time.thread_time()))
        started, cpu_start = time.perf_counter(), time.thread_time()
        sender.drain(["bench"])
        elapsed = time.perf_counter() - started
        db.close()
    cpu.insert(0, cpu_start)
    size = min(SLICE, count // 2)
    first = (cpu[size] - cpu[0]) / size * 1000
    last = (cpu[-1] - cpu[-1 - size]) / size * 1000
    print(
        f"  throughput: {count} messages to {ROBOTS} unlimited robots in {elapsed:.1f} s "
        f"= {count / elapsed:.0f} msg/s; "
        f"sender CPU {first:.2f} ms/message for the first {size}, {last:.2f} ms for the last {size} "
        f"({(last / first - 1) * 100:+.0f}%); received {len(robots.received)}"
    )


def limited(count: int, robots_count: int, database) -> None:
    with RobotServer() as robots, tempfile.TemporaryDirectory() as tmp:
        settings, db = world(tmp, count, "wecom", robots_count, robots.wecom_url, database(tmp))
        started = time.perf_counter()
        Sender(db, settings).drain(["bench"])
        elapsed = time.perf_counter() - started
        db.close()
        refused = [r for r in robots.requests if r["outcome"] != "accepted"]
        times = sorted(r["at"].timestamp() for r in robots.received)
    per_minute = robots_count * PER_MINUTE
    # The busiest minute the robots saw: at the limit it holds exactly the combined per-minute allowance.
    busiest, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 60:
            start += 1
        busiest = max(busiest, end - start + 1)
    # The fastest the robots allow: a full window at once, then one window per minute.
    best = (math.ceil(count / per_minute) - 1) * 60
    print(
        f"  rate limits: {count} messages to {robots_count} WeCom robots (combined limit {per_minute}/min) in "
        f"{elapsed:.1f} s (the limit allows {best} s plus sending time); busiest minute {busiest} messages "
        f"= {busiest / per_minute * 100:.1f}% of the limit; {len(refused)} rate-limit or other errors; "
        f"received {len(times)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="rows for the throughput run")
    parser.add_argument("--limited", type=int, default=2_000, help="rows for the rate-limited run (0: skip it)")
    parser.add_argument("--robots", type=int, default=ROBOTS, help="WeCom robots for the rate-limited run")
    parser.add_argument("--postgres", action="store_true", help="also on tests/postgres.py's throwaway server")
    args = parser.parse_args()
    os.environ.pop("ANTIFRAUD_DATABASE_URL", None)
    databases = [("SQLite", lambda tmp: f"sqlite:///{Path(tmp, 'antifraud.db')}")]
    server = None
    if args.postgres:
        from postgres import PostgresServer

        server = PostgresServer(port=55433).start()
        made = iter(range(1000))
        databases.append(("PostgreSQL", lambda tmp: server.create_database(f"bench_{next(made)}")))
    try:
        for name, database in databases:
            print(f"{name}:")
            throughput(args.messages, database)
            if args.limited:
                limited(args.limited, args.robots, database)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
