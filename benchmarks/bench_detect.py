#!/usr/bin/env python3
"""How well do the detection methods find a surge, and how often do they cry wolf?

Run from the repository root:

    python benchmarks/bench_detect.py [--replicates N] [--seed N] [--alpha A] [--weekly-alpha A] [--min-cases N]

Simulates station-years of daily counts of one category at 0.1, 0.3, 1 and 3 cases a day (Poisson, with a
weekly cycle: weekdays x1.1, weekends x0.75), each with one outbreak of 3-7 days starting at a random day.
Two outbreak kinds: "sigma" adds Poisson(k * sqrt(rate)) cases a day, k uniform in 2-4 (2-4 baseline standard
deviations); "cases" adds Poisson(u) cases a day, u uniform in 1-2, whatever the rate (a fraud wave of one or
two extra victims a day). Each station-year is 364 evaluated days (52 weeks) after 63 days of warm-up.

Per method (C1, C2, C3 at min_sigma 0, 0.5 and 1; weekly Poisson on calendar weeks), with and without the
service's min_cases rule (no alarm with fewer than min_cases cases on the day, or in the week):
  sens   share of outbreaks with an alarm on an outbreak day (weekly: in a week containing an outbreak day)
  FA/yr  alarms on non-outbreak days (weekly: weeks) per station-year of 365 days
  spec   share of non-outbreak days (weekly: weeks) without an alarm
  delay  median days from the outbreak's first day to its first alarm (weekly: to the end of the alarmed week)
"weekly, rolling" is the weekly test run every day on the 7 days ending that day (scored as a daily method:
every alarmed day outside the outbreak is a false alarm, so one cluster of cases can count several times).
Beside the EARS figures of Hutwagner et al. 2005 (C1 60%/97%, C2 71%/97%, C3 82%/95% sensitivity/specificity).
Pure computation: no database, no network.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from antifraud.detection.methods import daily_to_weekly, ears, weekly_poisson  # noqa: E402

RATES = (0.1, 0.3, 1.0, 3.0)
WARMUP = 63  # 9 weeks: the weekly method's 8-week baseline plus one
DAYS = 364  # 52 evaluated weeks
DOW = np.array([1.1, 1.1, 1.1, 1.1, 1.1, 0.75, 0.75])  # mean 1.0
MIN_SIGMAS = (0.0, 0.5, 0.75, 1.0)
# Share of a station's categories at each rate: most categories at most stations see < 1 case a day.
MIX = {0.1: 0.5, 0.3: 0.3, 1.0: 0.15, 3.0: 0.05}
HUTWAGNER = {"C1": "60% / 97%", "C2": "71% / 97%", "C3": "82% / 95%", "weekly": "-"}


def simulate(rng, rate: float, n: int, kind: str):
    total = WARMUP + DAYS
    day_rate = rate * DOW[np.arange(total) % 7] / DOW.mean()
    counts = rng.poisson(np.broadcast_to(day_rate, (n, total)))
    length = rng.integers(3, 8, n)
    start = WARMUP + rng.integers(0, DAYS - 7, n)
    days = np.arange(total)
    outbreak = (days >= start[:, None]) & (days < (start + length)[:, None])
    if kind == "sigma":
        extra_mean = rng.uniform(2, 4, n)[:, None] * np.sqrt(day_rate)
    else:
        extra_mean = np.broadcast_to(rng.uniform(1, 2, n)[:, None], (n, total))
    counts = counts + rng.poisson(np.where(outbreak, extra_mean, 0.0))
    return counts, outbreak, start


def rolling_weekly(counts, alpha):
    """The weekly test run every day: the 7 days ending on day d against the 8 weeks before them."""
    alarm = np.zeros(counts.shape, dtype=bool)
    sums = np.zeros(counts.shape, dtype=int)
    total = counts.shape[-1]
    for phase in range(7):  # weeks ending on total-1-phase, total-8-phase, ...
        weekly_counts = daily_to_weekly(counts[:, : total - phase])
        det = weekly_poisson(weekly_counts, weeks=8, alpha=alpha)
        ends = total - 1 - phase - 7 * np.arange(weekly_counts.shape[1])[::-1]
        ok = ends >= 0
        alarm[:, ends[ok]] = det.alarm[:, ok]
        sums[:, ends[ok]] = weekly_counts[:, ok]
    return alarm, sums


def score_daily(alarm, outbreak, start):
    a, o = alarm[:, WARMUP:], outbreak[:, WARMUP:]
    hit = a & o
    detected = hit.any(axis=1)
    first = np.argmax(hit, axis=1) + WARMUP
    delay = (first - start)[detected]
    false = (a & ~o).sum()
    quiet = (~o).sum()
    return (
        detected.mean(),
        false / a.shape[0] * 365 / DAYS,
        1 - false / quiet,
        np.median(delay) if delay.size else np.nan,
    )


def score_weekly(alarm, outbreak, start):
    weeks = alarm.shape[1]
    ob = daily_to_weekly(outbreak.astype(int)) > 0
    first_week = WARMUP // 7
    a, o = alarm[:, first_week:], ob[:, first_week:]
    hit = a & o
    detected = hit.any(axis=1)
    week_end = (np.argmax(hit, axis=1) + first_week) * 7 + 6
    delay = (week_end - start)[detected]
    false = (a & ~o).sum()
    assert weeks * 7 == WARMUP + DAYS
    return detected.mean(), false / a.shape[0] * 365 / DAYS, 1 - false / (~o).sum(), np.median(delay)


def row(name, figures, figures_min_cases, published):
    def fmt(f):
        sens, fa, spec, delay = f
        return f"{sens:6.1%} {fa:6.2f} {spec:7.2%} {delay:5.1f}"

    return f"  {name:<16} {fmt(figures)}   {fmt(figures_min_cases)}   {published}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=500, help="station-years per rate (default 500)")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--alpha", type=float, default=0.001, help="EARS alpha (default 0.001)")
    parser.add_argument("--weekly-alpha", type=float, default=0.01, help="weekly Poisson alpha (default 0.01)")
    parser.add_argument("--min-cases", type=int, default=2, help="the service's min_cases (default 2)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    began = time.perf_counter()
    print(
        f"bench_detect: {args.replicates} station-years per rate, alpha {args.alpha}, weekly alpha "
        f"{args.weekly_alpha}, min_cases {args.min_cases}, seed {args.seed}; Python {platform.python_version()}, "
        f"numpy {np.__version__}, {os.cpu_count()} CPUs"
    )
    head = "sens  FA/yr    spec delay"
    mix: dict = {}
    for kind in ("sigma", "cases"):
        label = "+2..4 sd a day" if kind == "sigma" else "+1..2 cases a day"
        for rate in RATES:
            counts, outbreak, start = simulate(rng, rate, args.replicates, kind)
            print(f"\n[{kind}: outbreak {label}, 3-7 days] rate {rate:g} a day")
            print(f"  {'method':<16} {head:>28}   {head + ' (min_cases)':>40}   Hutwagner 2005 sens/spec")
            for method in ("C1", "C2", "C3"):
                for min_sigma in MIN_SIGMAS:
                    det = ears(counts, method, alpha=args.alpha, min_sigma=min_sigma)
                    plain = score_daily(det.alarm, outbreak, start)
                    gated = score_daily(det.alarm & (counts >= args.min_cases), outbreak, start)
                    name = f"{method} min_sigma {min_sigma:g}"
                    print(row(name, plain, gated, HUTWAGNER[method]))
                    mix.setdefault((kind, name), []).append((MIX[rate], gated))
            weekly_counts = daily_to_weekly(counts)
            det = weekly_poisson(weekly_counts, weeks=8, alpha=args.weekly_alpha)
            plain = score_weekly(det.alarm, outbreak, start)
            gated = score_weekly(det.alarm & (weekly_counts >= args.min_cases), outbreak, start)
            print(row("weekly (8 weeks)", plain, gated, HUTWAGNER["weekly"]))
            mix.setdefault((kind, "weekly (8 weeks)"), []).append((MIX[rate], gated))
            roll, roll_counts = rolling_weekly(counts, args.weekly_alpha)
            plain = score_daily(roll, outbreak, start)
            gated = score_daily(roll & (roll_counts >= args.min_cases), outbreak, start)
            print(row("weekly, rolling", plain, gated, HUTWAGNER["weekly"]))
            mix.setdefault((kind, "weekly, rolling"), []).append((MIX[rate], gated))
    print(
        "\nA station's mix of categories (assumed: "
        + ", ".join(f"{w:.0%} at {r:g} a day" for r, w in MIX.items())
        + f"), with min_cases {args.min_cases}: weighted sens and FA/yr per category"
    )
    print(f"  {'method':<16} {'sigma: sens  FA/yr':>20} {'cases: sens  FA/yr':>22}")
    for name in dict.fromkeys(name for _, name in mix):
        cells = []
        for kind in ("sigma", "cases"):
            parts = mix[(kind, name)]
            sens = sum(w * f[0] for w, f in parts)
            fa = sum(w * f[1] for w, f in parts)
            cells.append(f"{sens:6.1%} {fa:6.2f}")
        print(f"  {name:<16} {cells[0]:>20} {cells[1]:>22}")
    simulated = time.perf_counter() - began

    # Throughput: a year of 600 stations x 12 categories in one call.
    year = rng.poisson(0.3, size=(600, 12, 365 + WARMUP))
    timings = {}
    for method in ("C1", "C2", "C3"):
        t = time.perf_counter()
        ears(year, method, alpha=args.alpha, min_sigma=0.5)
        timings[method] = time.perf_counter() - t
    t = time.perf_counter()
    weekly_poisson(daily_to_weekly(year), weeks=8, alpha=args.weekly_alpha)
    timings["weekly"] = time.perf_counter() - t
    print(
        "\n600 stations x 12 categories x 428 days in one call: "
        + ", ".join(f"{m} {s:.2f} s" for m, s in timings.items())
        + f"; simulation and scoring {simulated:.1f} s"
    )


if __name__ == "__main__":
    main()
