"""Counts and losses of incidents by category, ISO week and station, and the alarms raised: plain data."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..detection.service import IncidentRows, detect_alarms_for, first_day_needed, incident_rows
from ..errors import InputError

DEFAULT_WEEKS = 8


def default_range(yesterday: date, weeks: int = DEFAULT_WEEKS) -> tuple[date, date]:
    """The last `weeks` full ISO weeks (Monday to Sunday) ending on or before `yesterday`."""
    end = yesterday - timedelta(days=(yesterday.weekday() + 1) % 7)  # the last Sunday on or before
    return end - timedelta(days=7 * weeks - 1), end


def check_range(start: date, end: date) -> None:
    if start > end:
        raise InputError(f"--from: {start.isoformat()!r} is after --to {end.isoformat()!r}")


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(start: date, end: date) -> list[str]:
    """Every ISO week that has a day in start..end, in order."""
    monday = start - timedelta(days=start.weekday())
    weeks = []
    while monday <= end:
        weeks.append(iso_week(monday))
        monday += timedelta(days=7)
    return weeks


def money(amount: Decimal) -> str:
    """Losses in JSON: a string of yuan with two decimals ("800.00"), as `incident list` writes them."""
    return str(Decimal(amount).quantize(Decimal("0.01")))


def _tally() -> dict:
    return {"count": 0, "loss": Decimal("0.00"), "stopped": 0}


def _add(tally: dict, incident) -> None:
    """Add one incident, or one grouped row (with `count`, `loss` summed, `stopped` summed)."""
    count = getattr(incident, "count", 1)
    tally["count"] += count
    tally["loss"] += incident.loss
    tally["stopped"] += int(incident.stopped)


def tally_incidents(incidents, categories) -> dict:
    """Per category code (in the categories' order, only those with incidents): count, loss, stopped."""
    per = defaultdict(_tally)
    for incident in incidents:
        _add(per[incident.category_code], incident)
    order = {c.code: i for i, c in enumerate(categories)}
    return dict(sorted(per.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def category_name(categories, code: str) -> str:
    try:
        return categories[code].name
    except KeyError:
        return code


def category_short(categories, code: str) -> str:
    try:
        category = categories[code]
    except KeyError:
        return code
    return category.short or category.name


def alarms_for(
    session: Session,
    settings: Settings,
    stations: list[Station],
    start: date,
    end: date,
    rows: IncidentRows | None = None,
) -> list:
    """Alarms raised by the configured detection method at these stations on days start..end."""
    alarms = detect_alarms_for(session, settings, stations, start, end, rows=rows)
    return sorted(alarms, key=lambda a: (a.day, a.station_code, a.category_code))


def gather_stats(
    session: Session, settings: Settings, categories, stations: list[Station], start: date, end: date
) -> dict:
    """What `antifraud stats` shows, JSON-ready: losses as strings of yuan ("1234.50")."""
    check_range(start, end)
    # One query for the counts, losses and alarms: the days shown and the days detection looks back on.
    rows = incident_rows(session, stations, first_day_needed(settings.detection, start), end)
    sums = _Sums(rows, start, end)
    codes = sums.codes
    weeks = weeks_between(start, end)
    week_index = {week: i for i, week in enumerate(weeks)}  # days before `start` are not among the sums
    days = [rows.start + timedelta(days=i) for i in range(rows.days)]
    week_of_day = np.array([week_index.get(iso_week(day), 0) for day in days], dtype=np.int64)
    per_code = sums.by(sums.code_of, len(codes))
    per_station = sums.by(rows.station_of_series[sums.series_of], len(stations))
    per_week = sums.by(week_of_day[sums.day_of], len(weeks))
    week_code = np.zeros((len(weeks), len(codes)), dtype=np.int64)
    np.add.at(week_code, (week_of_day[sums.day_of], sums.code_of), 1)

    def shown(column: np.ndarray) -> dict:
        count, fen, stopped = (int(v) for v in column)
        return {"count": count, "stopped": stopped, "loss": money(Decimal(fen) / 100)}

    order = {c.code: i for i, c in enumerate(categories)}
    by_category = [
        {"category": code, "name": category_name(categories, code), "short": category_short(categories, code),
         **shown(per_code[:, i])}
        for i, code in sorted(enumerate(codes), key=lambda item: (order.get(item[1], len(order)), item[1]))
        if per_code[0, i]
    ]  # fmt: skip
    by_week = [
        {"week": week, **shown(per_week[:, w]),
         "categories": {codes[i]: int(n) for i, n in enumerate(week_code[w]) if n}}
        for w, week in enumerate(weeks)
    ]  # fmt: skip
    by_station = [{"station": s.code, "name": s.name, **shown(per_station[:, i])} for i, s in enumerate(stations)]
    alarms = alarms_for(session, settings, stations, start, end, rows)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "stations": [s.code for s in stations],
        "total": shown(sums.total),
        "by_category": by_category,
        "by_week": by_week,
        "by_station": by_station,
        "alarms": [a.as_json() for a in alarms],
    }


class _Sums:
    """The incidents of the days start..end among `rows`, ready to be added up by any key:
    count, loss in fen and stopped, exact (int64 throughout)."""

    def __init__(self, rows: IncidentRows, start: date, end: date):
        keep = (rows.day_of >= (start - rows.start).days) & (rows.day_of <= (end - rows.start).days)
        self.series_of, self.day_of = rows.series_of[keep], rows.day_of[keep]
        self.values = np.stack([np.ones(len(self.series_of), dtype=np.int64), rows.fen[keep], rows.stopped[keep]])
        self.codes = rows.codes
        self.code_of = rows.code_of_series[self.series_of]
        self.total = self.values.sum(axis=1)

    def by(self, key: np.ndarray, size: int) -> np.ndarray:
        """Shape (3, size): count, fen and stopped per key value."""
        out = np.zeros((3, size), dtype=np.int64)
        for column, values in zip(out, self.values, strict=True):
            np.add.at(column, key, values)
        return out
