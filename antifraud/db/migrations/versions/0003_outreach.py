"""outreach

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rota_weeks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("monday", sa.Date(), nullable=False),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.Column("objective", sa.Double(), nullable=False),
        sa.Column("optimal", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_rota_weeks_station_id_stations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rota_weeks")),
        sa.UniqueConstraint("station_id", "week", name=op.f("uq_rota_weeks_station_id")),
    )
    op.create_table(
        "rota_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rota_week_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("end", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site", sa.String(length=80), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=True),
        sa.Column("leaflets", sa.Integer(), nullable=True),
        sa.Column("registrations", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["rota_week_id"], ["rota_weeks.id"], name=op.f("fk_rota_events_rota_week_id_rota_weeks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rota_events")),
    )
    with op.batch_alter_table("rota_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rota_events_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_rota_events_rota_week_id"), ["rota_week_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rota_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rota_events_rota_week_id"))
        batch_op.drop_index(batch_op.f("ix_rota_events_day"))

    op.drop_table("rota_events")
    op.drop_table("rota_weeks")
