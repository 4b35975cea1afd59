"""Template versions on SQLite and PostgreSQL: the built-in form is version 1, an admin's
upload becomes current, and a document already issued keeps rendering with its own."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.templates import service
from doc_templates.catalogue import FORMS, template_path
from doc_templates.versions import (
    TemplateVersionNotFound,
    ensure_builtin,
    resolve_template,
)
from documents.render import render_docx
from domain.errors import TemplateDuplicate, TemplateRejected
from storage.db import Database
from storage.models import AuditEvent, TemplateVersion, User
from storage.objects import LocalObjectStore, ObjectCorrupted
from tests.fixtures.forms import docx_paragraphs, sample_context
from tests.fixtures.templates import (
    NEW_SENTENCE,
    as_docm,
    builtin,
    with_undeclared_field,
)
from tests.fixtures.templates import thong_bao_v2 as version_two

FORM = "thong_bao"


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    s = LocalObjectStore(tmp_path / "objects")
    s.ensure_ready()
    return s


@pytest.fixture
def admin_id(db: Database) -> int:
    with db.write() as s:
        user = User(username="admin", full_name="Quản trị hệ thống", password_hash="x")
        s.add(user)
        s.flush()
        return user.id


def upload(db: Database, store: LocalObjectStore, admin_id: int, data: bytes, note: str = ""):
    with db.write() as s:
        admin = s.get(User, admin_id)
        assert admin is not None
        return service.add_version(s, store, admin, FORM, data, note)


def stored_templates(store: LocalObjectStore) -> list[str]:
    return sorted(p.name for p in (store.root / "templates").rglob("*.docx"))


def test_built_in_form_is_version_one_until_an_admin_uploads_version_two(
    db: Database, store: LocalObjectStore, admin_id: int
):
    original = template_path(FORM).read_bytes()
    with db.write() as s:
        first = resolve_template(s, store, FORM, None)
    assert (first.version, first.data) == ("1", original)
    assert first.sha256 == hashlib.sha256(original).hexdigest()

    added = upload(db, store, admin_id, version_two(), note="Bổ sung câu thay thế")
    assert (added.version, added.current, added.uploaded_by) == ("2", True, "admin")

    with db.write() as s:
        current = resolve_template(s, store, FORM, None)
        issued_earlier = resolve_template(s, store, FORM, "1")
    assert current.version == "2" and current.data == version_two()
    assert issued_earlier.version == "1" and issued_earlier.data == original

    # What a reader gets: the new sentence in documents issued from now on, not before.
    new = "\n".join(docx_paragraphs(_render(current.data)))
    old = "\n".join(docx_paragraphs(_render(issued_earlier.data)))
    assert NEW_SENTENCE in new and NEW_SENTENCE not in old

    with db.read() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.kind == "template_version_added"))
    assert event is not None and event.actor_name == "Quản trị hệ thống"
    assert event.data["form"] == FORM and event.data["sha256"] == current.sha256


def _render(template: bytes) -> bytes:
    return render_docx(template, sample_context())


@pytest.mark.parametrize("kind", ["undeclared field", "macro-enabled document", "garbage"])
def test_a_refused_upload_stores_nothing(
    db: Database, store: LocalObjectStore, admin_id: int, kind: str
):
    data = {
        "undeclared field": with_undeclared_field(FORM),
        "macro-enabled document": as_docm(builtin(FORM)),
        "garbage": b"\x00\x01 definitely not a docx",
    }[kind]
    with db.write() as s:
        ensure_builtin(s, store, FORM)
    before = stored_templates(store)

    with pytest.raises(TemplateRejected) as refused:
        upload(db, store, admin_id, data)
    assert refused.value.status == 422 and refused.value.problems, kind

    assert stored_templates(store) == before
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TemplateVersion)) == 1
    with db.write() as s:
        assert resolve_template(s, store, FORM, None).version == "1"


def test_uploading_the_same_bytes_again_is_refused(
    db: Database, store: LocalObjectStore, admin_id: int
):
    upload(db, store, admin_id, version_two())
    with pytest.raises(TemplateDuplicate, match="phiên bản 2"):
        upload(db, store, admin_id, version_two())
    with pytest.raises(TemplateDuplicate, match="phiên bản 1"):
        upload(db, store, admin_id, template_path(FORM).read_bytes())


def test_an_unknown_version_or_form_is_an_error(db: Database, store: LocalObjectStore):
    with db.write() as s, pytest.raises(TemplateVersionNotFound):
        resolve_template(s, store, FORM, "7")
    with db.write() as s, pytest.raises(KeyError, match="unknown form"):
        resolve_template(s, store, "quyet_dinh", None)


def test_bytes_changed_behind_the_database_are_detected(db: Database, store: LocalObjectStore):
    with db.write() as s:
        ensure_builtin(s, store, FORM)
        row = s.scalar(select(TemplateVersion).where(TemplateVersion.form_code == FORM))
        assert row is not None
        row.sha256 = "0" * 64  # what a tampered record, or tampered bytes, look like
    with db.write() as s, pytest.raises(ObjectCorrupted):
        resolve_template(s, store, FORM, "1")


def test_concurrent_first_use_registers_each_form_once(db: Database, store: LocalObjectStore):
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            with db.write() as s:
                for code in FORMS:
                    resolve_template(s, store, code, None)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as s:
        rows = s.scalars(select(TemplateVersion)).all()
    assert sorted((r.form_code, r.version) for r in rows) == sorted((c, "1") for c in FORMS)
