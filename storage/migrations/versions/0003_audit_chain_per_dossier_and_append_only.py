"""audit chain per dossier, on-behalf-of, append-only triggers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-20 22:59:20.905259

The database itself refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) on
`audit_events`, and lets the chain head only move forward one event at a time.

On SQLite, a later migration that recreates `audit_events` in batch mode ("move and
copy") loses these triggers with the old table: create them again in that migration
(tests/storage/test_audit_chain.py checks they are in place after `upgrade`).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

PG_UP = [
    """
    CREATE OR REPLACE FUNCTION tdkt_audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'tdkt: % on % is refused: the audit log is append-only',
            TG_OP, TG_TABLE_NAME;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tdkt_audit_head_forward() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 THEN
            RAISE EXCEPTION 'tdkt: % on audit_chain_head is refused: the head only moves '
                'forward by one event', TG_OP;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION tdkt_audit_refuse_change()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION tdkt_audit_refuse_change()",
    "CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE OR DELETE ON audit_chain_head "
    "FOR EACH ROW EXECUTE FUNCTION tdkt_audit_head_forward()",
    "CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION tdkt_audit_refuse_change()",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head",
    "DROP TRIGGER IF EXISTS audit_chain_head_forward ON audit_chain_head",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS tdkt_audit_head_forward()",
    "DROP FUNCTION IF EXISTS tdkt_audit_refuse_change()",
]
SQLITE_UP = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'tdkt: UPDATE on audit_events is refused: the audit log is "
    "append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'tdkt: DELETE on audit_events is refused: the audit log is "
    "append-only'); END",
    "CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head "
    "WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 BEGIN "
    "SELECT RAISE(ABORT, 'tdkt: UPDATE on audit_chain_head is refused: the head only "
    "moves forward by one event'); END",
    "CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head BEGIN "
    "SELECT RAISE(ABORT, 'tdkt: DELETE on audit_chain_head is refused'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_chain_head_no_delete",
    "DROP TRIGGER IF EXISTS audit_chain_head_forward",
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
]


def _run(statements: list[str]) -> None:
    for sql in statements:
        op.execute(sql)


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('on_behalf_of', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('dossier_prev_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_audit_events_dossier_seq', ['dossier_id', 'dossier_seq'])

    # After the batch above: on SQLite it recreates the table, which would drop triggers.
    _run(PG_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP)


def downgrade() -> None:
    _run(PG_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_events_dossier_seq', type_='unique')
        batch_op.drop_column('dossier_prev_hash')
        batch_op.drop_column('on_behalf_of')
        batch_op.drop_column('format')
