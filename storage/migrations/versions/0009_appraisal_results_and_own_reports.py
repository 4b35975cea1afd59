"""the specialist's appraisal per nominee; an individual nominee's own account

`appraisal_results`: one row per nominee (result, note, another award, struck with a
reason), removed with its nominee. `nominees.user_id`: the account of an individual who
signs their own achievement report.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("nominees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", ID, nullable=True))
        batch_op.create_foreign_key("fk_nominees_user_id", "users", ["user_id"], ["id"])
        batch_op.create_index("ix_nominees_user_id", ["user_id"], unique=False)
    op.create_table(
        "appraisal_results",
        sa.Column("id", ID, nullable=False),
        sa.Column("dossier_id", ID, nullable=False),
        sa.Column("nominee_id", ID, nullable=False),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("other_award", sa.String(length=255), nullable=False),
        sa.Column("struck", sa.Boolean(), nullable=False),
        sa.Column("strike_reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"]),
        sa.ForeignKeyConstraint(["nominee_id"], ["nominees.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nominee_id"),
    )
    op.create_index(
        "ix_appraisal_results_dossier_id", "appraisal_results", ["dossier_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_appraisal_results_dossier_id", table_name="appraisal_results")
    op.drop_table("appraisal_results")
    with op.batch_alter_table("nominees", schema=None) as batch_op:
        batch_op.drop_index("ix_nominees_user_id")
        batch_op.drop_constraint("fk_nominees_user_id", type_="foreignkey")
        batch_op.drop_column("user_id")
