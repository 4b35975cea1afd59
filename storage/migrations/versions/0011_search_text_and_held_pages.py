"""search without caring for capitals and Vietnamese marks; pages held for the GET after a POST

`dossiers.search_text`: the title and the nominees' names folded (lower case, no tone or
vowel marks, đ as d: domain/search.py), filled here for the dossiers that exist and kept
up to date by the models on every later write.

`held_pages`: the answer to a form's POST, kept a few minutes until the browser fetches
it with GET after the redirect (api/web/pages.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 00:00:00
"""

import sqlalchemy as sa
from alembic import op

from domain.search import search_document

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BATCH = 2000


def _fill_search_text() -> None:
    conn = op.get_bind()
    dossiers = sa.table("dossiers", sa.column("id"), sa.column("title"), sa.column("search_text"))
    nominees = sa.table(
        "nominees", sa.column("dossier_id"), sa.column("position_no"), sa.column("name")
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(dossiers.c.id, dossiers.c.title)
            .where(dossiers.c.id > last)
            .order_by(dossiers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        names: dict[int, list[str]] = {}
        for dossier_id, name in conn.execute(
            sa.select(nominees.c.dossier_id, nominees.c.name)
            .where(nominees.c.dossier_id.between(first, last))
            .order_by(nominees.c.dossier_id, nominees.c.position_no)
        ):
            names.setdefault(dossier_id, []).append(name)
        conn.execute(
            dossiers.update()
            .where(dossiers.c.id == sa.bindparam("dossier_id"))
            .values(search_text=sa.bindparam("folded")),
            [
                {"dossier_id": i, "folded": search_document(title or "", names.get(i, []))}
                for i, title in rows
            ],
        )


def upgrade() -> None:
    op.add_column(
        "dossiers", sa.Column("search_text", sa.Text(), nullable=False, server_default="")
    )
    _fill_search_text()
    op.create_table(
        "held_pages",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("binding", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=2048), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_held_pages_created_at", "held_pages", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_held_pages_created_at", table_name="held_pages")
    op.drop_table("held_pages")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("search_text")
