"""image hashes: a publish sends exactly the image that was rendered

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_warnings") as batch:
        batch.add_column(sa.Column("image_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("image_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("image_sha256")
    with op.batch_alter_table("daily_warnings") as batch:
        batch.drop_column("image_sha256")
