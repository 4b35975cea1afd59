"""attachments that can be removed or replaced, their kind and the Tờ trình each sealed
copy was filed with; the nominee's date of birth, gender and ethnicity

- documents.kind: what an attachment is (Biên bản bình xét, Giấy chứng nhận sáng kiến, …;
  domain/required_documents.py), so the documents an award requires can be checked.
- documents.removed_at / removed_by: an attachment taken out of the dossier stays archived
  and listed, marked removed (nothing archived is deleted).
- documents.replaced_by_id: the attachment that took its place.
- document_versions.filed_with_id: for a sealed copy of an attachment, the Tờ trình whose
  number its stamp carries (each Tờ trình that files the attachment seals its own copy).
- nominees.birth_date, gender, ethnicity: personal data (NĐ 13/2023/NĐ-CP).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("removed_by", BigId, nullable=True))
        batch_op.add_column(sa.Column("replaced_by_id", BigId, nullable=True))
        batch_op.create_foreign_key("fk_documents_removed_by", "users", ["removed_by"], ["id"])
        batch_op.create_foreign_key(
            "fk_documents_replaced_by_id", "documents", ["replaced_by_id"], ["id"]
        )
    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filed_with_id", BigId, nullable=True))
        batch_op.create_foreign_key(
            "fk_document_versions_filed_with_id", "documents", ["filed_with_id"], ["id"]
        )
    with op.batch_alter_table("nominees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("gender", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("ethnicity", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nominees", schema=None) as batch_op:
        batch_op.drop_column("ethnicity")
        batch_op.drop_column("gender")
        batch_op.drop_column("birth_date")
    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_document_versions_filed_with_id", type_="foreignkey")
        batch_op.drop_column("filed_with_id")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_documents_replaced_by_id", type_="foreignkey")
        batch_op.drop_constraint("fk_documents_removed_by", type_="foreignkey")
        batch_op.drop_column("replaced_by_id")
        batch_op.drop_column("removed_by")
        batch_op.drop_column("removed_at")
        batch_op.drop_column("kind")
