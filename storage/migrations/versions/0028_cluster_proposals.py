"""the cluster's one proposal of the year (Tờ trình của Cụm)

- cluster_proposals: one per cluster year: the closed vote it rests on, its state, its
  number in the cluster's series, the board's reason when returned, the round its
  approved dossiers entered.
- cluster_proposal_dossiers: the dossiers that passed the vote, each struck by the board
  with a reason or not.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cluster_proposals",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "cluster_year_id", BigId, sa.ForeignKey("cluster_years.id"), nullable=False, unique=True
        ),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transition_seq", sa.Integer(), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("round_id", BigId, sa.ForeignKey("award_rounds.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "cluster_proposal_dossiers",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", BigId, sa.ForeignKey("cluster_proposals.id"), nullable=False),
        sa.Column("dossier_id", BigId, sa.ForeignKey("dossiers.id"), nullable=False),
        sa.Column("position_no", sa.Integer(), nullable=False),
        sa.Column("award", sa.String(length=64), nullable=False),
        sa.Column("struck_reason", sa.Text(), nullable=True),
        sa.Column("struck_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("struck_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("proposal_id", "dossier_id", name="uq_cluster_proposal_dossiers"),
    )
    op.create_index(
        "ix_cluster_proposal_dossiers_proposal_id", "cluster_proposal_dossiers", ["proposal_id"]
    )


def downgrade() -> None:
    op.drop_index(
        "ix_cluster_proposal_dossiers_proposal_id", table_name="cluster_proposal_dossiers"
    )
    op.drop_table("cluster_proposal_dossiers")
    op.drop_table("cluster_proposals")
