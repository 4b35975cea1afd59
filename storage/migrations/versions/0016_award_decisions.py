"""award decisions and award records

- award_decisions: the Chủ tịch UBND tỉnh's decision made from one submitted round: its
  state in the decision's process (domain/decisions.py), its number and date once issued
  or uploaded, the document that is the decision.
- award_records: per nominee of the round, awarded (decision number and date, prize
  money and how it was found, the certificate's number in the book) or not, with the
  reason.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "award_decisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("authority_id", BigId, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("decider_authority_id", BigId, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("round_id", BigId, sa.ForeignKey("award_rounds.id"), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("transition_seq", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("document_id", BigId, sa.ForeignKey("documents.id"), nullable=True),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("round_id", name="uq_award_decisions_round_id"),
    )
    op.create_index("ix_award_decisions_authority_id", "award_decisions", ["authority_id"])
    op.create_index("ix_award_decisions_status", "award_decisions", ["status"])
    op.create_table(
        "award_records",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("decision_id", BigId, sa.ForeignKey("award_decisions.id"), nullable=False),
        sa.Column("nominee_id", BigId, sa.ForeignKey("nominees.id"), nullable=False),
        sa.Column("dossier_id", BigId, sa.ForeignKey("dossiers.id"), nullable=False),
        sa.Column("position_no", sa.Integer(), nullable=False),
        sa.Column("award", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("awarded", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision_number", sa.String(length=64), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("prize_amount", sa.BigInteger(), nullable=True),
        sa.Column("prize_basis", sa.Text(), nullable=False),
        sa.Column("certificate_year", sa.Integer(), nullable=True),
        sa.Column("certificate_no", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "decision_id", "nominee_id", name="uq_award_records_decision_id_nominee_id"
        ),
        sa.UniqueConstraint(
            "certificate_year", "certificate_no", name="uq_award_records_certificate"
        ),
    )
    op.create_index("ix_award_records_decision_id", "award_records", ["decision_id"])
    op.create_index("ix_award_records_nominee_id", "award_records", ["nominee_id"])
    op.create_index("ix_award_records_dossier_id", "award_records", ["dossier_id"])


def downgrade() -> None:
    op.drop_index("ix_award_records_dossier_id", table_name="award_records")
    op.drop_index("ix_award_records_nominee_id", table_name="award_records")
    op.drop_index("ix_award_records_decision_id", table_name="award_records")
    op.drop_table("award_records")
    op.drop_index("ix_award_decisions_status", table_name="award_decisions")
    op.drop_index("ix_award_decisions_authority_id", table_name="award_decisions")
    op.drop_table("award_decisions")
