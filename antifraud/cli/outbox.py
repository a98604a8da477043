"""`antifraud outbox ...`: what is queued for the chat groups, and retrying what was parked."""

from __future__ import annotations

import json

import click

from ..vocab import DELIVERY_STATUSES
from . import App, cli, command, wait_option
from .warnings import send_and_wait


@cli.group("outbox")
def outbox():
    """Messages queued for the chat groups (one row per group and message)."""


@command(outbox, "list", formats=("table", "json"))
@click.option("--status", type=click.Choice(DELIVERY_STATUSES), help="Only rows with this status.")
@click.option("--subject", help="Only this subject, e.g. warning:2026-11-22.")
def outbox_list(app: App, status, subject, output_format):
    """List outbox rows, newest first."""
    from ..outbox.service import list_deliveries

    with app.db.session() as session:
        rows = list_deliveries(session, app.settings.display_zone, status, subject)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("#", "subject", "group", "channel", "kind", "status", "tries", "last error", box=None)
    for r in rows:
        fields = ("subject", "group", "channel", "kind", "status")
        table.add_row(str(r["id"]), *(r[k] for k in fields), str(r["attempts"]), r["last_error"] or "")
    Console(width=200).print(table)


@command(outbox, "retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-parked", is_flag=True, help="Retry every parked row.")
def outbox_retry(app: App, ids, all_parked):
    """Put parked rows back in the queue (after fixing what parked them)."""
    from ..outbox.service import retry_parked

    with app.db.session() as session:
        count = retry_parked(session, ids, all_parked)
    click.echo(f"queued {count} row(s) again; `antifraud outbox drain` sends them now")


@command(outbox, "drain")
@wait_option
def outbox_drain(app: App, wait_seconds):
    """Send everything that is queued, now."""
    if not send_and_wait(app, None, app.wait_seconds(wait_seconds)):
        raise click.exceptions.Exit(1)
