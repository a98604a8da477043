"""Stations and categories live in config and templates; the database mirrors them for its keys."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from .models import Category, Station
from .session import Database, open_database


def connect(settings, categories, url: str | None = None) -> Database:
    """Open the configured database (or `url`), migrated, with the config's stations and categories mirrored.

    `settings` and `categories` are read for their stations (code, name) and categories (code, name, short).
    """
    db = open_database(url or settings.database_url, getattr(settings, "database_timeout_seconds", 10))
    with db.session() as session:
        sync_reference_data(
            session,
            [(s.code, s.name) for s in settings.stations],
            [(c.code, c.name, c.short or c.name[:8]) for c in categories],
        )
    return db


def sync_reference_data(
    session: Session, stations: Iterable[tuple[str, str]], categories: Iterable[tuple[str, str, str]]
) -> None:
    """stations: (code, name); categories: (code, name, short label), in display order.

    Read as plain rows first and written only where something changed: every command opens the
    database, and this way one that changes nothing costs two small SELECTs.
    """
    stations = list(stations)
    categories = [(code, name, short, position) for position, (code, name, short) in enumerate(categories)]
    known_stations = {tuple(row) for row in session.execute(select(Station.code, Station.name))}
    known_categories = {
        tuple(row) for row in session.execute(select(Category.code, Category.name, Category.short, Category.position))
    }
    if set(stations) <= known_stations and set(categories) <= known_categories:
        return
    rows = {s.code: s for s in session.scalars(select(Station))}
    for code, name in stations:
        row = rows.get(code) or Station(code=code)
        row.name = name
        session.add(row)
    existing = {c.code: c for c in session.scalars(select(Category))}
    for code, name, short, position in categories:
        row = existing.get(code) or Category(code=code)
        row.name, row.short, row.position = name, short, position
        session.add(row)


def station_row(session: Session, code: str) -> Station:
    station = session.scalar(select(Station).where(Station.code == code))
    if station is None:  # config and database are synced on open; this is a real mismatch
        raise InputError(f"station: {code!r} is not in the database")
    return station


def station_ids(session: Session, codes) -> dict[int, str]:
    """stations.id -> code for these station codes, in one query (a city has hundreds)."""
    wanted = set(codes)
    found = dict(session.execute(select(Station.id, Station.code).where(Station.code.in_(wanted))).all())
    missing = wanted - set(found.values())
    if missing:
        raise InputError(f"station: {sorted(missing)[0]!r} is not in the database")
    return found
