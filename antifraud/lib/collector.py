"""Python's cyclic garbage collector: off while a command starts, and while a query reads tens of
thousands of rows.

Start-up creates a few hundred thousand objects that live as long as the process (modules,
classes, mapped tables, the parsed config) and no garbage; the collector would scan them over
and over, about a tenth of a short command's time. `antifraud` switches it off first thing, and
on again once the work begins (`App.db`, when the database is open) or the command ends.

Pydantic also looks through every installed package for plugins the first time it builds a
validator (~30 ms); antifraud uses none, so that search is switched off (PYDANTIC_DISABLE_PLUGINS,
unless the environment sets it already).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager


def starting() -> None:
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def startup_done() -> None:
    """Collect garbage again, without rescanning what start-up made (frozen: it stays for good)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """No collection while a bulk read makes tens of thousands of tuples that are all kept: each
    would otherwise set off collections that scan every object again (nearly half the time of a
    city's `stats`). What the block drops is collected afterwards as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
