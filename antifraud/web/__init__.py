"""The web UI (`antifraud serve`): server-side pages in simplified Chinese for duty staff and volunteers.

Every page calls the same service functions as the CLI and the daemon; nothing here decides what a
warning says or who is on a stall. Each request runs in one database transaction (`db_session`).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from ..app import App


def secret_key(app: App) -> str:
    """The session-signing key: from the environment, else made once and kept in `web.secret_file` (0600)."""
    web = app.settings.web
    if os.environ.get(web.secret_key_env):
        return os.environ[web.secret_key_env]
    path = app.settings.resolve(web.secret_file)
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def create_app(app: App | None = None):
    """The Flask application for this config. Settings, categories and the database are loaded here,
    once, before any request (the worker threads then only read them)."""
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect

    from . import auth, common, views

    app = app or App()
    app.settings, app.categories, app.db  # noqa: B018  (load now, not racing in the first requests)
    web = Flask(__name__, static_folder="static", template_folder="templates")
    web.config.update(
        SECRET_KEY=secret_key(app),
        SESSION_COOKIE_NAME="antifraud_session",
        SESSION_COOKIE_SECURE=app.settings.web.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=app.settings.web.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.settings.web.session_hours),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,  # a spreadsheet upload
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=False,  # same-origin is checked by SameSite cookies; the token is what counts
        TEMPLATES_AUTO_RELOAD=False,
    )
    web.extensions["antifraud"] = app
    CSRFProtect(web)
    auth.init(web)
    common.init(web)
    views.register(web)
    if app.settings.web.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.settings.web.proxies
        web.wsgi_app = ProxyFix(web.wsgi_app, x_for=n, x_proto=n, x_host=n)
    return web


__all__ = ["create_app", "secret_key", "Path"]
