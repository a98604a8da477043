"""What the command line, the web UI and the daemon share: settings, categories and the database,
each loaded on first use (so `--help` touches none of them), and the station's clock.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path

CONFIG_ENV = "ANTIFRAUD_CONFIG"


class App:
    def __init__(self, config_path: Path | None = None):
        self.config_path = Path(config_path or os.environ.get(CONFIG_ENV, "config.yaml"))

    @cached_property
    def settings(self):
        from .config import load_settings

        return load_settings(self.config_path)

    @cached_property
    def categories(self):
        from .incidents.categories import load_categories

        return load_categories(self.settings)

    @cached_property
    def db(self):
        from .db import connect
        from .lib.collector import startup_done

        db = connect(self.settings, self.categories)
        startup_done()  # the command's work begins: collect garbage again
        return db

    def station(self, code: str | None = None):
        """The station with this code (a ConfigError naming the known ones if none has it); default the first."""
        return self.settings.station(code)

    def now(self, station_code: str | None = None) -> datetime:
        """Now in the station's time zone (the clock is the only thing tests fake)."""
        station = self.settings.station(station_code)
        return datetime.now(self.settings.station_timezone(station))

    def today(self, station_code: str | None = None) -> date:
        return self.now(station_code).date()

    def yesterday(self, station_code: str | None = None) -> date:
        return self.today(station_code) - timedelta(days=1)

    def wait_seconds(self, given: int | None) -> int:
        return self.settings.publish.wait_seconds if given is None else given
