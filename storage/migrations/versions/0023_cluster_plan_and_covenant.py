"""the cluster's plan, its scoring criteria, the covenant and its signatures (domain/cluster_plan.py)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa  # noqa: F401 - the tables follow
from alembic import op  # noqa: F401

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
