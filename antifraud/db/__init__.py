"""Database: models, the session factory and migrations applied on first use."""

from .session import Database, open_database

__all__ = ["Database", "open_database"]
