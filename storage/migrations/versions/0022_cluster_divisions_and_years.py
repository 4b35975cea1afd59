"""clusters as dated records, and the cluster's year as a subject (domain/clusters.py)

- clusters.valid_from / valid_to: when the cluster was formed and dissolved by a division
  decision of the UBND tỉnh (NULL: before tdkt kept the decisions; still in force).
- cluster_divisions: the decisions (quyết định phân cụm, khối: number, date, effective
  from, its PDF where uploaded).
- cluster_memberships: which unit belongs to which cluster from when until when, as a
  decision set it. Filled here from units.cluster_id, from 2000-01-01, with no decision.
- cluster_years: one cluster's emulation year, the subject its plan, covenant,
  registrations, scores and reviews belong to.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("clusters") as t:
        t.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        t.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
    op.create_table(
        "cluster_divisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("authority_id", BigId, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "document_version_id",
            BigId,
            sa.ForeignKey("document_versions.id"),
            nullable=True,
        ),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_cluster_divisions_authority_id", "cluster_divisions", ["authority_id"])
    op.create_table(
        "cluster_memberships",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("cluster_id", BigId, sa.ForeignKey("clusters.id"), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("division_id", BigId, sa.ForeignKey("cluster_divisions.id"), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
    )
    op.create_index("ix_cluster_memberships_unit", "cluster_memberships", ["unit_id", "valid_from"])
    op.create_index(
        "ix_cluster_memberships_cluster", "cluster_memberships", ["cluster_id", "valid_from"]
    )
    op.execute(
        "INSERT INTO cluster_memberships (cluster_id, unit_id, valid_from) "
        "SELECT cluster_id, id, DATE '2000-01-01' FROM units WHERE cluster_id IS NOT NULL"
        if op.get_bind().dialect.name == "postgresql"
        else "INSERT INTO cluster_memberships (cluster_id, unit_id, valid_from) "
        "SELECT cluster_id, id, '2000-01-01' FROM units WHERE cluster_id IS NOT NULL"
    )
    op.create_table(
        "cluster_years",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("cluster_id", BigId, sa.ForeignKey("clusters.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cluster_id", "year", name="uq_cluster_years"),
    )


def downgrade() -> None:
    op.drop_table("cluster_years")
    op.drop_table("cluster_memberships")
    op.drop_table("cluster_divisions")
    if op.get_bind().dialect.name == "sqlite":
        # A batch drop copies the table, which the units' foreign key to it refuses;
        # SQLite (3.35+) drops a plain column in place.
        op.execute("ALTER TABLE clusters DROP COLUMN valid_to")
        op.execute("ALTER TABLE clusters DROP COLUMN valid_from")
        return
    with op.batch_alter_table("clusters") as t:
        t.drop_column("valid_to")
        t.drop_column("valid_from")
