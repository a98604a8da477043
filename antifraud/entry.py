"""The `antifraud` command's entry point: for the daemon and its duties, SIGTERM is caught before
anything else loads (click, the config, the database), so a stop during start-up is a clean exit
rather than exit 143; then the command line runs as usual (with the garbage collector off while
it starts: lib/collector.py).
"""

from __future__ import annotations

import sys

from .lib.collector import starting, startup_done

LONG_RUNNING = ("run", "duty")  # commands that must finish their step when told to stop


def command_of(args: list[str]) -> str | None:
    """The first word that is not an option (or an option's value): the command's name."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--config", "--log-format"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    starting()
    try:
        if command_of(args) in LONG_RUNNING:
            from .scheduler import signals

            signals.stop_on_signals(signals.STOP)
        from .cli import main as cli_main

        cli_main(args)
    finally:
        startup_done()
