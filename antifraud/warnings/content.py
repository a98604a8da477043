"""What a warning says, at a given level of detail; shortened by rule, never mid-sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from ..incidents.categories import Categories
from ..vocab import OTHER_CATEGORY
from .facts import Highlight, WarningFacts


@dataclass(frozen=True)
class Detail:
    """How much to say; LADDER runs from everything down to the bare minimum."""

    highlights: int
    summary_chars: int | None  # None: whole summary; 0: none
    scripts: int  # categories whose scam script is explained
    tips: int
    context: bool  # the 7- and 30-day figures


LADDER = (
    Detail(2, None, 3, 5, True),
    Detail(2, 160, 3, 5, True),
    Detail(2, 120, 2, 4, True),
    Detail(1, 120, 2, 4, True),
    Detail(1, 80, 2, 3, True),
    Detail(1, 80, 1, 3, False),
    Detail(1, 0, 1, 3, False),
    Detail(0, 0, 1, 2, False),
    Detail(0, 0, 1, 1, False),
    Detail(0, 0, 0, 1, False),
)


@dataclass(frozen=True)
class Script:
    name: str
    short: str
    script: str


@dataclass(frozen=True)
class WarningContent:
    facts: WarningFacts
    detail: Detail
    highlights: list[Highlight]
    scripts: list[Script]
    tips: list[str]
    key_point: str
    topic: str | None = None  # quiet days: the category whose tips are featured


def shorten(text: str | None, max_chars: int | None) -> str:
    """Whole sentences from the start that fit in max_chars; '' when not even the first fits."""
    if not text or max_chars == 0:
        return ""
    if max_chars is None or len(text) <= max_chars:
        return text
    sentences = re.findall(r"[^。！？；!?;]+[。！？；!?;]*", text)
    kept = ""
    for sentence in sentences:
        if len(kept) + len(sentence) > max_chars:
            break
        kept += sentence
    if kept and kept[-1] in "；;":
        kept = kept[:-1] + "。"
    return kept


def quiet_topic(day: date, categories: Categories, profile=None) -> str:
    """A quiet day's featured category, rotating day by day through all but 'other' (through the
    audience's own categories, for a profile that lists some)."""
    codes = [code for code in categories.by_code if code != OTHER_CATEGORY] or [OTHER_CATEGORY]
    if profile is not None and (own := [code for code in profile.categories if code in categories.by_code]):
        codes = own
    return codes[day.toordinal() % len(codes)]


def compose(facts: WarningFacts, categories: Categories, detail: Detail, profile=None) -> WarningContent:
    """What the warning says at this level of detail, for an audience (`profile`, audiences.Profile;
    None: the public variant): its categories' case, script and tips first, as plainly as it asks."""
    if profile is not None:
        detail = replace(
            detail,
            summary_chars=_least(detail.summary_chars, profile.summary_chars),
            tips=min(detail.tips, profile.tips or detail.tips),
        )
    if facts.quiet:
        topic = categories[quiet_topic(facts.day, categories, profile)]
        tips = list(topic.tips[: max(detail.tips, 1)])
        return WarningContent(
            facts=facts,
            detail=detail,
            highlights=[],
            scripts=[Script(topic.name, topic.short or topic.name, topic.script)] if detail.scripts else [],
            tips=tips,
            key_point=topic.key_point,
            topic=topic.code,
        )
    seen = [categories[c.code] for c in facts.categories]
    chosen = facts.highlights[: detail.highlights]
    if profile is not None:
        seen.sort(key=lambda c: profile.rank(c.code))  # stable: the day's order within each rank
        chosen = _for_audience(facts, profile, detail)
    highlights = [replace(h, summary=shorten(h.summary, detail.summary_chars)) for h in chosen]
    return WarningContent(
        facts=facts,
        detail=detail,
        highlights=highlights,
        scripts=[Script(c.name, c.short or c.name, c.script) for c in seen[: detail.scripts]],
        tips=round_robin_tips([c.tips for c in seen], detail.tips),
        key_point=seen[0].key_point,
    )


def _least(limit: int | None, other: int | None) -> int | None:
    """The tighter of two character limits (None: no limit)."""
    if other is None:
        return limit
    return other if limit is None else min(limit, other)


def _for_audience(facts: WarningFacts, profile, detail: Detail) -> list[Highlight]:
    """The cases an audience's variant tells: every one for a `full` profile (staff), else the case of
    the category that matters most to them first, then the public pick."""
    if not detail.highlights:
        return []
    if profile.full:
        return list(facts.cases)
    cases = facts.cases or facts.highlights
    first = min(cases, key=lambda h: profile.rank(h.category_code)) if profile.categories else None
    if first is None or profile.rank(first.category_code) == len(profile.categories):
        return facts.highlights[: detail.highlights]
    rest = [h for h in facts.highlights if h != first]
    return [first, *rest][: detail.highlights]


def round_robin_tips(tip_lists: list[list[str]], limit: int) -> list[str]:
    """The first tip of each category seen, then the second of each, ... without repeats."""
    chosen: list[str] = []
    for rank in range(max((len(t) for t in tip_lists), default=0)):
        for tips in tip_lists:
            if rank < len(tips) and tips[rank] not in chosen and len(chosen) < limit:
                chosen.append(tips[rank])
    return chosen
