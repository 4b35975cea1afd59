"""Versions of the DOCX forms: which bytes are version N of a form, and which is current.

Every version's bytes live write-once in the object store under a key made from their
SHA-256 (``templates/<form>/<sha256>.docx``); the ``template_versions`` table lists
them. The form shipped in ``doc_templates/forms/`` is version "1". It is registered —
stored and listed — the first time the registry is touched for that form (the admin
listing, an upload, a download, or a flow resolving the form), in that transaction:
migrations cannot reach the object store, and registering lazily means a fresh
installation, a test database and a worker that starts before the API all end up with
the same rows without a seeding step anyone could forget. From then on the stored bytes
are version 1; a later change of the shipped file does not alter it.

An admin adds versions 2, 3, … (`api/templates/service.py`), each checked by
`doc_templates.validation` first. The newest version is the current one. A flow asks
:func:`resolve_template` for the current version when it issues a document and records
the answer on the document; a retried step passes that recorded version back and gets
exactly the same bytes, whatever was uploaded in between.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS, FormSpec, template_path
from storage.models import TemplateVersion
from storage.objects import ObjectCorrupted, ObjectExists, ObjectStore, StoredObject
from storage.repositories import templates as templates_repo

__all__ = [
    "BUILTIN_VERSION",
    "DOCX",
    "ResolvedTemplate",
    "TemplateVersionNotFound",
    "ensure_builtin",
    "form_spec",
    "object_key",
    "record_version",
    "resolve_template",
    "store_once",
]

BUILTIN_VERSION = "1"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ResolvedTemplate:
    """The exact template a document is rendered from."""

    form_code: str
    version: str
    sha256: str
    data: bytes


class TemplateVersionNotFound(LookupError):
    """No such version of the form."""


def form_spec(form_code: str) -> FormSpec:
    """The catalogue entry of a form that has versions; KeyError for any other code."""
    try:
        return FORMS[form_code]
    except KeyError:
        raise KeyError(f"unknown form code {form_code!r}; known: {', '.join(FORMS)}") from None


def object_key(form_code: str, sha256: str) -> str:
    return f"templates/{form_code}/{sha256}.docx"


def store_once(store: ObjectStore, key: str, data: bytes) -> StoredObject:
    """Write once; bytes an earlier, rolled-back attempt stored under the key are adopted
    if they are the same bytes (the key names their hash, so they must be)."""
    try:
        return store.put(key, data, DOCX)
    except ObjectExists:
        stored = store.stat(key)
        if stored.sha256 != hashlib.sha256(data).hexdigest():
            raise ObjectCorrupted(f"{key} holds other bytes than its name says") from None
        return stored


def record_version(
    s: Session,
    store: ObjectStore,
    form_code: str,
    version: str,
    data: bytes,
    *,
    uploaded_by: int | None,
    note: str = "",
) -> TemplateVersion | None:
    """Store ``data`` and list it as ``version`` of the form, inside the caller's
    transaction. Returns None when another transaction listed that version first."""
    sha256 = hashlib.sha256(data).hexdigest()
    obj = store_once(store, object_key(form_code, sha256), data)
    row = TemplateVersion(
        form_code=form_code,
        version=version,
        sha256=sha256,
        object_key=obj.key,
        object_version_id=obj.version_id,
        size=len(data),
        uploaded_by=uploaded_by,
        note=note,
    )
    try:
        with s.begin_nested():  # a lost race rolls back this insert only
            s.add(row)
            s.flush()
    except IntegrityError:
        return None
    return row


def ensure_builtin(s: Session, store: ObjectStore, form_code: str | None = None) -> None:
    """Register the shipped form(s) as version "1" where the form has no version yet."""
    codes = [form_code] if form_code is not None else list(FORMS)
    known = {v.form_code for v in templates_repo.template_versions(s, form_code)}
    for code in codes:
        form_spec(code)
        if code not in known:
            data = template_path(code).read_bytes()
            record_version(
                s,
                store,
                code,
                BUILTIN_VERSION,
                data,
                uploaded_by=None,
                note="Mẫu có sẵn của hệ thống",
            )


def resolve_template(
    session: Session, store: ObjectStore, form_code: str, version: str | None
) -> ResolvedTemplate:
    """The template to render ``form_code`` with.

    ``version=None``: the current version (the one a new document records);
    a given version: exactly that one, e.g. the version recorded on a document whose
    step is retried. The bytes are checked against the SHA-256 recorded for them.

    On first use of a form this registers its built-in version in ``session`` (the
    caller commits; a write session is expected). Raises KeyError for an unknown form,
    :class:`TemplateVersionNotFound` for an unknown version, and
    :class:`~storage.objects.ObjectCorrupted` if the stored bytes do not match.
    """
    form_spec(form_code)
    if templates_repo.current_template_version(session, form_code) is None:
        ensure_builtin(session, store, form_code)
    row = (
        templates_repo.current_template_version(session, form_code)
        if version is None
        else templates_repo.template_version(session, form_code, version)
    )
    if row is None:
        raise TemplateVersionNotFound(f"form {form_code!r} has no version {version!r}")
    data = _KEPT.get(row.sha256)
    if data is None:
        data = store.get(row.object_key, row.object_version_id)
        if hashlib.sha256(data).hexdigest() != row.sha256:
            raise ObjectCorrupted(f"{row.object_key}: bytes differ from the recorded SHA-256")
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[row.sha256] = data
    return ResolvedTemplate(row.form_code, row.version, row.sha256, data)


# Template bytes already read and checked, by their SHA-256. Every prepared form
# resolves its template; in the server mode reading it was an S3 GET on the critical
# path of each step. Bytes with a given hash are the same bytes whichever store or key
# they came from, so they can be kept by hash alone; a record whose hash changed misses
# here and is checked against the store again. Versions are few (an admin uploads them).
_KEPT: dict[str, bytes] = {}
_KEPT_MAX = 64
