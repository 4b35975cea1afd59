"""meetings that vote (domain/meetings.py)

- meetings: a meeting about another subject (about_kind, about_id: a round), its state in
  its process, version and transition counter, the tally stored when it is closed.
- meeting_members: its members with their role in it and their attendance.
- meeting_questions: what it votes on (one per nominee of the round's list).
- meeting_votes: named ballots, one per member and question (unique).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("authority_id", BigId, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("about_kind", sa.String(length=16), nullable=False),
        sa.Column("about_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("process", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("transition_seq", sa.Integer(), nullable=False),
        sa.Column("tally", sa.JSON(), nullable=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_meetings_authority_id", "meetings", ["authority_id"])
    op.create_index("ix_meetings_status", "meetings", ["status"])
    op.create_index("ix_meetings_about", "meetings", ["about_kind", "about_id"])
    op.create_table(
        "meeting_members",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position_no", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_meeting_members"),
    )
    op.create_index("ix_meeting_members_meeting_id", "meeting_members", ["meeting_id"])
    op.create_table(
        "meeting_questions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("award", sa.String(length=64), nullable=False),
        sa.Column("position_no", sa.Integer(), nullable=False),
        sa.UniqueConstraint("meeting_id", "key", name="uq_meeting_questions"),
    )
    op.create_index("ix_meeting_questions_meeting_id", "meeting_questions", ["meeting_id"])
    op.create_table(
        "meeting_votes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column(
            "question_id", BigId, sa.ForeignKey("meeting_questions.id"), nullable=False
        ),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("ballot", sa.String(length=24), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("question_id", "user_id", name="uq_meeting_votes"),
    )
    op.create_index("ix_meeting_votes_meeting_id", "meeting_votes", ["meeting_id"])


def downgrade() -> None:
    for table in ("meeting_votes", "meeting_questions", "meeting_members"):
        op.drop_index(f"ix_{table}_meeting_id", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_meetings_about", table_name="meetings")
    op.drop_index("ix_meetings_status", table_name="meetings")
    op.drop_index("ix_meetings_authority_id", table_name="meetings")
    op.drop_table("meetings")
