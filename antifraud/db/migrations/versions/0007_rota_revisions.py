"""rota revisions: a re-planned week knows what was published, so changes can be announced

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rota_weeks") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("published_revision", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("published_events", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("cancelled", sa.JSON(), nullable=True))
    # A week whose rota was queued before this revision counts as published as it stands.
    bind = op.get_bind()
    weeks = sa.table(
        "rota_weeks",
        sa.column("id", sa.Integer),
        sa.column("station_id", sa.Integer),
        sa.column("week", sa.String),
        sa.column("published_revision", sa.Integer),
        sa.column("published_events", sa.JSON),
    )
    events = sa.table(
        "rota_events",
        sa.column("rota_week_id", sa.Integer),
        sa.column("day", sa.Date),
        sa.column("start", sa.String),
        sa.column("end", sa.String),
        sa.column("kind", sa.String),
        sa.column("site", sa.String),
        sa.column("topic", sa.String),
        sa.column("people", sa.JSON),
    )
    deliveries = sa.table("deliveries", sa.column("station_id", sa.Integer), sa.column("subject", sa.String))
    for week_id, station_id, week in bind.execute(sa.select(weeks.c.id, weeks.c.station_id, weeks.c.week)).all():
        sent = bind.execute(
            sa.select(sa.func.count())
            .select_from(deliveries)
            .where(deliveries.c.station_id == station_id, deliveries.c.subject == f"rota:{week}")
        ).scalar()
        if not sent:
            continue
        rows = bind.execute(
            sa.select(events).where(events.c.rota_week_id == week_id).order_by(events.c.day, events.c.start)
        ).all()
        snapshot = [
            {
                "date": r.day.isoformat() if hasattr(r.day, "isoformat") else str(r.day),
                "start": r.start,
                "end": r.end,
                "kind": r.kind,
                "site": r.site,
                "topic": r.topic,
                "people": r.people,
            }
            for r in rows
        ]
        bind.execute(
            weeks.update().where(weeks.c.id == week_id).values(published_revision=1, published_events=snapshot)
        )


def downgrade() -> None:
    with op.batch_alter_table("rota_weeks") as batch:
        batch.drop_column("cancelled")
        batch.drop_column("published_events")
        batch.drop_column("published_revision")
        batch.drop_column("revision")
