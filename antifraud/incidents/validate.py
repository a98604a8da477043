"""Turn what a person typed (CLI, web form, spreadsheet cell) into checked incident fields.

Every rule raises InputError naming the field and the value; nothing is written on error.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from functools import lru_cache

from ..errors import InputError
from ..lib import dates
from ..lib.safetext import strip_invisible
from ..vocab import CONTACT_CHANNEL_NAMES
from .ages import AGE_BANDS, age_band
from .categories import Categories
from .privacy import mask_pii
from .surnames import is_surname

EARLIEST = date(2000, 1, 1)
MAX_LOSS = Decimal("100000000")

# What people type for each contact channel, besides its code.
CHANNEL_ALIASES = {
    "phone": ("电话", "手机", "来电"),
    "qq": ("qq",),
    "wechat": ("微信", "weixin"),
    "app": ("应用", "软件", "app"),
    "sms": ("短信", "信息"),
    "other": ("其他", "其它", "网络"),
}
CHANNEL_NAMES = CONTACT_CHANNEL_NAMES

TEXT_LIMITS = {"occupation": 40, "place": 100, "summary": 500, "reason": 200}
_WHITESPACE = re.compile(r"\s+")
# Decimal reads 1e3 (and overflows on 1e1000000, rounds 1e-999999999 to 0); nobody writes a loss so.
_EXPONENT = re.compile(r"\d\.?[eE]|[eE][+-]?\d")

_TRUE = {"1", "y", "yes", "true", "t", "是", "已劝阻", "劝阻", "劝阻成功", "成功", "未遂", "stopped", "√", "✓"}
_FALSE = {"", "0", "n", "no", "false", "f", "否", "未劝阻", "已被骗", "被骗", "既遂", "×"}


@dataclass
class IncidentFields:
    day: date
    category_code: str
    loss: Decimal = Decimal("0.00")
    stopped: bool = False
    channel: str | None = None
    victim: str | None = None
    victim_age: str | None = None
    occupation: str | None = None
    place: str | None = None
    summary: str | None = None
    masked: Counter = field(default_factory=Counter, compare=False)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "masked"}


def parse_day(value, today: date, field_name: str = "date") -> date:
    """A day as written in a form or a spreadsheet (no words like 昨天: a file means the same day each time)."""
    value = dates.parse_day(value, field_name)
    if value > today:
        raise InputError(f"{field_name}: {value.isoformat()!r} is in the future (today is {today.isoformat()})")
    if value < EARLIEST:
        raise InputError(f"{field_name}: {value.isoformat()!r} is before {EARLIEST.isoformat()}")
    return value


def parse_loss(value, field_name: str = "loss") -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    text = str(value).strip()
    cleaned = re.sub(r"[,，\s¥￥]|元$", "", text)
    if _EXPONENT.search(cleaned):
        raise InputError(f"{field_name}: {text!r} is not an amount in yuan (write the digits, e.g. 1000)")
    scale = Decimal(1)
    if cleaned.endswith("万"):  # 1.2万 is how losses are often written
        cleaned, scale = cleaned[:-1], Decimal(10000)
    try:
        amount = Decimal(cleaned) * scale
    except ArithmeticError:  # InvalidOperation, and any other signal the context traps
        raise InputError(f"{field_name}: {text!r} is not an amount in yuan") from None
    if not amount.is_finite() or amount.is_signed() or amount > MAX_LOSS:  # is_signed: -0 too
        raise InputError(f"{field_name}: {text!r} must be between 0 and 100,000,000 yuan")
    if amount != amount.quantize(Decimal("0.01")):
        raise InputError(f"{field_name}: {text!r} has more than two decimal places")
    return amount.quantize(Decimal("0.01"))


def parse_bool(value, field_name: str = "stopped") -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{field_name}: {value!r} is not yes/no (是/否)")


def parse_channel(value, field_name: str = "channel") -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().lower()
    for code, aliases in CHANNEL_ALIASES.items():
        if text == code or text in aliases:
            return code
    raise InputError(f"{field_name}: {value!r} is not one of {', '.join(CHANNEL_ALIASES)}")


def parse_victim(value, field_name: str = "victim") -> str | None:
    """王女士, 欧阳先生: a known surname (surnames.py) and 先生 or 女士; a full or given name is refused."""
    if value is None:
        return None
    text = re.sub(r"\s+", "", strip_invisible(str(value)))
    if not text:
        return None
    match = re.fullmatch(r"([\u4e00-\u9fff]{1,4})(先生|女士)", text)
    if not match or not is_surname(match.group(1)):
        known = f"; {match.group(1)!r} is not a surname we know" if match and len(match.group(1)) <= 2 else ""
        raise InputError(
            f"{field_name}: {text!r} must be a surname with 先生 or 女士 (e.g. 王女士), never a full name{known}"
        )
    return text


def parse_age_band(value, field_name: str = "victim_age") -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if text in AGE_BANDS:
        return text
    if text in ("未成年", "未成年人"):
        return "<18"
    match = re.fullmatch(r"(\d{1,3})(?:\.0)?(?:岁|多岁|岁左右|\+|岁以上)?", text)
    if match and 0 < int(match.group(1)) < 120:
        return age_band(int(match.group(1)))
    raise InputError(f"{field_name}: {text!r} is not an age or age band ({', '.join(AGE_BANDS)})")


def clean_text(value, field_name: str, masked: Counter) -> str | None:
    """One line of text as stored: whitespace folded, control and bidi characters dropped, personal data masked."""
    if value is None:
        return None
    # Nearly every summary differs: remembering them would only cost. Places and occupations repeat.
    clean = _clean if field_name == "summary" else _remembered_clean
    text, found = clean(value, field_name)
    if found:
        masked.update(dict(found))
    return text


def _clean(value, field_name: str) -> tuple[str | None, tuple]:
    """(the text folded and masked, what was masked as (kind, count) pairs)."""
    text = strip_invisible(_WHITESPACE.sub(" ", str(value))).strip()
    if not text:
        return None, ()
    limit = TEXT_LIMITS[field_name]
    if len(text) > limit:
        raise InputError(f"{field_name}: {text[:20]!r}... is {len(text)} characters; at most {limit}")
    text, found = mask_pii(text)
    return text, tuple(found.items())


# Remembered: a spreadsheet repeats its places and occupations thousands of times. Typed: the cells
# 1, 1.0 and True read differently.
_remembered_clean = lru_cache(maxsize=4096, typed=True)(_clean)


# The parsers, remembered: a spreadsheet repeats its days, amounts and names thousands of times.
# (Cells are str, numbers, dates or None: all hashable. An error is not remembered; it is raised anew.)
_day = lru_cache(maxsize=4096)(parse_day)
_loss = lru_cache(maxsize=4096)(parse_loss)
_victim = lru_cache(maxsize=4096)(parse_victim)
_age = lru_cache(maxsize=4096)(parse_age_band)


def validate_incident(raw: dict, categories: Categories, today: date) -> IncidentFields:
    """Checked, masked fields from raw values keyed by field name (date, category, loss, ...)."""
    if raw.get("date") in (None, ""):
        raise InputError("date: is required")
    if raw.get("category") in (None, ""):
        raise InputError("category: is required")
    masked: Counter = Counter()
    checked = IncidentFields(
        day=_day(raw["date"], today),
        category_code=categories.resolve(str(raw["category"])).code,
        loss=_loss(raw.get("loss")),
        stopped=parse_bool(raw.get("stopped")),
        channel=parse_channel(raw.get("channel")),
        victim=_victim(raw.get("victim")),
        victim_age=_age(raw.get("victim_age")),
        occupation=clean_text(raw.get("occupation"), "occupation", masked),
        place=clean_text(raw.get("place"), "place", masked),
        summary=clean_text(raw.get("summary"), "summary", masked),
        masked=masked,
    )
    if checked.stopped and checked.loss:
        # 劝阻成功 counts cases where nobody lost money; a case with a loss was not stopped in time,
        # even if a later transfer was (that is a loss, recorded as such).
        raise InputError(
            f"loss: {checked.loss:,} yuan on a case marked stopped (劝阻成功 means no money was lost); "
            "record the loss without stopped, or the stopped case with loss 0"
        )
    return checked
