"""The command line. Errors a person can fix become one line on stderr and exit code 2.

Each command parses its arguments, calls one service function and prints the result. Only click
is imported before the arguments are parsed; a command imports what it uses when it runs, so
`antifraud --help` and `antifraud incident add` start quickly.
"""

from __future__ import annotations

import getpass
import sys
from datetime import date
from pathlib import Path

import click

from .. import __version__
from ..app import CONFIG_ENV, App
from ..errors import AntifraudError, DatabaseUnavailable


def _set_config(ctx, _param, value):
    if value is not None:
        ctx.ensure_object(App).config_path = value


def config_option(command):
    """--config on every command, so it works before or after the subcommand name."""
    return click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_set_config,
        help=f"Settings file (default ./config.yaml, or ${CONFIG_ENV}).",
    )(command)


def format_option(*choices: str):
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def wait_option(command):
    """--wait for commands that send: how long to keep at it while robots ask us to slow down."""
    return click.option(
        "--wait",
        "wait_seconds",
        type=click.IntRange(0, 3600),
        default=None,
        help="Seconds to wait for the robots (default: publish.wait_seconds).",
    )(command)


def entered_by_option(command):
    return click.option("--by", "by", default=None, help="Who is making the change (default: your login name).")(
        command
    )


def who(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"


def parse_date_option(value: str | None, name: str, today: date | None = None) -> date | None:
    """A typed day: YYYY-MM-DD and the forms spreadsheets use; with `today`, also yesterday/昨天/today/今天."""
    if value is None:
        return None
    from ..lib.dates import parse_day

    return parse_day(value, name, today)


pass_app = click.make_pass_decorator(App, ensure=True)


def emit(output_format: str, data, as_text) -> None:
    """`data` as JSON when --format json was asked for, else as `as_text(data)` prints it."""
    if output_format == "json":
        import json

        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        as_text(data)


def command(group: click.Group, name: str, formats: tuple[str, ...] = ()):
    """`group name` as a command taking --config (and --format when `formats` are given), called with the App."""

    def decorate(function):
        function = pass_app(function)
        if formats:
            function = format_option(*formats)(function)
        return group.command(name)(config_option(function))

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="antifraud")
@config_option
def cli():
    """antifraud: daily fraud warnings and outreach rotas for community police rooms."""


def main(argv=None):
    """Exit codes: 0 done; 1 not everything done (messages parked or unsent, a duty's station-day
    failed); 2 bad input or configuration; 3 the database cannot be used right now; 4 `outreach plan`
    left rules unmet; 130 interrupted."""
    try:
        # Without standalone mode, ctx.exit(n) and --help come back as a return value.
        code = cli.main(args=argv, prog_name="antifraud", standalone_mode=False)
    except DatabaseUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)
    except AntifraudError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        if "sqlalchemy" in sys.modules:  # trouble with the database outside a session: still one line
            from ..db.session import describe_database_error, is_database_error

            if is_database_error(exc):
                click.echo(f"error: {describe_database_error(exc, 'the database')}", err=True)
                sys.exit(3)
        raise
    sys.exit(code if isinstance(code, int) else 0)


from . import check, daemon, demo, incidents, outbox, outreach, reports, warnings, web  # noqa: E402,F401  (registers the commands)
