"""`antifraud warning ...`: the morning warning, from render to the chat groups."""

from __future__ import annotations

from functools import partial

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


def all_stations_options(command):
    """--all-stations and --workers, for commands that can do every station of the config at once."""
    command = click.option(
        "--workers",
        type=click.IntRange(1, 256),
        default=None,
        help="Processes for --all-stations (default: one per CPU, at most 2 on SQLite, whose writers take turns).",
    )(command)
    return click.option(
        "--all-stations", is_flag=True, help="Every station in config, each on its own; one line per station."
    )(command)


def check_all_stations(station: str | None, all_stations: bool, workers: int | None) -> None:
    if station is not None and all_stations:
        raise InputError("--station and --all-stations cannot be used together")
    if workers is not None and not all_stations:
        raise InputError("--workers only applies with --all-stations")


def default_workers(app: App, given: int | None, stations: int) -> int:
    """--workers, else one per CPU (at most 2 on SQLite); never more than there are stations.

    A station's render draws for ~100 ms and writes for a few: on SQLite, whose writers take turns,
    two processes rarely wait for each other (600 stations: 68 s with one, 39 s with two, no waits
    near the busy timeout); more would only queue for the write lock.
    """
    import os

    if given is None:
        given = os.cpu_count() or 1
        if app.db.engine.dialect.name == "sqlite":
            given = min(given, 2)
    return max(1, min(given, stations))


# -- one station in a worker process (or here, with one worker) ---------------------------------

_worker_app: App | None = None


def open_worker(config_path) -> None:
    """A worker's own App: its own settings and its own database connection."""
    global _worker_app
    _worker_app = App(config_path)
    _worker_app.db  # noqa: B018 - connect now, not inside the first station's work


def worker_app() -> App:
    return _worker_app


def on_station(code: str, work) -> tuple[str, bool, object]:
    """(code, True, what work() returned) or (code, False, why it failed), as the daemon's duty reports it."""
    from ..scheduler.duties import each_station_day

    done: list = []
    failed = each_station_day(lambda: done.append(work()) or True, [], code)
    if failed:
        return code, False, failed[0].removeprefix(f"{code}: ")
    return code, True, done[0]


def render_station(code: str, day) -> tuple[str, bool, object]:
    """Render and record one station's warning for `day`; a failure comes back as its reason."""
    from ..warnings.service import render_and_record

    app = worker_app()

    def work() -> str:
        station = app.station(code)
        with app.db.session() as session:
            rendered, record = render_and_record(session, app.settings, app.categories, station, day)
        if rendered is None:
            return f"{day.isoformat()}: no incidents, and warning.quiet_day is 'none': nothing rendered"
        waiting = ", waiting for approval" if record.status == "draft" else ""
        return f"rendered {day.isoformat()} ({rendered.facts.total} incident(s)){waiting}: {rendered.paths['image']}"

    return on_station(code, work)


def for_all_stations(
    app: App, function, jobs: list[tuple], workers: int | None, verb: str, report=None, err: bool = False
) -> list:
    """Run `function(code, ...)` for every job, print one line per station as each finishes and a summary
    (on stderr with `err`, when stdout carries JSON).

    Returns (what each station that succeeded returned, in config order; the codes of those that failed).
    """
    import time

    from ..lib.pool import fan_out

    started = time.perf_counter()
    app.db  # noqa: B018 - migrate and sync the stations once, before the workers connect
    workers = default_workers(app, workers, len(jobs))
    order = {job[0]: index for index, job in enumerate(jobs)}
    done, failed = {}, []
    for job, result, crashed in fan_out(function, jobs, workers, open_worker, (app.config_path,)):
        code, ok, detail = result if crashed is None else (job[0], False, f"worker process died: {crashed!r}")
        if ok:
            done[code] = detail
            if report is None:
                click.echo(f"{code}: {detail}", err=err)
            else:
                report(code, detail)
        else:
            failed.append(code)
            click.echo(f"{code}: failed: {detail}", err=err)
    seconds = time.perf_counter() - started
    summary = f"{verb} {len(done)} of {len(jobs)} station(s) in {seconds:.1f} s with {workers} worker(s)"
    failures = f"; {len(failed)} failed: {', '.join(sorted(failed, key=order.get))}" if failed else ""
    click.echo(summary + failures, err=err)
    return [done[job[0]] for job in jobs if job[0] in done], failed


@command(warning, "render")
@day_and_station
@all_stations_options
def warning_render(app: App, day, station, all_stations, workers):
    """Render posters/D/S/warning.png, warning.txt and warning.md, and print their paths.

    With --all-stations, every station's warning, each on its own: a station that fails is named
    with the reason and the others go on; exits 1 if any failed.
    """
    from ..warnings.service import render_and_record

    check_all_stations(station, all_stations, workers)
    if all_stations:
        jobs = [(s.code, reported_day(app, day, s.code)) for s in app.settings.stations]
        _, failed = for_all_stations(app, render_station, jobs, workers, "rendered")
        if failed:  # as the daemon's duty: the others were done, and the exit code says not all were
            raise click.exceptions.Exit(1)
        return
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
    station, day, created = on_day(app, station, day, partial(publish_day, by=who(None)))
    if created is None:
        click.echo(f"{quiet_day_note(day, station)}: nothing to publish")
        return
    click.echo(f"{day.isoformat()} {station.code}: queued {len(created)} new message(s)")
    if not send_subjects(app, [subject("warning", day)], wait_seconds):
        raise click.exceptions.Exit(1)
