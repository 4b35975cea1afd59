"""delegations: a role held for someone else for a period (ủy quyền, giao quyền)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("delegator_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("delegate_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=True),
        sa.Column("cluster_term_id", BigId, sa.ForeignKey("cluster_terms.id"), nullable=True),
        sa.Column("authority_id", BigId, sa.ForeignKey("authorities.id"), nullable=True),
        sa.Column("agency_id", BigId, sa.ForeignKey("agencies.id"), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.CheckConstraint("valid_from <= valid_to", name="ck_delegations_dates"),
        sa.CheckConstraint("delegator_id <> delegate_id", name="ck_delegations_not_self"),
        sa.CheckConstraint("kind IN ('KT', 'TL', 'TUQ', 'Q')", name="ck_delegations_kind"),
    )
    op.create_index("ix_delegations_delegator_id", "delegations", ["delegator_id"])
    op.create_index("ix_delegations_delegate_id", "delegations", ["delegate_id"])


def downgrade() -> None:
    op.drop_index("ix_delegations_delegate_id", table_name="delegations")
    op.drop_index("ix_delegations_delegator_id", table_name="delegations")
    op.drop_table("delegations")
