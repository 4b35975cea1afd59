"""public consultation of a round's list, and the administration's working calendar

- calendar_days: days off and make-up working days the administration entered (the
  statutory ones come from the `holidays` package, domain/calendar.py).
- round_consultations: a round's list published for comment: token of its public page,
  period in working days and last day, the list as published.
- public_comments: comments sent from the public page (contact for the board only; the
  sender's address only as a keyed digest, for the rate limit).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("day", name="uq_calendar_days_day"),
    )
    op.create_table(
        "round_consultations",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("round_id", BigId, sa.ForeignKey("award_rounds.id"), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("nominees", sa.JSON(), nullable=False),
        sa.Column("opened_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("round_id", name="uq_round_consultations_round_id"),
        sa.UniqueConstraint("token", name="uq_round_consultations_token"),
    )
    op.create_table(
        "public_comments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "consultation_id", BigId, sa.ForeignKey("round_consultations.id"), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("address_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_public_comments_consultation_id", "public_comments", ["consultation_id"]
    )
    op.create_index("ix_public_comments_address_digest", "public_comments", ["address_digest"])
    op.create_index("ix_public_comments_created_at", "public_comments", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_public_comments_created_at", table_name="public_comments")
    op.drop_index("ix_public_comments_address_digest", table_name="public_comments")
    op.drop_index("ix_public_comments_consultation_id", table_name="public_comments")
    op.drop_table("public_comments")
    op.drop_table("round_consultations")
    op.drop_table("calendar_days")
