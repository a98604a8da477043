"""`antifraud warning ...`: the morning warning, from render to the chat groups."""

from __future__ import annotations

import click

from ..errors import InputError
from . import App, cli, command, entered_by_option, parse_date_option, wait_option, who


@cli.group("warning")
def warning():
    """The daily warning poster and text (每日电诈预警)."""


def reported_day(app: App, value: str | None, station: str):
    """--date, or yesterday in the station's time zone; never a day still to come."""
    if value is None:
        return app.yesterday(station)
    day = parse_date_option(value, "--date", app.today(station))
    if day > app.today(station):
        raise InputError(f"--date: {value!r} is in the future (today is {app.today(station).isoformat()})")
    return day


def day_and_station(command):
    command = click.option("--station", help="Station code (default: the first in config).")(command)
    help = "The day reported on: YYYY-MM-DD, yesterday/昨天 or today/今天 (default: yesterday)."
    return click.option("--date", "day", help=help)(command)


def on_day(app: App, station: str | None, day: str | None, service):
    """Run a warning service for (station, reported day) in one transaction: (station, day, result)."""
    station = app.station(station)
    day = reported_day(app, day, station.code)
    with app.db.session() as session:
        return station, day, service(session, app.settings, app.categories, station, day)


def quiet_day_note(day, station) -> str:
    return f"{day.isoformat()} {station.code}: no incidents, and warning.quiet_day is 'none'"


@command(warning, "render")
@day_and_station
def warning_render(app: App, day, station):
    """Render posters/D/S/warning.png, warning.txt and warning.md, and print their paths."""
    from ..warnings.service import render_and_record

    station, day, (rendered, record) = on_day(app, station, day, render_and_record)
    if rendered is None:
        click.echo(f"{quiet_day_note(day, station)}: nothing rendered")
        return
    for path in rendered.paths.values():
        click.echo(str(path))
    if record.status == "draft":
        click.echo(f"waiting for approval: antifraud warning approve --date {day.isoformat()} --station {station.code}")


@command(warning, "approve")
@day_and_station
@entered_by_option
def warning_approve(app: App, day, station, by):
    """Approve a rendered warning for publishing (when publish.require_approval is on)."""
    from ..warnings.service import approve

    station = app.station(station)
    day = reported_day(app, day, station.code)
    with app.db.session() as session:
        status = approve(session, station, day, who(by)).status
    click.echo(f"{day.isoformat()} {station.code}: {status}")


def send_and_wait(app: App, subjects: list[str] | None, wait_seconds: int) -> bool:
    """Send what is queued (of these subjects), one line per message; True when all of it went."""
    from ..outbox.service import send_now

    def report(outcome):
        mark = {"sent": "sent", "retry": "will retry", "parked": "PARKED"}[outcome.status]
        click.echo(f"  {mark:>10}  {outcome.group} · {outcome.kind}  {outcome.detail}")

    finished = send_now(app.db, app.settings, subjects, wait_seconds, report)
    if not finished:
        click.echo(f"still sending after {wait_seconds} s; the daemon (or `antifraud outbox drain`) will finish it")
    return finished


def summarise(app: App, subjects: list[str]) -> bool:
    """One line of counts; True when every message was sent."""
    from ..outbox.service import counts

    with app.db.session() as session:
        found = counts(session, subjects)
    click.echo(", ".join(f"{found.get(s, 0)} {s}" for s in ("sent", "pending", "sending", "parked")))
    if found.get("parked"):
        click.echo("parked messages need a look: antifraud outbox list --status parked; then antifraud outbox retry")
    return set(found) <= {"sent"}


def send_subjects(app: App, subjects: list[str], wait_seconds: int | None) -> bool:
    """Send, wait, summarise; True when every message of these subjects was sent."""
    finished = send_and_wait(app, subjects, app.wait_seconds(wait_seconds))
    return summarise(app, subjects) and finished


@command(warning, "preview")
@day_and_station
def warning_preview(app: App, day, station):
    """Send the rendered warning to the staff groups only, to check it before it goes public."""
    from ..warnings.publish import subject
    from ..warnings.service import preview_day

    station, day, created = on_day(app, station, day, preview_day)
    if not created:
        click.echo("the preview was queued before; nothing new to send")
    send_subjects(app, [subject("preview", day)], None)


@command(warning, "publish")
@day_and_station
@click.option("--dry-run", is_flag=True, help="Show what would be sent to which groups; send nothing.")
@wait_option
def warning_publish(app: App, day, station, dry_run, wait_seconds):
    """Queue the warning for every target group and send it: image first, then the text."""
    from ..warnings.publish import plan_messages, subject
    from ..warnings.service import publish_day

    if dry_run:
        reported_day(app, day, app.station(station).code)
        for message in plan_messages(app.station(station), app.settings.publish.audiences):
            group = message.group
            click.echo(f"would send {message.kind:>8} to {group.name} ({group.channel}, {group.audience})")
        return
    station, day, created = on_day(app, station, day, publish_day)
    if created is None:
        click.echo(f"{quiet_day_note(day, station)}: nothing to publish")
        return
    click.echo(f"{day.isoformat()} {station.code}: queued {len(created)} new message(s)")
    if not send_subjects(app, [subject("warning", day)], wait_seconds):
        raise click.exceptions.Exit(1)
