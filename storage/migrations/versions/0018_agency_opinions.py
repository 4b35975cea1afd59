"""hiệp y: nominee categories, agencies with their own reviewers, opinion requests

- nominees.opinion_category: enterprise, enterprise_leader … (domain/opinions.py)
- agencies: the agencies asked for opinions (code, name)
- role_assignments.agency_id: an agency reviewer's agency
- opinion_requests: per round, nominee and agency, the request and its reply
- opinion_overrides: the board head's decision to list a nominee despite a negative reply

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.UniqueConstraint("code", name="uq_agencies_code"),
    )
    with op.batch_alter_table("nominees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opinion_category", sa.String(length=32)))
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", BigId, nullable=True))
        batch_op.create_foreign_key(
            "fk_role_assignments_agency_id", "agencies", ["agency_id"], ["id"]
        )
    op.create_table(
        "opinion_requests",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("round_id", BigId, sa.ForeignKey("award_rounds.id"), nullable=False),
        sa.Column(
            "nominee_id", BigId, sa.ForeignKey("nominees.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("agency_id", BigId, sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("requested_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opinion", sa.String(length=16)),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("answered_by", BigId, sa.ForeignKey("users.id")),
        sa.Column("source", sa.String(length=16)),
        sa.Column("letter_key", sa.String(length=1024)),
        sa.Column("letter_sha256", sa.String(length=64)),
        sa.Column("letter_signer", sa.String(length=255)),
        sa.UniqueConstraint("round_id", "nominee_id", "agency_id", name="uq_opinion_requests"),
    )
    op.create_index("ix_opinion_requests_round_id", "opinion_requests", ["round_id"])
    op.create_index("ix_opinion_requests_agency_id", "opinion_requests", ["agency_id"])
    op.create_table(
        "opinion_overrides",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("round_id", BigId, sa.ForeignKey("award_rounds.id"), nullable=False),
        sa.Column(
            "nominee_id", BigId, sa.ForeignKey("nominees.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("round_id", "nominee_id", name="uq_opinion_overrides"),
    )
    op.create_index("ix_opinion_overrides_round_id", "opinion_overrides", ["round_id"])


def downgrade() -> None:
    op.drop_index("ix_opinion_overrides_round_id", table_name="opinion_overrides")
    op.drop_table("opinion_overrides")
    op.drop_index("ix_opinion_requests_agency_id", table_name="opinion_requests")
    op.drop_index("ix_opinion_requests_round_id", table_name="opinion_requests")
    op.drop_table("opinion_requests")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_role_assignments_agency_id", type_="foreignkey")
        batch_op.drop_column("agency_id")
    with op.batch_alter_table("nominees", schema=None) as batch_op:
        batch_op.drop_column("opinion_category")
    op.drop_table("agencies")
