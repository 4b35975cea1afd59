"""the board's rounds (đợt xét khen thưởng) and the dossiers in them

- award_rounds: an authority's round — name, year, kind, the award codes it covers, its
  state in the round's process (domain/rounds.py), version and transition counter as a
  dossier has.
- round_dossiers: a dossier in a round; unique per dossier (a dossier is in at most one
  round).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"  # 0013 once the subjects migration lands
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "award_rounds",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("authority_id", BigId, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("awards", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("transition_seq", sa.Integer(), nullable=False),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_award_rounds_authority_id", "award_rounds", ["authority_id"])
    op.create_index("ix_award_rounds_year", "award_rounds", ["year"])
    op.create_index("ix_award_rounds_status", "award_rounds", ["status"])
    op.create_table(
        "round_dossiers",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("round_id", BigId, sa.ForeignKey("award_rounds.id"), nullable=False),
        sa.Column("dossier_id", BigId, sa.ForeignKey("dossiers.id"), nullable=False),
        sa.Column("position_no", sa.Integer(), nullable=False),
        sa.Column("added_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dossier_id", name="uq_round_dossiers_dossier_id"),
    )
    op.create_index("ix_round_dossiers_round_id", "round_dossiers", ["round_id"])


def downgrade() -> None:
    op.drop_index("ix_round_dossiers_round_id", table_name="round_dossiers")
    op.drop_table("round_dossiers")
    op.drop_index("ix_award_rounds_status", table_name="award_rounds")
    op.drop_index("ix_award_rounds_year", table_name="award_rounds")
    op.drop_index("ix_award_rounds_authority_id", table_name="award_rounds")
    op.drop_table("award_rounds")
