"""`antifraud warning ...`: the morning warning."""

from __future__ import annotations

import click

from ..errors import InputError
from . import App, cli, config_option, parse_date_option, pass_app


@cli.group("warning")
def warning():
    """The daily warning poster and text (每日电诈预警)."""


def reported_day(app: App, value: str | None, station: str):
    """--date, or yesterday in the station's time zone; never a day still to come."""
    if value is None:
        return app.yesterday(station)
    day = parse_date_option(value, "--date")
    if day > app.today(station):
        raise InputError(f"--date: {value!r} is in the future (today is {app.today(station).isoformat()})")
    return day


@warning.command("render")
@config_option
@click.option("--date", "day", help="The day reported on, YYYY-MM-DD (default: yesterday).")
@click.option("--station", help="Station code (default: the first in config).")
@pass_app
def warning_render(app: App, day, station):
    """Render posters/D/S/warning.png, warning.txt and warning.md, and print their paths."""
    from ..warnings.service import render_warning

    station = app.settings.station(station)
    day = reported_day(app, day, station.code)
    with app.db.session() as session:
        rendered = render_warning(session, app.settings, app.categories, station, day)
    if rendered is None:
        click.echo(f"{day.isoformat()} {station.code}: no incidents, and warning.quiet_day is 'none': nothing rendered")
        return
    for path in rendered.paths.values():
        click.echo(str(path))
