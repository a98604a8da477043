"""Age bands, never an exact age: the victim's age field and any age written in the text are banded.

One wording for both, the one posts use for victims: 未成年, 18至29岁, 30多岁 ... 60多岁, 70岁以上.
"""

from __future__ import annotations

import re

AGE_BANDS = ("<18", "18-29", "30-39", "40-49", "50-59", "60-69", "70+")
BAND_WORDS = {"<18": "未成年", "18-29": "18至29岁", "70+": "70岁以上"}


def age_band(age: int) -> str:
    if age < 18:
        return "<18"
    if age < 30:
        return "18-29"
    return "70+" if age >= 70 else f"{age // 10 * 10}-{age // 10 * 10 + 9}"


def band_words(band: str) -> str:
    """未成年 / 18至29岁 / 30多岁 / 70岁以上, as a post says it."""
    return BAND_WORDS.get(band, f"{band.split('-')[0]}多岁")


_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = "[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九]"
# An exact age: 35岁, 35周岁, 三十五岁, 35岁左右; not a range (18至29岁, 60岁以上, 三四十岁) nor a band (30多岁).
_AGE = re.compile(
    rf"(?<![\d.至到~～\-—])(?<![〇零一二两三四五六七八九十百几])(\d{{1,3}}|{_CN_NUMBER})\s?周?岁半?(?:左右)?(?!以[上下])"
)
# 年龄35, 年龄：35 (with no 岁 after it: that is the rule above).
_AGE_FIELD = re.compile(r"(年龄\s*[:：为是]?\s*)(\d{1,3})(?![\d.多至到岁~～\-—])")


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_DIGIT[text]
    tens, _, ones = text.partition("十")
    return _CN_DIGIT.get(tens, 1) * 10 + _CN_DIGIT.get(ones, 0)


def mask_ages(text: str) -> tuple[str, int]:
    """Every exact age in the text replaced by its band's words; returns the text and how many."""
    count = 0

    def banded(number: str) -> str | None:
        age = _number(number)
        return band_words(age_band(age)) if 0 < age < 120 else None

    def age(match: re.Match) -> str:
        nonlocal count
        words = banded(match.group(1))
        if words is None:
            return match.group(0)
        count += 1
        return words

    def field(match: re.Match) -> str:
        nonlocal count
        words = banded(match.group(2))
        if words is None:
            return match.group(0)
        count += 1
        return match.group(1) + words

    text = _AGE.sub(age, text)
    text = _AGE_FIELD.sub(field, text)
    return text, count
