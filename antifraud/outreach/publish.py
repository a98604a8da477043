"""Rotas, change notices and reminders into the outbox, for the groups of the people on them.

Who hears about an event: `outreach.reminder_audience` for its kind when the config sets one, else the
groups of the people on it (staff for officers, auxiliaries and patrol; volunteers for volunteers).
In a group, only the people who belong there are @-mentioned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..channels import channel_for
from ..channels.split import split_message
from ..config import Settings, Station
from ..db.models import Delivery, RotaEvent
from ..db.reference import station_row
from ..lib.safetext import defang
from ..lib.words import cn_date, cn_weekday
from ..outbox.queue import Outgoing, enqueue
from ..vocab import ROLE_AUDIENCE, EventKind, kind_name
from .model import Event
from .store import absences, as_event, event_from_json, event_key, events_of

Person = tuple[str, str]  # name, role


@dataclass
class Queued:
    """What a publish or a reminder put into the outbox: the new rows, the subjects to send, and what the
    person running it should know (someone away who is still on the rota)."""

    created: list[Delivery] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def audiences_of(settings: Settings, kind: str, people: Iterable[Person]) -> tuple[set[str], bool]:
    """The audiences an event's messages go to, and whether the config chose them (then everyone on it
    is @-mentioned in those groups)."""
    configured = settings.outreach.reminder_audience.get(kind)
    if configured:
        return set(configured), True
    return {ROLE_AUDIENCE.get(role, "staff") for _, role in people} or {"staff"}, False


def _mentioned(settings: Settings, station: Station, audience: str, kind: str, people: Iterable[Person]) -> list[str]:
    """Phones to @-mention in a group of `audience`: the people on it who belong to that group."""
    phones = {p.name: p.phone for p in station.people if p.phone}
    _, configured = audiences_of(settings, kind, ())
    out = []
    for name, role in people:
        belongs = configured or ROLE_AUDIENCE.get(role, "staff") == audience
        if belongs and phones.get(name) and phones[name] not in out:
            out.append(phones[name])
    return out


def _send(session: Session, station: Station, subject: str, day: date, plan) -> list[Delivery]:
    """Each group its messages, as its channel can take them."""
    fitted = []
    for group, messages in plan:
        kinds = channel_for(group).kinds
        fitted.append((group, [m for m in messages if m.kind in kinds]))
    return enqueue(session, station_row(session, station.code).id, subject, day, fitted)


def _texts(text: str, title: str, mentions: Sequence[str]) -> list[Outgoing]:
    """A text in as many messages as it needs; only the first @-mentions."""
    return [
        Outgoing("text", part, title=title, mentions=tuple(mentions) if i == 0 else (), part=i)
        for i, part in enumerate(split_message(text))
    ]


# ---------------------------------------------------------------------------------------------- the rota


def rota_audiences(settings: Settings, events: Iterable[Event]) -> set[str]:
    """The whole week's rota goes to the staff and volunteers' groups (volunteers read it to know the
    weekend, on it or not) and to any other group of the people on it."""
    found = {"staff", "volunteers"}
    for e in events:
        found |= audiences_of(settings, e.kind, e.people)[0]
    return found


def queue_rota(
    session: Session, settings: Settings, station: Station, week: str, subject: str, monday: date, events, paths
) -> list[Delivery]:
    """The rota image, then its text in as many messages as it needs."""
    output = settings.resolve(settings.output_dir)
    title = f"反诈宣传排班 {week}"
    image: Path = paths["png"]
    sha256 = hashlib.sha256(image.read_bytes()).hexdigest()
    messages = [Outgoing("image", image_path=str(image.relative_to(output)), title=title, image_sha256=sha256)]
    text = paths["txt"].read_text(encoding="utf-8")
    messages += [Outgoing("text", body, title=title, part=part) for part, body in enumerate(split_message(text))]
    wanted = rota_audiences(settings, events)
    plan = [(g, messages) for g in station.groups if g.audience in wanted]
    return _send(session, station, subject, monday, plan)


@dataclass(frozen=True)
class Change:
    """One event as a re-plan changed it: who came off, who went on; `before`/`after` None when it was
    added or cancelled."""

    before: Event | None
    after: Event | None

    @property
    def event(self) -> Event:
        return self.after or self.before

    @property
    def off(self) -> list[Person]:
        kept = {n for n, _ in self.after.people} if self.after else set()
        return [p for p in (self.before.people if self.before else ()) if p[0] not in kept]

    @property
    def on(self) -> list[Person]:
        had = {n for n, _ in self.before.people} if self.before else set()
        return [p for p in (self.after.people if self.after else ()) if p[0] not in had]


def changes_between(published: Sequence[Event], current: Sequence[Event]) -> list[Change]:
    """What people were told against what is planned now: events added, cancelled, or with other people."""
    old = {event_key(e): e for e in published}
    new = {event_key(e): e for e in current}
    out = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], k[3], k[1], k[2])):
        before, after = old.get(key), new.get(key)
        change = Change(before, after)
        if before is None or after is None or change.off or change.on:
            out.append(change)
    return out


def change_text(station: Station, week: str, revision: int, changes: Sequence[Change], away) -> str:
    """The notice: per changed event who is off (and why), who is on; then where the full rota is."""
    lines = [f"【排班变更】{station.name} 反诈宣传排班 {week}（第{revision}版）"]
    for c in changes:
        e = c.event
        where = f"{cn_date(e.date)}（{cn_weekday(e.date)}）{e.start:%H:%M}-{e.end:%H:%M} {kind_name(e.kind)} · {e.site}"
        if c.after is None:
            lines.append(f"{where}：取消")
            continue
        if c.before is None:
            lines.append(f"{where}：新增，{'、'.join(n for n, _ in c.after.people)}参加")
            continue
        parts = []
        if c.off:
            parts.append("、".join(_why(n, e.date, away) for n, _ in c.off) + " 不再参加")
        if c.on:
            parts.append(f"改由 {'、'.join(n for n, _ in c.on)} 参加")
        lines.append(f"{where}：{'；'.join(parts)}")
    lines.append("完整排班见随后的排班表；如有疑问请联系警务室。")
    return "\n".join(lines)


def _why(name: str, day: date, away) -> str:
    reason = away.get(name, {}).get(day, False)
    if reason is False:
        return name
    return f"{name}（{defang(reason) if reason else '请假'}）"


def queue_change_notice(
    session: Session,
    settings: Settings,
    station: Station,
    week: str,
    monday: date,
    revision: int,
    changes: Sequence[Change],
) -> list[Delivery]:
    """The change notice, in each group that hears about a changed event, @-mentioning those affected."""
    away = absences(session, station, monday, monday + timedelta(days=6))
    plan = []
    for group in station.groups:
        mine = [
            c
            for c in changes
            if group.audience == "staff" or group.audience in audiences_of(settings, c.event.kind, c.off + c.on)[0]
        ]
        if not mine:
            continue
        mentions = []
        for c in mine:
            for phone in _mentioned(settings, station, group.audience, c.event.kind, c.off + c.on):
                if phone not in mentions:
                    mentions.append(phone)
        text = change_text(station, week, revision, mine, away)
        plan.append((group, _texts(text, "排班变更", mentions)))
    return _send(session, station, f"rota-change:{week}:r{revision}", monday, plan)


def published_events(week_row) -> list[Event]:
    return [event_from_json(e) for e in week_row.published_events or []]


# ---------------------------------------------------------------------------------------------- reminders


def reminder_text(
    station: Station, day: date, events: Sequence[Event], away: dict[str, str | None], updated: bool
) -> str:
    """The day-before message naming who is on, where and when; anyone since away is named as missing."""
    head = "【明日排班提醒·有变更】" if updated else "【明日排班提醒】"
    lines = [f"{head}{cn_date(day)}（{cn_weekday(day)}）{station.name}"]
    for event in events:
        names, missing = [], []
        for index, (name, _) in enumerate(event.people):
            if name in away:
                missing.append(name)
                continue
            lead = "（带队）" if index == 0 and event.kind == EventKind.STREET_STALL else ""
            names.append(f"{name}{lead}")
        topic = f"，主题：{event.topic}" if event.topic else ""
        people = "、".join(names) if names else "暂无人员"
        line = f"{event.start:%H:%M}-{event.end:%H:%M} {kind_name(event.kind)} · {event.site}{topic}：{people}"
        if missing:
            line += f"（{'、'.join(missing)} 已请假，缺{len(missing)}人，警务室正在安排）"
        lines.append(line)
    lines.append("请准时到场，如有变动请提前联系警务室。")
    return "\n".join(lines)


def queue_reminders(session: Session, settings: Settings, station: Station, day: date) -> Queued:
    """Reminders for the events on `day`, sent the day before, each group the events of its people.

    A group's reminder is queued under a subject naming its content: reminding again sends nothing new,
    and a day changed after its reminder went out is reminded again, marked 有变更.
    """
    rows: list[RotaEvent] = events_of(session, station, day, day)
    result = Queued()
    if not rows:
        return result
    events = [as_event(r) for r in rows]
    away_today = {name: days[day] for name, days in absences(session, station, day, day).items()}
    for e in events:
        for name, _ in e.people:
            if name in away_today:
                result.warnings.append(
                    f"{name} is away on {day.isoformat()} but on the rota at {e.site}; the reminder says so "
                    "(re-plan to find someone)"
                )
    station_id = station_row(session, station.code).id
    for group in station.groups:
        mine = [e for e in events if group.audience in audiences_of(settings, e.kind, e.people)[0]]
        if not mine:
            continue
        content = reminder_text(station, day, mine, away_today, updated=False)
        subject = f"reminder:{day.isoformat()}:{hashlib.sha1(content.encode('utf-8')).hexdigest()[:10]}"
        earlier = session.scalars(
            select(Delivery).where(
                Delivery.station_id == station_id,
                Delivery.group_name == group.name,
                Delivery.subject.like(f"reminder:{day.isoformat()}%"),
                Delivery.subject != subject,
            )
        ).first()
        mentions = []
        for e in mine:
            present = [p for p in e.people if p[0] not in away_today]
            for phone in _mentioned(settings, station, group.audience, e.kind, present):
                if phone not in mentions:
                    mentions.append(phone)
        text = reminder_text(station, day, mine, away_today, updated=earlier is not None)
        result.created += _send(session, station, subject, day, [(group, _texts(text, "明日排班提醒", mentions))])
        result.subjects.append(subject)
    return result
