"""Documents of a dossier: list, download, verify signatures; attachments upload; the
trust roots anyone needs to verify our PDFs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import func, select

from api.audit.service import record_read
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.dossiers.service import visible_dossier
from documents.verify import InvalidPdf, verify_pdf
from domain.errors import (
    Forbidden,
    InvalidInput,
    NotEditable,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from domain.process import EDITABLE, Status
from domain.roles import Role
from storage import audit
from storage import repositories as repo
from storage.models import Document, DocumentVersion

router = APIRouter(prefix="/api/v1", tags=["documents"])


class VersionOut(BaseModel):
    id: int
    seq: int
    rendition: str
    media_type: str
    file_name: str
    size: int
    sha256: str
    object_key: str
    object_version_id: str | None
    signatures: list[dict[str, object]] | None
    created_at: datetime


class DocumentOut(BaseModel):
    id: int
    dossier_id: int
    transition_seq: int
    form: str
    title: str
    number: str | None
    issuer_name: str | None
    template_id: str | None
    template_version: str | None
    template_sha256: str | None
    created_at: datetime
    versions: list[VersionOut]


def document_out(doc: Document) -> DocumentOut:
    return DocumentOut(
        id=doc.id,
        dossier_id=doc.dossier_id,
        transition_seq=doc.transition_seq,
        form=doc.form,
        title=doc.title,
        number=doc.number,
        issuer_name=doc.issuer_name,
        template_id=doc.template_id,
        template_version=doc.template_version,
        template_sha256=doc.template_sha256,
        created_at=doc.created_at,
        versions=[
            VersionOut(
                id=v.id,
                seq=v.seq,
                rendition=v.rendition,
                media_type=v.media_type,
                file_name=v.file_name,
                size=v.size,
                sha256=v.sha256,
                object_key=v.object_key,
                object_version_id=v.object_version_id,
                signatures=v.signatures,
                created_at=v.created_at,
            )
            for v in doc.versions
        ],
    )


@router.get("/dossiers/{dossier_id}/documents", response_model=list[DocumentOut])
def list_documents(dossier_id: int, caller: CurrentReader, s: ReadSession) -> list[DocumentOut]:
    visible_dossier(s, caller.actor, dossier_id)
    return [document_out(d) for d in repo.documents_of(s, dossier_id)]


def _visible_document(s: ReadSession, caller: CurrentReader, doc_id: int) -> Document:
    doc = repo.document(s, doc_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found")
    try:
        visible_dossier(s, caller.actor, doc.dossier_id)
    except NotFound as e:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found") from e
    return doc


def _version(doc: Document, rendition: str | None) -> DocumentVersion:
    versions = [v for v in doc.versions if rendition is None or v.rendition == rendition]
    if not versions:
        raise NotFound("Văn bản chưa có tệp này.", code="file_not_found")
    return versions[-1]


Rendition = Literal["pdf-signed", "pdf-personal", "pdf-prepared", "docx", "upload"]


@router.get("/documents/{doc_id}/content")
def content(
    doc_id: int,
    caller: CurrentReader,
    s: ReadSession,
    rt: RuntimeDep,
    rendition: Annotated[Rendition | None, Query()] = None,
) -> Response:
    doc = _visible_document(s, caller, doc_id)
    v = _version(doc, rendition)
    data = rt.store.get(v.object_key, v.object_version_id)
    # Every download goes into the history (who, which file, its SHA-256), committed
    # before the bytes leave: no read of an archived document is unrecorded.
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
            "intact": hashlib.sha256(data).hexdigest() == v.sha256,
            "file_name": v.file_name,
        },
    )
    return Response(
        data,
        media_type=v.media_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(v.file_name, safe='')}",
            "X-Content-SHA256": v.sha256,
            "X-Content-Type-Options": "nosniff",
        },
    )


class VerifyOut(BaseModel):
    document_id: int
    sha256: str
    stored_sha256_matches: bool
    signatures: list[dict[str, object]]
    ok: bool


@router.get("/documents/{doc_id}/verify", response_model=VerifyOut)
async def verify(doc_id: int, caller: CurrentReader, s: ReadSession, rt: RuntimeDep) -> VerifyOut:
    doc = _visible_document(s, caller, doc_id)
    v = _version(doc, "pdf-signed")
    data = rt.store.get(v.object_key, v.object_version_id)
    digest = hashlib.sha256(data).hexdigest()
    roots = [r.cert_pem for r in repo.trust_roots(s)]
    try:
        reports = await verify_pdf(data, roots)
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


# ---------------------------------------------------------------- attachments

_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"PK\x03\x04": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
}


def sniff(head: bytes) -> tuple[str, str]:
    for magic, kind in _TYPES.items():
        if head.startswith(magic):
            return kind
    raise UnsupportedMediaType(
        "Chỉ nhận tệp PDF, DOCX, PNG hoặc JPEG (nhận diện theo nội dung tệp).",
        code="unsupported_file_type",
    )


def safe_file_name(name: str | None, ext: str) -> str:
    name = unicodedata.normalize("NFC", name or "tep")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .") or "tep"
    stem = name.rsplit(".", 1)[0][:100]
    return f"{stem}{ext}"


@router.post("/dossiers/{dossier_id}/attachments", status_code=201, response_model=DocumentOut)
def add_attachment(
    dossier_id: int,
    caller: CurrentWriter,
    s: WriteSession,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    title: Annotated[str | None, Query(max_length=300)] = None,
) -> DocumentOut:
    d = visible_dossier(s, caller.actor, dossier_id, for_update=True)
    if not caller.actor.holds(Role.UNIT_CLERK, repo.scope_of(s, d)):
        raise Forbidden(
            "Chỉ cán bộ phụ trách TĐKT của đơn vị được thêm tài liệu.", code="forbidden_action"
        )
    if Status(d.status) not in EDITABLE:
        raise NotEditable()
    limit = rt.settings.max_upload_bytes
    chunks, size = [], 0
    while chunk := file.file.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Tệp vượt quá {limit // (1024 * 1024)} MB.")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise InvalidInput("Tệp rỗng.", code="empty_file")
    media_type, ext = sniff(data[:16])
    name = safe_file_name(file.filename, ext)
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
    return document_out(doc)
