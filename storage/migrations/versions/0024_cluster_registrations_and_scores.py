"""the members' registrations of titles and their scores per criterion (domain/cluster_scores.py)

- cluster_registrations, cluster_registration_items: a member's registration of the
  year's titles (collective; individual by name or by count), late or not.
- cluster_score_sheets, cluster_scores: a member's sheet per period (midyear, yearend),
  its own points per criterion with evidence, the reviewed points with their reason.
- cluster_score_attachments: PDFs of evidence, their bytes in the object store.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cluster_registrations",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("cluster_year_id", BigId, sa.ForeignKey("cluster_years.id"), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cluster_year_id", "unit_id", name="uq_cluster_registrations"),
    )
    op.create_index(
        "ix_cluster_registrations_cluster_year_id", "cluster_registrations", ["cluster_year_id"]
    )
    op.create_table(
        "cluster_registration_items",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "registration_id", BigId, sa.ForeignKey("cluster_registrations.id"), nullable=False
        ),
        sa.Column("position_no", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("award", sa.String(length=64), nullable=False),
        sa.Column("person_id", BigId, sa.ForeignKey("people.id"), nullable=True),
        sa.Column("person_name", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
    )
    op.create_index(
        "ix_cluster_registration_items_registration_id",
        "cluster_registration_items",
        ["registration_id"],
    )
    op.create_table(
        "cluster_score_sheets",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("cluster_year_id", BigId, sa.ForeignKey("cluster_years.id"), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "cluster_year_id", "unit_id", "period", name="uq_cluster_score_sheets"
        ),
    )
    op.create_index(
        "ix_cluster_score_sheets_cluster_year_id", "cluster_score_sheets", ["cluster_year_id"]
    )
    op.create_table(
        "cluster_scores",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("sheet_id", BigId, sa.ForeignKey("cluster_score_sheets.id"), nullable=False),
        sa.Column("criterion_id", BigId, sa.ForeignKey("cluster_criteria.id"), nullable=False),
        sa.Column("self_points", sa.Numeric(7, 2), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("reviewed_points", sa.Numeric(7, 2), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=False),
        sa.Column("reviewed_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("sheet_id", "criterion_id", name="uq_cluster_scores"),
    )
    op.create_index("ix_cluster_scores_sheet_id", "cluster_scores", ["sheet_id"])
    op.create_table(
        "cluster_score_attachments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("sheet_id", BigId, sa.ForeignKey("cluster_score_sheets.id"), nullable=False),
        sa.Column("criterion_id", BigId, sa.ForeignKey("cluster_criteria.id"), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("object_key", sa.String(length=512), nullable=False),
        sa.Column("object_version_id", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_cluster_score_attachments_sheet_id", "cluster_score_attachments", ["sheet_id"]
    )


def downgrade() -> None:
    op.drop_table("cluster_score_attachments")
    op.drop_table("cluster_scores")
    op.drop_table("cluster_score_sheets")
    op.drop_table("cluster_registration_items")
    op.drop_table("cluster_registrations")
