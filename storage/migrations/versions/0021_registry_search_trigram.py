"""the registry's search by words inside names: a trigram index on PostgreSQL

- registry_awards.search_text: a GIN index with pg_trgm's operator class, so that
  `search_text LIKE '%word%'` (domain/search.py folds both sides) is answered from the
  index over a million records instead of a scan. The extension pg_trgm ships with
  PostgreSQL (Debian's postgresql-15 contrib). On SQLite nothing is done: the embedded
  mode scans, which its sizes allow.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 00:00:00
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_registry_awards_search_trgm ON registry_awards "
        "USING gin (search_text gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_registry_awards_search_trgm")
