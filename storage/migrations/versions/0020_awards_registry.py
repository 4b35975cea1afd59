"""the awards registry: people, collectives, what they hold, imports, eligibility notes

- people: a person nominated or awarded (name, gender, ethnicity, date of birth,
  identity number — personal data, domain/personal_data.py), their current unit and
  position; `merged_into_id` once the board merged the record into another
- collectives: a unit, or a part of one (phòng, tổ) with its parent unit
- person_merges: who merged which record into which, and why
- registry_awards: every award and title a person or collective holds, from a decision
  of ours, an import, or the unit's own decision; revoked (never deleted) by a revoking
  decision
- holder_restrictions: discipline, investigation or complaint, with dates
- nominees.person_id / collective_id: whom a nominee is; nominees.collective_counts:
  the figures a Tập thể lao động xuất sắc proposal states
- nominee_initiatives: the initiatives (sáng kiến) or topics a nominee's proposal rests on
- eligibility_notes: a clerk's explanation at submission, a specialist's override at
  appraisal, per nominee and rule
- registry_imports / registry_import_problems: an uploaded file of past awards, its
  check row by row, and whether it was accepted

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _holder_columns() -> list[sa.Column]:
    return [
        sa.Column("person_id", BigId, sa.ForeignKey("people.id"), nullable=True),
        sa.Column("collective_id", BigId, sa.ForeignKey("collectives.id"), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("full_name", sa.String(length=255), nullable=False),
        sa.Column("search_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("ethnicity", sa.String(length=64), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("identity_no", sa.String(length=12), nullable=True, unique=True),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=True),
        sa.Column("position", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("merged_into_id", BigId, sa.ForeignKey("people.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_people_unit_id", "people", ["unit_id"])
    op.create_index("ix_people_search_name", "people", ["search_name"])
    op.create_table(
        "collectives",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("search_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("merged_into_id", BigId, sa.ForeignKey("collectives.id"), nullable=True),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_collectives_unit_id", "collectives", ["unit_id"])
    op.create_index("ix_collectives_search_name", "collectives", ["search_name"])
    op.create_table(
        "person_merges",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kept_id", BigId, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("merged_id", BigId, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "registry_imports",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("authority_id", BigId, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("object_key", sa.String(length=512), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("rows_done", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("rows_bad", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("rows_written", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_registry_imports_sha256", "registry_imports", ["sha256"])
    op.create_table(
        "registry_import_problems",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("import_id", BigId, sa.ForeignKey("registry_imports.id"), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_registry_import_problems_import_row",
        "registry_import_problems",
        ["import_id", "row_no"],
    )
    op.create_table(
        "registry_awards",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_holder_columns(),
        sa.Column("award", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=16), nullable=False, server_default="yearly"),
        sa.Column("decision_number", sa.String(length=64), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("holder_name", sa.String(length=255), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("units.id"), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False, server_default=""),
        sa.Column(
            "award_record_id",
            BigId,
            sa.ForeignKey("award_records.id"),
            nullable=True,
            unique=True,
        ),
        sa.Column("import_id", BigId, sa.ForeignKey("registry_imports.id"), nullable=True),
        sa.Column("document_id", BigId, sa.ForeignKey("documents.id"), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "revoked_by_amendment_id",
            BigId,
            sa.ForeignKey("decision_amendments.id"),
            nullable=True,
        ),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (collective_id IS NULL)", name="ck_registry_awards_one_holder"
        ),
        sa.UniqueConstraint(
            "person_id", "award", "year", "decision_number", name="uq_registry_awards_person"
        ),
        sa.UniqueConstraint(
            "collective_id",
            "award",
            "year",
            "decision_number",
            name="uq_registry_awards_collective",
        ),
    )
    op.create_index("ix_registry_awards_unit_id", "registry_awards", ["unit_id"])
    op.create_index("ix_registry_awards_import_id", "registry_awards", ["import_id"])
    op.create_index("ix_registry_awards_year", "registry_awards", ["year"])
    op.create_table(
        "holder_restrictions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_holder_columns(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("set_by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (collective_id IS NULL)",
            name="ck_holder_restrictions_one_holder",
        ),
    )
    op.create_index("ix_holder_restrictions_person_id", "holder_restrictions", ["person_id"])
    op.create_index(
        "ix_holder_restrictions_collective_id", "holder_restrictions", ["collective_id"]
    )
    with op.batch_alter_table("nominees") as b:
        b.add_column(sa.Column("person_id", BigId, nullable=True))
        b.add_column(sa.Column("collective_id", BigId, nullable=True))
        b.add_column(sa.Column("collective_counts", sa.JSON(), nullable=True))
        b.create_foreign_key("fk_nominees_person_id", "people", ["person_id"], ["id"])
        b.create_foreign_key("fk_nominees_collective_id", "collectives", ["collective_id"], ["id"])
        b.create_index("ix_nominees_person_id", ["person_id"])
        b.create_index("ix_nominees_collective_id", ["collective_id"])
    op.create_table(
        "nominee_initiatives",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("nominee_id", BigId, sa.ForeignKey("nominees.id"), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("title_key", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("recognized_by", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("recognized_on", sa.Date(), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("document_id", BigId, sa.ForeignKey("documents.id"), nullable=True),
    )
    op.create_index("ix_nominee_initiatives_nominee_id", "nominee_initiatives", ["nominee_id"])
    op.create_index("ix_nominee_initiatives_title_key", "nominee_initiatives", ["title_key"])
    op.create_table(
        "eligibility_notes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("nominee_id", BigId, sa.ForeignKey("nominees.id"), nullable=False),
        sa.Column("rule_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_eligibility_notes_nominee_id", "eligibility_notes", ["nominee_id"])


def downgrade() -> None:
    op.drop_table("eligibility_notes")
    op.drop_table("nominee_initiatives")
    with op.batch_alter_table("nominees") as b:
        b.drop_index("ix_nominees_collective_id")
        b.drop_index("ix_nominees_person_id")
        b.drop_constraint("fk_nominees_collective_id", type_="foreignkey")
        b.drop_constraint("fk_nominees_person_id", type_="foreignkey")
        b.drop_column("collective_counts")
        b.drop_column("collective_id")
        b.drop_column("person_id")
    op.drop_table("holder_restrictions")
    op.drop_table("registry_awards")
    op.drop_table("registry_import_problems")
    op.drop_table("registry_imports")
    op.drop_table("person_merges")
    op.drop_table("collectives")
    op.drop_table("people")
