"""Logging in and out, and who may do what: every page needs a logged-in user, every write the right role."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, redirect, render_template, request, session, url_for

from .common import db_session

bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class WebUser:
    """The logged-in user, read once per request (a disabled user or a changed password ends the session)."""

    id: int
    username: str
    role: str
    station_code: str | None
    person: str | None
    calendar_token: str
    session_version: int
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @classmethod
    def of(cls, user) -> WebUser:
        return cls(
            user.id,
            user.username,
            user.role,
            user.station_code,
            user.person,
            user.calendar_token,
            user.session_version,
        )


def init(web: Flask) -> None:
    from flask_login import LoginManager

    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = "请先登录"
    manager.session_protection = "basic"
    manager.init_app(web)

    @manager.user_loader
    def load_user(key: str):
        from ..db.models import User

        try:
            user_id, version = (int(part) for part in key.split(":"))
        except ValueError:
            return None
        with db_session() as s:
            user = s.get(User, user_id)
            if user is None or user.disabled_at is not None or user.session_version != version:
                return None
            return WebUser.of(user)

    web.register_blueprint(bp)


def requires(permission: str):
    """A logged-in user whose role has this permission (vocab.PERMISSIONS); others get 403."""

    def decorate(view):
        from flask_login import current_user, login_required

        from ..accounts.service import can

        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if not can(current_user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (an open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(role: str) -> str:
    return url_for("rota.mine") if role == "volunteer" else url_for("incidents.day")


@bp.route("/login", methods=["GET", "POST"])
def login():
    from flask_login import current_user, login_user

    from ..accounts.service import LoginRefused, authenticate

    target = _safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or home_for(current_user.role))
    error = None
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        with db_session() as s:  # the failure is recorded (committed) too: that is what throttles
            try:
                user = WebUser.of(authenticate(s, username, request.form.get("password", ""), _address()))
            except LoginRefused as exc:
                user, error = None, str(exc)
        if user is not None:
            session.clear()  # a fresh session on login: nothing carried over from before
            login_user(user)
            session.permanent = True
            return redirect(target or home_for(user.role))
    return render_template("login.html", error=error, username=username, next=target), 401 if error else 200


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/logout", methods=["POST"])
def logout():
    from flask_login import logout_user

    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/")
def index():
    from flask_login import current_user

    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_for(current_user.role))
