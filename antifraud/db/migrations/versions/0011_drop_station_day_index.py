"""drop ix_incidents_station_day: ix_incidents_counts starts with the same two columns

Every lookup by station and day uses the counts index (0009) as well, and an import no longer
keeps a second index up to date for each of its rows.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_incidents_station_day", "incidents")


def downgrade() -> None:
    op.create_index("ix_incidents_station_day", "incidents", ["station_id", "day"])
