"""Every benchmark still runs, at a tiny size: a change to a function they call shows here, not the
next time someone measures (a publish() signature once broke bench_city.py unnoticed). Their
figures are not checked: tests check behaviour, benchmarks/ measures."""

import os
import subprocess
import sys

import pytest

from conftest import REPO

TINY = {
    "bench_city": ["--sqlite", "--stations", "3", "--incidents", "300", "--outbox-messages", "0"],
    "bench_cli": ["--runs", "1"],
    "bench_detect": ["--replicates", "2"],
    "bench_import": ["--rows", "300"],
    "bench_outbox": ["--messages", "40", "--limited", "0"],
    "bench_render": ["--renders", "2", "--no-chromium"],
    "bench_rota": ["--weeks", "1"],
    "bench_web": ["--seconds", "0.5", "--warmup", "0.2"],
}


def test_every_benchmark_has_a_tiny_run():
    assert sorted(TINY) == sorted(p.stem for p in (REPO / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("name", sorted(TINY))
def test_the_benchmark_runs(name, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTIFRAUD_")} | {"TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / f"{name}.py"), *TINY[name]],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), done.stderr[-3000:]
