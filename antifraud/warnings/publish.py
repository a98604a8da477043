"""From a rendered warning to outbox rows: approval, target groups, one row per message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..channels import channel_for
from ..config import Group, Settings, Station
from ..db.models import DailyWarning, Delivery, Incident, utcnow
from ..errors import InputError
from ..incidents.service import station_row
from .content import cn_date
from .service import RenderedWarning, render_warning

# DingTalk and Feishu show markdown well and plain text poorly; WeCom's text can @-mention.
TEXT_KIND = {"dingtalk": "markdown", "feishu": "markdown"}


def record_render(session: Session, settings: Settings, station: Station, rendered: RenderedWarning) -> DailyWarning:
    """Remember the render; a re-render of an unpublished warning needs approving again."""
    row = find_warning(session, station, rendered.day) or DailyWarning(
        station=station_row(session, station.code), day=rendered.day
    )
    output = settings.resolve(settings.output_dir)
    row.image_path = str(rendered.paths["image"].relative_to(output))
    row.text, row.markdown = rendered.text, rendered.markdown
    row.quiet, row.incidents, row.rendered_at = rendered.facts.quiet, rendered.facts.total, utcnow()
    if row.status != "published":
        row.status = "draft" if settings.publish.require_approval else "approved"
        row.approved_at = row.approved_by = None
    session.add(row)
    session.flush()
    # Messages not yet sent carry the latest words.
    for delivery in pending_deliveries(session, row):
        delivery.body = row.markdown if delivery.kind == "markdown" else row.text if delivery.kind == "text" else None
        delivery.image_path = row.image_path if delivery.kind == "image" else None
    return row


def render_and_record(session: Session, settings: Settings, categories, station: Station, day: date):
    """Render the day's warning and remember it: (rendered, record), or (None, None) on a silent quiet day."""
    rendered = render_warning(session, settings, categories, station, day)
    if rendered is None:
        return None, None
    return rendered, record_render(session, settings, station, rendered)


def record_silent(session: Session, station: Station, day: date) -> DailyWarning:
    """A quiet day that config says not to post about: remembered, so nobody asks again."""
    row = find_warning(session, station, day) or DailyWarning(station=station_row(session, station.code), day=day)
    row.status, row.quiet, row.incidents, row.rendered_at = "silent", True, 0, utcnow()
    session.add(row)
    return row


def is_stale(session: Session, warning: DailyWarning) -> bool:
    """Incidents of the day were entered or changed after the warning was rendered."""
    changed = session.scalar(
        select(func.max(Incident.updated_at)).where(
            Incident.station_id == warning.station_id, Incident.day == warning.day
        )
    )
    return changed is not None and changed > warning.rendered_at


def find_warning(session: Session, station: Station, day: date) -> DailyWarning | None:
    return session.scalar(
        select(DailyWarning).join(DailyWarning.station).where(DailyWarning.day == day).filter_by(code=station.code)
    )


def pending_deliveries(session: Session, warning: DailyWarning) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery).where(
                Delivery.station_id == warning.station_id,
                Delivery.day == warning.day,
                Delivery.subject.in_([subject("warning", warning.day), subject("preview", warning.day)]),
                Delivery.status == "pending",
            )
        )
    )


def subject(what: str, day: date) -> str:
    return f"{what}:{day.isoformat()}"


def approve(session: Session, station: Station, day: date, by: str) -> DailyWarning:
    row = find_warning(session, station, day)
    if row is None:
        raise InputError(f"--date: no warning rendered for {day.isoformat()} at {station.code}; render it first")
    if row.status == "draft":
        row.status, row.approved_at, row.approved_by = "approved", utcnow(), by
    return row


@dataclass(frozen=True)
class PlannedMessage:
    group: Group
    kind: str
    sequence: int


def plan_messages(station: Station, audiences, channels=None) -> list[PlannedMessage]:
    """Image first, then the words, for every group whose audience is targeted and whose channel can take it."""
    planned = []
    for group in station.groups:
        if group.audience not in audiences or (channels is not None and group.channel not in channels):
            continue
        channel = channel_for(group)  # an instance: DingTalk takes images only when configured to
        kinds = [k for k in ("image", TEXT_KIND.get(group.channel, "text")) if k in channel.kinds]
        planned += [PlannedMessage(group, kind, sequence) for sequence, kind in enumerate(kinds)]
    return planned


def enqueue(
    session: Session, warning: DailyWarning, station: Station, what: str, audiences, channels=None
) -> list[Delivery]:
    """Outbox rows for the warning, in the caller's transaction; rows that exist already are kept as they are."""
    key = subject(what, warning.day)
    existing = {
        (d.group_name, d.kind)
        for d in session.scalars(
            select(Delivery).where(Delivery.station_id == warning.station_id, Delivery.subject == key)
        )
    }
    created = []
    for message in plan_messages(station, audiences, channels):
        if (message.group.name, message.kind) in existing:
            continue
        delivery = Delivery(
            station_id=warning.station_id,
            group_name=message.group.name,
            channel=message.group.channel,
            subject=key,
            day=warning.day,
            kind=message.kind,
            sequence=message.sequence,
            title=f"{'平安提示' if warning.quiet else '电诈预警'} {cn_date(warning.day)}",
            body={"text": warning.text, "markdown": warning.markdown}.get(message.kind),
            image_path=warning.image_path if message.kind == "image" else None,
            mentions=[],
        )
        session.add(delivery)
        created.append(delivery)
    session.flush()
    return created


def publish(session: Session, settings: Settings, station: Station, warning: DailyWarning) -> list[Delivery]:
    """Queue the warning for every target group; refuses a draft when approval is required."""
    if warning.status == "draft":
        raise InputError(
            f"--date: the warning for {warning.day.isoformat()} at {station.code} is waiting for approval "
            f"(antifraud warning approve --date {warning.day.isoformat()} --station {station.code})"
        )
    created = enqueue(session, warning, station, "warning", settings.publish.audiences)
    if warning.status != "published":
        warning.status, warning.published_at = "published", utcnow()
    return created
