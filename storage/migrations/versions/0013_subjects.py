"""the engine's records refer to a subject (kind, id), not only to a dossier

- dossier_transitions, documents, outbox, notifications: `subject_kind` and `subject_id`
  (not null), filled from `dossier_id` as ('dossier', dossier_id); their unique
  constraints over (subject_kind, subject_id, …) instead of (dossier_id, …);
  `dossier_id` kept, with its foreign key, for the dossier's queries, and nullable: a
  round's rows will have none.
- audit_events: `subject_kind`, `subject_id`, `subject_seq`, `subject_prev_hash`, filled
  for a dossier's events from `dossier_id`, `dossier_seq` and `dossier_prev_hash` (empty
  for an event about no subject); unique (subject_kind, subject_id, subject_seq) instead
  of (dossier_id, dossier_seq). The filled columns are outside what format 1 and 2
  events' hashes cover, so their hashes are unchanged; events written from now on are
  format 3, whose hash covers the subject (storage/audit.py). Filling them needs the
  append-only triggers off for the length of this migration: they are dropped and made
  again (on SQLite the batch copy of the table would drop them anyway).

Downgrade: refused once a row is another subject's, or a format 3 event exists — the
code of 0012 does not know their canonical form (`tdkt audit verify` would call them
modified).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 00:00:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Gives SQLite's unnamed unique constraints (migration 0001) a name in batch mode, so
# they can be dropped; PostgreSQL named them itself.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}

# table: (its old unique columns, the new constraint's name and columns)
TABLES: dict[str, tuple[list[str], str, list[str]]] = {
    "dossier_transitions": (
        ["dossier_id", "seq"],
        "uq_dossier_transitions_subject_seq",
        ["subject_kind", "subject_id", "seq"],
    ),
    "documents": (
        ["dossier_id", "transition_seq", "form", "copy_no"],
        "uq_documents_subject_step_form_copy",
        ["subject_kind", "subject_id", "transition_seq", "form", "copy_no"],
    ),
    "outbox": (
        ["dossier_id", "transition_seq"],
        "uq_outbox_subject_step",
        ["subject_kind", "subject_id", "transition_seq"],
    ),
    "notifications": (
        ["user_id", "dossier_id", "transition_seq"],
        "uq_notifications_user_subject_step",
        ["user_id", "subject_kind", "subject_id", "transition_seq"],
    ),
}
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The append-only triggers of migration 0003, as they were.
PG_TRIGGERS_UP = [
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION tdkt_audit_refuse_change()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION tdkt_audit_refuse_change()",
]
PG_TRIGGERS_DOWN = [
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
]
SQLITE_TRIGGERS_UP = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'tdkt: UPDATE on audit_events is refused: the audit log is "
    "append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'tdkt: DELETE on audit_events is refused: the audit log is "
    "append-only'); END",
]
SQLITE_TRIGGERS_DOWN = [
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
]


def _postgres() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _triggers(on: bool) -> None:
    if _postgres():
        statements = PG_TRIGGERS_UP if on else PG_TRIGGERS_DOWN
    else:
        statements = SQLITE_TRIGGERS_UP if on else SQLITE_TRIGGERS_DOWN
    for sql in statements:
        op.execute(sql)


def _unique_name(table: str, columns: list[str]) -> str:
    """The name of the unique constraint over `columns`: PostgreSQL's own, or the one
    NAMING gives an unnamed SQLite constraint in batch mode."""
    for uc in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if list(uc["column_names"]) == columns and uc["name"]:
            return str(uc["name"])
    return f"uq_{table}_{'_'.join(columns)}"


def _batch(table: str) -> Any:
    return op.batch_alter_table(table, schema=None, naming_convention=NAMING)


def upgrade() -> None:
    for table, (old, name, new) in TABLES.items():
        old_name = _unique_name(table, old)
        with _batch(table) as b:
            b.add_column(sa.Column("subject_kind", sa.String(length=16), nullable=True))
            b.add_column(sa.Column("subject_id", sa.BigInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET subject_kind = 'dossier', subject_id = dossier_id")
        with _batch(table) as b:
            b.alter_column("subject_kind", existing_type=sa.String(length=16), nullable=False)
            b.alter_column("subject_id", existing_type=sa.BigInteger(), nullable=False)
            b.alter_column("dossier_id", existing_type=BigId, nullable=True)
            b.drop_constraint(old_name, type_="unique")
            b.create_unique_constraint(name, new)
            if table == "notifications":
                b.create_index("ix_notifications_subject", ["subject_kind", "subject_id"])

    _triggers(on=False)
    with _batch("audit_events") as b:
        b.add_column(sa.Column("subject_kind", sa.String(length=16), nullable=True))
        b.add_column(sa.Column("subject_id", sa.BigInteger(), nullable=True))
        b.add_column(sa.Column("subject_seq", sa.Integer(), nullable=True))
        b.add_column(sa.Column("subject_prev_hash", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE audit_events SET subject_kind = 'dossier', subject_id = dossier_id, "
        "subject_seq = dossier_seq, subject_prev_hash = dossier_prev_hash "
        "WHERE dossier_id IS NOT NULL"
    )
    with _batch("audit_events") as b:
        b.drop_constraint("uq_audit_events_dossier_seq", type_="unique")
        b.create_unique_constraint(
            "uq_audit_events_subject_seq", ["subject_kind", "subject_id", "subject_seq"]
        )
    # After the batch above: on SQLite it recreated the table without the triggers.
    _triggers(on=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in (*TABLES, "audit_events"):
        others = bind.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE subject_kind <> 'dossier'")
        ).scalar()
        if others:
            raise RuntimeError(
                f"{table} has {others} rows of subjects other than dossiers: "
                "migration 0012 cannot hold them"
            )
    if bind.execute(sa.text("SELECT count(*) FROM audit_events WHERE format >= 3")).scalar():
        raise RuntimeError(
            "audit_events holds format 3 events: the code of migration 0012 cannot verify them"
        )
    _triggers(on=False)
    with _batch("audit_events") as b:
        b.drop_constraint("uq_audit_events_subject_seq", type_="unique")
        b.create_unique_constraint("uq_audit_events_dossier_seq", ["dossier_id", "dossier_seq"])
        b.drop_column("subject_prev_hash")
        b.drop_column("subject_seq")
        b.drop_column("subject_id")
        b.drop_column("subject_kind")
    _triggers(on=True)

    for table, (old, name, _new) in reversed(TABLES.items()):
        with _batch(table) as b:
            if table == "notifications":
                b.drop_index("ix_notifications_subject")
            b.drop_constraint(name, type_="unique")
            b.create_unique_constraint(f"uq_{table}_{'_'.join(old)}", old)
            b.alter_column("dossier_id", existing_type=BigId, nullable=False)
            b.drop_column("subject_id")
            b.drop_column("subject_kind")
