"""User management for admins: who may log in, with which role; add, disable, set a password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..errors import InputError
from ..vocab import USER_ROLES
from .auth import requires
from .common import db_session, error_field, services, who, zh_error

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("")
@requires("users")
def page():
    return _page()


def _page(form=None, errors=None, status=200):
    from ..accounts.service import audit_entries, list_users, user_record

    zone = services().settings.display_zone
    with db_session() as s:
        users = [user_record(u, zone) for u in list_users(s)]
        log = [
            {"at": e.at.astimezone(zone), "by": e.by, "action": e.action, "target": e.target, "details": e.details}
            for e in audit_entries(s, limit=50)
        ]
    people = sorted({p.name for station in services().settings.stations for p in station.people})
    return (
        render_template(
            "users.html",
            title="用户",
            users=users,
            log=log,
            roles=USER_ROLES,
            people=people,
            form=form or {},
            errors=errors or {},
        ),
        status,
    )


@bp.route("", methods=["POST"])
@requires("users")
def add():
    from ..accounts.service import add_user

    form = {key: request.form.get(key, "").strip() for key in ("username", "role", "person", "station")}
    try:
        with db_session() as s:
            add_user(
                s,
                services().settings,
                form["username"],
                form["role"],
                request.form.get("password", ""),
                who(),
                station_code=form["station"] or None,
                person=form["person"] or None,
            )
    except InputError as exc:
        field = {"--username": "username", "--role": "role", "--person": "person", "password": "password"}
        return _page(form, {field.get(error_field(exc) or "", "form"): zh_error(exc)}, 400)
    flash(f"已添加用户 {form['username']}")
    return redirect(url_for("users.page"))


@bp.route("/<username>/disable", methods=["POST"])
@requires("users")
def disable(username: str):
    from ..accounts.service import disable_user

    with db_session() as s:
        disable_user(s, username, who())
    flash(f"已停用 {username}")
    return redirect(url_for("users.page"))
