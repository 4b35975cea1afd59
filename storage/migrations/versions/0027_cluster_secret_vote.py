"""the cluster's secret vote: member units of a meeting, who has voted, secret ballots

- meeting_member_units: the member unit each meeting member represents.
- meeting_ballot_marks: that a member voted on a question (no time, no id of its own).
- meeting_secret_ballots: the ballots, keyed by a random string, with the receipt hash;
  WITHOUT ROWID on SQLite (no insertion order to read).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "meeting_member_units",
        sa.Column("member_id", BigId, sa.ForeignKey("meeting_members.id"), primary_key=True),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.UniqueConstraint("meeting_id", "unit_id", name="uq_meeting_member_units"),
    )
    op.create_index("ix_meeting_member_units_meeting_id", "meeting_member_units", ["meeting_id"])
    op.create_table(
        "meeting_ballot_marks",
        sa.Column("question_id", BigId, sa.ForeignKey("meeting_questions.id"), primary_key=True),
        sa.Column("member_id", BigId, sa.ForeignKey("meeting_members.id"), primary_key=True),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meetings.id"), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_meeting_ballot_marks_meeting_id", "meeting_ballot_marks", ["meeting_id"])
    op.create_table(
        "meeting_secret_ballots",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("question_id", BigId, sa.ForeignKey("meeting_questions.id"), nullable=False),
        sa.Column("choice", sa.String(length=64), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_meeting_secret_ballots_meeting_id", "meeting_secret_ballots", ["meeting_id"]
    )
    op.create_index(
        "ix_meeting_secret_ballots_receipt_hash", "meeting_secret_ballots", ["receipt_hash"]
    )


def downgrade() -> None:
    op.drop_index("ix_meeting_secret_ballots_receipt_hash", table_name="meeting_secret_ballots")
    op.drop_index("ix_meeting_secret_ballots_meeting_id", table_name="meeting_secret_ballots")
    op.drop_table("meeting_secret_ballots")
    op.drop_index("ix_meeting_ballot_marks_meeting_id", table_name="meeting_ballot_marks")
    op.drop_table("meeting_ballot_marks")
    op.drop_index("ix_meeting_member_units_meeting_id", table_name="meeting_member_units")
    op.drop_table("meeting_member_units")
