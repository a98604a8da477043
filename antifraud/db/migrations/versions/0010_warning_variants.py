"""warning variants: one audience's own poster and words for a day's warning

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "warning_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("image_path", sa.String(length=400), nullable=False),
        sa.Column("image_sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["daily_warnings.id"],
            name=op.f("fk_warning_variants_warning_id_daily_warnings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_variants")),
        sa.UniqueConstraint("warning_id", "audience", name=op.f("uq_warning_variants_warning_id")),
    )


def downgrade() -> None:
    op.drop_table("warning_variants")
