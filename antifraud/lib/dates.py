"""Days as people type them: 2026-11-22, 2026/11/22, 2026年11月22日, and (where a person is at the
keyboard) yesterday, today, 昨天, 今天, 前天. Errors say what is wrong with the day itself.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from ..errors import InputError

# Days back from today. Only for typed options: a spreadsheet that says 昨天 would mean
# another day each time it is imported.
DAY_WORDS = {"today": 0, "今天": 0, "yesterday": 1, "昨天": 1, "前天": 2}
_FORM = re.compile(r"(\d{4})(?:-|/|年)(\d{1,2})(?:-|/|月)(\d{1,2})日?")
FORMS = "YYYY-MM-DD (also 2026/11/22 or 2026年11月22日)"


def parse_day(value, field: str, today: date | None = None) -> date:
    """A day from a date, a datetime or text; `today` given, the words of DAY_WORDS are read too."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if today is not None and text.lower() in DAY_WORDS:
        return today - timedelta(days=DAY_WORDS[text.lower()])
    match = _FORM.fullmatch(text)
    if not match:
        words = ", yesterday, today, 昨天 or 今天" if today is not None else ""
        raise InputError(f"{field}: {text!r} is not a date as {FORMS}{words}")
    year, month, day = map(int, match.groups())
    if not 1 <= month <= 12:
        raise InputError(f"{field}: {text!r} is not a date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise InputError(f"{field}: {text!r} is not a date: {year}年{month}月 has {last} days")
    return date(year, month, day)


def local_time(moment: datetime | None, zone, timespec: str = "seconds") -> str | None:
    """A stored UTC moment as a person reads it: in the station's time zone, with its offset."""
    return None if moment is None else moment.astimezone(zone).isoformat(timespec=timespec)
