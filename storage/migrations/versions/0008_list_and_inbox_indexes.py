"""indexes for the dossier list and inbox at year-end size

The list is ordered by (updated_at, id), newest first, and a unit's list by the same
order within the unit: with 100,000 dossiers these orderings otherwise sort the whole
visible set for every page (bench/api_latency.py measures both).

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-21 00:00:00
"""

from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_dossiers_updated_at_id", "dossiers", ["updated_at", "id"])
    op.create_index("ix_dossiers_unit_updated_at", "dossiers", ["unit_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_dossiers_unit_updated_at", table_name="dossiers")
    op.drop_index("ix_dossiers_updated_at_id", table_name="dossiers")
