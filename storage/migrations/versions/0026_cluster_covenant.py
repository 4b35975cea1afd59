"""the cluster's covenant (giao ước thi đua): members' commitments and signatures

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa  # noqa: F401 - the tables follow
from alembic import op  # noqa: F401

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
