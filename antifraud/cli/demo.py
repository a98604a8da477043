"""`antifraud demo`: a fresh SQLite database with sample data, so a newcomer sees the whole job."""

from __future__ import annotations

from collections import Counter

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

    from ..warnings.service import render_warning

    with app.db.session() as session:
        rendered = render_warning(session, settings, app.categories, station, yesterday)
    click.echo(f"\nmorning warning for {yesterday.isoformat()} (open the image to see what residents get):")
    for path in rendered.paths.values():
        click.echo(f"  {path}")
