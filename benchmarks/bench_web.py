"""Requests per second of the web UI's busiest pages, on gunicorn (2 workers) and on `antifraud serve`.

    python benchmarks/bench_web.py [--seconds S] [--warmup S] [--connections N] [--client auto|wrk|python]

In a temporary folder beside the shipped config.yaml (plus `web: {secure_cookies: false}`, since the
benchmark talks plain HTTP) and a fresh SQLite database, it imports a year of generated incidents
(365 days x 1-5 a day) with `antifraud incident import`, renders the warning of day D (yesterday)
with `antifraud warning render --date D`, and adds a clerk with `antifraud user add`. Then, for each
server in turn -- `gunicorn -w 2 antifraud.web.wsgi:application` (the production unit,
deploy/antifraud-web.service) and `antifraud serve` (waitress, 8 threads) -- it logs the clerk in
once over HTTP (CSRF token and session cookie handled here) and loads, with that one session,

    GET /incidents?date=D      the day's incidents, as the duty clerk opens it every morning
    GET /warnings/D            the day's warning with its poster

for a warm-up and then S seconds (default 10) each. The load comes from a separate process: `wrk`
(`apt-get install wrk`) when it is installed, else this script in load mode, with one keep-alive
`http.client` connection per thread. It prints requests per second, p50/p95 latency, errors (non-200
answers and failed connections) and whether the target is met. The load generator runs on the same
machine, so it takes some of the CPU the server would have.

Target (issue 12): >= 200 req/s for /incidents on 2 cores, with gunicorn.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
TARGET_RPS = 200.0
PASSWORD = "bench-password-1"
ZONE = ZoneInfo("Asia/Shanghai")  # the shipped config's

# The same made-up spreadsheet vocabulary as the import benchmark (a script beside this one).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import CATEGORIES, CHANNELS, HEADER, OCCUPATIONS, SUMMARIES, SURNAMES  # noqa: E402

# wrk prints its own summary; this adds one JSON line with the figures we report (latencies in µs).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %f, "p50_ms": %f, "p95_ms": %f, "non_200": %d, "failed": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


# ------------------------------------------------------------------------------------------ the data


def write_year(path: Path, today: date) -> int:
    """365 days before `today`, 1-5 incidents each, as a station clerk's spreadsheet would have them."""
    rng = random.Random(20261201)
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for back in range(1, 366):
            day = today - timedelta(days=back)
            for _ in range(rng.randint(1, 5)):
                rows += 1
                stopped = rng.random() < 0.2
                writer.writerow(
                    [
                        day.isoformat(),
                        rng.choice(CATEGORIES),
                        "0" if stopped else str(rng.randint(1, 90000)),
                        "是" if stopped else "否",
                        rng.choice(CHANNELS),
                        rng.choice(SURNAMES) + rng.choice(("先生", "女士")) if rng.random() < 0.5 else "",
                        str(rng.randint(16, 85)),
                        rng.choice(OCCUPATIONS),
                        f"石鼓社区第{rng.randint(1, 12)}网格",
                        f"{rng.choice(SUMMARIES)}（接警编号{rows:06d}）",
                        "shigu",
                    ]
                )
    return rows


def cli(folder: Path, env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "antifraud", *args], cwd=folder, env=env, input=stdin, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"antifraud {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def prepare(folder: Path, env: dict) -> date:
    """The config, a year of incidents, day D's warning and the clerk; returns D."""
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    (folder / "config.yaml").write_text(config + "\nweb:\n  secure_cookies: false\n", encoding="utf-8")
    today = datetime.now(ZONE).date()
    rows = write_year(folder / "year.csv", today)
    started = time.perf_counter()
    cli(folder, env, "incident", "import", "year.csv", "--by", "bench")
    print(f"imported {rows:,} incidents over 365 days in {time.perf_counter() - started:.1f} s")
    day = today - timedelta(days=1)
    cli(folder, env, "warning", "render", "--date", day.isoformat())
    cli(folder, env, "user", "add", "--username", "bench", "--role", "clerk", "--password-stdin", stdin=PASSWORD + "\n")
    return day


# ---------------------------------------------------------------------------------------- the servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(process: subprocess.Popen, port: int, seconds: float = 60) -> None:
    """Until GET /login answers 200 (every gunicorn worker may take a moment more; the warm-up covers it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{process.stderr.read() if process.stderr else ''}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer on port {port} within {seconds:.0f} s")


def start_gunicorn(folder: Path, env: dict, threads: int = 1) -> tuple[subprocess.Popen, int]:
    """2 sync workers, as deploy/antifraud-web.service runs it (threads > 1: gthread workers, with keep-alive)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "antifraud.web.wsgi:application"]
    if threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    process = subprocess.Popen(
        command, cwd=folder, env={**env, "ANTIFRAUD_CONFIG": str(folder / "config.yaml")},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_until_up(process, port)
    return process, port


def start_waitress(folder: Path, env: dict) -> tuple[subprocess.Popen, int]:
    command = [sys.executable, "-m", "antifraud", "serve", "--port", "0", "--threads", "8"]
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    for line in process.stdout:
        if line.startswith("serving on "):
            port = urlsplit(line.split()[-1]).port
            break
    else:
        raise SystemExit("antifraud serve did not start")
    wait_until_up(process, port)
    return process, port


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log_in(port: int) -> str:
    """The clerk's session cookie ("antifraud_session=..."), got as a browser would: form, token, POST."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    body = urlencode({"csrf_token": token, "username": "bench", "password": PASSWORD})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", "/login", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 302:
        raise SystemExit(f"logging in failed: {response.status}")
    return response.getheader("Set-Cookie").split(";", 1)[0]


def look(port: int, path: str, cookie: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    connection.close()
    return response.status, text


# ------------------------------------------------------------------------------------- the load, measured


def load_with_wrk(port: int, path: str, cookie: str, seconds: float, connections: int, folder: Path) -> dict:
    script = folder / "report.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    command = [
        "wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
        "-s", str(script), "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("JSON "))
    figures = json.loads(line[5:])
    figures["rps"] = figures["requests"] / figures["seconds"]
    figures["errors"] = figures.pop("non_200") + figures.pop("failed")
    return figures


def load_with_python(port: int, path: str, cookie: str, seconds: float, connections: int) -> dict:
    command = [sys.executable, __file__, "--load", str(port), path, cookie, str(seconds), str(connections)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def generate_load(port: int, path: str, cookie: str, seconds: float, threads: int) -> dict:
    """This process's part in load mode: `threads` keep-alive connections, each sending GETs back to back."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    headers = {"Cookie": cookie, "Connection": "keep-alive"}
    start = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def worker(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        start.wait()
        while (sent := time.perf_counter()) < stop_at[0]:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[n] += 1
                latencies[n].append(time.perf_counter() - sent)
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                connection.close()  # reopened by the next request
        connection.close()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    every = sorted(t for per in latencies for t in per)
    if not every:
        return {"requests": 0, "seconds": elapsed, "rps": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "errors": sum(errors)}
    return {
        "requests": len(every),
        "seconds": elapsed,
        "rps": len(every) / elapsed,
        "p50_ms": every[len(every) // 2] * 1000,
        "p95_ms": every[min(len(every) - 1, int(len(every) * 0.95))] * 1000,
        "errors": sum(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (threads)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--gunicorn-threads", type=int, default=1, help="> 1: gunicorn's gthread workers")
    parser.add_argument(
        "--load", nargs=5, metavar=("PORT", "PATH", "COOKIE", "SECONDS", "THREADS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.load:  # the load generator's own process
        port, path, cookie, seconds, threads = args.load
        print(json.dumps(generate_load(int(port), path, cookie, float(seconds), int(threads))))
        return

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    env = {**os.environ, "ANTIFRAUD_SECRET_KEY": "bench-" + "k" * 40, "PYTHONPATH": str(ROOT)}
    env.pop("ANTIFRAUD_DATABASE_URL", None)
    env.pop("ANTIFRAUD_CONFIG", None)
    kind = f"gthread x{args.gunicorn_threads}" if args.gunicorn_threads > 1 else "sync workers"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load from {client}, {args.connections} connections")
    print(f"gunicorn: 2 {kind}; antifraud serve: waitress, 8 threads")
    with tempfile.TemporaryDirectory(prefix="bench-web-") as name:
        folder = Path(name)
        day = prepare(folder, env)
        paths = [f"/incidents?date={day.isoformat()}", f"/warnings/{day.isoformat()}"]
        results = {}
        servers = {
            "gunicorn -w 2": lambda: start_gunicorn(folder, env, args.gunicorn_threads),
            "antifraud serve": lambda: start_waitress(folder, env),
        }
        for server, start_server in servers.items():
            process, port = start_server()
            try:
                cookie = log_in(port)
                print(f"\n{server} (port {port})")
                for path in paths:
                    status, text = look(port, path, cookie)
                    if status != 200:
                        raise SystemExit(f"GET {path} answered {status}:\n{text[:500]}")
                    note = "  (a placeholder page: the real one is not there yet)" if len(text) < 100 else ""
                    if path.startswith("/warnings") and not note and "<img" not in text:
                        note = "  (no poster on the page)"

                    def run(seconds, path=path):
                        if client == "wrk":
                            return load_with_wrk(port, path, cookie, seconds, args.connections, folder)
                        return load_with_python(port, path, cookie, seconds, args.connections)

                    if args.warmup > 0:
                        run(args.warmup)
                    f = results[server, path] = run(args.seconds)
                    print(
                        f"  GET {path:<28} {f['rps']:7.1f} req/s   p50 {f['p50_ms']:6.1f} ms   "
                        f"p95 {f['p95_ms']:6.1f} ms   errors {f['errors']}   ({len(text):,} bytes){note}"
                    )
            finally:
                stop(process)
    rps = results["gunicorn -w 2", paths[0]]["rps"]
    met = "yes" if rps >= TARGET_RPS else "no"
    print(f"\n/incidents on gunicorn: {rps:.0f} req/s (target >= {TARGET_RPS:.0f} req/s on 2 cores: {met})")


if __name__ == "__main__":
    main()
