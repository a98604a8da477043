"""duty runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duty_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_runs")),
    )
    with op.batch_alter_table("duty_runs", schema=None) as batch_op:
        batch_op.create_index("ix_duty_runs_duty_started", ["duty", "started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("duty_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_runs_duty_started")

    op.drop_table("duty_runs")
