"""China's statutory holidays for a year, computed by their rules, for a year no published calendar covers.

The rules are read off the State Council's notices as chinese_calendar 1.11 carries them (2018-2026),
mostly 2025 and 2026, the two years under the 2024 revision of 全国年节及纪念日放假办法:
- 元旦, 清明节 (the solar term day), 端午节 (lunar 5/5), 中秋节 (lunar 8/15): that one day; on a
  Saturday or Sunday the next free weekday instead (2022 元旦, 2025 端午 and 2026 清明 were all Mondays).
- 春节: 除夕 to 初七, eight days (2025: exactly that; 2026: 腊月廿八 to 初七, its ninth day a Sunday).
  From 2015 to 2023 it was 除夕 to 初六 (2020's epidemic extension aside); the 2024 revision made
  除夕 statutory and the break longer.
- 劳动节: May 1-5 (every year 2020-2026 but 2022-2023, which moved the five days to fit the weekend).
- 国庆节: October 1-7; when 中秋 falls on September 30 or in the week, one break of eight days.
Make-up working days (调休) move with each year's weekends and are not predicted: there are none here.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=32)
def statutory_days_off(year: int) -> dict[date, str]:
    """Every day off of `year` by the rules above (weekends inside a break included), by Chinese name."""
    off: dict[date, str] = {}

    def add_span(first: date, days: int, name: str) -> None:
        for i in range(days):
            off.setdefault(first + timedelta(days=i), name)

    def add_one_day(day: date, name: str) -> None:
        while day.weekday() >= 5 or day in off:  # 补休: the next weekday not already off
            day += timedelta(days=1)
        off[day] = name

    festival = festival_days(year)
    add_span(festival["除夕"], 8, "春节")
    add_span(festival["劳动节"], 5, "劳动节")
    mid_autumn = festival["中秋节"]
    if date(year, 9, 30) <= mid_autumn <= date(year, 10, 7):  # one break of eight days (2012, 2017, 2020, 2025)
        off[mid_autumn] = "中秋节"
        add_span(min(mid_autumn, date(year, 10, 1)), 8, "国庆节")
    else:
        add_span(date(year, 10, 1), 7, "国庆节")
        add_one_day(mid_autumn, "中秋节")
    for name in ("元旦", "清明节", "端午节"):
        add_one_day(festival[name], name)
    return off


def festival_days(year: int) -> dict[str, date]:
    """The day each festival of `year` falls on, before any day off is moved."""
    return {
        "元旦": date(year, 1, 1),
        "除夕": spring_festival_eve(year),
        "清明节": qingming(year),
        "劳动节": date(year, 5, 1),
        "端午节": _lunar(year, 5, 5),
        "中秋节": _lunar(year, 8, 15),
        "国庆节": date(year, 10, 1),
    }


@lru_cache(maxsize=32)
def spring_festival_eve(year: int) -> date:
    """除夕, the last day of the lunar year that ends in `year` (the day before 初一)."""
    return _lunar(year, 1, 1) - timedelta(days=1)


@lru_cache(maxsize=32)
def qingming(year: int) -> date:
    """The day of the 清明 solar term, China Standard Time."""
    from lunar_python import Solar

    term = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    return date(term.getYear(), term.getMonth(), term.getDay())


def _lunar(year: int, month: int, day: int) -> date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())
