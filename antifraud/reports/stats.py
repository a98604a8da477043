"""Counts and losses of incidents by category, ISO week and station, and the alarms raised: plain data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Group:
    """Incidents added up by the database (loss in whole fen): per station and category, or per
    category and day."""

    station_code: str | None
    category_code: str
    day: date | None
    count: int
    fen: int
    stopped: int


def grouped_incidents(session: Session, stations: list[Station], start: date, end: date) -> tuple[list, list]:
    """Two small GROUP BY queries for all the stations: per (station, category), and per (category,
    day) for the weeks. A city's eight weeks are a few thousand rows, not 30,000 incidents."""
    from sqlalchemy import BigInteger, Integer, cast, func, select

    from ..db.models import Incident
    from ..db.reference import station_ids

    ids = station_ids(session, [s.code for s in stations])
    sums = (
        func.count(),
        func.sum(Incident.__table__.c.loss, type_=BigInteger),  # whole fen, not a Decimal per row
        func.sum(cast(Incident.stopped, Integer)),
    )
    where = (Incident.station_id.in_(ids), Incident.deleted_at.is_(None), Incident.day.between(start, end))
    by_station = session.execute(
        select(Incident.station_id, Incident.category_code, *sums)
        .where(*where)
        .group_by(Incident.station_id, Incident.category_code)
    )
    by_day = session.execute(
        select(Incident.category_code, Incident.day, *sums).where(*where).group_by(Incident.category_code, Incident.day)
    )
    return (
        [Group(ids[sid], code, None, n, int(fen or 0), int(stop or 0)) for sid, code, n, fen, stop in by_station],
        [Group(None, code, day, n, int(fen or 0), int(stop or 0)) for code, day, n, fen, stop in by_day],
    )


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
    from ..detection.service import detect_alarms_for

    alarms = detect_alarms_for(session, settings, stations, start, end)
    return sorted(alarms, key=lambda a: (a.day, a.station_code, a.category_code))


def gather_stats(
    session: Session, settings: Settings, categories, stations: list[Station], start: date, end: date
) -> dict:
    """What `antifraud stats` shows, JSON-ready: losses as strings of yuan ("1234.50")."""
    check_range(start, end)
    per_station_category, per_day_category = grouped_incidents(session, stations, start, end)

    def tally() -> dict:
        return {"count": 0, "fen": 0, "stopped": 0}

    def add(t: dict, g: Group) -> None:
        t["count"] += g.count
        t["fen"] += g.fen
        t["stopped"] += g.stopped

    def shown(t: dict) -> dict:
        out = {key: value for key, value in t.items() if key not in ("fen", "categories")}
        return {**out, "loss": money(Decimal(t["fen"]) / 100)}

    per_category, total = defaultdict(tally), tally()
    weeks = {week: {**tally(), "categories": defaultdict(int)} for week in weeks_between(start, end)}
    per_station = {s.code: tally() for s in stations}
    for g in per_station_category:
        add(per_category[g.category_code], g)
        add(total, g)
        add(per_station[g.station_code], g)
    for g in per_day_category:
        week = weeks[iso_week(g.day)]
        add(week, g)
        week["categories"][g.category_code] += g.count
    order = {c.code: i for i, c in enumerate(categories)}
    by_category = [
        {"category": code, "name": category_name(categories, code), "short": category_short(categories, code),
         **shown(t)}
        for code, t in sorted(per_category.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    ]  # fmt: skip
    by_week = [{"week": week, **shown(t), "categories": dict(t["categories"])} for week, t in weeks.items()]
    by_station = [{"station": s.code, "name": s.name, **shown(per_station[s.code])} for s in stations]
    alarms = alarms_for(session, settings, stations, start, end)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "stations": [s.code for s in stations],
        "total": shown(total),
        "by_category": by_category,
        "by_week": by_week,
        "by_station": by_station,
        "alarms": [a.as_json() for a in alarms],
    }
