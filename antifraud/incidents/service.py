"""Record, change and query incidents; every change leaves an audit row.

These are the functions the CLI and the web UI call: raw values in (as a person typed them),
checked and masked here, InputError naming the field on anything wrong, nothing written then.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, joinedload

from ..db.models import Incident, IncidentAudit, Station, utcnow
from ..db.reference import station_row
from ..errors import InputError
from ..lib.collector import paused
from ..lib.dates import local_time
from .categories import Categories
from .spreadsheet import FIELD_NAMES, ImportPlan, plan_import, write_export
from .validate import IncidentFields, validate_incident

EDITABLE = (
    "day",
    "category_code",
    "loss",
    "stopped",
    "channel",
    "victim",
    "victim_age",
    "occupation",
    "place",
    "summary",
)

# Rows per pair of multi-row INSERTs (and per fetch of recorded rows): only these rows' parameters
# and results are in memory at once, not the whole file's a second time.
BULK_ROWS = 1000
BULK_SQLITE_ROWS = 10_000


def add_incident(session: Session, fields: IncidentFields, station_code: str, by: str, source: str = "cli") -> Incident:
    incident = Incident(station=station_row(session, station_code), entered_by=by, source=source, **fields.as_dict())
    session.add(incident)
    session.flush()
    incident.audit.append(IncidentAudit(action="create", by=by, changes=_jsonable(fields.as_dict())))
    return incident


def record_incident(
    session: Session, raw: dict, categories: Categories, today: date, station_code: str, by: str, source: str = "cli"
) -> tuple[Incident, IncidentFields]:
    """Check and mask what a person entered, then record it; returns the row and the checked fields."""
    checked = validate_incident(raw, categories, today)
    return add_incident(session, checked, station_code, by, source), checked


def change_incident(
    session: Session, incident_id: int, given: dict, categories: Categories, today: Callable[[str], date], by: str
) -> tuple[dict, IncidentFields]:
    """Apply the raw values given (others unchanged), checked as a whole; returns (diff, checked fields).

    `today(station_code)` is the station's date, for the not-in-the-future rule.
    """
    given = {key: value for key, value in given.items() if value is not None}
    if not given:
        raise InputError("edit: give at least one field to change, e.g. --loss 3000")
    row = get_incident(session, incident_id)
    current = {
        "date": row.day,
        "category": row.category_code,
        "loss": row.loss,
        "stopped": row.stopped,
        "channel": row.channel,
        "victim": row.victim,
        "victim_age": row.victim_age,
        "occupation": row.occupation,
        "place": row.place,
        "summary": row.summary,
    }
    checked = validate_incident({**current, **given}, categories, today(row.station.code))
    return edit_incident(session, incident_id, checked.as_dict(), by), checked


def get_incident(session: Session, incident_id: int, include_deleted: bool = False) -> Incident:
    incident = session.get(Incident, incident_id, options=[joinedload(Incident.station)])
    if incident is None or (incident.deleted_at is not None and not include_deleted):
        raise InputError(f"id: {incident_id} is not a recorded incident")
    return incident


def edit_incident(session: Session, incident_id: int, changes: dict, by: str) -> dict:
    """Apply checked values; returns {field: [before, after]} of what really changed."""
    incident = get_incident(session, incident_id)
    diff = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            raise InputError(f"{name}: cannot be edited")
        before = getattr(incident, name)
        if before != value:
            diff[name] = [before, value]
            setattr(incident, name, value)
    if diff:
        incident.audit.append(IncidentAudit(action="update", by=by, changes=_jsonable(diff)))
    return diff


def delete_incident(session: Session, incident_id: int, by: str, reason: str | None = None) -> Incident:
    from .validate import clean_text  # the audit trail keeps the reason: masked and cleaned like any text

    reason = clean_text(reason, "reason", Counter())
    incident = get_incident(session, incident_id)
    incident.deleted_at = utcnow()
    incident.audit.append(IncidentAudit(action="delete", by=by, changes={"reason": reason} if reason else {}))
    return incident


def restore_incident(session: Session, incident_id: int, by: str) -> Incident:
    incident = get_incident(session, incident_id, include_deleted=True)
    if incident.deleted_at is None:
        raise InputError(f"id: {incident_id} is not deleted")
    incident.deleted_at = None
    incident.audit.append(IncidentAudit(action="restore", by=by, changes={}))
    return incident


def list_incidents(
    session: Session,
    station_code: str | None = None,
    start: date | None = None,
    end: date | None = None,
    include_deleted: bool = False,
) -> list[Incident]:
    query = select(Incident).join(Incident.station).options(joinedload(Incident.station), joinedload(Incident.category))
    if station_code:
        query = query.where(Station.code == station_code)
    if start:
        query = query.where(Incident.day >= start)
    if end:
        query = query.where(Incident.day <= end)
    if not include_deleted:
        query = query.where(Incident.deleted_at.is_(None))
    return list(session.scalars(query.order_by(Incident.day, Incident.id)))


def incident_record(incident: Incident) -> dict:
    """A plain dict of one incident, for listings (table, csv, json) and the web UI."""
    return {
        "id": incident.id,
        "date": incident.day.isoformat(),
        "station": incident.station.code,
        "category": incident.category_code,
        "category_name": incident.category.name,
        "category_short": incident.category.short,
        "loss": str(incident.loss),
        "stopped": incident.stopped,
        "channel": incident.channel,
        "victim": incident.victim,
        "victim_age": incident.victim_age,
        "occupation": incident.occupation,
        "place": incident.place,
        "summary": incident.summary,
        "entered_by": incident.entered_by,
        "deleted": incident.deleted_at is not None,
    }


def incident_records(session: Session, station_code=None, start=None, end=None, include_deleted=False) -> list[dict]:
    return [incident_record(row) for row in list_incidents(session, station_code, start, end, include_deleted)]


def incident_with_audit(session: Session, incident_id: int, zone) -> dict:
    """One incident (deleted ones too) with its audit trail, oldest first, times in `zone`."""
    row = get_incident(session, incident_id, include_deleted=True)
    record = incident_record(row)
    record["audit"] = [
        {"action": a.action, "at": local_time(a.at, zone), "by": a.by, "changes": a.changes} for a in row.audit
    ]
    return record


class ImportRejected(InputError):
    """A spreadsheet with problems: nothing was imported; `problems` lists each by row and column."""

    def __init__(self, name: str, problems: list[str]):
        super().__init__(f"{name}: {len(problems)} row(s) with problems; nothing was imported")
        self.problems = problems


PARALLEL_BYTES = 2_000_000  # about 10,000 rows: below that, starting processes costs more than it saves


def check_import(path: Path, settings, categories: Categories, today: date, station_code: str) -> ImportPlan:
    """Read and check every row of the file; raises ImportRejected listing the problems. Writes nothing."""
    names = {s.code: s.code for s in settings.stations} | {s.name: s.code for s in settings.stations}
    # A big file is checked on every core (a hundred thousand rows take seconds per core).
    workers = min(os.cpu_count() or 1, 4) if path.is_file() and path.stat().st_size > PARALLEL_BYTES else 1
    plan = plan_import(path, categories, today, names, station_code, workers)
    if plan.errors:
        raise ImportRejected(path.name, plan.errors)
    return plan


def export_incidents(session: Session, path: Path, station_code=None, start=None, end=None) -> int:
    """Write incidents to a CSV or XLSX file that `import` reads back; returns how many."""
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"file: {path.name!r} must end in .csv or .xlsx")
    return write_export(path, list_incidents(session, station_code, start, end))


FINGERPRINT_FIELDS = ("day", "category_code", "loss", "place", "summary")
_fingerprint_values = itemgetter(*(FIELD_NAMES.index(name) for name in FINGERPRINT_FIELDS))


def fingerprint(station_id: int, fields: dict) -> tuple:
    """What makes two records the same case, for skipping a re-imported file."""
    return (station_id, *(fields[name] for name in FINGERPRINT_FIELDS))


def row_fingerprint(station_id: int, row) -> tuple:
    """fingerprint() of a checked import row, from its values as they are (no dict per row)."""
    return (station_id, *_fingerprint_values(row.values))


def existing_fingerprints(session: Session, station_ids: set[int], days: set[date], wanted) -> dict[tuple, int]:
    """How many incidents (not deleted) of those stations and days have each of the `wanted` fingerprints.

    Recorded rows are streamed as plain rows and only counted, so re-importing 100,000 rows
    keeps no second copy of them.
    """
    found = dict.fromkeys(wanted, 0)
    rows = session.execute(
        select(
            Incident.station_id, Incident.day, Incident.category_code, Incident.loss, Incident.place, Incident.summary
        )
        .where(Incident.station_id.in_(station_ids), Incident.day.in_(days), Incident.deleted_at.is_(None))
        .execution_options(yield_per=BULK_ROWS)
    )
    for row in rows:
        key = fingerprint(row.station_id, row._mapping)
        if key in found:
            found[key] += 1
    return found


def _jsonable(values: dict) -> dict:
    def one(value):
        if isinstance(value, (date, Decimal)):
            return str(value)
        if isinstance(value, list):
            return [one(v) for v in value]
        return value

    return {key: one(value) for key, value in values.items()}


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0  # already recorded (importing a file twice adds nothing)
    masked: Counter = field(default_factory=Counter)  # in the rows added, not in the ones skipped


def import_rows(session: Session, rows, by: str) -> ImportResult:
    """Add checked rows in the caller's transaction; rows already recorded are skipped.

    Each incident gets the "create" audit row add_incident writes. Both go in as multi-row
    INSERTs, so the write lock, taken at the first INSERT, is held about as long as the
    database needs to store the rows, not for per-row work in Python.
    """
    with paused():  # a row tuple per incident, all kept until they are stored: nothing for the collector
        result, new = new_rows(session, rows)
        if new:
            store = _store_sqlite if session.connection().dialect.name == "sqlite" else _store_returning
            store(session, new, by, utcnow())
    return result


def new_rows(session: Session, rows) -> tuple[ImportResult, list]:
    """What importing these rows would add: (the counts, [(station id, row)] not yet recorded). Reads only."""
    stations = {code: station_row(session, code).id for code in {row.station_code for row in rows}}
    keys = [row_fingerprint(stations[row.station_code], row) for row in rows]
    existing = existing_fingerprints(session, set(stations.values()), {row.day for row in rows}, keys)
    result = ImportResult()
    new = []
    for row, key in zip(rows, keys, strict=True):
        if existing[key] > 0:
            existing[key] -= 1
            result.skipped += 1
            continue
        new.append((stations[row.station_code], row))
        if row.masked:
            result.masked.update(row.masked)
    result.added = len(new)
    return result, new


def _store_returning(session: Session, new: list, by: str, now) -> None:
    """Multi-row INSERTs with RETURNING (PostgreSQL): each audit row from its own incident's row."""
    recorded = {"entered_by": by, "source": "import", "created_at": now, "updated_at": now}
    # Core, not ORM, inserts: the ORM starts a new batch whenever the set of None values changes,
    # which in an import is nearly every row.
    incidents, audits = Incident.__table__, IncidentAudit.__table__
    store = insert(incidents).values(recorded).returning(incidents.c.id, *(incidents.c[name] for name in FIELD_NAMES))
    for start in range(0, len(new), BULK_ROWS):
        chunk = [{**row.as_dict(), "station_id": station_id} for station_id, row in new[start : start + BULK_ROWS]]
        stored = session.execute(store, chunk)
        # RETURNING promises no order (SQLite cannot sort it by parameter set without a sentinel
        # column), so each audit row is made from its own incident's RETURNING row.
        trail = [
            {
                "incident_id": incident_id,
                "action": "create",
                "by": by,
                "at": now,
                "changes": _jsonable(dict(zip(FIELD_NAMES, values))),
            }
            for incident_id, *values in stored
        ]
        session.execute(insert(audits), trail)


INCIDENT_COLUMNS = ("station_id", *FIELD_NAMES, "entered_by", "source", "created_at", "updated_at")
# How a stored column reads in an audit row's JSON, where that differs from the column itself.
AUDIT_JSON = {"loss": "printf('%d.%02d', loss / 100, loss % 100)", "stopped": "json(iif(stopped, 'true', 'false'))"}


def _store_sqlite(session: Session, new: list, by: str, now) -> None:
    """SQLite: executemany on the driver, each value converted by its column's own type.

    Several times faster than RETURNING, and the ids need no round trip: the first INSERT takes the
    write lock, and under it SQLite numbers each new row one past the last, so they are consecutive
    (checked before the audit rows go in).
    """
    connection = session.connection()
    dialect = connection.dialect
    table = Incident.__table__

    def converter(name: str) -> Callable | None:
        return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

    # Only the day, the loss and the stopped flag need converting, and each distinct value is converted
    # once: the rows share their days and amounts (see spreadsheet._Shared), so this is a few hundred
    # conversions, not one per cell.
    varying = [
        (index, lru_cache(maxsize=None, typed=True)(convert))
        for index, convert in enumerate(converter(name) for name in FIELD_NAMES)
        if convert is not None
    ]
    stamp = converter("created_at")(now)
    tail = ((converter("entered_by") or str)(by), "import", stamp, stamp)

    def incident(station_id: int, values: tuple) -> tuple:
        values = list(values)
        for index, convert in varying:
            values[index] = convert(values[index])
        return (station_id, *values, *tail)

    statement = "INSERT INTO {} ({}) VALUES ({})"
    to_incidents = statement.format("incidents", ", ".join(INCIDENT_COLUMNS), ", ".join("?" * len(INCIDENT_COLUMNS)))
    first = None
    for start in range(0, len(new), BULK_SQLITE_ROWS):  # chunks keep the converted rows small in memory
        chunk = new[start : start + BULK_SQLITE_ROWS]
        rows = [incident(station_id, row.values) for station_id, row in chunk]
        if first is None:
            first = connection.exec_driver_sql(to_incidents, rows[0]).lastrowid
            rows = rows[1:]
        if rows:
            connection.exec_driver_sql(to_incidents, rows)
    last = connection.exec_driver_sql("SELECT max(id) FROM incidents").scalar()
    if last != first + len(new) - 1:  # never seen; the transaction is rolled back, nothing is lost
        raise RuntimeError(f"import: incident ids {first}..{last} are not consecutive for {len(new)} rows")
    # The audit rows, made by SQLite itself from the rows just stored: the same JSON add_incident
    # writes (loss as yuan with two decimals, stopped as true/false), without a Python loop.
    pairs = ", ".join(f"'{name}', {AUDIT_JSON.get(name, name)}" for name in FIELD_NAMES)
    connection.exec_driver_sql(
        f'INSERT INTO incident_audit (incident_id, action, "by", "at", changes) '
        f"SELECT id, 'create', ?, ?, json_object({pairs}) FROM incidents WHERE id BETWEEN ? AND ?",
        (tail[0], stamp, first, last),
    )
