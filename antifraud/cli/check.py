"""`antifraud check`: is this installation ready to run? Nothing is sent."""

from __future__ import annotations

import click

from . import App, cli, command


@command(cli, "check")
def check(app: App):
    """Validate config, templates, database and channel secrets; report problems in plain words."""
    from ..checks import run_checks

    problems = 0
    for ok, what, detail in run_checks(app):  # ok None: a note, worth knowing but not in the way
        click.echo(f"{'note' if ok is None else 'ok' if ok else 'PROBLEM':>7}  {what}: {detail}")
        problems += ok is False
    if problems:
        click.echo(f"{problems} problem(s) found", err=True)
        raise click.exceptions.Exit(2)
    click.echo("all checks passed")
