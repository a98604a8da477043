"""Database: models, the session factory, migrations applied on first use, and reference data."""

from .reference import connect
from .session import Database, open_database

__all__ = ["Database", "connect", "open_database"]
