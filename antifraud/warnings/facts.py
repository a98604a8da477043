"""The facts a morning warning reports for (station, day): pure functions over incident rows."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ..config import Contact, Station
from ..incidents.ages import band_words
from ..incidents.categories import Categories
from ..incidents.privacy import public_text
from ..incidents.service import list_incidents
from ..incidents.validate import CHANNEL_NAMES
from ..lib.words import yuan


@dataclass(frozen=True)
class CategoryCount:
    code: str
    name: str
    short: str
    count: int
    stopped: int
    loss: Decimal


# The summary already says nobody lost money: the post should not say it twice.
_SAYS_NO_LOSS = re.compile(r"(?:未|没有|没|无|避免)[^，。；！？]{0,6}损失|未被骗")


@dataclass(frozen=True)
class Surge:
    """A category the detection flags as surging on the warning's day (detection.service.surges_on)."""

    code: str
    name: str
    short: str
    observed: int
    expected: float
    weekly: bool  # counted over the 7 days ending on the day, not the day alone

    @property
    def words(self) -> str:
        """刷单返利类当日3起，平时日均约0.3起 (weekly: 近7天5起，平时每周约1.0起; 平时很少发生 near zero)."""
        period, usual = ("近7天", "每周") if self.weekly else ("当日", "日均")
        before = "平时很少发生" if self.expected < 0.1 else f"平时{usual}约{self.expected:.1f}起"
        return f"{self.short}类{period}{self.observed}起，{before}"


@dataclass(frozen=True)
class Highlight:
    category_name: str
    who: str  # "吴女士（40多岁，工厂员工）" or "一名20多岁的工厂员工": never more than that
    loss: Decimal
    stopped: bool
    channel: str | None
    summary: str | None  # masked on entry; number fragments dropped for the public post
    category_code: str = ""

    @property
    def outcome(self) -> str:
        """被骗3.8万元 / 经民警劝阻未受损失 / "" — unless the summary says so already. A loss is never hidden."""
        if self.loss:
            return f"被骗{yuan(self.loss)}"
        if self.stopped:
            return "" if _SAYS_NO_LOSS.search(self.summary or "") else "经民警劝阻未受损失"
        return ""


@dataclass(frozen=True)
class WarningFacts:
    station_code: str
    station_name: str
    day: date
    categories: list[CategoryCount]
    total: int
    stopped: int
    loss: Decimal
    week_total: int
    month_total: int
    month_loss: Decimal
    highlights: list[Highlight] = field(default_factory=list)
    contact: Contact | None = None
    surges: list[Surge] = field(default_factory=list)
    cases: list[Highlight] = field(default_factory=list)  # every case of the day, the largest loss first

    @property
    def surge_names(self) -> str:
        """“刷单返利”, or “刷单返利、冒充客服”: the headline's words for what is surging."""
        return "、".join(s.short for s in self.surges)

    @property
    def quiet(self) -> bool:
        return self.total == 0

    @property
    def completed(self) -> int:
        return self.total - self.stopped


def describe_victim(victim: str | None, age_band: str | None, occupation: str | None) -> str:
    age = band_words(age_band) if age_band else None  # the wording exact ages in the text are masked to
    if victim:
        details = "，".join(part for part in (age, occupation) if part)
        return f"{victim}（{details}）" if details else victim
    if age and occupation:
        return f"一名{age}的{occupation}"
    return f"一名{occupation or (age + '的群众' if age else '群众')}"


def build_facts(station: Station, day: date, incidents: list, categories: Categories) -> WarningFacts:
    """Facts for one day from that station's incidents of the 30 days ending on it (pure: no I/O)."""
    of_day = [i for i in incidents if i.day == day]
    by_code: dict[str, list] = defaultdict(list)
    for incident in of_day:
        by_code[incident.category_code].append(incident)
    counts = [
        CategoryCount(
            code=code,
            name=categories[code].name,
            short=categories[code].short or categories[code].name,
            count=len(rows),
            stopped=sum(r.stopped for r in rows),
            loss=sum((r.loss for r in rows), Decimal("0.00")),
        )
        for code, rows in by_code.items()
    ]
    order = {code: position for position, code in enumerate(categories.by_code)}
    counts.sort(key=lambda c: (-c.count, -c.loss, order.get(c.code, 99)))
    week_start = day - timedelta(days=6)
    return WarningFacts(
        station_code=station.code,
        station_name=station.name,
        day=day,
        categories=counts,
        total=len(of_day),
        stopped=sum(i.stopped for i in of_day),
        loss=sum((i.loss for i in of_day), Decimal("0.00")),
        week_total=sum(1 for i in incidents if week_start <= i.day <= day),
        month_total=len(incidents),
        month_loss=sum((i.loss for i in incidents), Decimal("0.00")),
        highlights=pick_highlights(of_day, categories),
        contact=station.contact,
        cases=[_highlight(i, categories) for i in sorted(of_day, key=lambda i: (-i.loss, not i.summary, i.id or 0))],
    )


def pick_highlights(incidents: list, categories: Categories, limit: int = 2) -> list[Highlight]:
    """The largest loss first, then the most instructive other case: a stop, or another category."""
    if not incidents:
        return []
    by_loss = sorted(incidents, key=lambda i: (-i.loss, not i.summary, i.id or 0))
    chosen = [by_loss[0]]
    rest = [i for i in by_loss[1:] if i.summary]
    second = (
        next((i for i in rest if i.stopped and i.category_code != chosen[0].category_code), None)
        or next((i for i in rest if i.category_code != chosen[0].category_code), None)
        or next(iter(rest), None)
    )
    if second is not None and limit > 1:
        chosen.append(second)
    return [_highlight(i, categories) for i in chosen[:limit]]


def _highlight(incident, categories: Categories) -> Highlight:
    return Highlight(
        category_name=categories[incident.category_code].name,
        who=describe_victim(incident.victim, incident.victim_age, public_text(incident.occupation)),
        loss=incident.loss,
        stopped=incident.stopped,
        channel=CHANNEL_NAMES.get(incident.channel) if incident.channel else None,
        summary=public_text(incident.summary),
        category_code=incident.category_code,
    )


def gather_facts(session: Session, station: Station, day: date, categories: Categories, settings=None) -> WarningFacts:
    """The day's facts; with `settings`, also the categories surging that day (by config's detection)."""
    from dataclasses import replace

    incidents = list_incidents(session, station.code, day - timedelta(days=29), day)
    facts = build_facts(station, day, incidents, categories)
    if settings is None or facts.quiet:
        return facts
    from ..detection.service import surges_on

    surges = [
        Surge(
            a.category_code,
            categories[a.category_code].name,
            categories[a.category_code].short or categories[a.category_code].name,
            a.observed,
            a.expected,
            a.method == "weekly",
        )
        for a in surges_on(session, settings, station, day)
        if a.category_code in categories.by_code
    ]
    return replace(facts, surges=surges)
