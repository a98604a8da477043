"""`antifraud demo`: a fresh SQLite database with sample data, so a newcomer sees the whole job."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import click

from ..demo import sample_incidents
from ..incidents import service
from ..incidents.privacy import describe_masked
from ..incidents.spreadsheet import incident_record
from ..incidents.validate import validate_incident
from . import App, cli, config_option, pass_app
from .incidents import print_incidents

DEMO_DATABASE = "demo.db"


@cli.command("demo")
@config_option
@pass_app
def demo(app: App):
    """Load sample incidents into a fresh demo database (demo.db beside config.yaml) and show them."""
    from ..db import open_database

    settings = app.settings
    path = settings.base_dir / DEMO_DATABASE
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    # The demo never touches the configured (possibly production) database.
    app.db = open_database(settings, app.categories, url=f"sqlite:///{path}")
    station = settings.stations[0]
    today = app.today(station.code)
    masked = Counter()
    with app.db.session() as session:
        for raw in sample_incidents(today):
            fields = validate_incident(raw, app.categories, today)
            masked.update(fields.masked)
            service.add_incident(session, fields, station.code, by="demo", source="demo")
    click.echo(f"demo database: {path}")
    click.echo(
        f"recorded {len(sample_incidents(today))} sample incidents for {station.name} ({station.code}); "
        f"masked {describe_masked(masked)} on entry"
    )
    yesterday = app.yesterday(station.code)
    with app.db.session() as session:
        records = [incident_record(row) for row in service.list_incidents(session, station.code, yesterday, yesterday)]
    click.echo(f"\nyesterday ({yesterday.isoformat()}):")
    print_incidents(records, "table")

    from ..channels.outbox import Sender
    from ..warnings.publish import enqueue
    from .warnings import render_and_record

    with app.db.session() as session:
        rendered, record = render_and_record(app, session, station, yesterday)
        # Only the folder channel: the demo has no robot keys and must not post anywhere.
        enqueue(session, record, station, "warning", settings.publish.audiences, channels={"folder"})
    click.echo(f"\nmorning warning for {yesterday.isoformat()} (open the image to see what residents get):")
    for path in rendered.paths.values():
        click.echo(f"  {path}")
    Sender(app.db, settings).drain()
    forward = rendered.paths["image"].parent / "forward"
    click.echo(f"\nready to forward by hand to WeChat groups that have no robot ({forward}):")
    for path in sorted(p for p in forward.rglob("*") if p.is_file()):
        click.echo(f"  {path.relative_to(forward)}")

    from ..outreach.planner import plan_week
    from ..outreach.service import build_input, store_plan, week_of
    from .outreach import write_outputs

    monday = today + timedelta(days=7 - today.weekday())
    week = week_of(monday)
    with app.db.session() as session:
        plan_input, note = build_input(session, settings, station, monday, replan=False)
        result = plan_week(plan_input)
        store_plan(session, station, week, monday, result)
    paths = write_outputs(app, station, week, monday, result.events)
    talks = sum(e.kind == "factory_talk" for e in result.events)
    click.echo(
        f"\nnext week's outreach rota ({week}): {talks} factory talks, {len(result.events) - talks} street stalls, "
        f"{'proven optimal' if result.optimal else 'best found'} in {result.solve_seconds:.2f} s"
    )
    for problem in result.problems:
        click.echo(f"  未满足: {problem}")
    for path in paths.values():
        click.echo(f"  {path}")
