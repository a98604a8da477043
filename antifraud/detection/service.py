"""Surges per station and category from the recorded incidents, by the method config chooses.

`detect_alarms` is what `stats`, the monthly report and the web ask; `surges_on` is what the day's
warning, the staff alert and next week's talk topics react to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from ..config import DetectionSettings, Settings, Station
from ..db.models import Category, Incident
from ..db.reference import station_ids
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
    matrix = count_matrix(session, [station], start, end)
    return {code: matrix.counts[i] for i, (_, code) in enumerate(matrix.series)}


@dataclass
class CountMatrix:
    """Daily counts for many (station, category) series at once: one row per series, one column per day."""

    start: date
    series: list[tuple[str, str]]  # (station code, category code) per row
    counts: np.ndarray  # int64, shape (len(series), days)


def count_matrix(session: Session, stations: list[Station], start: date, end: date) -> CountMatrix:
    """One grouped query for every station: incidents (not deleted) per station, category and day."""
    days = (end - start).days + 1
    ids = station_ids(session, [s.code for s in stations])
    # The day as the driver gives it (SQLite: text), looked up in a table of the range's days, rather
    # than parsed into a date for each of a city's tens of thousands of rows.
    column = {start + timedelta(days=i): i for i in range(days)}
    column.update({day.isoformat(): i for day, i in list(column.items())})
    rows = session.execute(
        select(Incident.station_id, Incident.category_code, type_coerce(Incident.day, String), func.count())
        .where(Incident.station_id.in_(ids), Incident.deleted_at.is_(None), Incident.day.between(start, end))
        .group_by(Incident.station_id, Incident.category_code, Incident.day)
    ).all()
    index: dict[tuple[str, str], int] = {}
    for station_id, code, _, _ in rows:
        index.setdefault((ids[station_id], code), len(index))
    counts = np.zeros((len(index), days), dtype=np.int64)
    for station_id, code, day, count in rows:
        counts[index[(ids[station_id], code)], column[day if isinstance(day, date) else day[:10]]] = count
    return CountMatrix(start, list(index), counts)


def detect_alarms(
    session: Session, settings: Settings, station: Station, start: date, end: date, method: str | None = None
) -> list[Alarm]:
    """Alarms the method (default: config's) raises at the station on the days start..end."""
    return detect_alarms_for(session, settings, [station], start, end, method)


def detect_alarms_for(
    session: Session, settings: Settings, stations: list[Station], start: date, end: date, method: str | None = None
) -> list[Alarm]:
    """Alarms at every one of these stations on the days start..end, by day, station and category: one
    counts query and one pass of the method over all their series together (a city in one go)."""
    from .methods import daily_to_weekly, ears, weekly_poisson

    d = settings.detection
    method = method or d.method
    first = start - timedelta(days=lookback_days(d, method))
    names = dict(session.execute(select(Category.code, Category.name)).all())
    matrix = count_matrix(session, stations, first, end)
    keep = [i for i, (_, code) in enumerate(matrix.series) if code != OTHER_CATEGORY]
    # "other" is not one kind of scam: a rise there is no surge of anything.
    series = [matrix.series[i] for i in keep]
    counts = matrix.counts[keep]
    by_code = {s.code: s for s in stations}
    alarms = []
    if method == "weekly":
        for (station_code, code), row in zip(series, counts, strict=True):
            alarms += _weekly(by_code[station_code], code, names.get(code, code), row, first, start, end, d,
                              weekly_poisson, daily_to_weekly)  # fmt: skip
    elif len(series):
        guard = 0 if method == "C1" else d.guard_days
        result = ears(counts, method, alpha=d.alpha, baseline=d.baseline_days, guard=guard, min_sigma=d.min_sigma)
        offset = (start - first).days
        hits = np.argwhere(result.alarm[:, offset:] & (counts[:, offset:] >= d.min_cases))
        for row, column in hits:
            index = offset + int(column)
            station_code, code = series[row]
            one = _Row(result, int(row))
            alarms.append(
                _alarm(
                    by_code[station_code],
                    code,
                    names.get(code, code),
                    first + timedelta(days=index),
                    method,
                    counts[row, index],
                    one,
                    index,
                )  # fmt: skip
            )
    return sorted(alarms, key=lambda a: (a.day, a.station_code, -a.observed, a.category_code))


class _Row:
    """One series' view of a many-series Detection, indexable by day like a single one."""

    def __init__(self, result, row: int):
        self.expected, self.upper, self.statistic = result.expected[row], result.upper[row], result.statistic[row]


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
