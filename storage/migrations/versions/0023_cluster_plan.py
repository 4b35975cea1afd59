"""the cluster's plan of the year and its scoring criteria

- cluster_plans: one per cluster year (Kế hoạch thi đua của Cụm): goals, the calendar
  (sơ kết, tổng kết, covenant signing, registration deadline), its state, its number in
  the cluster's series once issued.
- cluster_criteria: the plan's scoring criteria (group, code, title, maximum points,
  mandatory, evidence asked).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cluster_plans",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "cluster_year_id", BigId, sa.ForeignKey("cluster_years.id"), nullable=False, unique=True
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("midyear_review_on", sa.Date(), nullable=True),
        sa.Column("yearend_review_on", sa.Date(), nullable=True),
        sa.Column("covenant_signing_on", sa.Date(), nullable=True),
        sa.Column("registration_deadline", sa.Date(), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("transition_seq", sa.Integer(), nullable=False),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "cluster_criteria",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("plan_id", BigId, sa.ForeignKey("cluster_plans.id"), nullable=False),
        sa.Column("position_no", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(length=300), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("max_points", sa.Numeric(7, 2), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
    )
    op.create_index("ix_cluster_criteria_plan_id", "cluster_criteria", ["plan_id"])


def downgrade() -> None:
    op.drop_table("cluster_criteria")
    op.drop_table("cluster_plans")
