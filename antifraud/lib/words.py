"""How Chinese police notices write amounts, dates and weekdays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

WEEKDAY_NAMES = "一二三四五六日"  # Monday first


def yuan(amount: Decimal) -> str:
    """1.2亿元, 5.06万元, 5,600.5元 or 800元, as Chinese police notices write sums."""
    amount = Decimal(amount)
    wan = (amount / 10000).quantize(Decimal("0.01"))  # rounded first: 9,999.9999万 is 1亿, not 10000万
    if wan >= 10000:
        yi = (amount / 100_000_000).quantize(Decimal("0.01")).normalize()
        return f"{yi:f}亿元"
    if amount >= 10000:
        return f"{wan.normalize():f}万元"
    return f"{amount.quantize(Decimal('0.01')).normalize():,f}元"


def cn_date(day: date) -> str:
    return f"{day.month}月{day.day}日"


def cn_weekday(day: date) -> str:
    return f"周{WEEKDAY_NAMES[day.weekday()]}"
