"""Mask personal data in typed text: phone, landline, ID card and bank card numbers, likely full names
and exact ages; and public_text(), what of a masked text may be posted to residents.
"""

from __future__ import annotations

import re
from collections import Counter

from ..lib.safetext import defang, strip_invisible
from .ages import mask_ages
from .names import mask_names

# Numbers typed with a Chinese input method are often full-width.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH = re.compile("[０-９]")
# What people put between digit groups: a space (any kind), or a hyphen, dot or middle dot (ASCII or full-width).
_S = r"(?:\s?[-－‐‑–—.．·・]\s?|\s)"

# Resident ID: 6-digit region, birth date, 3-digit sequence, check digit (digit or X); groups may be spaced.
_ID_CARD = re.compile(
    rf"(?<![0-9A-Za-z*])[1-9]\d{{5}}{_S}?(?:18|19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]){_S}?"
    r"\d{3}[\dXxＸｘ](?![0-9A-Za-z*])"
)
# Old 15-digit ID (issued until the late 1990s, still on old records): region, YYMMDD, 3-digit sequence.
_OLD_ID_CARD = re.compile(
    rf"(?<![0-9A-Za-z*])[1-9]\d{{5}}{_S}?\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]){_S}?\d{{3}}(?![0-9A-Za-z*])"
)
# Bank cards: 16-19 digits, unbroken or in groups of four with one kind of separator.
_BANK_CARD = re.compile(
    rf"(?<![\d*])(?:\d{{16,19}}|\d{{4}}(?P<s>{_S})\d{{4}}(?:(?P=s)\d{{4}}){{2}}(?:(?P=s)\d{{1,3}})?)(?![\d*])"
)
# Mainland mobiles: +86 / 0086 / 86 / a trunk 0 in front, grouped 3-4-4 or 4-3-4 or 4-4-3.
_MOBILE = re.compile(
    rf"(?<![\d*])(?:[(（]?(?:[+＋]|00)?86[)）]?{_S}?|0)?"
    rf"(1[3-9]\d(?:{_S}?\d{{4}}{_S}?\d{{4}}|\d{_S}\d{{3}}{_S}\d{{4}}|\d{_S}\d{{4}}{_S}\d{{3}}))(?![\d*])"
)
# Landlines: area code 0 + 2 or 3 digits (010, 020-029, 0xxx), in () or followed by a separator or not,
# then 7-8 digits; or +86 and the area code without its 0. 96110, 12345 and 400 numbers have no area code.
_AREA = r"10|2\d|[3-9]\d{2}"
_LANDLINE = re.compile(
    rf"(?<![\d*])(?:(?:[+＋]|00)86{_S}?[(（]?0?(?P<a1>{_AREA})[)）]?|[(（]0(?P<a2>{_AREA})[)）]|0(?P<a3>{_AREA}))"
    rf"{_S}?(?P<local>[1-9]\d{{2,3}}{_S}?\d{{4}})(?![\d*])"
)
# Digits as spoken and typed with an input method: 一三八…, 幺 for 1, 〇/零/○ for 0, maybe spaced.
_CN_DIGITS = str.maketrans("〇零○一幺二三四五六七八九", "0001123456789")
_CN_RUN = re.compile(rf"[0-9〇零○一幺二三四五六七八九](?:{_S}?[0-9〇零○一幺二三四五六七八九]){{6,}}")

KIND_NAMES = {
    "id_card": "ID card number",
    "bank_card": "bank card number",
    "mobile": "phone number",
    "landline": "landline number",
    "full_name": "likely full name",
    "age": "exact age",
}
KIND_NAMES_ZH = {
    "id_card": "身份证号",
    "bank_card": "银行卡号",
    "mobile": "手机号",
    "landline": "座机号",
    "full_name": "疑似全名",
    "age": "具体年龄",
}
NUMBER_KINDS = {"id_card", "bank_card", "mobile", "landline"}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _mask_numbers(text: str, found: Counter) -> str:
    def id_card(match: re.Match) -> str:
        found["id_card"] += 1
        digits = re.sub(r"[^\dXxＸｘ]", "", match.group(0)).replace("Ｘ", "X").replace("ｘ", "x")
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]

    def bank_card(match: re.Match) -> str:
        found["bank_card"] += 1
        digits = _digits(match.group(0))
        return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]

    def mobile(match: re.Match) -> str:
        found["mobile"] += 1
        digits = _digits(match.group(1))
        return f"{digits[:3]}****{digits[-4:]}"

    def landline(match: re.Match) -> str:
        found["landline"] += 1
        area = "0" + (match.group("a1") or match.group("a2") or match.group("a3"))
        local = _digits(match.group("local"))
        return area + "*" * (len(local) - 4) + local[-4:]

    text = _ID_CARD.sub(id_card, text)
    text = _OLD_ID_CARD.sub(id_card, text)
    text = _BANK_CARD.sub(bank_card, text)
    text = _MOBILE.sub(mobile, text)
    return _LANDLINE.sub(landline, text)


def mask_pii(text: str) -> tuple[str, Counter]:
    """The text with personal data masked, and how many of each kind (KIND_NAMES) were masked."""
    found: Counter = Counter()
    # An invisible character between digits would hide a number from every rule below.
    text = strip_invisible(text)
    if _FULLWIDTH.search(text):
        text = text.translate(_FULLWIDTH_DIGITS)

    def spoken(match: re.Match) -> str:
        run = match.group(0)
        if run.translate(_CN_DIGITS) == run:  # digits only: the rules below see them as they are
            return run
        masked = _mask_numbers(run.translate(_CN_DIGITS), found)
        return masked if "*" in masked else run  # not a personal number: leave 一二三 as written

    # Most text has no run of seven digits or numerals, no age and no name: the cheap look comes first
    # (an import checks a hundred thousand rows, three texts each).
    if _CN_RUN.search(text):
        text = _CN_RUN.sub(spoken, text)
        text = _mask_numbers(text, found)
    text, names = mask_names(text)
    if names:
        found["full_name"] = names
    if "岁" in text or "年龄" in text:  # what every age rule (ages.py) needs
        text, ages = mask_ages(text)
        if ages:
            found["age"] = ages
    return text, found


def describe_masked(found: Counter) -> str:
    return ", ".join(
        f"{found[kind]} {name}{'s' if found[kind] > 1 else ''}" for kind, name in KIND_NAMES.items() if found[kind]
    )


# What is left of a number once masked ("139****5678", "0769****5678", "6222***********0123", "440***********1234").
_MASKED = re.compile(r"[+\d]*\*{3,}[\dXx]*")
_LABELLED_MASKED = re.compile(
    r"(来电|电话|手机号?|座机|固话|号码|卡号?|账号|账户|尾号|身份证号?|证件号|号)(\s*(?:为|是|[:：])?\s*)[+\d]*\*{3,}[\dXx]*"
)
# A bracket with nothing left in it but the word that introduced the number: （来电）, (号码：)
_EMPTY_BRACKET = re.compile(
    r"[（(]\s*(?:来电|电话|手机号?|座机|固话|号码|卡号|账号|尾号|身份证号?|证件号)?\s*[:：]?\s*[）)]"
)
_DANGLING_LABEL = re.compile(
    r"(号码|卡号|账号|手机号|电话|座机|固话|证件号)\s*(?:为|是|[:：])\s*(?=[，。；、,.;）)]|$)"
)


def public_text(text: str | None) -> str | None:
    """Text as it may be posted to residents: masked number fragments dropped, not shown half-hidden.

    Masking protects what is stored; a public post needs none of the number at all. Links and @ are
    defanged: a scam link must never be one tap away in a residents' group.
    """
    if not text:
        return text
    cleaned, _ = mask_pii(text)  # again, for rows stored before a rule existed
    # After a word that names it (来电, 身份证, 卡号...) the number goes without a trace; elsewhere a word
    # stands in for it, so the sentence still reads (骗子用0769****5678联系 -> 骗子用某号码联系).
    cleaned = _LABELLED_MASKED.sub(r"\1\2", cleaned)
    cleaned = _MASKED.sub("某号码", cleaned)
    cleaned = _EMPTY_BRACKET.sub("", cleaned)
    cleaned = _DANGLING_LABEL.sub(r"\1已隐去", cleaned)  # 对方号码为，-> 对方号码已隐去，
    return defang(re.sub(r"\s{2,}", " ", cleaned).strip())
