"""Template administration: list the forms and their versions, add a version after
checking it, read a version back. Runs inside the caller's transaction; never commits."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from api.templates.schemas import FieldOut, FormTemplatesOut, TemplateVersionOut
from doc_templates import versions
from doc_templates.catalogue import FORMS, FormSpec
from doc_templates.validation import template_problems
from domain.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    TemplateDuplicate,
    TemplateRejected,
    TemplateVersionConflict,
)
from domain.roles import Actor, Role
from storage import audit
from storage.models import TemplateVersion, User
from storage.objects import ObjectStore
from storage.repositories import templates as templates_repo
from storage.repositories import users as users_repo


def require_admin(actor: Actor) -> None:
    if Role.ADMIN not in actor.roles():
        raise Forbidden("Chỉ quản trị hệ thống được quản lý biểu mẫu.", code="admin_only")


def spec_of(code: str) -> FormSpec:
    try:
        return versions.form_spec(code)
    except KeyError:
        raise NotFound(f"Không có biểu mẫu «{code}».", code="form_not_found") from None


def version_out(s: Session, row: TemplateVersion, *, current: bool) -> TemplateVersionOut:
    who = users_repo.user_by_id(s, row.uploaded_by) if row.uploaded_by is not None else None
    return TemplateVersionOut(
        form_code=row.form_code,
        version=row.version,
        sha256=row.sha256,
        size=row.size,
        builtin=row.uploaded_by is None and row.version == versions.BUILTIN_VERSION,
        current=current,
        uploaded_by=who.username if who else None,
        uploaded_by_name=who.full_name if who else None,
        note=row.note,
        created_at=row.created_at,
    )


def listing(s: Session, store: ObjectStore) -> list[FormTemplatesOut]:
    versions.ensure_builtin(s, store)
    rows = templates_repo.template_versions(s)
    out = []
    for code, spec in FORMS.items():
        mine = [r for r in rows if r.form_code == code]
        current = mine[-1]
        out.append(
            FormTemplatesOut(
                code=code,
                title=spec.title,
                doc_type=spec.doc_type,
                current_version=current.version,
                fields=[FieldOut(**vars(f)) for f in spec.fields],
                versions=[version_out(s, r, current=r is current) for r in mine],
            )
        )
    return out


def add_version(
    s: Session, store: ObjectStore, admin: User, code: str, data: bytes, note: str
) -> TemplateVersionOut:
    """Check the upload against the catalogue and the layout rules; if it passes, store
    it write-once and make it the current version. A refused file stores nothing."""
    spec = spec_of(code)
    if not data:
        raise InvalidInput("Tệp rỗng.", code="empty_file")
    problems = template_problems(spec, data)
    if problems:
        raise TemplateRejected(problems)
    versions.ensure_builtin(s, store, code)
    existing = templates_repo.template_versions(s, code)
    sha256 = hashlib.sha256(data).hexdigest()
    same = next((v for v in existing if v.sha256 == sha256), None)
    if same is not None:
        raise TemplateDuplicate(f"Tệp trùng với phiên bản {same.version} của biểu mẫu.")
    number = 1 + max((int(v.version) for v in existing if v.version.isdigit()), default=0)
    row = versions.record_version(
        s, store, code, str(number), data, uploaded_by=admin.id, note=note.strip()
    )
    if row is None:
        raise TemplateVersionConflict()
    audit.append(
        s,
        kind="template_version_added",
        who=audit.Who(admin.id, admin.full_name, Role.ADMIN, ""),
        data={
            "form": code,
            "version": row.version,
            "sha256": row.sha256,
            "object_key": row.object_key,
            "version_id": row.object_version_id,
            "size": row.size,
            "note": row.note,
        },
    )
    return version_out(s, row, current=True)


def content(s: Session, store: ObjectStore, code: str, version: str) -> versions.ResolvedTemplate:
    spec_of(code)
    try:
        return versions.resolve_template(s, store, code, version)
    except versions.TemplateVersionNotFound:
        raise NotFound(
            f"Biểu mẫu «{code}» không có phiên bản {version}.", code="template_version_not_found"
        ) from None
