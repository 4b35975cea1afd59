"""the cluster's reviews (sơ kết, tổng kết): conferences, attendees, reports (domain/cluster_reviews.py)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cluster_reviews",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("cluster_year_id", BigId, sa.ForeignKey("cluster_years.id"), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("host_unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("board_rep_name", sa.String(length=255), nullable=False),
        sa.Column("board_rep_position", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("signer_id", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("document_id", BigId, sa.ForeignKey("documents.id"), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cluster_year_id", "period", name="uq_cluster_reviews_period"),
    )
    op.create_table(
        "cluster_review_attendees",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("review_id", BigId, sa.ForeignKey("cluster_reviews.id"), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("position", sa.String(length=255), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("review_id", "unit_id", name="uq_cluster_review_attendees_unit"),
    )
    op.create_index(
        "ix_cluster_review_attendees_review_id", "cluster_review_attendees", ["review_id"]
    )


def downgrade() -> None:
    op.drop_table("cluster_review_attendees")
    op.drop_table("cluster_reviews")
