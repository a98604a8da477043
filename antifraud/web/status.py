"""/status: what the daemon still owes per station, the outbox by status, the last errors (the CLI's `status`)."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import requires
from .common import services

bp = Blueprint("status", __name__)


@bp.route("/status")
@requires("warnings")
def page():
    from ..scheduler.status import status_report

    app = services()
    report = status_report(app.db, app.settings)
    names = {s.code: s.name for s in app.settings.stations}
    return render_template("status.html", title="运行状态", report=report, names=names)
