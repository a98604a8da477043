"""What operators ask of the daemon (CLI `jobs` and `status`, the web UI's status page)."""

from __future__ import annotations

from sqlalchemy import select

from ..db.models import Delivery, DutyRun, utcnow
from ..lib.dates import local_time
from ..outbox.service import counts
from ..outreach.store import find_week, week_of
from .duties import DUTIES, local_now, publications_owed, rota_week_due, too_old_to_post, warnings_owed


def jobs_report(db, settings) -> list[dict]:
    """Each duty: what it does, its next run time and its last outcome."""
    from .daemon import triggers  # loads APScheduler, which only this report and the daemon need

    zone = settings.display_zone
    now = utcnow().astimezone(zone)
    rows = []
    with db.session() as session:
        for name, trigger in triggers(settings).items():
            last = session.scalar(select(DutyRun).where(DutyRun.duty == name).order_by(DutyRun.id.desc()).limit(1))
            next_run = trigger.get_next_fire_time(None, now)
            rows.append(
                {
                    "duty": name,
                    "does": (DUTIES[name].__doc__ or DUTIES[name].__name__).strip().splitlines()[0],
                    "next_run": next_run.isoformat(timespec="minutes") if next_run else None,
                    "last_run": local_time(last.started_at, zone) if last else None,
                    "last_outcome": last.outcome if last else None,
                    "last_message": last.message if last else None,
                }
            )
    return rows


def status_report(db, settings) -> dict:
    """What is owed per station, outbox counts, and the last errors."""
    report = {"stations": [], "outbox": {}, "errors": []}
    with db.session() as session:
        for station in settings.stations:
            monday = rota_week_due(settings, local_now(settings, station))
            rota_owed = None
            if monday is not None and station.people and find_week(session, station, week_of(monday)) is None:
                rota_owed = week_of(monday)
            report["stations"].append(
                {
                    "station": station.code,
                    "warnings_to_render": [d.isoformat() for d in warnings_owed(session, settings, station)],
                    "warnings_to_publish": [w.day.isoformat() for w in publications_owed(session, settings, station)],
                    "warnings_too_old": [w.day.isoformat() for w in too_old_to_post(session, settings, station)],
                    "rota_to_plan": rota_owed,
                }
            )
        report["outbox"] = counts(session)
        for d in session.scalars(
            select(Delivery).where(Delivery.status == "parked").order_by(Delivery.id.desc()).limit(5)
        ):
            report["errors"].append(f"outbox #{d.id} {d.group_name} {d.kind}: {d.last_error}")
        for r in session.scalars(
            select(DutyRun).where(DutyRun.outcome == "error").order_by(DutyRun.id.desc()).limit(5)
        ):
            report["errors"].append(f"{r.duty} at {local_time(r.started_at, settings.display_zone)}: {r.message}")
    return report
