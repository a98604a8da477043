"""How long a large incident spreadsheet takes to import, its peak memory, and how long it holds the write lock.

    python benchmarks/bench_import.py [--rows N]

Writes N realistic rows (default 100,000; Chinese headers, every column, one in five with a
mobile number to mask) to a CSV file in a temporary folder beside the shipped config.yaml and a
fresh SQLite database (created and migrated before timing). The import then runs in a process of
its own, as `antifraud incident import` does: read and check every row (no database lock), then
one write transaction with bulk inserts. The figures are that process's: wall time from start
to exit, peak resident memory (getrusage maxrss), rows per second, and the time from its first
write statement to the end of the commit, which is how long every other writer is kept waiting.
A second import of the same file is timed too; it finds every row already recorded.

Targets (issue 4): 100,000 rows in <= 10 s and <= 150 MB on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0
TARGET_MB = 150.0

HEADER = ["日期", "类别", "损失金额", "是否劝阻", "渠道", "受害人", "年龄", "职业", "地点", "简要案情", "警务室"]
CATEGORIES = ["刷单返利", "冒充电商物流客服", "虚假网络投资理财", "虚假网络贷款", "冒充公检法及政府机关", "其他"]
CHANNELS = ["微信", "电话", "QQ", "App", "短信", "其他", ""]
OCCUPATIONS = ["工厂员工", "退休", "学生", "个体户", "公司职员", "务农", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"
SUMMARIES = [
    "网上兼职刷单，对方称先垫付后返利，连续转账后无法提现",
    "自称快递客服称包裹丢失需理赔，诱导开通借贷后转账",
    "在交友软件认识对方，被拉入投资群购买虚拟币",
    "接到自称公安局民警电话，称其涉嫌洗钱，要求转账到安全账户",
    "办理网络贷款被要求先交解冻费、保证金",
]


def write_rows(path: Path, count: int, today: date) -> None:
    """`count` rows as a station clerk's export would have them, streamed to keep this process small."""
    rng = random.Random(20261123)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(count):
            stopped = rng.random() < 0.2
            loss = (
                "0"
                if stopped
                else rng.choice(["800", "1,234.50", "1.2万", "35000", "99.9", str(rng.randint(1, 90000))])
            )
            # Every summary differs, as real ones do (nothing to gain from remembering one).
            summary = f"{rng.choice(SUMMARIES)}（接警编号{number:06d}）"
            if number % 5 == 0:
                summary += f"，对方手机13{rng.randint(0, 999999999):09d}"
            writer.writerow(
                [
                    (today - timedelta(days=rng.randint(1, 365))).isoformat(),
                    rng.choice(CATEGORIES),
                    loss,
                    "是" if stopped else "否",
                    rng.choice(CHANNELS),
                    rng.choice(SURNAMES) + rng.choice(("先生", "女士")) if rng.random() < 0.5 else "",
                    str(rng.randint(16, 85)) if rng.random() < 0.8 else "",
                    rng.choice(OCCUPATIONS),
                    f"石鼓社区第{rng.randint(1, 12)}网格",
                    f"{summary}（第{number + 1}件）",
                    rng.choice(("shigu", "石鼓社区警务室", "")),
                ]
            )


def import_once(folder: Path) -> dict:
    """One import through the service functions the CLI calls; runs in its own process."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event

    from antifraud.app import App
    from antifraud.incidents.service import check_import, import_rows

    app = App(folder / "config.yaml")
    station = app.station().code
    engine = app.db.engine
    first_write = []

    def note_first_write(_conn, _cursor, statement, _params, _context, _many):
        if not first_write and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            first_write.append(time.perf_counter())

    event.listen(engine, "before_cursor_execute", note_first_write)
    opened, opened_cpu = time.perf_counter(), time.process_time()
    plan = check_import(folder / "cases.csv", app.settings, app.categories, app.today(station), station)
    checked, checked_cpu = time.perf_counter(), time.process_time()
    with app.db.session() as session:
        result = import_rows(session, plan.rows, "bench")
    done, done_cpu = time.perf_counter(), time.process_time()
    return {
        "rows": len(plan.rows),
        "added": result.added,
        "skipped": result.skipped,
        "masked": sum(result.masked.values()),
        "open_seconds": opened - started,
        "check_seconds": checked - opened,
        "check_cpu_seconds": checked_cpu - opened_cpu,
        "write_seconds": done - checked,
        "write_cpu_seconds": done_cpu - checked_cpu,
        "cpu_seconds": done_cpu,
        "lock_seconds": done - first_write[0] if first_write else 0.0,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_import(folder: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(folder)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the import failed:\n{done.stderr.strip()}")
    figures = json.loads(done.stdout)
    figures["wall_seconds"] = time.perf_counter() - started
    return figures


def report(title: str, figures: dict) -> None:
    f = figures
    print(f"{title}: {f['rows']:,} rows checked, {f['added']:,} added, {f['skipped']:,} skipped")
    print(f"  wall time, whole process  {f['wall_seconds']:7.2f} s   {f['rows'] / f['wall_seconds']:,.0f} rows/s")
    print(f"    open config + database  {f['open_seconds']:7.2f} s")
    print(f"    read and check, no lock {f['check_seconds']:7.2f} s   ({f['check_cpu_seconds']:.2f} s CPU)")
    print(f"    write transaction       {f['write_seconds']:7.2f} s   ({f['write_cpu_seconds']:.2f} s CPU)")
    print(f"  CPU time of the process   {f['cpu_seconds']:7.2f} s")
    print(f"  write lock held           {f['lock_seconds']:7.2f} s")
    print(f"  peak memory (maxrss)      {f['maxrss_mb']:7.1f} MB")


def verdict(figure: float, target: float, unit: str) -> str:
    return f"target <= {target:g} {unit}: {'yes' if figure <= target else 'no'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(import_once(args.child)))
        return

    os.environ.pop("ANTIFRAUD_DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as name:
        folder = Path(name)
        shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
        # Create and migrate the database first: a station's database already exists.
        env = {**os.environ, "ANTIFRAUD_CONFIG": str(folder / "config.yaml")}
        subprocess.run(
            [sys.executable, "-m", "antifraud", "incident", "list"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        write_rows(folder / "cases.csv", args.rows, date.today())
        size = (folder / "cases.csv").stat().st_size / 1024 / 1024
        load = os.getloadavg()[0]  # other work on the machine slows every figure but the CPU times
        machine = f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs (load average {load:.1f})"
        print(f"{machine}, {args.rows:,} rows ({size:.1f} MB of CSV)")
        first = run_import(folder)
        report("first import", first)
        again = run_import(folder)
        report("same file again", again)
    print(
        f"\n{args.rows:,} rows in {first['wall_seconds']:.2f} s ({verdict(first['wall_seconds'], TARGET_SECONDS, 's')})"
    )
    print(f"peak memory {first['maxrss_mb']:.1f} MB ({verdict(first['maxrss_mb'], TARGET_MB, 'MB')})")


if __name__ == "__main__":
    main()
