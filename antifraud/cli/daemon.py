"""`antifraud run`, `antifraud jobs`, `antifraud status`: the daemon and what operators ask of it."""

from __future__ import annotations

import click

from ..errors import InputError
from . import App, cli, command, emit

log_format_option = click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="One line per event on stderr, as text or JSON.",
)


@command(cli, "run")
@log_format_option
@click.option("--standby", is_flag=True, help="Wait for the active daemon to stop, then take over.")
def run_command(app: App, log_format, standby):
    """The daemon: render, publish, plan, remind, send and back up on schedule; catch up on start."""
    from ..scheduler.daemon import configure_logging, run
    from ..scheduler.duties import Context
    from ..scheduler.signals import STOP as stop  # set by SIGTERM from the first moment (antifraud.entry)

    configure_logging(log_format, app.settings.display_zone)
    config_path = app.config_path.resolve()
    context = Context(app.db, app.settings, app.categories, stop=stop, config_path=config_path, log_format=log_format)
    run(context, standby=standby)


@command(cli, "duty")
@click.argument("name", metavar="DUTY")
@log_format_option
def duty_command(app: App, name, log_format):
    """Do one of the daemon's duties now (whatever it owes); the daemon runs heavy ones this way."""
    from ..scheduler.daemon import configure_logging
    from ..scheduler.duties import DUTIES, Context
    from ..scheduler.runner import perform
    from ..scheduler.signals import STOP  # set by SIGTERM (antifraud.entry): finish the step, then exit

    if name not in DUTIES:
        raise InputError(f"DUTY: {name!r} is not one of {', '.join(DUTIES)}")
    configure_logging(log_format, app.settings.display_zone)
    outcome, message = perform(Context(app.db, app.settings, app.categories, stop=STOP), name)
    click.echo(message or f"{name}: nothing owed")
    if outcome == "error":
        raise click.exceptions.Exit(1)  # the message says which station-days failed and why


@command(cli, "jobs", formats=("table", "json"))
def jobs_command(app: App, output_format):
    """Each duty, its next run time and its last outcome."""
    from ..scheduler.status import jobs_report

    emit(output_format, jobs_report(app.db, app.settings), print_jobs)


def print_jobs(rows: list[dict]) -> None:
    for r in rows:
        last = f"{r['last_outcome']} at {r['last_run']}" if r["last_run"] else "never run"
        message = f" ({r['last_message']})" if r["last_message"] else ""
        click.echo(f"{r['duty']:<16} next {r['next_run']}  last: {last}{message}")


@command(cli, "status", formats=("text", "json"))
def status_command(app: App, output_format):
    """What is owed, outbox counts, last errors."""
    from ..scheduler.status import status_report

    emit(output_format, status_report(app.db, app.settings), print_status)


def print_status(report: dict) -> None:
    for s in report["stations"]:
        click.echo(
            f"{s['station']}: warnings to render {s['warnings_to_render'] or 'none'}, "
            f"to publish {s['warnings_to_publish'] or 'none'}, rota to plan {s['rota_to_plan'] or 'none'}"
        )
        if s["warnings_too_old"]:
            click.echo(
                f"{s['station']}: not posted, too old to post automatically: {', '.join(s['warnings_too_old'])} "
                "(antifraud warning publish --date D, if still wanted)"
            )
    counts = report["outbox"]
    click.echo("outbox: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("pending", "sending", "sent", "parked")))
    for line in report["errors"]:
        click.echo(f"error: {line}")
