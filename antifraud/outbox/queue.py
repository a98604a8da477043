"""Put messages for chat groups into the outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Delivery


@dataclass(frozen=True)
class Outgoing:
    """One message for a group; a long text is several parts of the same kind."""

    kind: str  # image | text | markdown
    body: str | None = None
    image_path: str | None = None  # relative to output_dir
    title: str = ""
    mentions: tuple[str, ...] = ()
    part: int = 0
    image_sha256: str | None = None  # the image file must still hold these bytes when it is sent


def enqueue(
    session: Session, station_id: int, subject: str, day: date, plan: Iterable[tuple[object, Sequence[Outgoing]]]
) -> list[Delivery]:
    """Rows for each (group, messages) of `plan`, in order; a (group, kind, part) queued before is left alone.

    Queuing the same subject again therefore adds only what is new, and nothing is ever sent twice
    because it was queued twice.
    """
    existing = {
        (d.group_name, d.kind, d.part)
        for d in session.scalars(select(Delivery).where(Delivery.station_id == station_id, Delivery.subject == subject))
    }
    created = []
    for group, messages in plan:
        for sequence, message in enumerate(messages):
            if (group.name, message.kind, message.part) in existing:
                continue
            delivery = Delivery(
                station_id=station_id,
                group_name=group.name,
                channel=group.channel,
                subject=subject,
                day=day,
                kind=message.kind,
                sequence=sequence,
                part=message.part,
                title=message.title,
                body=message.body,
                image_path=message.image_path,
                image_sha256=message.image_sha256,
                mentions=list(message.mentions),
            )
            session.add(delivery)
            created.append(delivery)
    session.flush()
    return created
