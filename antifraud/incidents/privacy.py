"""Mask personal numbers in text that will be published (phone, ID card and bank card numbers)."""

from __future__ import annotations

import re
from collections import Counter

# Numbers typed with a Chinese input method are often full-width.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# Resident ID: 6-digit region, birth date, 3-digit sequence, check digit (digit or X).
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})([\dXx])(?![0-9A-Za-z])"
)
# Bank cards: 16-19 digits, often written in groups of four.
_BANK_CARD = re.compile(r"(?<![\d*])\d(?:[ -]?\d){15,18}(?![\d*])")
# Mainland mobiles, optionally +86 and grouped 3-4-4.
_MOBILE = re.compile(r"(?<![\d*])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d*])")

KIND_NAMES = {"id_card": "ID card number", "bank_card": "bank card number", "mobile": "phone number"}


def mask_pii(text: str) -> tuple[str, Counter]:
    """The text with personal numbers masked, and how many of each kind were masked."""
    found: Counter = Counter()
    text = text.translate(_FULLWIDTH_DIGITS)

    def id_card(match: re.Match) -> str:
        found["id_card"] += 1
        whole = match.group(0)
        return whole[:3] + "*" * 11 + whole[-4:]

    def bank_card(match: re.Match) -> str:
        found["bank_card"] += 1
        digits = re.sub(r"\D", "", match.group(0))
        return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]

    def mobile(match: re.Match) -> str:
        found["mobile"] += 1
        return f"{match.group(1)}****{match.group(3)}"

    text = _ID_CARD.sub(id_card, text)
    text = _BANK_CARD.sub(bank_card, text)
    text = _MOBILE.sub(mobile, text)
    return text, found


def describe_masked(found: Counter) -> str:
    return ", ".join(
        f"{found[kind]} {name}{'s' if found[kind] > 1 else ''}" for kind, name in KIND_NAMES.items() if found[kind]
    )


# What is left of a number once masked ("139****5678", "6222***********0123", "440***********1234").
_MASKED = re.compile(r"[+\d]*\*{3,}[\dXx]*")
# A bracket with nothing left in it but the word that introduced the number: （来电）, (号码：)
_EMPTY_BRACKET = re.compile(r"[（(]\s*(?:来电|电话|手机号?|号码|卡号|账号|尾号)?\s*[:：]?\s*[）)]")
_DANGLING_LABEL = re.compile(r"(号码|卡号|账号|手机号|电话)\s*(?:为|是|[:：])\s*(?=[，。；、,.;）)]|$)")


def public_text(text: str | None) -> str | None:
    """Text as it may be posted to residents: masked number fragments dropped, not shown half-hidden.

    Masking protects what is stored; a public post needs none of the number at all.
    """
    if not text:
        return text
    cleaned = _MASKED.sub("", text)
    cleaned = _EMPTY_BRACKET.sub("", cleaned)
    cleaned = _DANGLING_LABEL.sub(r"\1已隐去", cleaned)  # 对方号码为，-> 对方号码已隐去，
    return re.sub(r"\s{2,}", " ", cleaned).strip()
