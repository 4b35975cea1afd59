"""who a prepared PDF was prepared for

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-20 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "prepared_for_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            "fk_document_versions_prepared_for_id", "users", ["prepared_for_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_document_versions_prepared_for_id", type_="foreignkey")
        batch_op.drop_column("prepared_for_id")
