"""Document use cases shared by the JSON API and the web pages: reading a file (recorded
in the history before the bytes leave), verifying its signatures, adding an attachment.
Each runs inside the caller's transaction and never commits (a read is recorded in its
own short transaction, see `record_read`)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterator
from typing import BinaryIO

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.audit.service import record_read
from api.deps import Caller
from api.dossiers.service import visible_dossier
from documents.inspect import Refusal, check_upload
from documents.verify import InvalidPdf
from domain.errors import (
    Forbidden,
    InvalidInput,
    NotEditable,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from domain.process import EDITABLE, Status
from domain.roles import Actor, Role
from flows.runtime import Runtime
from storage import audit
from storage import repositories as repo
from storage.models import Document, DocumentVersion


class VerifyOut(BaseModel):
    document_id: int
    sha256: str
    stored_sha256_matches: bool
    signatures: list[dict[str, object]]
    ok: bool


def visible_document(s: Session, actor: Actor, doc_id: int) -> Document:
    """The document if its dossier is visible to the actor; 404 otherwise."""
    doc = repo.document(s, doc_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found")
    try:
        visible_dossier(s, actor, doc.dossier_id)
    except NotFound as e:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found") from e
    return doc


def version_of(doc: Document, rendition: str | None) -> DocumentVersion:
    """The latest file of the document (of one rendition)."""
    versions = [v for v in doc.versions if rendition is None or v.rendition == rendition]
    if not versions:
        raise NotFound("Văn bản chưa có tệp này.", code="file_not_found")
    return versions[-1]


def read_content(
    rt: Runtime, s: Session, caller: Caller, doc_id: int, rendition: str | None
) -> tuple[Iterator[bytes], DocumentVersion]:
    """The file, as pieces to send, and its version row.

    Every download goes into the history (who, which file, its SHA-256, whether the bytes
    still have it), committed before the bytes leave: no read of an archived document is
    unrecorded. So the file is read twice, in pieces: once to hash it, once to send it;
    memory stays one piece whatever the file's size."""
    doc = visible_document(s, caller.actor, doc_id)
    v = version_of(doc, rendition)
    digest = hashlib.sha256()
    for piece in rt.store.chunks(v.object_key, v.object_version_id):
        digest.update(piece)
    record_read(
        rt.db,
        user_id=caller.user.id,
        dossier_id=doc.dossier_id,
        kind="document_downloaded",
        data={
            "document_id": doc.id,
            "form": doc.form,
            "number": doc.number,
            "rendition": v.rendition,
            "object_key": v.object_key,
            "version_id": v.object_version_id,
            "sha256": v.sha256,
            "intact": digest.hexdigest() == v.sha256,
            "file_name": v.file_name,
        },
    )
    return rt.store.chunks(v.object_key, v.object_version_id), v


async def verify_document(rt: Runtime, s: Session, actor: Actor, doc_id: int) -> VerifyOut:
    """Every signature of the document's signed PDF, checked against our trust roots and
    the CRLs of the CAs the system holds, and whether the file still has the SHA-256
    recorded when it was stored."""

    def read() -> tuple[Document, DocumentVersion, bytes, list[bytes]]:
        doc = visible_document(s, actor, doc_id)
        v = version_of(doc, "pdf-signed")
        data = rt.store.get(v.object_key, v.object_version_id)
        return doc, v, data, [r.cert_pem for r in repo.trust_roots(s)]

    # The database and the store in a thread, the check in a signing process: nothing
    # of it in the event loop, which serves every other request meanwhile.
    doc, v, data, roots = await asyncio.to_thread(read)
    crls = await asyncio.to_thread(rt.crls)  # a revoked approver's signature says so
    digest = hashlib.sha256(data).hexdigest()
    try:
        reports = await rt.signing.verify(data, roots, crls)
    except InvalidPdf as e:
        raise InvalidInput("Tệp PDF không đọc được.", code="invalid_pdf") from e
    sigs = [r.to_dict() for r in reports]
    ok = digest == v.sha256 and bool(reports) and all(r.intact and r.trusted for r in reports)
    return VerifyOut(
        document_id=doc.id,
        sha256=digest,
        stored_sha256_matches=digest == v.sha256,
        signatures=sigs,
        ok=ok,
    )


def safe_file_name(name: str | None, ext: str) -> str:
    name = unicodedata.normalize("NFC", name or "tep")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .") or "tep"
    stem = name.rsplit(".", 1)[0][:100]
    return f"{stem}{ext}"


def add_attachment(
    s: Session,
    rt: Runtime,
    caller: Caller,
    dossier_id: int,
    file: BinaryIO,
    file_name: str | None,
    title: str | None,
) -> Document:
    """Store an attachment the unit's clerk uploads while the dossier is editable: checked
    by content (not by name), written once with its SHA-256, recorded in the history."""
    d = visible_dossier(s, caller.actor, dossier_id, for_update=True)
    if not caller.actor.holds(Role.UNIT_CLERK, repo.scope_of(s, d)):
        raise Forbidden(
            "Chỉ cán bộ phụ trách TĐKT của đơn vị được thêm tài liệu.", code="forbidden_action"
        )
    if Status(d.status) not in EDITABLE:
        raise NotEditable()
    limit = rt.settings.max_upload_bytes
    chunks, size = [], 0
    while chunk := file.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Tệp vượt quá {limit // (1024 * 1024)} MB.")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise InvalidInput("Tệp rỗng.", code="empty_file")
    try:
        media_type, ext = check_upload(data)
    except Refusal as e:
        raise UnsupportedMediaType(e.message, code=e.code) from e
    name = safe_file_name(file_name, ext)
    copy_no = 1 + (
        s.scalar(
            select(func.count())
            .select_from(Document)
            .where(Document.dossier_id == d.id, Document.form == "attachment")
        )
        or 0
    )
    key = f"dossiers/{d.id}/attachments/{uuid.uuid4().hex}{ext}"
    obj = rt.store.put(key, data, media_type)
    doc = Document(
        dossier_id=d.id,
        transition_seq=d.transition_seq,
        form="attachment",
        copy_no=copy_no,
        title=title or name,
    )
    s.add(doc)
    s.flush()
    s.add(
        DocumentVersion(
            document_id=doc.id,
            seq=1,
            rendition="upload",
            object_key=obj.key,
            object_version_id=obj.version_id,
            sha256=obj.sha256,
            size=obj.size,
            media_type=media_type,
            file_name=name,
        )
    )
    audit.append(
        s,
        kind="attachment_added",
        dossier_id=d.id,
        who=audit.Who(caller.user.id, caller.user.full_name, Role.UNIT_CLERK, d.unit.name),
        data={
            "document_id": doc.id,
            "object_key": obj.key,
            "version_id": obj.version_id,
            "sha256": obj.sha256,
            "file_name": name,
        },
    )
    s.flush()
    s.refresh(doc)
    return doc
