"""Users, logins and the audit log, for the `user` commands and the web UI.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults, which it raises over time;
a hash made with older parameters is upgraded at the next login). A login is refused for a while
after too many failures for that user name or from that address, whether or not the name exists.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..db.models import AuditEntry, LoginAttempt, User, utcnow
from ..errors import InputError
from ..vocab import PERMISSIONS, USER_ROLES

USERNAME = re.compile(r"[\w.@-]{2,40}")  # letters (Chinese too), digits, _ . @ -
MIN_PASSWORD = 8
MAX_PASSWORD = 200
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5  # within THROTTLE_WINDOW
MAX_FAILURES_PER_ADDRESS = 20
KEEP_ATTEMPTS = timedelta(days=1)


class LoginRefused(Exception):
    """A login that did not succeed; the message is for the person at the login page."""


@lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the user name is unknown, so an unknown name takes as long as a wrong password."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher().hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password: at least {MIN_PASSWORD} characters (got {len(password)})")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"password: at most {MAX_PASSWORD} characters")


def can(role: str | None, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InputError(f"--username: {username!r} is not a user (antifraud user list)")
    return user


def add_user(
    session: Session,
    settings,
    username: str,
    role: str,
    password: str,
    by: str,
    station_code: str | None = None,
    person: str | None = None,
) -> User:
    """A new user. A volunteer needs `person` (their name in the station's people), so they see their shifts."""
    if not USERNAME.fullmatch(username):
        raise InputError(f"--username: {username!r} must be 2-40 letters, digits or _ . @ - (no spaces)")
    if role not in USER_ROLES:
        raise InputError(f"--role: {role!r} is not one of {', '.join(USER_ROLES)}")
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
        raise InputError(f"--username: {username!r} already exists")
    if station_code is not None:
        settings.station(station_code)  # a ConfigError naming the known stations
    if person is not None:
        stations = [settings.station(station_code)] if station_code else settings.stations
        found = [s for s in stations if any(p.name == person for p in s.people)]
        if not found:
            raise InputError(f"--person: {person!r} is not among the people in config.yaml")
        station_code = station_code or found[0].code
    elif role == "volunteer":
        raise InputError("--person: a volunteer's account needs their name as in config.yaml, to show their shifts")
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password),
        station_code=station_code,
        person=person,
        calendar_token=secrets.token_urlsafe(32),
        session_version=1,
    )
    session.add(user)
    session.flush()
    audit(session, by, "user.add", station_code, username, role=role, person=person)
    return user


def set_password(session: Session, username: str, password: str, by: str) -> User:
    """A new password; every session of the user is logged out."""
    user = get_user(session, username)
    user.password_hash = hash_password(password)
    user.session_version += 1
    audit(session, by, "user.password", user.station_code, username)
    return user


def disable_user(session: Session, username: str, by: str) -> User:
    """The user can no longer log in; open sessions end and the calendar feed stops."""
    user = get_user(session, username)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        user.session_version += 1
        audit(session, by, "user.disable", user.station_code, username)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def user_record(user: User, zone) -> dict:
    from ..lib.dates import local_time

    return {
        "username": user.username,
        "role": user.role,
        "station": user.station_code,
        "person": user.person,
        "disabled": user.disabled_at is not None,
        "last_login": local_time(user.last_login_at, zone),
    }


def authenticate(session: Session, username: str, password: str, address: str, now: datetime | None = None) -> User:
    """The user, if the name and password are right and neither is being guessed at; else LoginRefused."""
    now = now or utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_ATTEMPTS))
    since = now - THROTTLE_WINDOW
    by_name = session.scalar(
        select(func.count()).where(LoginAttempt.username == username[:40], LoginAttempt.at >= since)
    )
    by_address = session.scalar(select(func.count()).where(LoginAttempt.address == address, LoginAttempt.at >= since))
    if by_name >= MAX_FAILURES_PER_USER or by_address >= MAX_FAILURES_PER_ADDRESS:
        raise LoginRefused(f"登录失败次数过多，请{THROTTLE_WINDOW.seconds // 60}分钟后再试")
    user = session.scalar(select(User).where(User.username == username))
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(), password[:MAX_PASSWORD])
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user.disabled_at is not None:
        session.add(LoginAttempt(username=username[:40], address=address[:64], at=now))
        raise LoginRefused("用户名或密码不对" if not ok else "该账号已停用，请联系管理员")
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    user.last_login_at = now
    return user


def user_by_calendar_token(session: Session, token: str) -> User | None:
    user = session.scalar(select(User).where(User.calendar_token == token))
    return user if user is not None and user.disabled_at is None else None


def audit(session: Session, by: str, action: str, station_code: str | None = None, target=None, **details) -> None:
    """Remember who did what (in the same transaction as the change itself)."""
    clean = {
        k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)) for k, v in details.items()
    }
    session.add(
        AuditEntry(
            by=by,
            action=action,
            station_code=station_code,
            target=None if target is None else str(target)[:120],
            details=clean,
        )
    )


def audit_entries(session: Session, limit: int = 200, station_code: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if station_code:
        query = query.where(AuditEntry.station_code == station_code)
    return list(session.scalars(query))
