#!/usr/bin/env python3
"""A city: 600 police rooms in one antifraud. How long does the morning take, and the city-wide stats?

Run from the repository root:

    python benchmarks/bench_city.py [--sqlite | --postgres] [--stations N] [--incidents N] [--workers N]

For each database (both by default; PostgreSQL is the throwaway server of tests/postgres.py) a
generated config of N stations with 5 groups each (generic webhook robots of the test suite's
robot server, tests/robots.py, on 127.0.0.1), and a year of incidents put in through the import
service (incidents.service.import_rows). Then, beside its target:

  morning   `antifraud warning render --all-stations` (its own process, as cron or a person runs
            it: CLI start, the process pool, every station's warning for yesterday) + queueing the
            warning for every group (warnings.service.publish_day per station)   target <= 60 s on 2 cores
  stats     reports.stats.gather_stats for every station over the last 8 ISO weeks   target <= 200 ms
  memory    peak resident size (ru_maxrss) of this process and of the largest child
Then benchmarks/bench_outbox.py --messages M as a subprocess for the sending side (SQLite).
Nothing touches the network or the repository's databases: everything is in a temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from robots import RobotServer  # noqa: E402

ROBOTS = 50  # distinct robot URLs; the groups share them round-robin
GROUPS = 5  # per station: one staff group, four resident groups
MORNING_TARGET, STATS_TARGET = 60.0, 0.200


def city_config(folder: Path, stations: int) -> Path:
    lines = [
        "timezone: Asia/Shanghai",
        f"database: sqlite:///{folder / 'antifraud.db'}",
        f"output_dir: {folder / 'posters'}",
        "stations:",
    ]
    for s in range(stations):
        lines += [
            f"  - code: s{s:03d}",
            f"    name: 第{s + 1}社区警务室",
            f'    contact: {{name: 民警{s % 10}, phone: "138{s:08d}"}}',
            f"    link: https://example.org/room/{s:03d}",
            "    groups:",
        ]
        for g in range(GROUPS):
            audience = "staff" if g == 0 else "residents"
            robot = (s * GROUPS + g) % ROBOTS
            group = f"name: 第{s + 1}室群{g}, channel: webhook, webhook_env: AF_CITY_{robot}, audience: {audience}"
            lines.append(f"      - {{{group}}}")
    path = folder / "config.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_incidents(app, count: int, yesterday: date, seed: int = 1) -> float:
    """A year of incidents up to yesterday (every station has at least one yesterday), via import_rows."""
    from antifraud.incidents.service import import_rows
    from antifraud.incidents.spreadsheet import FIELD_NAMES, ParsedRow

    rng = random.Random(seed)
    codes = [c.code for c in app.categories]
    stations = [s.code for s in app.settings.stations]
    places = ["工业园", "城中村", "小区", "商业街", "学校"]

    def row(line: int, station: str, day: date) -> ParsedRow:
        values = {
            "day": day,
            "category_code": rng.choice(codes),
            "loss": Decimal(rng.randint(0, 5_000_000)) / 100,
            "stopped": rng.random() < 0.2,
            "channel": None,
            "victim": None,
            "victim_age": None,
            "occupation": None,
            "place": rng.choice(places),
            "summary": "事主被骗，已报警。",
        }
        return ParsedRow(line, station, tuple(values[name] for name in FIELD_NAMES))

    rows = [row(i, code, yesterday) for i, code in enumerate(stations)]
    rows += [
        row(i, rng.choice(stations), yesterday - timedelta(days=rng.randrange(365))) for i in range(len(rows), count)
    ]
    started = time.perf_counter()
    for start in range(0, len(rows), 20_000):
        with app.db.session() as session:
            import_rows(session, rows[start : start + 20_000], "bench")
    return time.perf_counter() - started


def maxrss_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def bench(name: str, folder: Path, stations: int, incidents: int, workers: int | None) -> dict:
    from antifraud.app import App
    from antifraud.reports.stats import default_range, gather_stats
    from antifraud.warnings.service import publish_day

    config = city_config(folder, stations)
    app = App(config)
    started = time.perf_counter()
    app.db  # noqa: B018 - migrate, and mirror the stations
    setup = time.perf_counter() - started
    yesterday = app.yesterday()
    insert_seconds = load_incidents(app, incidents, yesterday)
    print(
        f"[{name}] {stations} stations, {stations * GROUPS} groups: schema {setup:.1f} s; "
        f"{incidents} incidents inserted in {insert_seconds:.1f} s",
        flush=True,
    )

    # Through a small launcher that reports its children's peak: Linux carries ru_maxrss across exec, so
    # RUSAGE_CHILDREN of this (large) process would say at least its own size.
    launcher = (
        "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
        "print(f'maxrss {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); sys.exit(code)"
    )
    command = [sys.executable, "-c", launcher, sys.executable, "-m", "antifraud", "warning", "render"]
    command += ["--all-stations", "--config", str(config)]
    if workers:
        command += ["--workers", str(workers)]
    morning = time.perf_counter()
    rendered = subprocess.run(command, capture_output=True, text=True)
    render_seconds = time.perf_counter() - morning
    render_load = os.getloadavg()[0]
    render_maxrss = [int(line.split()[1]) / 1024 for line in rendered.stderr.splitlines() if line.startswith("maxrss ")]
    summary = rendered.stdout.strip().splitlines()[-1] if rendered.stdout.strip() else rendered.stderr.strip()
    failures = [line for line in rendered.stdout.splitlines() if ": failed: " in line]
    print(f"[{name}] warning render --all-stations: exit {rendered.returncode}: {summary}", flush=True)
    for line in failures[:5]:
        print(f"[{name}]   {line}")

    queued = 0
    publishing = time.perf_counter()
    for station in app.settings.stations:
        with app.db.session() as session:
            queued += len(publish_day(session, app.settings, app.categories, station, yesterday, "bench") or [])
    publish_seconds = time.perf_counter() - publishing
    morning_seconds = time.perf_counter() - morning

    start, end = default_range(yesterday)
    timings = []
    for _ in range(3):
        with app.db.session() as session:
            t = time.perf_counter()
            stats = gather_stats(session, app.settings, app.categories, app.settings.stations, start, end)
            timings.append(time.perf_counter() - t)
    app.db.engine.dispose()
    return {
        "name": name,
        "render_seconds": render_seconds,
        "render_exit": rendered.returncode,
        "render_summary": summary,
        "render_load": render_load,
        "render_maxrss": render_maxrss[0] if render_maxrss else float("nan"),
        "publish_seconds": publish_seconds,
        "queued": queued,
        "morning_seconds": morning_seconds,
        "stats_first": timings[0],
        "stats_best": min(timings[1:]),
        "stats_incidents": stats["total"]["count"],
        "stats_range": f"{start.isoformat()}..{end.isoformat()}",
        "alarms": len(stats["alarms"]),
    }


def report(result: dict, stations: int) -> None:
    n = result["name"]
    ok = lambda value, target: "ok" if value <= target else "OVER"  # noqa: E731
    print(f"\n== {n}: {stations} stations, {stations * GROUPS} groups")
    print(
        f"  render every station (CLI process, pool)  {result['render_seconds']:7.1f} s   "
        f"({result['render_seconds'] / stations * 1000:.0f} ms/station; exit {result['render_exit']}; "
        f"1-min load average after it {result['render_load']:.1f})"
    )
    print(f"  peak memory of the render: the largest of the CLI and its workers {result['render_maxrss']:.0f} MB")
    print(f"  queue the warning for every group         {result['publish_seconds']:7.1f} s   ({result['queued']} rows)")
    print(
        f"  morning: render + queue                   {result['morning_seconds']:7.1f} s   target <= "
        f"{MORNING_TARGET:.0f} s on 2 cores: {ok(result['morning_seconds'], MORNING_TARGET)}"
    )
    print(
        f"  city-wide stats, 8 weeks ({result['stats_range']}, {result['stats_incidents']} incidents, "
        f"{result['alarms']} alarms)\n"
        f"                                  first   {result['stats_first'] * 1000:7.0f} ms\n"
        f"                                  warm    {result['stats_best'] * 1000:7.0f} ms   target <= "
        f"{STATS_TARGET * 1000:.0f} ms: {ok(result['stats_best'], STATS_TARGET)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sqlite", action="store_true", help="SQLite only")
    which.add_argument("--postgres", action="store_true", help="PostgreSQL only")
    parser.add_argument("--stations", type=int, default=600)
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=None, help="--workers for render (default: the CLI's)")
    parser.add_argument("--outbox-messages", type=int, default=300, help="for bench_outbox.py; 0 skips it")
    args = parser.parse_args()
    databases = ["sqlite"] if args.sqlite else ["postgres"] if args.postgres else ["sqlite", "postgres"]
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}; load average before: {load}")
    results = []
    with RobotServer() as robots:
        for i in range(ROBOTS):
            os.environ[f"AF_CITY_{i}"] = robots.webhook_url(f"sink{i}")
        for name in databases:
            with tempfile.TemporaryDirectory(prefix=f"antifraud-city-{name}-") as tmp, contextlib.ExitStack() as stack:
                if name == "postgres":
                    from postgres import PostgresServer

                    server = PostgresServer().start()
                    stack.callback(server.stop)
                    os.environ["ANTIFRAUD_DATABASE_URL"] = server.create_database("city")
                    stack.callback(os.environ.pop, "ANTIFRAUD_DATABASE_URL", None)
                results.append(bench(name, Path(tmp), args.stations, args.incidents, args.workers))
        sent_to_robots = len(robots.received)
    for result in results:
        report(result, args.stations)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average after: {load} (other work on the machine skews the timings)")
    print(
        f"\npeak memory (ru_maxrss): this process {maxrss_mb(resource.RUSAGE_SELF):.0f} MB (it holds the generated "
        f"incident rows, queues every group and runs the stats); robots posted to during the morning: "
        f"{sent_to_robots} (the morning only queues)"
    )
    if args.outbox_messages:
        print(f"\noutbox throughput (benchmarks/bench_outbox.py --messages {args.outbox_messages}, SQLite):")
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "bench_outbox.py"), "--messages", str(args.outbox_messages)],
            check=False,
        )


if __name__ == "__main__":
    main()
