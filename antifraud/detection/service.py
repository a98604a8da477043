"""Surges per station and category from the recorded incidents, by the method config chooses.

`detect_alarms` is what `stats`, the monthly report and the web ask; `surges_on` is what the day's
warning, the staff alert and next week's talk topics react to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import BigInteger, Integer, String, select, type_coerce
from sqlalchemy.orm import Session

from ..config import DetectionSettings, Settings, Station
from ..db.models import Category, Incident
from ..db.reference import station_ids
from ..lib.collector import paused
from ..vocab import OTHER_CATEGORY
from .model import Alarm


def lookback_days(d: DetectionSettings, method: str) -> int:
    """How many days before the first day tested the method needs counts for."""
    if method == "weekly":
        return (d.weekly_weeks + 1) * 7
    guard = 0 if method == "C1" else d.guard_days
    return d.baseline_days + guard + (2 if method == "C3" else 0)


def first_day_needed(d: DetectionSettings, start: date, method: str | None = None) -> date:
    """The first day whose counts testing the days from `start` on needs."""
    return start - timedelta(days=lookback_days(d, method or d.method))


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


@dataclass
class IncidentRows:
    """The incidents (not deleted) of some stations on the days start..end, as column arrays: the one
    query that detection and `stats` both read. One entry per incident; numpy adds them up."""

    start: date
    days: int
    series: list[tuple[str, str]]  # (station code, category code): stations in the order given, codes sorted
    codes: list[str]  # the category codes among the incidents, sorted
    station_of_series: np.ndarray  # per series: its station's position in the stations given
    code_of_series: np.ndarray  # per series: its category's position in `codes`
    series_of: np.ndarray  # per incident: its index in `series`
    day_of: np.ndarray  # per incident: days since `start`
    fen: np.ndarray  # per incident: the loss in whole fen
    stopped: np.ndarray  # per incident: 1 when stopped in time

    def matrix(self, start: date | None = None) -> CountMatrix:
        """Incidents per series and day, from `start` (default: the rows' own start) to their end."""
        counts = np.bincount(self.series_of * self.days + self.day_of, minlength=len(self.series) * self.days)
        counts = counts.reshape(len(self.series), self.days).astype(np.int64)
        skip = 0 if start is None else (start - self.start).days
        if skip < 0:
            raise ValueError(f"counts from {self.start}, asked from {start}")
        return CountMatrix(start or self.start, self.series, counts[:, skip:])


def incident_rows(session: Session, stations: list[Station], start: date, end: date) -> IncidentRows:
    """One query for every station, answered from the covering index ix_incidents_counts (a city's
    ten weeks: ~36,000 incidents). Plain rows: nearly every (station, category, day) holds one
    incident, so a GROUP BY in the database would only add a sort."""
    days = (end - start).days + 1
    ids = station_ids(session, [s.code for s in stations])
    # Values as the driver gives them: the day as text on SQLite (looked up, not parsed), the loss
    # in whole fen and `stopped` as 0/1, not a Decimal and a bool per incident.
    column = {start + timedelta(days=i): i for i in range(days)}
    column.update({day.isoformat(): i for day, i in list(column.items())})
    table = Incident.__table__.c
    query = select(
        table.station_id,
        table.category_code,
        type_coerce(table.day, String),
        type_coerce(table.loss, BigInteger),
        type_coerce(table.stopped, Integer),
    ).where(table.station_id.in_(ids), table.deleted_at.is_(None), table.day.between(start, end))
    # A series is a (station, category) pair, numbered station position x categories + category.
    position = {s.code: i for i, s in enumerate(stations)}
    position_of_id = {station_id: position[code] for station_id, code in ids.items()}
    with paused():  # tens of thousands of tuples, all kept until they are arrays
        rows = session.execute(query).all()
        station_of, code_of, day_of, fen, stopped = zip(*rows) if rows else ((),) * 5
        codes = sorted(set(code_of)) or [""]
        code_index = {code: i for i, code in enumerate(codes)}
        pair = np.array([position_of_id[s] for s in station_of], dtype=np.int64) * len(codes)
        pair += np.array([code_index[c] for c in code_of], dtype=np.int64)
        day_of = np.array([column[day if isinstance(day, date) else day[:10]] for day in day_of], dtype=np.int64)
        fen, stopped = np.array(fen, dtype=np.int64), np.array(stopped, dtype=np.int64)
        del rows, station_of, code_of
    present, series_of = np.unique(pair, return_inverse=True)
    station_of_series, code_of_series = np.divmod(present, len(codes))
    return IncidentRows(
        start,
        days,
        [
            (stations[s].code, codes[c])
            for s, c in zip(station_of_series.tolist(), code_of_series.tolist(), strict=True)
        ],
        codes,
        station_of_series,
        code_of_series,
        series_of.astype(np.int64),
        day_of,
        fen,
        stopped,
    )


def count_matrix(session: Session, stations: list[Station], start: date, end: date) -> CountMatrix:
    """Incidents (not deleted) per station, category and day, as a matrix."""
    return incident_rows(session, stations, start, end).matrix()


def detect_alarms(
    session: Session, settings: Settings, station: Station, start: date, end: date, method: str | None = None
) -> list[Alarm]:
    """Alarms the method (default: config's) raises at the station on the days start..end."""
    return detect_alarms_for(session, settings, [station], start, end, method)


def detect_alarms_for(
    session: Session,
    settings: Settings,
    stations: list[Station],
    start: date,
    end: date,
    method: str | None = None,
    rows: IncidentRows | None = None,
) -> list[Alarm]:
    """Alarms at every one of these stations on the days start..end, by day, station and category: one
    counts query and one pass of the method over all their series together (a city in one go).
    `rows`: these stations' counts to `end`, from `first_day_needed` or before, already read."""
    from .methods import daily_to_weekly, ears, weekly_poisson

    d = settings.detection
    method = method or d.method
    first = first_day_needed(d, start, method)
    names = dict(session.execute(select(Category.code, Category.name)).all())
    matrix = (rows or incident_rows(session, stations, first, end)).matrix(first)
    offset = (start - first).days
    # Fewer than min_cases on the day (in the week, for weekly) never alarm: a city's thousands of
    # quiet series are left out before the method runs. Each series is tested on its own, so the
    # alarms are the same. "other" is not one kind of scam: a rise there is no surge of anything.
    if method == "weekly":
        most = matrix.counts[:, max(offset - 6, 0) :].sum(axis=1)
    else:
        most = matrix.counts[:, offset:].max(axis=1, initial=0)
    keep = [i for i, (_, code) in enumerate(matrix.series) if code != OTHER_CATEGORY and most[i] >= d.min_cases]
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
