"""How long the commands a duty officer types take, as whole processes, beside `python -c pass`.

    python benchmarks/bench_cli.py [--runs N]

Runs in a temporary folder with the shipped config.yaml and a fresh SQLite database (created
and migrated once before timing). Each command runs N times (default 9); the median and the
fastest are printed, next to the interpreter starting and doing nothing, and next to a process
that only imports the libraries an incident needs (click, PyYAML, pydantic, SQLAlchemy): the
floor for any command that reads the config and the database. The package is byte-compiled
first, as `pip install` does, so the figures do not include compiling antifraud's own modules.

Targets (issue 9): `--help` within 0.3 s of `python -c pass`; `incident add` within 0.8 s.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = "import click, yaml, zoneinfo, pydantic.types, sqlalchemy.orm"


def timed(commands: dict[str, list[str]], cwd: Path, runs: int, env: dict) -> dict[str, tuple[float, float]]:
    """(median, fastest) wall seconds of `runs` runs of each command; a failing command stops the
    benchmark. The commands take turns, round by round, so a machine that speeds up or slows down
    meanwhile (a shared 2-core box does) moves every figure alike."""
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            seconds[name].append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode(errors='replace').strip()}")
    return {name: (statistics.median(times), min(times)) for name, times in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs

    compileall.compile_dir(ROOT / "antifraud", quiet=1)
    python = sys.executable
    cli = [python, "-m", "antifraud"]
    env = {**os.environ, "ANTIFRAUD_CONFIG": "config.yaml"}
    env.pop("ANTIFRAUD_DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        cwd = Path(folder)
        shutil.copy(ROOT / "config.yaml", cwd / "config.yaml")
        subprocess.run([*cli, "incident", "list"], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
        day = time.strftime("%Y-%m-%d", time.localtime(time.time() - 2 * 86400))
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "libraries only": [python, "-c", LIBRARIES],
            "antifraud --help": [*cli, "--help"],
            "antifraud incident list": [*cli, "incident", "list"],
            "antifraud incident add": [*cli, "incident", "add", "--date", day, "--category", "刷单返利", "--loss", "8"],
            "antifraud status": [*cli, "status"],
        }
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {runs} runs each (median / fastest)")
        results = timed(commands, cwd, runs, env)
        for name, (median, fastest) in results.items():
            print(f"  {name:<26} {median:6.3f} s   {fastest:6.3f} s")
    base = results["python -c pass"][0]
    help_extra = results["antifraud --help"][0] - base
    add = results["antifraud incident add"][0]
    print(f"\n--help over python -c pass: {help_extra:.3f} s (target <= 0.3 s: {'yes' if help_extra <= 0.3 else 'no'})")
    print(f"incident add: {add:.3f} s (target <= 0.8 s: {'yes' if add <= 0.8 else 'no'})")
    floor = results["libraries only"][0]
    print(f"  of which importing the libraries alone: {floor:.3f} s; antifraud's own share: {add - floor:.3f} s")


if __name__ == "__main__":
    main()
