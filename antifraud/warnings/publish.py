"""Which messages a rendered warning becomes, for which groups: image first, then the words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..channels import channel_for
from ..config import Group, Station
from ..db.models import DailyWarning, Delivery
from ..lib.words import cn_date
from ..outbox.queue import Outgoing
from ..outbox.queue import enqueue as queue_messages


def subject(what: str, day: date) -> str:
    """The outbox subject: "warning:2026-11-22", "preview:2026-11-22"."""
    return f"{what}:{day.isoformat()}"


def variant_for(warning: DailyWarning, audience: str | None):
    """What a group of this audience gets: the audience's own variant, else the warning's (public) one.
    Either has image_path, image_sha256, text and markdown."""
    return next((v for v in warning.variants if v.audience == audience), warning)


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
        kinds = [k for k in ("image", channel.text_kind) if k in channel.kinds]
        planned += [PlannedMessage(group, kind, sequence) for sequence, kind in enumerate(kinds)]
    return planned


def enqueue(
    session: Session, warning: DailyWarning, station: Station, what: str, audiences, channels=None
) -> list[Delivery]:
    """Outbox rows for the warning, in the caller's transaction; rows that exist already are kept as they are.
    The warning goes to each group as its audience's variant; a preview is the public one."""
    title = f"{'平安提示' if warning.quiet else '电诈预警'} {cn_date(warning.day)}"
    per_group: dict[str, tuple[Group, list[Outgoing]]] = {}
    for message in plan_messages(station, audiences, channels):
        content = warning if what == "preview" else variant_for(warning, message.group.audience)
        bodies = {"text": content.text, "markdown": content.markdown}
        image, sha256 = (content.image_path, content.image_sha256) if message.kind == "image" else (None, None)
        outgoing = Outgoing(message.kind, bodies.get(message.kind), image, title, image_sha256=sha256)
        per_group.setdefault(message.group.name, (message.group, []))[1].append(outgoing)
    return queue_messages(session, warning.station_id, subject(what, warning.day), warning.day, per_group.values())
