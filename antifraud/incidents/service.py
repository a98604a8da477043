"""Record, change and query incidents; every change leaves an audit row.

These are the functions the CLI and the web UI call: raw values in (as a person typed them),
checked and masked here, InputError naming the field on anything wrong, nothing written then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..db.models import Incident, IncidentAudit, Station, utcnow
from ..db.reference import station_row
from ..errors import InputError
from ..lib.dates import local_time
from .categories import Categories
from .spreadsheet import ImportPlan, plan_import, write_export
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


def check_import(path: Path, settings, categories: Categories, today: date, station_code: str) -> ImportPlan:
    """Read and check every row of the file; raises ImportRejected listing the problems. Writes nothing."""
    names = {s.code: s.code for s in settings.stations} | {s.name: s.code for s in settings.stations}
    plan = plan_import(path, categories, today, names, station_code)
    if plan.errors:
        raise ImportRejected(path.name, plan.errors)
    return plan


def export_incidents(session: Session, path: Path, station_code=None, start=None, end=None) -> int:
    """Write incidents to a CSV or XLSX file that `import` reads back; returns how many."""
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"file: {path.name!r} must end in .csv or .xlsx")
    return write_export(path, list_incidents(session, station_code, start, end))


def fingerprint(station_id: int, fields: dict) -> tuple:
    """What makes two records the same case, for skipping a re-imported file."""
    return (station_id, fields["day"], fields["category_code"], fields["loss"], fields["place"], fields["summary"])


def existing_fingerprints(session: Session, station_ids: set[int], days: set[date]) -> Counter:
    rows = session.scalars(
        select(Incident).where(
            Incident.station_id.in_(station_ids), Incident.day.in_(days), Incident.deleted_at.is_(None)
        )
    )
    return Counter(fingerprint(row.station_id, {name: getattr(row, name) for name in EDITABLE}) for row in rows)


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
    """Add checked rows in the caller's transaction; rows already recorded are skipped."""
    stations = {code: station_row(session, code) for code in {row.station_code for row in rows}}
    existing = existing_fingerprints(session, {s.id for s in stations.values()}, {row.fields.day for row in rows})
    result = ImportResult()
    for row in rows:
        key = fingerprint(stations[row.station_code].id, row.fields.as_dict())
        if existing[key] > 0:
            existing[key] -= 1
            result.skipped += 1
            continue
        add_incident(session, row.fields, row.station_code, by, source="import")
        result.added += 1
        result.masked.update(row.fields.masked)
    return result
