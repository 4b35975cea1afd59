"""Documents of a dossier (list by submission) and of a round, download, verify
signatures; a dossier's attachments upload, removal and replacement."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from api.decisions import service as decisions_service
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.documents import service
from api.documents.download import file_response
from api.documents.service import Listed, VerifyOut
from api.dossiers.service import visible_dossier
from api.meetings import service as meetings_service
from api.rounds import service as rounds_service
from domain.required_documents import AttachmentKind
from domain.submissions import Placement
from storage.models import Document

router = APIRouter(prefix="/api/v1", tags=["documents"])


class VersionOut(BaseModel):
    id: int
    seq: int
    rendition: str
    media_type: str
    file_name: str
    """The name it is downloaded under: an upload's own name, a form's number and title."""
    size: int
    sha256: str
    object_key: str
    object_version_id: str | None
    signatures: list[dict[str, object]] | None
    created_at: datetime
    filed_with: int | None = None
    """A sealed copy of an attachment: the Tờ trình it was filed with (its number is in
    the stamp, `filed_with_number`), and that Tờ trình's submission."""
    filed_with_number: str | None = None
    submission: int | None = None


class DocumentOut(BaseModel):
    id: int
    subject_kind: str
    """What the document belongs to: `dossier`, or `round` (a round's Tờ trình)."""
    subject_id: int
    dossier_id: int | None
    """Empty for a document of another subject than a dossier (a round's)."""
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
    submission: int | None = None
    """The submission (lần trình: 1, 2, …; each `submit` begins one) the document belongs
    to; for an attachment the last one it was filed with (null: not submitted yet)."""
    submissions: list[int] = []
    """Every submission it belongs to (an attachment stays filed with each submission
    made while it is in the dossier)."""
    replaced_by: int | None = None
    """The issued document of a later submission that replaced this one."""
    superseded_by_submission: int | None = None
    """The later submission that replaced the one this document was last part of."""
    draft: bool = False
    """Prepared for an approval, not signed: listed only to whoever can sign it now (and
    to auditors)."""
    kind: str | None = None
    """An attachment's kind (bien_ban_binh_xet, giay_chung_nhan_sang_kien,
    quyet_dinh_cong_nhan_de_tai, khac)."""
    kind_label: str | None = None
    removed: bool = False
    """An attachment removed from the dossier or replaced (`replaced_by`): its files stay
    archived."""
    removed_at: datetime | None = None


Filed = dict[int, tuple[str | None, int | None]]
"""A Tờ trình's id → its number and submission (for the sealed copies it filed)."""


def document_out(
    doc: Document,
    placement: Placement | None = None,
    filed: Filed | None = None,
    *,
    draft: bool = False,
) -> DocumentOut:
    filed = filed or {}
    return DocumentOut(
        id=doc.id,
        subject_kind=doc.subject_kind,
        subject_id=doc.subject_id,
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
                file_name=service.display_name(doc, v),
                size=v.size,
                sha256=v.sha256,
                object_key=v.object_key,
                object_version_id=v.object_version_id,
                signatures=v.signatures,
                created_at=v.created_at,
                filed_with=v.filed_with_id,
                filed_with_number=filed.get(v.filed_with_id or 0, (None, None))[0],
                submission=filed.get(v.filed_with_id or 0, (None, None))[1],
            )
            for v in doc.versions
        ],
        submission=placement.submission if placement else None,
        submissions=list(placement.submissions) if placement else [],
        replaced_by=doc.replaced_by_id or (placement.replaced_by if placement else None),
        superseded_by_submission=placement.superseded_by if placement else None,
        draft=draft,
        kind=doc.kind,
        kind_label=service.kind_label(doc.kind) if doc.form == "attachment" else None,
        removed=doc.removed_at is not None,
        removed_at=doc.removed_at,
    )


def documents_out(listed: list[Listed]) -> list[DocumentOut]:
    filed = {x.doc.id: (x.doc.number, x.placement.submission) for x in listed}
    return [document_out(x.doc, x.placement, filed, draft=x.draft) for x in listed]


@router.get("/dossiers/{dossier_id}/documents", response_model=list[DocumentOut])
def list_documents(dossier_id: int, caller: CurrentReader, s: ReadSession) -> list[DocumentOut]:
    """The dossier's documents, each with its submission (lần trình) and what a later
    submission replaced it with; drafts only for whoever can sign them now."""
    d = visible_dossier(s, caller.actor, dossier_id)
    return documents_out(service.listed_documents(s, caller.actor, d))


@router.get("/rounds/{round_id}/documents", response_model=list[DocumentOut])
def list_round_documents(round_id: int, caller: CurrentReader, s: ReadSession) -> list[DocumentOut]:
    """The round's documents (its Tờ trình with the list); the draft prepared for the
    leader only to whoever can sign it now, and to auditors. Their files and signatures
    are served by /documents/{id}/content and /documents/{id}/verify, as a dossier's."""
    r = rounds_service.visible_round(s, caller.actor, round_id)
    return [
        document_out(doc, draft=draft) for doc, draft in service.round_documents(s, caller.actor, r)
    ]


@router.get("/meetings/{meeting_id}/documents", response_model=list[DocumentOut])
def list_meeting_documents(
    meeting_id: int, caller: CurrentReader, s: ReadSession
) -> list[DocumentOut]:
    """The meeting's documents (its Biên bản); the draft only to its secretary and chair
    (who sign it) and to auditors."""
    m = meetings_service.visible_meeting(s, caller.actor, meeting_id)
    return [
        document_out(doc, draft=draft)
        for doc, draft in service.meeting_documents(s, caller.actor, m)
    ]


@router.get("/decisions/{decision_id}/documents", response_model=list[DocumentOut])
def list_decision_documents(
    decision_id: int, caller: CurrentReader, s: ReadSession
) -> list[DocumentOut]:
    """The decision's documents (the Quyết định with its list): the draft prepared for
    the signer only to the drafter, whoever can sign it now and auditors."""
    d = decisions_service.visible_decision(s, caller.actor, decision_id)
    return [
        document_out(doc, draft=draft)
        for doc, draft in service.decision_documents(s, caller.actor, d)
    ]


Rendition = Literal["pdf-signed", "pdf-personal", "pdf-prepared", "docx", "upload"]


@router.get("/documents/{doc_id}/content")
def content(
    doc_id: int,
    caller: CurrentReader,
    s: ReadSession,
    rt: RuntimeDep,
    rendition: Annotated[Rendition | None, Query()] = None,
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> Response:
    """The file (the latest of `rendition`, or the document's version `version`), named
    by the number and title of the document or, for an upload, by its own name:
    `Content-Disposition` carries an ASCII `filename` and the UTF-8 `filename*`."""
    pieces, v, name = service.read_content(rt, s, caller, doc_id, rendition, version)
    return file_response(pieces, v, name)


@router.get("/documents/{doc_id}/verify", response_model=VerifyOut)
async def verify(
    doc_id: int,
    caller: CurrentReader,
    s: ReadSession,
    rt: RuntimeDep,
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> VerifyOut:
    return await service.verify_document(rt, s, caller.actor, doc_id, version)


# ---------------------------------------------------------------- attachments


KindQuery = Annotated[
    AttachmentKind | None,
    Query(description="Loại tài liệu (mặc định: khac – tài liệu khác)"),
]
TitleQuery = Annotated[str | None, Query(max_length=300)]


@router.post("/dossiers/{dossier_id}/attachments", status_code=201, response_model=DocumentOut)
def add_attachment(
    dossier_id: int,
    caller: CurrentWriter,
    s: WriteSession,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    title: TitleQuery = None,
    kind: KindQuery = None,
) -> DocumentOut:
    doc = service.add_attachment(s, rt, caller, dossier_id, file.file, file.filename, title, kind)
    return document_out(doc)


@router.put("/dossiers/{dossier_id}/attachments/{doc_id}", response_model=DocumentOut)
def replace_attachment(
    dossier_id: int,
    doc_id: int,
    caller: CurrentWriter,
    s: WriteSession,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    title: TitleQuery = None,
    kind: KindQuery = None,
) -> DocumentOut:
    """A new file in the place of an attachment, while the dossier is a draft or
    returned (409 otherwise): a new document (its title and kind kept unless given); the
    earlier one stays archived and listed, `removed` and `replaced_by` the new one."""
    doc = service.replace_attachment(
        s, rt, caller, dossier_id, doc_id, file.file, file.filename, title, kind
    )
    return document_out(doc)


@router.delete("/dossiers/{dossier_id}/attachments/{doc_id}", response_model=DocumentOut)
def remove_attachment(
    dossier_id: int, doc_id: int, caller: CurrentWriter, s: WriteSession
) -> DocumentOut:
    """Take an attachment out of a draft or returned dossier (409 otherwise). Nothing is
    deleted: it stays archived and listed, `removed`, and the history says who did it."""
    return document_out(service.remove_attachment(s, caller, dossier_id, doc_id))
