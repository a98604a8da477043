"""Rotas and reminders into the outbox, for the volunteers' (and staff) groups."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..channels import channel_for
from ..channels.split import split_message
from ..config import Settings, Station
from ..db.models import Delivery
from ..incidents.service import station_row
from .model import KIND_NAMES
from .service import events_of

WEEKDAY_NAMES = "一二三四五六日"


def _existing(session: Session, station_id: int, subject: str) -> set[tuple[str, str, int]]:
    rows = session.scalars(select(Delivery).where(Delivery.station_id == station_id, Delivery.subject == subject))
    return {(d.group_name, d.kind, d.part) for d in rows}


def _queue(session, station: Station, audiences, subject: str, day: date, messages) -> list[Delivery]:
    """messages: (kind, part, body, image_path, mentions); rows already queued are left alone."""
    station_id = station_row(session, station.code).id
    existing = _existing(session, station_id, subject)
    created = []
    for group in station.groups:
        if group.audience not in audiences:
            continue
        kinds = channel_for(group).kinds
        for sequence, (kind, part, body, image_path, mentions, title) in enumerate(messages):
            if kind not in kinds or (group.name, kind, part) in existing:
                continue
            delivery = Delivery(
                station_id=station_id,
                group_name=group.name,
                channel=group.channel,
                subject=subject,
                day=day,
                kind=kind,
                sequence=sequence,
                part=part,
                title=title,
                body=body,
                image_path=image_path,
                mentions=list(mentions),
            )
            session.add(delivery)
            created.append(delivery)
    session.flush()
    return created


def queue_rota(
    session: Session, settings: Settings, station: Station, week: str, monday: date, image: Path, text_parts: list[str]
) -> list[Delivery]:
    """The rota image, then its text in as many messages as it needs."""
    output = settings.resolve(settings.output_dir)
    title = f"反诈宣传排班 {week}"
    messages = [("image", 0, None, str(image.relative_to(output)), (), title)]
    messages += [("text", part, body, None, (), title) for part, body in enumerate(text_parts)]
    audiences = {settings.outreach.reminder_audience, "staff"}
    return _queue(session, station, audiences, f"rota:{week}", monday, messages)


def queue_week(session: Session, settings: Settings, station: Station, week: str, monday: date, events):
    """Write the week's rota files and queue image and text for the groups; returns the new rows."""
    from .outputs import write_week

    paths = write_week(settings, station, week, monday, events)
    text = paths["txt"].read_text(encoding="utf-8")
    return queue_rota(session, settings, station, week, monday, paths["png"], split_message(text))


def reminder_text(station: Station, day: date, events) -> tuple[str, list[str]]:
    """The day-before message naming who is on, where and when; and the phones to @-mention."""
    phones = {p.name: p.phone for p in station.people if p.phone}
    lines = [f"【明日排班提醒】{day.month}月{day.day}日（周{WEEKDAY_NAMES[day.weekday()]}）{station.name}"]
    mentions: list[str] = []
    for event in events:
        names = []
        for index, person in enumerate(event.people):
            lead = "（带队）" if index == 0 and event.kind == "street_stall" else ""
            names.append(f"{person['name']}{lead}")
            if phones.get(person["name"]) and phones[person["name"]] not in mentions:
                mentions.append(phones[person["name"]])
        topic = f"，主题：{event.topic}" if event.topic else ""
        lines.append(f"{event.start}-{event.end} {KIND_NAMES[event.kind]} · {event.site}{topic}：{'、'.join(names)}")
    lines.append("请准时到场，如有变动请提前联系警务室。")
    return "\n".join(lines), mentions


def queue_reminders(session: Session, settings: Settings, station: Station, day: date) -> list[Delivery]:
    """Reminders for the events on `day`, sent the day before; none when nothing is planned."""
    events = events_of(session, station, day, day)
    if not events:
        return []
    text, mentions = reminder_text(station, day, events)
    # A busy day at a big station may not fit one message; only the first part @-mentions.
    parts = split_message(text)
    messages = [("text", i, part, None, mentions if i == 0 else (), "明日排班提醒") for i, part in enumerate(parts)]
    return _queue(session, station, {settings.outreach.reminder_audience}, f"reminder:{day.isoformat()}", day, messages)
