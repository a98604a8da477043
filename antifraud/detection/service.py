"""Surges per station and category from the recorded incidents, by the method config chooses.

`detect_alarms` is what `stats`, the monthly report and the web ask; `surges_on` is what the day's
warning, the staff alert and next week's talk topics react to.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import DetectionSettings, Settings, Station
from ..db.models import Category, Incident
from ..db.reference import station_row
from ..vocab import OTHER_CATEGORY
from .model import Alarm


def lookback_days(d: DetectionSettings, method: str) -> int:
    """How many days before the first day tested the method needs counts for."""
    if method == "weekly":
        return (d.weekly_weeks + 1) * 7
    guard = 0 if method == "C1" else d.guard_days
    return d.baseline_days + guard + (2 if method == "C3" else 0)


def daily_counts(session: Session, station: Station, start: date, end: date) -> dict[str, np.ndarray]:
    """Incidents (not deleted) per category and day, start..end inclusive, zeros filled in."""
    days = (end - start).days + 1
    rows = session.execute(
        select(Incident.category_code, Incident.day, func.count())
        .where(
            Incident.station_id == station_row(session, station.code).id,
            Incident.deleted_at.is_(None),
            Incident.day.between(start, end),
        )
        .group_by(Incident.category_code, Incident.day)
    )
    counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(days, dtype=np.int64))
    for code, day, count in rows:
        counts[code][(day - start).days] = count
    return dict(counts)


def detect_alarms(
    session: Session, settings: Settings, station: Station, start: date, end: date, method: str | None = None
) -> list[Alarm]:
    """Alarms the method (default: config's) raises on the days start..end, by day then category."""
    from .methods import daily_to_weekly, ears, weekly_poisson

    d = settings.detection
    method = method or d.method
    first = start - timedelta(days=lookback_days(d, method))
    names = dict(session.execute(select(Category.code, Category.name)).all())
    alarms = []
    for code, counts in daily_counts(session, station, first, end).items():
        if code == OTHER_CATEGORY:  # "other" is not one kind of scam: a rise there is no surge of anything
            continue
        if method == "weekly":
            alarms += _weekly(station, code, names.get(code, code), counts, first, start, end, d, weekly_poisson,
                              daily_to_weekly)  # fmt: skip
            continue
        guard = 0 if method == "C1" else d.guard_days
        result = ears(counts, method, alpha=d.alpha, baseline=d.baseline_days, guard=guard, min_sigma=d.min_sigma)
        for index in np.flatnonzero(result.alarm):
            day = first + timedelta(days=int(index))
            if day < start or counts[index] < d.min_cases:
                continue
            alarms.append(_alarm(station, code, names.get(code, code), day, method, counts[index], result, index))
    return sorted(alarms, key=lambda a: (a.day, -a.observed, a.category_code))


def _weekly(station, code, name, counts, first, start, end, d, weekly_poisson, daily_to_weekly) -> list[Alarm]:
    """Weeks ending on each day from start to end: a rolling 7-day count against the weeks before it."""
    out = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        upto = (day - first).days + 1
        weeks = daily_to_weekly(counts[:upto])
        result = weekly_poisson(weeks, weeks=d.weekly_weeks, alpha=d.weekly_alpha)
        last = len(weeks) - 1
        if last >= 0 and result.alarm[last] and weeks[last] >= d.min_cases:
            out.append(_alarm(station, code, name, day, "weekly", weeks[last], result, last))
    return out


def _alarm(station, code, name, day, method, observed, result, index) -> Alarm:
    return Alarm(
        station_code=station.code,
        category_code=code,
        category_name=name,
        day=day,
        method=method,
        observed=int(observed),
        expected=float(result.expected[index]),
        threshold=float(result.upper[index]),
        statistic=float(result.statistic[index]),
    )


def surges_on(session: Session, settings: Settings, station: Station, day: date) -> list[Alarm]:
    """The categories surging at the station on this day (the day a warning reports on)."""
    return detect_alarms(session, settings, station, day, day)


def surging_categories(session: Session, settings: Settings, station: Station, start: date, end: date) -> list[str]:
    """Category codes with an alarm on any day start..end, the most recent and largest first."""
    alarms = detect_alarms(session, settings, station, start, end)
    ordered = sorted(alarms, key=lambda a: (-a.day.toordinal(), -a.observed))
    return list(dict.fromkeys(a.category_code for a in ordered))
