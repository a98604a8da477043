"""`antifraud run`, `antifraud jobs`, `antifraud status`: the daemon and what operators ask of it."""

from __future__ import annotations

import json

import click
from sqlalchemy import func, select

from ..db.models import Delivery, DutyRun, utcnow
from . import App, cli, config_option, format_option, pass_app

log_format_option = click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="One line per event on stderr, as text or JSON.",
)


@cli.command("run")
@config_option
@log_format_option
@click.option("--standby", is_flag=True, help="Wait for the active daemon to stop, then take over.")
@pass_app
def run_command(app: App, log_format, standby):
    """The daemon: render, publish, plan, remind, send and back up on schedule; catch up on start."""
    from ..scheduler.daemon import configure_logging, run
    from ..scheduler.duties import Context

    configure_logging(log_format)
    config_path = app.config_path.resolve()
    run(Context(app.db, app.settings, app.categories, config_path=config_path, log_format=log_format), standby=standby)


@cli.command("duty")
@config_option
@click.argument(
    "name", type=click.Choice(["warning_render", "warning_publish", "rota_plan", "reminders", "outbox", "backup"])
)
@log_format_option
@pass_app
def duty_command(app: App, name, log_format):
    """Do one of the daemon's duties now (whatever it owes); the daemon runs heavy ones this way."""
    from ..scheduler.daemon import configure_logging
    from ..scheduler.duties import Context
    from ..scheduler.runner import run_duty

    configure_logging(log_format)
    message = run_duty(Context(app.db, app.settings, app.categories), name)
    click.echo(message or f"{name}: nothing owed")


@cli.command("jobs")
@config_option
@format_option("table", "json")
@pass_app
def jobs_command(app: App, output_format):
    """Each duty, its next run time and its last outcome."""
    from ..scheduler.daemon import triggers
    from ..scheduler.duties import DUTIES

    now = utcnow().astimezone(app.settings.station_timezone(app.settings.stations[0]))
    rows = []
    with app.db.session() as session:
        for name, trigger in triggers(app.settings).items():
            last = session.scalar(select(DutyRun).where(DutyRun.duty == name).order_by(DutyRun.id.desc()).limit(1))
            next_run = trigger.get_next_fire_time(None, now)
            rows.append(
                {
                    "duty": name,
                    "does": (DUTIES[name].__doc__ or DUTIES[name].__name__).strip().splitlines()[0],
                    "next_run": next_run.isoformat(timespec="minutes") if next_run else None,
                    "last_run": last.started_at.isoformat(timespec="seconds") if last else None,
                    "last_outcome": last.outcome if last else None,
                    "last_message": last.message if last else None,
                }
            )
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        last = f"{r['last_outcome']} at {r['last_run']}" if r["last_run"] else "never run"
        click.echo(
            f"{r['duty']:<16} next {r['next_run']}  last: {last}"
            + (f" ({r['last_message']})" if r["last_message"] else "")
        )


@cli.command("status")
@config_option
@format_option("text", "json")
@pass_app
def status_command(app: App, output_format):
    """What is owed, outbox counts, last errors."""
    from ..outreach.service import find_week, week_of
    from ..scheduler.duties import local_now, publications_owed, rota_week_due, warnings_owed

    report = {"stations": [], "outbox": {}, "errors": []}
    with app.db.session() as session:
        for station in app.settings.stations:
            monday = rota_week_due(app.settings, local_now(app.settings, station))
            rota_owed = None
            if monday is not None and station.people and find_week(session, station, week_of(monday)) is None:
                rota_owed = week_of(monday)
            report["stations"].append(
                {
                    "station": station.code,
                    "warnings_to_render": [d.isoformat() for d in warnings_owed(session, app.settings, station)],
                    "warnings_to_publish": [
                        w.day.isoformat() for w in publications_owed(session, app.settings, station)
                    ],
                    "rota_to_plan": rota_owed,
                }
            )
        report["outbox"] = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        for d in session.scalars(
            select(Delivery).where(Delivery.status == "parked").order_by(Delivery.id.desc()).limit(5)
        ):
            report["errors"].append(f"outbox #{d.id} {d.group_name} {d.kind}: {d.last_error}")
        for r in session.scalars(
            select(DutyRun).where(DutyRun.outcome == "error").order_by(DutyRun.id.desc()).limit(5)
        ):
            report["errors"].append(f"{r.duty} at {r.started_at.isoformat(timespec='seconds')}: {r.message}")
    if output_format == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for s in report["stations"]:
        click.echo(
            f"{s['station']}: warnings to render {s['warnings_to_render'] or 'none'}, "
            f"to publish {s['warnings_to_publish'] or 'none'}, rota to plan {s['rota_to_plan'] or 'none'}"
        )
    counts = report["outbox"]
    click.echo("outbox: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("pending", "sending", "sent", "parked")))
    for line in report["errors"]:
        click.echo(f"error: {line}")
