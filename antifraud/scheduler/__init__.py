"""The daemon: APScheduler as a clock over duties that ask the database what is owed."""
