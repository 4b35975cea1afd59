"""corrections of an award decision (đính chính / thu hồi)

- decision_amendments: a correcting (dinh_chinh) or revoking (thu_hoi) decision made
  from an issued award decision, which it references: its number, date, the signed PDF
  uploaded from the province's e-office, who recorded it and why.
- award_record_amendments: per award record it touches, what it does: a field corrected
  (old and new value) or the award revoked. The award records themselves never change.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "decision_amendments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("decision_id", BigId, sa.ForeignKey("award_decisions.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("document_id", BigId, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_decision_amendments_decision_id", "decision_amendments", ["decision_id"])
    op.create_table(
        "award_record_amendments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "amendment_id", BigId, sa.ForeignKey("decision_amendments.id"), nullable=False
        ),
        sa.Column("record_id", BigId, sa.ForeignKey("award_records.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_award_record_amendments_amendment_id", "award_record_amendments", ["amendment_id"]
    )
    op.create_index(
        "ix_award_record_amendments_record_id", "award_record_amendments", ["record_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_award_record_amendments_record_id", table_name="award_record_amendments")
    op.drop_index(
        "ix_award_record_amendments_amendment_id", table_name="award_record_amendments"
    )
    op.drop_table("award_record_amendments")
    op.drop_index("ix_decision_amendments_decision_id", table_name="decision_amendments")
    op.drop_table("decision_amendments")
