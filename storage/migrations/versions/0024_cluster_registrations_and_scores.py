"""the members' registrations of titles and their scores per criterion (domain/cluster_scores.py)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa  # noqa: F401 - the tables follow
from alembic import op  # noqa: F401

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
