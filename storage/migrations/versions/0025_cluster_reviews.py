"""the cluster's reviews (sơ kết, tổng kết): conferences, attendees, reports (domain/cluster_reviews.py)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa  # noqa: F401 - the tables follow
from alembic import op  # noqa: F401

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
