"""The detection methods against hand-computed series and against R's surveillance::earsC."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from antifraud.detection.methods import (
    METHODS,
    Detection,
    daily_to_weekly,
    ears,
    normal_quantile,
    surveillance_upperbound,
    weekly_poisson,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "ears_surveillance.json"
R_SCRIPT = ROOT / "scripts" / "ears_fixture.R"

Z001 = 3.090232306167813  # qnorm(0.999)
Z05 = 1.6448536269514722  # qnorm(0.95)


def test_methods_and_quantiles():
    assert METHODS == ("C1", "C2", "C3", "weekly")
    assert norm.ppf(0.999) == pytest.approx(Z001, abs=1e-12)
    assert norm.ppf(0.95) == pytest.approx(Z05, abs=1e-12)


@pytest.mark.parametrize("alpha", [1e-6, 0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.4999])
def test_the_threshold_quantile_is_scipys(alpha):
    """EARS takes qnorm from the standard library (scipy.stats costs ~0.7 s to import in every process)."""
    assert normal_quantile(1 - alpha) == pytest.approx(float(norm.ppf(1 - alpha)), rel=1e-14, abs=1e-14)


# --- hand-computed series ------------------------------------------------------------------------------


def test_c1_by_hand():
    # baseline days 0-6: 1 2 3 1 2 3 2 -> mean 14/7 = 2; squared deviations 1 0 1 1 0 1 0 = 4;
    # sd = sqrt(4/6) = 0.816496580927726; day 7 (5 cases): C1 = 3/0.8165 = 3.674234614174767;
    # upper = 2 + 3.090232306 * 0.816496581 = 4.523164...
    y = [1, 2, 3, 1, 2, 3, 2, 5]
    d = ears(y, "C1", alpha=0.001)
    assert isinstance(d, Detection)
    sd = np.sqrt(4 / 6)
    assert np.isnan(d.statistic[:7]).all() and np.isnan(d.upper[:7]).all() and not d.alarm[:7].any()
    assert d.expected[7] == pytest.approx(2.0)
    assert d.sigma[7] == pytest.approx(0.816496580927726)
    assert d.statistic[7] == pytest.approx(3.674234614174767)
    assert d.upper[7] == pytest.approx(2 + Z001 * sd)
    assert d.upper[7] == pytest.approx(4.523164, abs=1e-6)
    assert d.alarm[7]
    # min_sigma below the sd changes nothing; above it, it replaces the sd: upper = 2 + 3.0902 * 2 = 8.18
    assert ears(y, "C1", min_sigma=0.5).upper[7] == pytest.approx(d.upper[7])
    big = ears(y, "C1", min_sigma=2.0)
    assert big.sigma[7] == 2.0 and big.upper[7] == pytest.approx(2 + 2 * Z001) and not big.alarm[7]


def test_c2_skips_the_two_guard_days():
    # Day 9: C2's baseline is days 0-6 (mean 2, sd 0.8165 as above); days 7 and 8 (9 cases each) are the guard
    # band and do not count: C2 = (5 - 2) / 0.8165 = 3.674 > 3.09 -> alarm. C1 on day 9 uses days 2-8:
    # 3 1 2 3 2 9 9 -> mean 29/7 = 4.142857, and its sd is large, so no alarm.
    y = [1, 2, 3, 1, 2, 3, 2, 9, 9, 5]
    c2 = ears(y, "C2")
    assert np.isnan(c2.statistic[:9]).all()
    assert c2.expected[9] == pytest.approx(2.0)
    assert c2.statistic[9] == pytest.approx(3.674234614174767)
    assert c2.alarm[9]
    c1 = ears(y, "C1")
    assert c1.expected[9] == pytest.approx(29 / 7)
    assert not c1.alarm[9]
    # A longer guard moves the baseline further back: guard 3 -> day 9 tests against days -1..5: incomplete.
    assert np.isnan(ears(y, "C2", guard=3).statistic[9])
    assert ears(y, "C2", guard=1).expected[9] == pytest.approx((2 + 3 + 1 + 2 + 3 + 2 + 9) / 7)


def test_c3_by_hand():
    # Days 0-10: one case a day; then 3, 4, 2. C2's baseline for days 9-13 is all ones: mean 1, sd 0 -> s = 1
    # with min_sigma 1. C2: day 9 0, day 10 0, day 11 2, day 12 3, day 13 1; excess max(0, C2 - 1): 0 0 1 2 0.
    # C3 = excess of the day + the two before: day 11: 1 + 0 + 0 = 1; day 12: 2 + 1 + 0 = 3; day 13: 0 + 2 + 1 = 3.
    # alpha 0.05, z = 1.645: day 11 no alarm, days 12 and 13 alarm.
    # upper = m + s (1 + z - P), P = excess of the two days before: day 11: 1 + 1 + 1.645 = 3.645 (3 cases: no);
    # day 12: P = 1 -> 1 + 1.645 = 2.645 (4 cases: alarm); day 13: P = 3 > z -> 0 (any case alarms).
    y = [1] * 11 + [3, 4, 2]
    d = ears(y, "C3", alpha=0.05, min_sigma=1.0)
    assert np.isnan(d.statistic[:11]).all() and np.isnan(d.upper[:11]).all()  # needs baseline + guard + 2 days
    np.testing.assert_allclose(d.statistic[11:], [1.0, 3.0, 3.0])
    np.testing.assert_allclose(d.upper[11:], [1 + 1 + Z05, 1 + Z05, 0.0])
    assert d.alarm.tolist() == [False] * 12 + [True, True]
    np.testing.assert_allclose(d.expected[11:], 1.0)
    np.testing.assert_allclose(d.sigma[11:], 1.0)
    # earsC 1.20.3 reports upperbound = max(0, y + s (z - P)): day 11: 3 + 1.645 = 4.645; day 12:
    # 4 + 0.645 = 4.645; day 13: max(0, 2 + 1.645 - 3) = 0.645 -> it alarms on day 13 only, not day 12.
    r = surveillance_upperbound(y, "C3", alpha=0.05, min_sigma=1.0)
    np.testing.assert_allclose(r[11:], [3 + Z05, 4 + Z05 - 1, 2 + Z05 - 3])
    assert (np.asarray(y)[11:] > r[11:]).tolist() == [False, False, True]


def test_weekly_poisson_by_hand():
    # weeks 4, baseline 2 2 2 2 -> mean 2. P(X >= 7 | Poisson(2)) = 1 - P(X <= 6) = 0.0045338 < 0.01 -> alarm.
    # upper: P(X > 5) = 0.016564 >= 0.01, P(X > 6) = 0.0045338 < 0.01 -> 6: the alarm is "more than 6 cases".
    d = weekly_poisson([2, 2, 2, 2, 7], weeks=4, alpha=0.01)
    assert np.isnan(d.statistic[:4]).all() and not d.alarm[:4].any()
    assert d.expected[4] == pytest.approx(2.0)
    assert d.statistic[4] == pytest.approx(0.0045338, abs=1e-7)
    assert d.upper[4] == 6.0 and d.alarm[4]
    assert np.isnan(d.sigma).all()
    assert not weekly_poisson([2, 2, 2, 2, 6], weeks=4).alarm[4]  # P(X >= 6) = 0.016564
    # A zero baseline: the rate is floored at 0.5 / weeks = 0.125. One case: P(X >= 1) = 1 - e^-0.125 = 0.1175,
    # no alarm; two: 1 - e^-0.125 (1 + 0.125) = 0.0071910 < 0.01, alarm; upper = 1.
    one = weekly_poisson([0, 0, 0, 0, 1], weeks=4)
    assert one.expected[4] == 0.0 and one.statistic[4] == pytest.approx(0.1175031, abs=1e-7) and not one.alarm[4]
    two = weekly_poisson([0, 0, 0, 0, 2], weeks=4)
    assert two.statistic[4] == pytest.approx(0.0071910, abs=1e-7) and two.alarm[4] and two.upper[4] == 1.0
    # Zero cases never alarm: P(X >= 0) = 1.
    assert weekly_poisson([0, 0, 0, 0, 0], weeks=4).statistic[4] == 1.0


def test_weekly_upper_matches_alarm():
    rng = np.random.default_rng(7)
    y = rng.poisson(rng.uniform(0, 10, size=(50, 1)), size=(50, 40))
    d = weekly_poisson(y, weeks=8, alpha=0.01)
    ok = ~np.isnan(d.upper)
    assert ok[:, 8:].all()
    assert (d.alarm[ok] == (y[ok] > d.upper[ok])).all()


def test_daily_to_weekly_aligns_on_the_last_day():
    # 15 days 1..15: the first day is dropped; weeks 2..8 = 35 and 9..15 = 84.
    assert daily_to_weekly(np.arange(1, 16)).tolist() == [35, 84]
    assert daily_to_weekly(np.ones((2, 3, 14))).shape == (2, 3, 2)
    assert daily_to_weekly(np.arange(6)).shape == (0,)


# --- behaviour ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["C1", "C2", "C3"])
@pytest.mark.parametrize("min_sigma", [0.0, 0.5])
@pytest.mark.parametrize("level", [0, 3])
def test_no_alarm_on_flat_data(method, min_sigma, level):
    d = ears(np.full(60, level), method, alpha=0.05, min_sigma=min_sigma)
    assert not d.alarm.any()
    assert np.nanmax(d.statistic) == 0.0


@pytest.mark.parametrize("level", [0, 3])
def test_weekly_no_alarm_on_flat_data(level):
    assert not weekly_poisson(np.full(30, level), alpha=0.05).alarm.any()


@pytest.mark.parametrize("method", ["C1", "C2", "C3"])
def test_injected_surge_fires_on_its_day(method):
    rng = np.random.default_rng(20240501)
    y = rng.poisson(1.0, 120)
    y[80] += 8
    d = ears(y, method, alpha=0.001, min_sigma=0.5)
    assert d.alarm[80]
    assert d.statistic[80] == np.nanmax(d.statistic[60:81])


def test_weekly_surge_fires_in_its_week():
    rng = np.random.default_rng(3)
    days = rng.poisson(1.0, 7 * 20)
    days[-5:] += 4  # +20 cases in the last week
    d = weekly_poisson(daily_to_weekly(days), weeks=8, alpha=0.01)
    assert d.alarm[-1]


@pytest.mark.parametrize("method", ["C1", "C2", "C3"])
def test_single_case_on_sparse_data(method):
    y = np.zeros(90, dtype=int)
    y[50] = 1
    # min_sigma 0.5: C1/C2 upper = 0 + 3.09 * 0.5 = 1.545 > 1; C3 = (1 / 0.5 - 1) = 1 < 3.09: no alarm.
    assert not ears(y, method, min_sigma=0.5).alarm.any()
    # Without min_sigma the baseline of zeros has sd 0 and a single case is an alarm (hence min_sigma).
    assert ears(y, method, min_sigma=0.0).alarm[50]
    assert not weekly_poisson(daily_to_weekly(y), weeks=8).alarm.any()


def test_many_series_at_once_equal_one_by_one():
    rng = np.random.default_rng(11)
    y = rng.poisson(rng.uniform(0.1, 3, size=(4, 3, 1)), size=(4, 3, 100))
    for method in ("C1", "C2", "C3"):
        d = ears(y, method, min_sigma=0.5)
        one = ears(y[2, 1], method, min_sigma=0.5)
        np.testing.assert_array_equal(d.alarm[2, 1], one.alarm)
        np.testing.assert_allclose(d.upper[2, 1], one.upper)
        assert d.statistic.shape == y.shape


def test_short_series_and_bad_arguments():
    d = ears([1, 2, 3], "C2")
    assert np.isnan(d.statistic).all() and not d.alarm.any()
    with pytest.raises(ValueError):
        ears([1] * 20, "C1", guard=2)
    with pytest.raises(ValueError):
        ears([1] * 20, "weekly")
    with pytest.raises(ValueError):
        ears([1] * 20, "C1", baseline=2)
    assert ears([1] * 20, "C1", guard=0).alarm.shape == (20,)


# --- agreement with R surveillance::earsC -----------------------------------------------------------------


def _compare_with_earsc(fixture: dict) -> int:
    """Checks every earsC result in the fixture; returns how many days were compared."""
    series = {s["name"]: np.asarray(s["counts"]) for s in fixture["series"]}
    compared = 0
    for r in fixture["results"]:
        y = series[r["series"]]
        first = r["first_day"] - 1
        label = f"{r['series']} {r['method']} alpha={r['alpha']} minSigma={r['minSigma']} baseline={r['baseline']}"
        r_upper = np.array([np.nan if v is None else v for v in r["upperbound"]], dtype=float)
        r_alarm = [v for v in r["alarm"]]
        assert len(r_upper) == len(y) - first, label
        kw = dict(alpha=r["alpha"], baseline=r["baseline"], min_sigma=r["minSigma"])
        ub = surveillance_upperbound(y, r["method"], **kw)
        assert np.isnan(ub[:first]).all(), label  # earsC's range starts where the baseline is complete
        ub = ub[first:]
        assert (np.isnan(ub) == np.isnan(r_upper)).all(), label
        np.testing.assert_allclose(ub, r_upper, rtol=0, atol=1e-6, err_msg=label)
        ours = [None if np.isnan(u) else bool(v > u) for v, u in zip(y[first:], ub)]
        assert ours == r_alarm, label
        d = ears(y, r["method"], **kw)
        assert np.isnan(d.upper[:first]).all() and not np.isnan(d.upper[first:]).any(), label
        if r["method"] in ("C1", "C2"):  # the detector itself is earsC's
            np.testing.assert_allclose(d.upper[first:], r_upper, rtol=0, atol=1e-6, err_msg=label)
            assert d.alarm[first:].tolist() == r_alarm, label
        compared += len(r_upper)
    return compared


def test_agrees_with_stored_earsc_results():
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert "surveillance 1.20.3" in fixture["generated_by"]
    assert {r["method"] for r in fixture["results"]} == {"C1", "C2", "C3"}
    assert {s["rate"] for s in fixture["series"]} == {0.2, 1, 3}
    assert len(fixture["results"]) == 72
    assert _compare_with_earsc(fixture) > 7000


def test_c3_alarm_is_earsc_documented_one_not_its_lagged_code():
    """earsC 1.20.3's C3 alarms when the two days *before* exceed z (and the day has a case); ``ears`` alarms
    when the day's own C3 (day + two before) exceeds z. Where both are defined they differ by design."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    series = {s["name"]: np.asarray(s["counts"]) for s in fixture["series"]}
    r = next(
        r
        for r in fixture["results"]
        if (r["series"], r["method"], r["alpha"], r["minSigma"], r["baseline"]) == ("rate1", "C3", 0.001, 0.5, 7)
    )
    y = series["rate1"]
    d = ears(y, "C3", alpha=0.001, min_sigma=0.5)
    ours = np.flatnonzero(d.alarm)
    theirs = r["first_day"] - 1 + np.flatnonzero([bool(v) for v in r["alarm"]])
    # The surge is days 95-99 (1-based), i.e. 94-98: ours fires on its first day, earsC's code on the next.
    assert 94 in ours and 94 not in theirs
    assert ours.min() < theirs.min()


def _r_available() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed (apt-get install r-base-core r-cran-surveillance)"
    probe = subprocess.run(
        ["Rscript", "-e", "suppressPackageStartupMessages(library(surveillance))"], capture_output=True, timeout=120
    )
    if probe.returncode != 0:
        return "the R package surveillance is not installed (apt-get install r-cran-surveillance)"
    return None


def test_agrees_with_live_earsc(tmp_path):
    reason = _r_available()
    if reason:
        pytest.skip(f"live comparison with R skipped: {reason}; the stored fixture is still checked")
    live = tmp_path / "ears.json"
    shutil.copy(FIXTURE, live)
    subprocess.run(["Rscript", str(R_SCRIPT), str(live)], check=True, capture_output=True, timeout=300, cwd=ROOT)
    fresh = json.loads(live.read_text(encoding="utf-8"))
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert fresh["series"] == stored["series"]
    assert _compare_with_earsc(fresh) > 7000
