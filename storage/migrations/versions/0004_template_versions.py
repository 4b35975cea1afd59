"""template versions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-20 23:01:23.511966
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The built-in forms are not inserted here: their bytes belong in the object store,
    # which migrations do not reach. doc_templates/versions.py registers them as version
    # "1" on first use (the admin listing, an upload, or the flow resolving a form).
    op.create_table('template_versions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('form_code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('object_key', sa.String(length=1024), nullable=False),
    sa.Column('object_version_id', sa.String(length=255), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('uploaded_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name='fk_template_versions_uploaded_by_users'),
    sa.PrimaryKeyConstraint('id', name='pk_template_versions'),
    sa.UniqueConstraint('form_code', 'version', name='uq_template_versions_form_version')
    )


def downgrade() -> None:
    op.drop_table('template_versions')
