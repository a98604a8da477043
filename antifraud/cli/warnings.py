"""`antifraud warning ...`: the morning warning, from render to the chat groups."""

from __future__ import annotations

from datetime import timedelta

import click

from ..db.models import utcnow
from ..errors import InputError
from . import App, cli, config_option, entered_by_option, parse_date_option, pass_app, wait_option, who


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


def day_and_station(command):
    command = click.option("--station", help="Station code (default: the first in config).")(command)
    return click.option("--date", "day", help="The day reported on, YYYY-MM-DD (default: yesterday).")(command)


def render_and_record(app: App, session, station, day):
    from ..warnings.publish import render_and_record as render_day

    return render_day(session, app.settings, app.categories, station, day)


@warning.command("render")
@config_option
@day_and_station
@pass_app
def warning_render(app: App, day, station):
    """Render posters/D/S/warning.png, warning.txt and warning.md, and print their paths."""
    station = app.settings.station(station)
    day = reported_day(app, day, station.code)
    with app.db.session() as session:
        rendered, record = render_and_record(app, session, station, day)
    if rendered is None:
        click.echo(f"{day.isoformat()} {station.code}: no incidents, and warning.quiet_day is 'none': nothing rendered")
        return
    for path in rendered.paths.values():
        click.echo(str(path))
    if record.status == "draft":
        click.echo(f"waiting for approval: antifraud warning approve --date {day.isoformat()} --station {station.code}")


@warning.command("approve")
@config_option
@day_and_station
@entered_by_option
@pass_app
def warning_approve(app: App, day, station, by):
    """Approve a rendered warning for publishing (when publish.require_approval is on)."""
    from ..warnings.publish import approve

    station = app.settings.station(station)
    day = reported_day(app, day, station.code)
    with app.db.session() as session:
        row = approve(session, station, day, who(by))
        status = row.status
    click.echo(f"{day.isoformat()} {station.code}: {status}")


def send_and_wait(app: App, subjects: list[str], wait_seconds: int) -> bool:
    from ..channels.outbox import Sender

    def report(outcome):
        mark = {"sent": "sent", "retry": "will retry", "parked": "PARKED"}[outcome.status]
        click.echo(f"  {mark:>10}  {outcome.group} · {outcome.kind}  {outcome.detail}")

    sender = Sender(app.db, app.settings, report=report)
    finished = sender.drain(subjects, until=utcnow() + timedelta(seconds=wait_seconds))
    if not finished:
        click.echo(f"still sending after {wait_seconds} s; the daemon (or `antifraud outbox drain`) will finish it")
    return finished


@warning.command("preview")
@config_option
@day_and_station
@pass_app
def warning_preview(app: App, day, station):
    """Send the rendered warning to the staff groups only, to check it before it goes public."""
    from ..warnings.publish import enqueue, find_warning, subject

    station = app.settings.station(station)
    day = reported_day(app, day, station.code)
    with app.db.session() as session:
        record = find_warning(session, station, day)
        if record is None:
            rendered, record = render_and_record(app, session, station, day)
            if record is None:
                raise InputError(f"--date: no incidents on {day.isoformat()} and quiet days are not posted")
        created = enqueue(session, record, station, "preview", ["staff"])
    if not created:
        click.echo("the preview was queued before; nothing new to send")
    send_and_wait(app, [subject("preview", day)], app.settings.publish.wait_seconds)
    summarise(app, [subject("preview", day)])


@warning.command("publish")
@config_option
@day_and_station
@click.option("--dry-run", is_flag=True, help="Show what would be sent to which groups; send nothing.")
@wait_option
@pass_app
def warning_publish(app: App, day, station, dry_run, wait_seconds):
    """Queue the warning for every target group and send it: image first, then the text."""
    from ..warnings.publish import find_warning, plan_messages, publish, subject

    station = app.settings.station(station)
    day = reported_day(app, day, station.code)
    if dry_run:
        for message in plan_messages(station, app.settings.publish.audiences):
            group = message.group
            click.echo(f"would send {message.kind:>8} to {group.name} ({group.channel}, {group.audience})")
        return
    with app.db.session() as session:
        record = find_warning(session, station, day)
        if record is None:
            rendered, record = render_and_record(app, session, station, day)
            if record is None:
                click.echo(
                    f"{day.isoformat()} {station.code}: no incidents, and warning.quiet_day is 'none': "
                    "nothing to publish"
                )
                return
        created = publish(session, app.settings, station, record)
    click.echo(f"{day.isoformat()} {station.code}: queued {len(created)} new message(s)")
    wait = app.wait_seconds(wait_seconds)
    finished = send_and_wait(app, [subject("warning", day)], wait)
    if not summarise(app, [subject("warning", day)]) or not finished:
        raise click.exceptions.Exit(1)


def summarise(app: App, subjects: list[str]) -> bool:
    """One line of counts; True when every message was sent."""
    from sqlalchemy import func, select

    from ..db.models import Delivery

    with app.db.session() as session:
        counts = dict(
            session.execute(
                select(Delivery.status, func.count()).where(Delivery.subject.in_(subjects)).group_by(Delivery.status)
            ).all()
        )
    click.echo(", ".join(f"{counts.get(s, 0)} {s}" for s in ("sent", "pending", "sending", "parked")))
    if counts.get("parked"):
        click.echo("parked messages need a look: antifraud outbox list --status parked; then antifraud outbox retry")
    return set(counts) <= {"sent"}
