"""reminders: the daily digest and the escalation of overdue steps, sent exactly once

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN on both databases: a batch copy of `users` on SQLite
    # would drop the table every other table refers to (refused with foreign keys on).
    op.add_column("users", sa.Column("email", sa.String(length=255), nullable=True))
    op.add_column(
        "users",
        sa.Column("digest_enabled", sa.Boolean(), nullable=False, server_default=sa.text("true")),
    )
    op.create_table(
        "reminders",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.UniqueConstraint("user_id", "kind", "subject", "day", name="uq_reminders_key"),
    )


def downgrade() -> None:
    op.drop_table("reminders")
    # SQLite (3.35+) drops a column in place, as migration 0022 does.
    for column in ("digest_enabled", "email"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE users DROP COLUMN {column}")
        else:
            op.drop_column("users", column)
