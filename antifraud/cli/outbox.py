"""`antifraud outbox ...`: what is queued for the chat groups, and retrying what was parked."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from ..db.models import Delivery, utcnow
from ..errors import InputError
from . import App, cli, config_option, format_option, pass_app, wait_option
from .warnings import send_and_wait

STATUSES = ("pending", "sending", "sent", "parked")


@cli.group("outbox")
def outbox():
    """Messages queued for the chat groups (one row per group and message)."""


@outbox.command("list")
@config_option
@click.option("--status", type=click.Choice(STATUSES), help="Only rows with this status.")
@click.option("--subject", help="Only this subject, e.g. warning:2026-11-22.")
@format_option("table", "json")
@pass_app
def outbox_list(app: App, status, subject, output_format):
    """List outbox rows, newest first."""
    with app.db.session() as session:
        query = select(Delivery).order_by(Delivery.id.desc()).limit(500)
        if status:
            query = query.where(Delivery.status == status)
        if subject:
            query = query.where(Delivery.subject == subject)
        rows = [
            {
                "id": d.id,
                "subject": d.subject,
                "group": d.group_name,
                "channel": d.channel,
                "kind": d.kind,
                "status": d.status,
                "attempts": d.attempts,
                "next_attempt_at": d.next_attempt_at.isoformat(timespec="seconds"),
                "sent_at": d.sent_at.isoformat(timespec="seconds") if d.sent_at else None,
                "last_error": d.last_error,
            }
            for d in session.scalars(query)
        ]
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("#", "subject", "group", "channel", "kind", "status", "tries", "last error", box=None)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["subject"],
            r["group"],
            r["channel"],
            r["kind"],
            r["status"],
            str(r["attempts"]),
            r["last_error"] or "",
        )
    Console(width=200).print(table)


@outbox.command("retry")
@config_option
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-parked", is_flag=True, help="Retry every parked row.")
@pass_app
def outbox_retry(app: App, ids, all_parked):
    """Put parked rows back in the queue (after fixing what parked them)."""
    if not ids and not all_parked:
        raise InputError("retry: give row ids, or --all-parked")
    with app.db.session() as session:
        query = select(Delivery).where(Delivery.status == "parked")
        if ids:
            query = query.where(Delivery.id.in_(ids))
        rows = list(session.scalars(query))
        missing = set(ids) - {r.id for r in rows}
        if missing:
            raise InputError(f"ids: {sorted(missing)} are not parked rows")
        for row in rows:
            row.status, row.attempts, row.next_attempt_at, row.last_error = "pending", 0, utcnow(), None
    click.echo(f"queued {len(rows)} row(s) again; `antifraud outbox drain` sends them now")


@outbox.command("drain")
@config_option
@wait_option
@pass_app
def outbox_drain(app: App, wait_seconds):
    """Send everything that is queued, now."""
    wait = app.wait_seconds(wait_seconds)
    if not send_and_wait(app, None, wait):
        raise click.exceptions.Exit(1)
