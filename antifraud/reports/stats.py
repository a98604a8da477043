"""Counts and losses of incidents by category, ISO week and station, and the alarms raised: plain data."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ..config import Settings, Station
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
    tally["count"] += 1
    tally["loss"] += incident.loss
    tally["stopped"] += bool(incident.stopped)


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


def alarms_for(session: Session, settings: Settings, stations: list[Station], start: date, end: date) -> list:
    """Alarms raised by the configured detection method at these stations on days start..end."""
    from ..detection.service import detect_alarms

    alarms = []
    for station in stations:
        alarms += detect_alarms(session, settings, station, start, end)
    return sorted(alarms, key=lambda a: (a.day, a.station_code, a.category_code))


def gather_stats(
    session: Session, settings: Settings, categories, stations: list[Station], start: date, end: date
) -> dict:
    """What `antifraud stats` shows, JSON-ready: losses as strings of yuan ("1234.50")."""
    from ..incidents.service import list_incidents

    check_range(start, end)
    codes = {s.code for s in stations}
    single = stations[0].code if len(stations) == 1 else None
    incidents = [i for i in list_incidents(session, single, start, end) if i.station.code in codes]

    by_category = [
        {
            "category": code,
            "name": category_name(categories, code),
            "short": category_short(categories, code),
            "count": t["count"],
            "loss": money(t["loss"]),
            "stopped": t["stopped"],
        }
        for code, t in tally_incidents(incidents, categories).items()
    ]

    weeks = {week: {**_tally(), "categories": defaultdict(int)} for week in weeks_between(start, end)}
    for incident in incidents:
        week = weeks[iso_week(incident.day)]
        _add(week, incident)
        week["categories"][incident.category_code] += 1
    by_week = [
        {
            "week": week,
            "count": t["count"],
            "loss": money(t["loss"]),
            "stopped": t["stopped"],
            "categories": dict(t["categories"]),
        }
        for week, t in weeks.items()
    ]

    per_station = {s.code: _tally() for s in stations}
    for incident in incidents:
        _add(per_station[incident.station.code], incident)
    by_station = [
        {"station": s.code, "name": s.name, **{**per_station[s.code], "loss": money(per_station[s.code]["loss"])}}
        for s in stations
    ]

    alarms = alarms_for(session, settings, stations, start, end)
    total = _tally()
    for incident in incidents:
        _add(total, incident)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "stations": [s.code for s in stations],
        "total": {**total, "loss": money(total["loss"])},
        "by_category": by_category,
        "by_week": by_week,
        "by_station": by_station,
        "alarms": [a.as_json() for a in alarms],
    }
