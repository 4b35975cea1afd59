"""report forms: what the board enters for the statistics reports (TT 02/2023/TT-BNV)
and the last issued (signed, sealed) report, and the index the reports' grouped counts
read

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "report_entries",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("authority_id", BigId, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("signer_title", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("signer_name", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("preparer_name", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("updated_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_object_key", sa.String(length=512), nullable=True),
        sa.Column("issued_version_id", sa.String(length=255), nullable=True),
        sa.Column("issued_sha256", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.UniqueConstraint("authority_id", "form", "year", "scope", name="uq_report_entries_key"),
    )
    # A form's counts for a year read one year's records of its award codes, grouped.
    op.create_index(
        "ix_registry_awards_year_award_unit", "registry_awards", ["year", "award", "unit_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_registry_awards_year_award_unit", table_name="registry_awards")
    op.drop_table("report_entries")
