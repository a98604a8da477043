"""Engine and session factory; migrations run automatically when a database is opened."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from ..errors import ConfigError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration. A database already there is opened without loading Alembic at all, which
# keeps every command quick; tests/test_db.py checks this against Alembic's own head.
SCHEMA_HEAD = "0006"


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(connection) -> str | None:
    """The schema revision recorded in the database; None for a new (empty) database."""
    try:
        with connection.begin_nested():
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None  # no alembic_version table yet


class UnknownSchema(Exception):
    """The database was written by a newer antifraud (a revision these migrations do not have)."""


def migrate(engine: Engine) -> bool:
    """Bring the schema to the newest revision; True when anything was applied."""
    with engine.begin() as connection:
        if current_revision(connection) == SCHEMA_HEAD:
            return False
        from alembic import command
        from alembic.util.exc import CommandError

        try:
            command.upgrade(alembic_config(connection), "head")
        except CommandError as exc:
            raise UnknownSchema(str(exc)) from None
    return True


class Database:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self):
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def close(self):
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Open the database at `url`, creating and migrating it as needed."""
    try:
        engine = make_engine(url)
        migrate(engine)
    except UnknownSchema as exc:
        raise ConfigError(
            f"database: {safe_url(url)!r} has a schema this version of antifraud does not know ({exc}); "
            "upgrade antifraud"
        ) from None
    except ImportError as exc:
        raise ConfigError(
            f"database: {safe_url(url)!r} needs the driver {exc.name!r} (pip install 'antifraud[postgres]')"
        ) from None
    except (SQLAlchemyError, OSError) as exc:
        raise ConfigError(f"database: cannot open {safe_url(url)!r}: {_first_line(exc)}") from None
    return Database(engine)


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
