"""the cluster's covenant (giao ước thi đua): members' commitments and signatures

- cluster_covenants: one per cluster year: its state (draft, signing, sealed), the
  prepared document, who signs for which unit (frozen when it is opened).
- covenant_commitments: each member's measurable commitments (indicator, target).
- covenant_signatures: one per member unit: who signed, when, the PDF version it made.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cluster_covenants",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "cluster_year_id", BigId, sa.ForeignKey("cluster_years.id"), nullable=False, unique=True
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("document_id", BigId, sa.ForeignKey("documents.id"), nullable=True),
        sa.Column("signers", sa.JSON(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sealed_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "covenant_commitments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("covenant_id", BigId, sa.ForeignKey("cluster_covenants.id"), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("position_no", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("criterion_id", BigId, sa.ForeignKey("cluster_criteria.id"), nullable=True),
        sa.Column("updated_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_covenant_commitments_unit", "covenant_commitments", ["covenant_id", "unit_id"]
    )
    op.create_table(
        "covenant_signatures",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("covenant_id", BigId, sa.ForeignKey("cluster_covenants.id"), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "document_version_id", BigId, sa.ForeignKey("document_versions.id"), nullable=False
        ),
        sa.UniqueConstraint("covenant_id", "unit_id", name="uq_covenant_signatures_unit"),
    )


def downgrade() -> None:
    op.drop_table("covenant_signatures")
    op.drop_table("covenant_commitments")
    op.drop_table("cluster_covenants")
