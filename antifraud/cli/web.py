"""`antifraud serve` (the web UI) and `antifraud user add|list|disable|password` (who may log in)."""

from __future__ import annotations

import sys

import click

from . import App, cli, command, emit, who


@command(cli, "serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port (0: any free one).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Requests served at once.")
def serve_command(app: App, host, port, threads):
    """The web UI on waitress. Prints `serving on http://HOST:PORT` once it accepts connections."""
    from waitress import create_server

    from ..lib.collector import startup_done
    from ..web import create_app

    web = create_app(app)
    startup_done()  # a server for months: collect garbage from here on
    server = create_server(web, host=host, port=port, threads=threads, ident="antifraud")
    bound_host, bound_port = server.socket.getsockname()[:2]
    if app.settings.web.secure_cookies and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            "note: web.secure_cookies is on, so logins work only over HTTPS (a reverse proxy in front); "
            "set web.secure_cookies: false only on a trusted office network",
            err=True,
        )
    click.echo(f"serving on http://{bound_host}:{bound_port}", err=False)
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@cli.group("user")
def user():
    """Who may log in to the web UI, with which role."""


def _password() -> str:
    """The password from stdin: its first line, without the newline."""
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


@command(user, "add")
@click.option("--username", required=True, help="The login name (2-40 letters, digits, _ . @ -).")
@click.option(
    "--role",
    type=click.Choice(["clerk", "chief", "admin", "volunteer"]),
    required=True,
    help="clerk enters incidents and publishes; chief also approves; admin also manages users; volunteer "
    "sees their own shifts.",
)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from the first line of stdin.")
@click.option("--station", help="Only this station (default: every station).")
@click.option("--person", help="Their name among the station's people in config.yaml (a volunteer must have one).")
def user_add(app: App, username, role, password_stdin, station, person):
    """Add a user; the password comes on stdin, never on the command line."""
    from ..accounts.service import add_user

    password = _password()
    with app.db.session() as session:
        add_user(session, app.settings, username, role, password, who(None), station_code=station, person=person)
    click.echo(f"added {username} ({role})")


@command(user, "list", formats=("table", "json"))
def user_list(app: App, output_format):
    """Users, their roles and last logins."""
    from ..accounts.service import list_users, user_record

    with app.db.session() as session:
        rows = [user_record(u, app.settings.display_zone) for u in list_users(session)]

    def as_text(rows):
        if not rows:
            click.echo("no users yet: antifraud user add --username U --role admin --password-stdin")
        for r in rows:
            state = "disabled" if r["disabled"] else f"last login {r['last_login'] or 'never'}"
            click.echo(f"{r['username']}\t{r['role']}\t{r['station'] or '*'}\t{r['person'] or ''}\t{state}")

    emit(output_format, rows, as_text)


@command(user, "disable")
@click.option("--username", required=True)
def user_disable(app: App, username):
    """The user can no longer log in; their sessions end and their calendar feed stops."""
    from ..accounts.service import disable_user

    with app.db.session() as session:
        disable_user(session, username, who(None))
    click.echo(f"disabled {username}")


@command(user, "password")
@click.option("--username", required=True)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the new password from stdin.")
def user_password(app: App, username, password_stdin):
    """Set a new password (read from stdin); every session of the user ends."""
    from ..accounts.service import set_password

    password = _password()
    with app.db.session() as session:
        set_password(session, username, password, who(None))
    click.echo(f"password changed for {username}")
