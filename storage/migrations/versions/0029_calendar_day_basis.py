"""the announcement behind an administrator's calendar day

- calendar_days.basis: the Thông báo / Quyết định of the government or the province that
  announced the day off or the make-up working day (nghỉ bù, làm bù); '' for the rows
  entered before.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_days") as t:
        t.add_column(
            sa.Column("basis", sa.String(length=300), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("calendar_days") as t:
        t.drop_column("basis")
