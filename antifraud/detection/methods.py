"""The detection methods: pure functions on numpy arrays of counts (no database, no clock).

Time runs along the last axis, so one call can test many series at once: ``counts`` may be a 1-D array of
daily counts, or ``(stations, categories, days)``. Every output has the shape of its input; index ``t`` of an
output is about day (or week) ``t`` of the input. Formulas and the benchmark behind the defaults are in
docs/detection.md.

``ears`` follows ``surveillance::earsC`` (R package surveillance 1.20.3): the same baselines, sample
standard deviation, ``minSigma`` and ``qnorm(1 - alpha)`` threshold; C1 and C2 give the same upper bound and
alarms as earsC. For C3, earsC's code does not do what its documentation says (it alarms on the two days
*after* the day whose excess crosses the threshold, never on that day); ``ears`` implements the documented
C3 and ``surveillance_upperbound`` reproduces earsC's numbers exactly, for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

METHODS = ("C1", "C2", "C3", "weekly")
_DEFAULT_GUARD = {"C1": 0, "C2": 2, "C3": 2}


def normal_quantile(p: float) -> float:
    """R's qnorm(p) (the standard library's, equal to scipy's norm.ppf within 2e-15)."""
    return NormalDist().inv_cdf(p)


@dataclass(frozen=True)
class Detection:
    """One method's verdict per day (or week), each array with the shape of the counts tested."""

    statistic: np.ndarray  # float; NaN where the baseline is incomplete. C1-C3: standardized; weekly: p-value
    expected: np.ndarray  # baseline mean
    sigma: np.ndarray  # baseline standard deviation (after min_sigma); weekly: NaN
    # The count above which the method alarms on that day: alarm == (count > upper) wherever upper is not NaN.
    # C3: the bound on the day's own count, given the excess already built up on the two days before.
    upper: np.ndarray
    alarm: np.ndarray  # bool; False where the baseline is incomplete


def _baseline(y: np.ndarray, length: int, guard: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample standard deviation (ddof=1, as R's sd) of y[t-guard-length : t-guard], per t."""
    mean = np.full(y.shape, np.nan)
    sd = np.full(y.shape, np.nan)
    lag = length + guard
    n = y.shape[-1]
    if n > lag:
        windows = sliding_window_view(y, length, axis=-1)[..., : n - lag, :]
        mean[..., lag:] = windows.mean(axis=-1)
        sd[..., lag:] = windows.std(axis=-1, ddof=1)
    return mean, sd


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """x moved k steps later along the last axis (out[..., t] = x[..., t-k]), NaN-filled at the start."""
    out = np.full(x.shape, np.nan)
    if k < x.shape[-1]:
        out[..., k:] = x[..., : x.shape[-1] - k]
    return out


def _check(method: str, alpha: float, baseline: int, guard: int | None, min_sigma: float) -> int:
    if method not in _DEFAULT_GUARD:
        raise ValueError(f"method must be one of C1, C2, C3 (got {method!r}); use weekly_poisson for weekly")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if baseline < 3:
        raise ValueError(f"baseline must be at least 3 days (as earsC), got {baseline}")
    if min_sigma < 0:
        raise ValueError(f"min_sigma must be >= 0, got {min_sigma}")
    if guard is None:
        return _DEFAULT_GUARD[method]
    if guard < 0:
        raise ValueError(f"guard must be >= 0, got {guard}")
    if method == "C1" and guard != 0:
        raise ValueError("C1 has no guard band (C1 with a guard band is C2); pass guard only for C2 and C3")
    return guard


def ears(
    counts,
    method: str = "C2",
    *,
    alpha: float = 0.001,
    baseline: int = 7,
    guard: int | None = None,
    min_sigma: float = 0.0,
) -> Detection:
    """CDC EARS C1, C2 or C3 on daily counts (time on the last axis).

    - baseline: mean m_t and sample sd of the ``baseline`` days ending ``guard`` days before day t
      (C1: guard 0, the days t-7..t-1; C2 and C3: guard 2, the days t-9..t-3); s_t = max(sd, min_sigma).
    - C1, C2: statistic (y_t - m_t) / s_t; alarm when y_t > upper_t = m_t + z * s_t, z = qnorm(1 - alpha).
    - C3: statistic C3_t = sum over i = 0, 1, 2 of max(0, C2_{t-i} - 1), each C2 with its own day's baseline;
      alarm when C3_t > z. upper_t = the day's count above which that happens given the two days before:
      with P_t = max(0, C2_{t-1} - 1) + max(0, C2_{t-2} - 1), upper_t = m_t + s_t * (1 + z - P_t) if P_t <= z,
      else 0 (the excess of the two days before already exceeds z: any day with a case alarms), and never
      below 0, so a day without cases never alarms.

    A count equal to a zero-variance baseline's mean (possible only with min_sigma 0) has statistic 0, not
    0/0. Days without a complete baseline (the first baseline+guard days; C3: 2 more) have NaN statistic,
    expected, sigma and upper, and no alarm.
    """
    guard = _check(method, alpha, baseline, guard, min_sigma)
    y = np.asarray(counts, dtype=float)
    z = normal_quantile(1 - alpha)
    mean, sd = _baseline(y, baseline, guard)
    sigma = np.maximum(sd, min_sigma)  # NaN stays NaN
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = np.where(y == mean, 0.0, (y - mean) / sigma)
    if method in ("C1", "C2"):
        upper = mean + z * sigma
        statistic = c2
    else:
        excess = np.maximum(0.0, c2 - 1)
        before = _shift(excess, 1) + _shift(excess, 2)
        statistic = excess + before
        with np.errstate(invalid="ignore"):
            upper = np.where(before <= z, np.maximum(0.0, mean + sigma * (1 + z - before)), 0.0)
        upper = np.where(np.isnan(statistic), np.nan, upper)
        mean = np.where(np.isnan(statistic), np.nan, mean)
        sigma = np.where(np.isnan(statistic), np.nan, sigma)
    with np.errstate(invalid="ignore"):
        alarm = y > upper  # NaN compares False
    return Detection(statistic=statistic, expected=mean, sigma=sigma, upper=upper, alarm=alarm)


def surveillance_upperbound(counts, method: str = "C2", *, alpha: float = 0.001, baseline: int = 7, min_sigma=0.0):
    """``upperbound`` exactly as surveillance::earsC 1.20.3 computes it (NaN where earsC gives NA or has none).

    C1, C2: the same as ``ears(...).upper``. C3: earsC returns max(0, y_t + s_t * (z - P_t)) (P_t as in
    ``ears``), with 0/0 left as NaN as R does; earsC's alarm is y_t > that bound, which holds exactly when
    y_t > 0 and P_t > z: it never looks at day t's own excess. Kept only to check ``ears`` against R.
    """
    guard = _check(method, alpha, baseline, None, min_sigma)
    y = np.asarray(counts, dtype=float)
    z = normal_quantile(1 - alpha)
    mean, sd = _baseline(y, baseline, guard)
    sigma = np.maximum(sd, min_sigma)
    if method in ("C1", "C2"):
        return mean + z * sigma
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.maximum(0.0, (y - mean) / sigma - 1)  # 0/0 -> NaN, as R
        before = _shift(excess, 1) + _shift(excess, 2)
        return np.maximum(0.0, y + sigma * (z - before))


def weekly_poisson(weekly_counts, *, weeks: int = 8, alpha: float = 0.01) -> Detection:
    """A Poisson upper limit on weekly counts (time on the last axis).

    expected_t = the mean of the ``weeks`` weeks before week t; the rate tested is
    lambda_t = max(expected_t, 0.5 / weeks): with no case in the baseline, half a case in the whole
    baseline period, so that a single case (P(X >= 1) = 1 - exp(-0.5/weeks), 6.1% for 8 weeks) does not
    alarm at alpha 0.01 while two cases (0.19%) do. statistic_t = P(X >= y_t), X ~ Poisson(lambda_t);
    alarm when statistic_t < alpha. upper_t = the smallest count c with P(X > c) < alpha, so that
    alarm == (y_t > upper_t). sigma is NaN. The first ``weeks`` weeks have NaN and no alarm.
    """
    from scipy.stats import poisson  # here: scipy.stats takes ~0.7 s to import, and only this method needs it

    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    y = np.asarray(weekly_counts, dtype=float)
    expected = np.full(y.shape, np.nan)
    n = y.shape[-1]
    if n > weeks:
        expected[..., weeks:] = sliding_window_view(y, weeks, axis=-1)[..., : n - weeks, :].mean(axis=-1)
    incomplete = np.isnan(expected)
    rate = np.where(incomplete, 1.0, np.maximum(expected, 0.5 / weeks))
    pvalue = poisson.sf(y - 1, rate)  # P(X >= y)
    upper = poisson.ppf(1 - alpha, rate)  # smallest c with P(X <= c) >= 1 - alpha, i.e. P(X > c) <= alpha
    upper = np.where(poisson.sf(upper, rate) < alpha, upper, upper + 1)  # make it strict: P(X > c) < alpha
    upper = np.where(poisson.sf(upper - 1, rate) < alpha, upper - 1, upper)
    pvalue = np.where(incomplete, np.nan, pvalue)
    upper = np.where(incomplete, np.nan, upper)
    with np.errstate(invalid="ignore"):
        alarm = pvalue < alpha
    return Detection(statistic=pvalue, expected=expected, sigma=np.full(y.shape, np.nan), upper=upper, alarm=alarm)


def daily_to_weekly(counts) -> np.ndarray:
    """Sums of 7 days along the last axis, aligned on the end: the last element is the week ending on the
    last day, the one before it the 7 days before that, and so on. Leading days that do not fill a week
    (len % 7 of them) are dropped."""
    y = np.asarray(counts)
    n = y.shape[-1]
    full = n - n % 7
    return y[..., n - full :].reshape(*y.shape[:-1], full // 7, 7).sum(axis=-1)
