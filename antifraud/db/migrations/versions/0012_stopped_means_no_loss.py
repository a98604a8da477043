"""stopped means no loss: a case recorded as stopped (劝阻成功) with a loss is not stopped

Entry refuses that pair now; rows recorded before it said 经民警劝阻未受损失 on
the poster while the totals counted their loss. Each such row keeps its loss and loses the
stopped mark, with an audit row saying so, so the warning, the counts and the reports agree.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BY = "antifraud upgrade (a stopped case has no loss)"


def upgrade() -> None:
    bind = op.get_bind()
    changes = "CAST(:changes AS JSON)" if bind.dialect.name == "postgresql" else ":changes"
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # the columns hold naive UTC
    contradictory = "FROM incidents WHERE stopped = :yes AND loss > 0"
    bind.execute(
        sa.text(
            f'INSERT INTO incident_audit (incident_id, action, "by", "at", changes) '
            f"SELECT id, 'update', :by, :at, {changes} {contradictory}"
        ),
        {"by": BY, "at": now, "changes": '{"stopped": [true, false]}', "yes": True},
    )
    bind.execute(
        sa.text(f"UPDATE incidents SET stopped = :no WHERE id IN (SELECT id {contradictory})"),
        {"no": False, "yes": True},
    )


def downgrade() -> None:
    pass  # which rows were changed is in the audit trail; the contradiction is not put back
