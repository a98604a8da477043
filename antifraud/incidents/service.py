"""Record, change and query incidents; every change leaves an audit row."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..db.models import Incident, IncidentAudit, Station, utcnow
from ..errors import InputError
from .validate import IncidentFields

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


def station_row(session: Session, code: str) -> Station:
    station = session.scalar(select(Station).where(Station.code == code))
    if station is None:  # config and database are synced on open; this is a real mismatch
        raise InputError(f"station: {code!r} is not in the database")
    return station


def add_incident(session: Session, fields: IncidentFields, station_code: str, by: str, source: str = "cli") -> Incident:
    incident = Incident(station=station_row(session, station_code), entered_by=by, source=source, **fields.as_dict())
    session.add(incident)
    session.flush()
    incident.audit.append(IncidentAudit(action="create", by=by, changes=_jsonable(fields.as_dict())))
    return incident


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


def import_rows(session: Session, rows, by: str) -> tuple[int, int]:
    """Add checked rows in the caller's transaction; rows already recorded are skipped.

    Returns (added, skipped). Re-importing the same file therefore adds nothing.
    """
    stations = {code: station_row(session, code) for code in {row.station_code for row in rows}}
    existing = existing_fingerprints(session, {s.id for s in stations.values()}, {row.fields.day for row in rows})
    added = skipped = 0
    for row in rows:
        key = fingerprint(stations[row.station_code].id, row.fields.as_dict())
        if existing[key] > 0:
            existing[key] -= 1
            skipped += 1
            continue
        add_incident(session, row.fields, row.station_code, by, source="import")
        added += 1
    return added, skipped
