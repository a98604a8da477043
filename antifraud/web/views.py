"""The page groups; each lives in its own module with its own blueprint."""

from __future__ import annotations

from flask import Flask


def register(web: Flask) -> None:
    from . import incidents, rota, status, users, warnings

    for module in (incidents, warnings, rota, status, users):
        web.register_blueprint(module.bp)
