"""Stopping on SIGTERM and SIGINT, installed before anything heavy loads (no imports beyond signal)."""

from __future__ import annotations

import signal
import threading

# Set by SIGTERM/SIGINT once antifraud.entry installed the handler for `run` and `duty`.
STOP = threading.Event()


def stop_on_signals(stop, keeping_time=lambda: False) -> None:
    """SIGTERM and SIGINT set `stop`: the current step finishes (the sender stops between messages).

    Installed as early as the command starts, so a signal during start-up is a clean stop too.
    """

    def handler(signum, frame):
        stop.set()
        if keeping_time():
            raise SystemExit(0)  # leaves BlockingScheduler.start(); duties run in the executor thread

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
