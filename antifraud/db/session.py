"""Engine and session factory; migrations run automatically when a database is opened."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError as AlembicError
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import ConfigError
from . import models

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


def alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine) -> bool:
    """Bring the schema to the newest revision; True when anything was applied."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return False
        command.upgrade(alembic_config(connection), "head")
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


def open_database(settings, categories=None, url: str | None = None) -> Database:
    """Open (creating and migrating as needed) the configured database and sync config into it."""
    from ..incidents.categories import load_categories

    url = url or settings.database_url
    try:
        engine = make_engine(url)
        migrate(engine)
    except AlembicError as exc:
        raise ConfigError(
            f"database: {_safe_url(url)!r} has a schema this version of antifraud does not know ({exc}); "
            "upgrade antifraud"
        ) from None
    except ImportError as exc:
        raise ConfigError(
            f"database: {_safe_url(url)!r} needs the driver {exc.name!r} (pip install 'antifraud[postgres]')"
        ) from None
    except (SQLAlchemyError, OSError) as exc:
        raise ConfigError(f"database: cannot open {_safe_url(url)!r}: {_first_line(exc)}") from None
    db = Database(engine)
    with db.session() as session:
        sync_reference_data(session, settings, categories or load_categories(settings))
    return db


def sync_reference_data(session: Session, settings, categories) -> None:
    """Stations and categories live in config and templates; the database mirrors them for keys."""
    stations = {s.code: s for s in session.scalars(select(models.Station))}
    for station in settings.stations:
        row = stations.get(station.code) or models.Station(code=station.code)
        row.name = station.name
        session.add(row)
    existing = {c.code: c for c in session.scalars(select(models.Category))}
    for position, category in enumerate(categories.values()):
        row = existing.get(category.code) or models.Category(code=category.code)
        row.name, row.short, row.position = category.name, category.short or category.name[:8], position
        session.add(row)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
