"""China's official working days: chinese_calendar where it knows the year, a plain fallback where not."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

# Fixed-date public holidays; the movable ones (春节, 清明, 端午, 中秋) need the official schedule.
FIXED_HOLIDAYS = ((1, 1), (5, 1), (10, 1), (10, 2), (10, 3))


def working_days(
    days: Iterable[date], holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> tuple[tuple[date, ...], str | None]:
    """The official working days among `days`, and a note when the fallback had to be used.

    Config overrides win: `holidays` are never working days, `workdays` always are.
    """
    holidays, workdays = set(holidays), set(workdays)
    result, note = [], None
    for day in days:
        if day in workdays:
            result.append(day)
            continue
        if day in holidays:
            continue
        official = _official(day)
        if official is None:
            note = (
                f"China's official calendar for {day.year} is not known to this version of chinese_calendar: "
                "using Monday-Friday without 元旦, 劳动节 and 国庆 1-3; add calendar.holidays/workdays to config.yaml"
            )
            official = day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS
        if official:
            result.append(day)
    return tuple(result), note


def _official(day: date) -> bool | None:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]
