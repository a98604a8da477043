"""The morning warning's life, for the CLI, the daemon and the web UI alike: render and record it,
approve it, preview it to the staff, publish it to every target group through the outbox.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..db.models import DailyWarning, Delivery, Incident, WarningVariant, utcnow
from ..db.reference import station_row
from ..errors import InputError
from .files import RenderedWarning, render_warning
from .publish import enqueue, subject, variant_for


def record_render(session: Session, settings: Settings, station: Station, rendered: RenderedWarning) -> DailyWarning:
    """Remember the render; a re-render of an unpublished warning needs approving again."""
    row = find_warning(session, station, rendered.day) or DailyWarning(
        station=station_row(session, station.code), day=rendered.day
    )
    output = settings.resolve(settings.output_dir)
    row.image_path = str(rendered.paths["image"].relative_to(output))
    row.image_sha256 = rendered.image_sha256
    row.text, row.markdown = rendered.text, rendered.markdown
    row.quiet, row.incidents, row.rendered_at = rendered.facts.quiet, rendered.facts.total, utcnow()
    if row.status != "published":
        row.status = "draft" if settings.publish.require_approval else "approved"
        row.approved_at = row.approved_by = None
    kept = {v.audience: v for v in row.variants}
    row.variants = []
    for audience, variant in rendered.variants.items():
        own = kept.get(audience) or WarningVariant(audience=audience)
        own.image_path = str(variant.paths["image"].relative_to(output))
        own.image_sha256, own.text, own.markdown = variant.image_sha256, variant.text, variant.markdown
        row.variants.append(own)
    session.add(row)
    session.flush()
    # Messages not yet sent (waiting, or parked for a person to retry) carry the latest words and image,
    # each its group's variant.
    audiences = {g.name: g.audience for g in station.groups}
    for delivery in unsent_deliveries(session, row):
        preview = delivery.subject == subject("preview", row.day)
        content = row if preview else variant_for(row, audiences.get(delivery.group_name))
        delivery.body = (
            content.markdown if delivery.kind == "markdown" else content.text if delivery.kind == "text" else None
        )
        delivery.image_path = content.image_path if delivery.kind == "image" else None
        delivery.image_sha256 = content.image_sha256 if delivery.kind == "image" else None
    return row


def render_and_record(session: Session, settings: Settings, categories, station: Station, day: date):
    """Render the day's warning and remember it: (rendered, record), or (None, None) on a silent quiet day."""
    rendered = render_warning(session, settings, categories, station, day)
    if rendered is None:
        return None, None
    record = record_render(session, settings, station, rendered)
    if rendered.facts.surges:
        alert_surges(session, station, record, rendered.facts)
    return rendered, record


def alert_surges(session: Session, station: Station, warning: DailyWarning, facts) -> bool:
    """Tell the staff groups, once per day, which categories are surging (the warning already says so)."""
    from ..lib.words import cn_date
    from ..outbox.queue import Outgoing
    from ..outbox.queue import enqueue as queue_messages

    lines = "；".join(s.words for s in facts.surges)
    text = (
        f"【高发预警】{station.name}{cn_date(facts.day)}：{lines}，明显高于平时。"
        f"今日预警已标注“{facts.surge_names}高发”，下周宣讲将优先讲这一类。"
    )
    staff = [(g, [Outgoing("text", text, title="高发预警")]) for g in station.groups if g.audience == "staff"]
    return bool(queue_messages(session, warning.station_id, f"surge:{facts.day.isoformat()}", facts.day, staff))


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


def unsent_deliveries(session: Session, warning: DailyWarning) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery).where(
                Delivery.station_id == warning.station_id,
                Delivery.day == warning.day,
                Delivery.subject.in_([subject("warning", warning.day), subject("preview", warning.day)]),
                Delivery.status.in_(("pending", "parked")),
            )
        )
    )


def approve(session: Session, station: Station, day: date, by: str) -> DailyWarning:
    """Approve a draft; the audit log names who, whichever way (CLI, web) it was done."""
    from ..accounts.service import audit

    row = find_warning(session, station, day)
    if row is None:
        raise InputError(f"--date: no warning rendered for {day.isoformat()} at {station.code}; render it first")
    if row.status == "draft":
        row.status, row.approved_at, row.approved_by = "approved", utcnow(), by
    audit(session, by, "warning.approve", station.code, day.isoformat(), status=row.status)
    return row


def publish(session: Session, settings: Settings, station: Station, warning: DailyWarning, by: str) -> list[Delivery]:
    """Queue the warning for every target group; refuses a draft when approval is required.

    `by` (a person, or "daemon" for the morning's own run) goes into the audit log with what was queued."""
    from ..accounts.service import audit

    if warning.status == "draft":
        raise InputError(
            f"--date: the warning for {warning.day.isoformat()} at {station.code} is waiting for approval "
            f"(antifraud warning approve --date {warning.day.isoformat()} --station {station.code})"
        )
    created = enqueue(session, warning, station, "warning", settings.publish.audiences)
    if warning.status != "published":
        warning.status, warning.published_at = "published", utcnow()
    audit(session, by, "warning.publish", station.code, warning.day.isoformat(), queued=len(created))
    return created


def warning_for(session: Session, settings: Settings, categories, station: Station, day: date) -> DailyWarning | None:
    """The day's recorded warning, rendered first if it never was; None on a quiet day config keeps silent."""
    record = find_warning(session, station, day)
    if record is None:
        _, record = render_and_record(session, settings, categories, station, day)
    return record


def publish_day(session: Session, settings: Settings, categories, station: Station, day: date, by: str):
    """Queue the day's warning for every target group (rendering it if needed); None if there is nothing to post."""
    record = warning_for(session, settings, categories, station, day)
    return None if record is None else publish(session, settings, station, record, by)


def preview_day(session: Session, settings: Settings, categories, station: Station, day: date) -> list[Delivery]:
    """Queue the day's warning for the staff groups only, to check it before it goes public."""
    record = warning_for(session, settings, categories, station, day)
    if record is None:
        raise InputError(f"--date: no incidents on {day.isoformat()} and quiet days are not posted")
    return enqueue(session, record, station, "preview", ["staff"])


def notify_too_old(session: Session, settings: Settings, station: Station, warning: DailyWarning) -> bool:
    """Tell the staff groups, once, that a rendered warning was too old to post on its own."""
    from ..lib.words import cn_date
    from ..outbox.queue import Outgoing
    from ..outbox.queue import enqueue as queue_messages

    day = warning.day.isoformat()
    text = (
        f"【未发布预警】{station.name}{cn_date(warning.day)}的电诈预警已生成，但超过"
        f"{settings.publish.max_age_days}天未发布，系统不再自动发送。"
        f"如仍需发布，请核对后运行：antifraud warning publish --date {day} --station {station.code}"
    )
    staff = [(g, [Outgoing("text", text, title="未发布预警")]) for g in station.groups if g.audience == "staff"]
    return bool(queue_messages(session, warning.station_id, f"stale:{day}", warning.day, staff))
