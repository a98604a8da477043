"""incident counts index: detection and stats count a city's incidents from the index alone

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = ["station_id", "day", "category_code", "deleted_at", "loss", "stopped"]


def upgrade() -> None:
    op.create_index("ix_incidents_counts", "incidents", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_incidents_counts", "incidents")
