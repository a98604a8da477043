"""What detection says: plain data, for the warning, the staff alert, the talk topics and `stats`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Alarm:
    """A category surging at a station: on `day` (daily methods) or in the week ending on `day` (weekly)."""

    station_code: str
    category_code: str
    category_name: str
    day: date
    method: str  # "C1" | "C2" | "C3" | "weekly"
    observed: int  # cases on the day (in the week, for "weekly")
    expected: float  # the baseline mean
    threshold: float  # cases above which the method alarms
    statistic: float  # the method's own statistic (C1-C3: standardized; weekly: the upper-tail p-value)

    def as_json(self) -> dict:
        return {
            "station": self.station_code,
            "category": self.category_code,
            "category_name": self.category_name,
            "day": self.day.isoformat(),
            "method": self.method,
            "observed": self.observed,
            "expected": round(self.expected, 3),
            "threshold": round(self.threshold, 3),
            "statistic": round(self.statistic, 6),
        }
