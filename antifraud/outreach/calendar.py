"""China's working days, week by week, and where each week's came from.

Per day the first that knows wins: config (`calendar.holidays` / `calendar.workdays`), chinese_calendar
(the State Council's notices, 调休 included), the `holidays` package's China calendar for a year whose
notice it carries, then the statutory rules (statutory.py), which cannot know the make-up workdays.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import version

from .statutory import spring_festival_eve, statutory_days_off

COMPUTED = "computed from the statutory rules"

# English holiday names of chinese_calendar and holidays -> the Chinese one; "chinese new year" before "new year".
NAMES = (
    ("chinese new year", "春节"),
    ("spring festival", "春节"),
    ("new year", "元旦"),
    ("tomb", "清明节"),
    ("labo", "劳动节"),
    ("dragon boat", "端午节"),
    ("mid-autumn", "中秋节"),
    ("national day", "国庆节"),
    ("anti-fascist", "抗战胜利纪念日"),
    ("victory", "抗战胜利纪念日"),
)


@dataclass(frozen=True)
class WeekCalendar:
    workdays: tuple[date, ...]  # official working days of the week (调休 make-up Saturdays included)
    days_off: dict[date, str]  # Monday-Friday days that are not working days -> the holiday's Chinese name
    no_stall: frozenset[date]  # no street stalls: 除夕, 初一, 初二 (lunar), and the config's no_stall_dates
    source: str  # where the workdays came from, in English, for the CLI
    note: str | None  # set when the year is not officially known: the user should check it or add config


@dataclass(frozen=True)
class YearCalendar:
    """One source's answer for a whole year: the days off by Chinese name (weekends inside a break too,
    where the source names them) and the weekend days that are working days."""

    days_off: dict[date, str]
    makeup_workdays: frozenset[date]
    source: str
    note: str | None = None

    def is_workday(self, day: date) -> bool:
        return day in self.makeup_workdays or (day.weekday() < 5 and day not in self.days_off)


def week_calendar(
    monday: date, holidays: Iterable[date] = (), workdays: Iterable[date] = (), no_stall_dates: Iterable[date] = ()
) -> WeekCalendar:
    """The week from `monday`: config `holidays` are never working days, config `workdays` always are."""
    if monday.weekday() != 0:
        raise ValueError(f"monday: {monday} is a {monday:%A}, not a Monday")
    holidays, workdays, no_stall_dates = set(holidays), set(workdays), set(no_stall_dates)
    days = week_days(monday)
    years = {day.year: year_calendar(day.year) for day in days}
    covered = {year for year in years if any(d.year == year for d in holidays | workdays)}
    named = {day: name for year in years.values() for day, name in year.days_off.items()}

    def is_workday(day: date) -> bool:
        return day in workdays or (day not in holidays and year_calendar(day.year).is_workday(day))

    workdays_of_week, days_off = [], {}
    for day in days:
        if is_workday(day):
            workdays_of_week.append(day)
        elif day.weekday() < 5:  # a config holiday has no name of its own: its break's, or 休息日
            days_off[day] = named.get(day) or _break_name(day, named, lambda d: not is_workday(d))
    config_used = {day.year for day in days if day in workdays or day in holidays}
    sources = {}
    for year, base in years.items():
        if year in covered and base.note:  # config speaks for the year; the rules fill the days it does not list
            sources[year] = f"config + {base.source}"
        else:
            sources[year] = base.source + (" + config" if year in config_used else "")
    notes = [years[y].note for y in sorted(years) if years[y].note and y not in covered]
    return WeekCalendar(
        workdays=tuple(workdays_of_week),
        days_off=days_off,
        no_stall=frozenset(d for d in days if d in no_stall_dates or d in _new_year_days(d.year)),
        source=_describe(sources),
        note=notes[0] if notes else None,
    )


def working_days(
    days: Iterable[date], holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> tuple[tuple[date, ...], str | None]:
    """The official working days among `days`, and a note when a year had to be computed (see week_calendar)."""
    days, holidays, workdays = list(days), tuple(holidays), tuple(workdays)
    weeks = {}
    for day in days:
        monday = day - timedelta(days=day.weekday())
        if monday not in weeks:
            weeks[monday] = week_calendar(monday, holidays, workdays)
    result = tuple(day for day in days if day in weeks[day - timedelta(days=day.weekday())].workdays)
    return result, next((week.note for week in weeks.values() if week.note), None)


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]


# --- the sources, each for a whole year --------------------------------------------------------


def from_chinese_calendar(year: int) -> YearCalendar | None:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    days_off, makeup = {}, set()
    for day in _days_of(year):
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        if is_holiday and (day.weekday() < 5 or name):
            days_off[day] = _chinese_name(name)
        elif day.weekday() >= 5 and not is_holiday:
            makeup.add(day)
    return YearCalendar(_named(days_off, makeup), frozenset(makeup), f"chinese_calendar {version('chinesecalendar')}")


def from_holidays_package(year: int) -> YearCalendar | None:
    """holidays' China calendar, only for a year whose State Council notice it carries.

    For other years it applies rules of its own (weekend holidays moved to Monday) that the State
    Council does not follow. It has no list of make-up workdays, but each notice's day off says which
    day it was moved from: those days are the make-up workdays (matches chinese_calendar 2012-2026).
    """
    import holidays
    from holidays.countries.china import ChinaStaticHolidays

    notices = getattr(ChinaStaticHolidays, "special_public_holidays", {})
    if year not in notices:
        return None
    days_off = {day: _chinese_name(name) for day, name in holidays.China(years=year, language="en_US").items()}
    makeup = set()
    for notice_year in (year, year + 1):  # next year's notice may move a late-December day
        for entry in notices.get(notice_year, ()):
            if len(entry) in (4, 5) and all(isinstance(part, int) for part in entry):
                moved_from = date(entry[4] if len(entry) == 5 else notice_year, entry[2], entry[3])
                if moved_from.year == year:
                    makeup.add(moved_from)
    source = f"holidays {version('holidays')} (China)"
    if not makeup:
        note = f"{source} has no make-up workdays (调休) for {year}: add calendar.workdays to config.yaml"
        return YearCalendar(_named(days_off, makeup), frozenset(), f"{source}, without make-up workdays", note)
    return YearCalendar(_named(days_off, makeup), frozenset(makeup), source)


def from_statutory_rules(year: int) -> YearCalendar:
    return YearCalendar(dict(statutory_days_off(year)), frozenset(), COMPUTED, _note(year))  # a copy: cached


SOURCES: tuple[Callable[[int], YearCalendar | None], ...] = (
    from_chinese_calendar,
    from_holidays_package,
    from_statutory_rules,
)


@lru_cache(maxsize=16)
def year_calendar(year: int) -> YearCalendar:
    """The first source that knows `year` (the statutory rules always do)."""
    return next(found for source in SOURCES if (found := source(year)) is not None)


# --- helpers -----------------------------------------------------------------------------------


def _note(year: int) -> str:
    return (
        f"China's official calendar for {year} is not known to chinese_calendar {version('chinesecalendar')} "
        f"or holidays {version('holidays')}: its working days are {COMPUTED} (元旦, 春节 除夕 to 初七, 清明节, "
        "劳动节 May 1-5, 端午节, 中秋节, 国庆节 October 1-7), with no 调休 make-up workdays; check them "
        "against the State Council's notice and add calendar.holidays/calendar.workdays to config.yaml "
        "when it is published"
    )


def _new_year_days(year: int) -> frozenset[date]:
    eve = spring_festival_eve(year)
    return frozenset(eve + timedelta(days=i) for i in range(3))  # 除夕, 初一, 初二


def _chinese_name(name: str | None) -> str | None:
    """The Chinese name for a package's English one; None for a day moved by 调休 ("Day off (substituted...")."""
    lowered = (name or "").lower()
    return next((chinese for english, chinese in NAMES if english in lowered), None)


def _named(days_off: dict[date, str | None], makeup: set[date]) -> dict[date, str]:
    """Days moved by 调休 (no name of their own) are named after the holiday of their break."""
    known = {day: name for day, name in days_off.items() if name}

    def is_off(day: date) -> bool:
        return day in days_off or (day.weekday() >= 5 and day not in makeup)

    return {day: name or _break_name(day, known, is_off) for day, name in days_off.items()}


def _break_name(day: date, named: dict[date, str], is_off: Callable[[date], bool]) -> str:
    """The name most days of the break around `day` carry (国庆节 for 2025's October 1-8, 中秋 among them)."""
    names = []
    for step in (-1, 1):
        near = day + timedelta(days=step)
        while is_off(near) and abs((near - day).days) <= 10:
            if near in named:
                names.append(named[near])
            near += timedelta(days=step)
    return Counter(names).most_common(1)[0][0] if names else "休息日"


def _describe(sources: dict[int, str]) -> str:
    """One source for the week, or one per year when a week across New Year has two: "A (2026); B (2027)"."""
    if len(set(sources.values())) == 1:
        return next(iter(sources.values()))
    return "; ".join(f"{text} ({year})" for year, text in sources.items())


def _days_of(year: int) -> Iterable[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)
