"""temporary passwords, session epochs, keys made at the first PIN, revoked certificates

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as t:
        t.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        t.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
        t.add_column(
            sa.Column(
                "signing_key_pending", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("signing_keys") as t:
        t.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("revocation_code", sa.String(length=32), nullable=True))
        t.add_column(sa.Column("revocation_reason", sa.Text(), nullable=True))
        t.add_column(sa.Column("revoked_by", BigId, nullable=True))
        t.create_foreign_key("fk_signing_keys_revoked_by", "users", ["revoked_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("signing_keys") as t:
        t.drop_constraint("fk_signing_keys_revoked_by", type_="foreignkey")
        t.drop_column("revoked_by")
        t.drop_column("revocation_reason")
        t.drop_column("revocation_code")
        t.drop_column("revoked_at")
    with op.batch_alter_table("users") as t:
        t.drop_column("signing_key_pending")
        t.drop_column("session_epoch")
        t.drop_column("must_change_password")
