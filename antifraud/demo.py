"""`antifraud demo`: a fresh SQLite database with sample data, so a newcomer sees the whole job:
incidents recorded and masked, yesterday's warning rendered and written for forwarding, next week planned.

The demo has its own database (demo.db) and its own output folder (posters-demo/ beside the configured
output_dir), so running it in a station's folder leaves the station's database and files as they were.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from .db import connect
from .incidents.samples import sample_incidents
from .incidents.service import incident_records, record_incident
from .outbox.sender import Sender
from .outreach.service import WeekPlan, plan_and_store
from .outreach.store import week_of
from .warnings.files import RenderedWarning
from .warnings.publish import enqueue
from .warnings.service import render_and_record

DEMO_DATABASE = "demo.db"


def demo_settings(settings):
    """The settings with the demo's own output folder, beside the configured one."""
    output = settings.resolve(settings.output_dir)
    return settings.model_copy(update={"output_dir": output.with_name(f"{output.name}-demo")})


@dataclass
class DemoReport:
    database: Path
    output_dir: Path
    station: object
    recorded: int
    masked: Counter
    yesterday: date
    yesterdays: list[dict]
    warning: RenderedWarning
    forward_dir: Path
    forwarded: list[Path] = field(default_factory=list)
    week: WeekPlan | None = None


def run_demo(settings, categories) -> DemoReport:
    """Fill a fresh demo database beside config.yaml and run a morning and a week's planning on it."""
    settings = demo_settings(settings)
    path = settings.base_dir / DEMO_DATABASE
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    # The demo never touches the configured (possibly production) database.
    db = connect(settings, categories, url=f"sqlite:///{path}")
    station = settings.stations[0]
    today = datetime.now(settings.station_timezone(station)).date()
    yesterday = today - timedelta(days=1)
    masked: Counter = Counter()
    samples = sample_incidents(today)
    with db.session() as session:
        for raw in samples:
            _, checked = record_incident(session, raw, categories, today, station.code, by="demo", source="demo")
            masked.update(checked.masked)
    with db.session() as session:
        yesterdays = incident_records(session, station.code, yesterday, yesterday)
        rendered, record = render_and_record(session, settings, categories, station, yesterday)
        # Only the folder channel: the demo has no robot keys and must not post anywhere.
        enqueue(session, record, station, "warning", settings.publish.audiences, channels={"folder"})
    Sender(db, settings).drain()
    forward = rendered.paths["image"].parent / "forward"
    output = settings.resolve(settings.output_dir)
    report = DemoReport(path, output, station, len(samples), masked, yesterday, yesterdays, rendered, forward)
    report.forwarded = sorted(p for p in forward.rglob("*") if p.is_file())
    monday = today + timedelta(days=7 - today.weekday())
    with db.session() as session:
        report.week = plan_and_store(session, settings, station, week_of(monday))
    db.close()
    return report
