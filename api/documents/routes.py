"""Documents of a dossier: list, download, verify signatures; attachments upload; the
trust roots anyone needs to verify our PDFs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.documents import service
from api.documents.download import file_response
from api.documents.service import VerifyOut
from api.dossiers.service import visible_dossier
from storage import repositories as repo
from storage.models import Document

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


Rendition = Literal["pdf-signed", "pdf-personal", "pdf-prepared", "docx", "upload"]


@router.get("/documents/{doc_id}/content")
def content(
    doc_id: int,
    caller: CurrentReader,
    s: ReadSession,
    rt: RuntimeDep,
    rendition: Annotated[Rendition | None, Query()] = None,
) -> Response:
    pieces, v = service.read_content(rt, s, caller, doc_id, rendition)
    return file_response(pieces, v)


@router.get("/documents/{doc_id}/verify", response_model=VerifyOut)
async def verify(doc_id: int, caller: CurrentReader, s: ReadSession, rt: RuntimeDep) -> VerifyOut:
    return await service.verify_document(rt, s, caller.actor, doc_id)


# ---------------------------------------------------------------- attachments


@router.post("/dossiers/{dossier_id}/attachments", status_code=201, response_model=DocumentOut)
def add_attachment(
    dossier_id: int,
    caller: CurrentWriter,
    s: WriteSession,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    title: Annotated[str | None, Query(max_length=300)] = None,
) -> DocumentOut:
    doc = service.add_attachment(s, rt, caller, dossier_id, file.file, file.filename, title)
    return document_out(doc)
