"""Rotas and reminders into the outbox, for the volunteers' (and staff) groups."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from ..channels import channel_for
from ..channels.split import split_message
from ..config import Settings, Station
from ..db.models import Delivery
from ..db.reference import station_row
from ..lib.words import cn_date, cn_weekday
from ..outbox.queue import Outgoing, enqueue
from ..vocab import EventKind, kind_name
from .store import events_of


def _queue(session, station: Station, audiences, subject: str, day: date, messages: list[Outgoing]) -> list[Delivery]:
    """The messages for every group of these audiences, each as its channel can take them."""
    plan = []
    for group in station.groups:
        if group.audience in audiences:
            kinds = channel_for(group).kinds
            plan.append((group, [m for m in messages if m.kind in kinds]))
    return enqueue(session, station_row(session, station.code).id, subject, day, plan)


def queue_rota(
    session: Session, settings: Settings, station: Station, week: str, monday: date, image: Path, text_parts: list[str]
) -> list[Delivery]:
    """The rota image, then its text in as many messages as it needs."""
    output = settings.resolve(settings.output_dir)
    title = f"反诈宣传排班 {week}"
    sha256 = hashlib.sha256(image.read_bytes()).hexdigest()
    messages = [Outgoing("image", image_path=str(image.relative_to(output)), title=title, image_sha256=sha256)]
    messages += [Outgoing("text", body, title=title, part=part) for part, body in enumerate(text_parts)]
    audiences = {settings.outreach.reminder_audience, "staff"}
    return _queue(session, station, audiences, f"rota:{week}", monday, messages)


def queue_week(session: Session, settings: Settings, station: Station, week: str, monday: date, paths: dict):
    """Queue the week's written rota (image and text) for the groups; returns the new rows."""
    text = paths["txt"].read_text(encoding="utf-8")
    return queue_rota(session, settings, station, week, monday, paths["png"], split_message(text))


def reminder_text(station: Station, day: date, events) -> tuple[str, list[str]]:
    """The day-before message naming who is on, where and when; and the phones to @-mention."""
    phones = {p.name: p.phone for p in station.people if p.phone}
    lines = [f"【明日排班提醒】{cn_date(day)}（{cn_weekday(day)}）{station.name}"]
    mentions: list[str] = []
    for event in events:
        names = []
        for index, person in enumerate(event.people):
            lead = "（带队）" if index == 0 and event.kind == EventKind.STREET_STALL else ""
            names.append(f"{person['name']}{lead}")
            if phones.get(person["name"]) and phones[person["name"]] not in mentions:
                mentions.append(phones[person["name"]])
        topic = f"，主题：{event.topic}" if event.topic else ""
        lines.append(f"{event.start}-{event.end} {kind_name(event.kind)} · {event.site}{topic}：{'、'.join(names)}")
    lines.append("请准时到场，如有变动请提前联系警务室。")
    return "\n".join(lines), mentions


def queue_reminders(session: Session, settings: Settings, station: Station, day: date) -> list[Delivery]:
    """Reminders for the events on `day`, sent the day before; none when nothing is planned."""
    events = events_of(session, station, day, day)
    if not events:
        return []
    text, mentions = reminder_text(station, day, events)
    # A busy day at a big station may not fit one message; only the first part @-mentions.
    messages = [
        Outgoing("text", part, title="明日排班提醒", mentions=tuple(mentions) if i == 0 else (), part=i)
        for i, part in enumerate(split_message(text))
    ]
    return _queue(session, station, {settings.outreach.reminder_audience}, f"reminder:{day.isoformat()}", day, messages)
