"""Engine and session factory; migrations run automatically when a database is opened."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from ..errors import ConfigError, DatabaseUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration. A database already there is opened without loading Alembic at all, which
# keeps every command quick; tests/test_db.py checks this against Alembic's own head.
SCHEMA_HEAD = "0012"


BUSY_SECONDS = 10  # how long a writer waits for another one before giving up (config: database_timeout_seconds)


def _sqlite_pragmas(busy_seconds: float):
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def make_engine(url: str, busy_seconds: float = BUSY_SECONDS) -> Engine:
    engine = create_engine(url, future=True)
    engine.busy_seconds = busy_seconds  # for messages
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not url.startswith("sqlite:///file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas(busy_seconds))
    return engine


def describe_database_error(exc: Exception, engine_or_url) -> str:
    """One line for a person: what is wrong with the database and what to do about it."""
    url = getattr(engine_or_url, "url", engine_or_url)
    busy = getattr(engine_or_url, "busy_seconds", BUSY_SECONDS)
    where = _where(url)
    reason = _first_line(exc)
    text = reason.lower()
    if "locked" in text or "busy" in text:
        return (
            f"database: {where} is locked by another program for more than {busy:g} s "
            "(an import, a backup, the daemon?); try again in a moment"
        )
    if "readonly" in text or "read-only" in text:
        return f"database: {where} is read-only for this user; check the permissions of the file and its folder"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return (
            f"database: {where} is damaged ({reason}); stop the daemon and restore the newest copy "
            "from backup_dir (see `antifraud check`)"
        )
    if "disk is full" in text or "no space" in text:
        return f"database: the disk holding {where} is full; free some space and try again"
    if "unable to open" in text:
        return f"database: cannot open {where}; check that its folder exists and is writable"
    if "connection refused" in text or "could not connect" in text or "connection failed" in text:
        return f"database: cannot reach the PostgreSQL server of {where} ({reason}); is it running?"
    return f"database: {where}: {reason}"


def _where(url) -> str:
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(str(url)) if not hasattr(url, "drivername") else url
        if parsed.drivername.startswith("sqlite"):
            return str(parsed.database).removeprefix("file:").split("?")[0]
        return parsed.render_as_string(hide_password=True)
    except Exception:
        return "the database"


def is_database_error(exc: BaseException) -> bool:
    """An error of the database itself (as opposed to a mistake in a query)."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    return isinstance(exc, (OperationalError, DatabaseError)) and not _programming_error(exc)


def _programming_error(exc: BaseException) -> bool:
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    return isinstance(exc, (IntegrityError, ProgrammingError))


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
        """A session in one transaction: committed on success, rolled back on any error.

        Trouble with the database itself (locked, read-only, damaged) is a DatabaseUnavailable
        saying what to do; mistakes in our own queries stay what they are.
        """
        try:
            with self.sessions() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            if is_database_error(exc):
                raise DatabaseUnavailable(describe_database_error(exc, self.engine)) from None
            raise

    def close(self):
        self.engine.dispose()


def open_database(url: str, busy_seconds: float = BUSY_SECONDS) -> Database:
    """Open the database at `url`, creating and migrating it as needed."""
    try:
        engine = make_engine(url, busy_seconds)
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
    except SQLAlchemyError as exc:
        if is_database_error(exc):
            raise DatabaseUnavailable(describe_database_error(exc, url)) from None
        raise ConfigError(f"database: cannot open {safe_url(url)!r}: {_first_line(exc)}") from None
    except OSError as exc:
        raise ConfigError(f"database: cannot open {safe_url(url)!r}: {_first_line(exc)}") from None
    return Database(engine)


def health_check(db: Database) -> str:
    """What `antifraud check` says of the database: SQLite's own integrity check, or a round trip."""
    try:
        with db.engine.connect() as connection:
            if db.engine.dialect.name == "sqlite":
                problems = [row[0] for row in connection.execute(text("PRAGMA quick_check"))]
                if problems != ["ok"]:
                    raise DatabaseUnavailable(
                        describe_database_error(
                            Exception(f"database disk image is malformed: {problems[0]}"), db.engine
                        )
                    )
                return "quick_check ok"
            connection.execute(text("SELECT 1"))
            return "connected"
    except SQLAlchemyError as exc:  # quick_check itself raises on some damage: still one line, and check goes on
        raise DatabaseUnavailable(describe_database_error(exc, db.engine)) from None


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
