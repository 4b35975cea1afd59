"""Document use cases shared by the JSON API and the web pages: listing a dossier's
documents by submission, reading a file (recorded in the history before the bytes leave),
verifying its signatures, adding, removing and replacing an attachment. Each runs inside
the caller's transaction and never commits (a read is recorded in its own short
transaction, see `record_read`).

Unsigned drafts (forms prepared for an approval, never issued) are shown only to whoever
can sign them now, and to auditors; to anyone else they do not exist (404)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.audit.service import record_read
from api.clusters import proposal_service
from api.clusters import service as clusters_service
from api.decisions import service as decisions_service
from api.deps import Caller
from api.dossiers.service import visible_dossier
from api.meetings import service as meetings_service
from api.people import service as people_service
from api.rounds import service as rounds_service
from documents import names
from documents.inspect import Refusal, check_upload
from documents.names import upload_name
from documents.verify import InvalidPdf
from domain.cluster_vote import PROCESS as CLUSTER_VOTE
from domain.cluster_vote import chairs as chairs_vote
from domain.errors import (
    Forbidden,
    InvalidInput,
    NotEditable,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from domain.meetings import MemberRole
from domain.process import EDITABLE, PROCESSES, Action, Status, allowed_actions
from domain.required_documents import ATTACHMENT_KIND_LABELS, AttachmentKind
from domain.roles import Actor, Role
from domain.subjects import Subject, SubjectKind
from domain.submissions import ATTACHMENT, DocFacts, Placement, StepFacts, place
from issuing.runtime import Runtime
from storage import audit
from storage import meetings as meetings_store
from storage.models import (
    AwardDecision,
    AwardRound,
    ClusterYear,
    Document,
    DocumentVersion,
    Dossier,
    Meeting,
    subject_columns,
    utcnow,
)
from storage.repositories import documents as documents_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import keys as keys_repo


class VerifyOut(BaseModel):
    document_id: int
    sha256: str
    stored_sha256_matches: bool
    signatures: list[dict[str, object]]
    ok: bool


def is_draft(doc: Document) -> bool:
    """A form prepared for an approval and never signed (no personal nor issued PDF)."""
    kinds = {v.rendition for v in doc.versions}
    return doc.form != ATTACHMENT and not kinds & {"pdf-signed", "pdf-personal"}


def sees_draft(s: Session, actor: Actor, d: Dossier, doc: Document) -> bool:
    """Auditors see every draft; an approver the drafts they can sign now (those of the
    approval the dossier waits for); nobody else sees any."""
    if Role.AUDITOR in actor.roles():
        return True
    if doc.transition_seq != d.transition_seq + 1:
        return False  # prepared for an approval that did not happen: nobody will sign it
    process = PROCESSES[d.process]
    return Action.APPROVE in allowed_actions(
        process, Status(d.status), actor, dossiers_repo.scope_of(s, d)
    )


def visible_document(s: Session, actor: Actor, doc_id: int) -> Document:
    """The document if its subject (a dossier, a round, a person or collective — a unit's
    decision uploaded with a title) is visible to the actor and, for
    a draft, if the actor may see it; 404 otherwise."""
    doc = documents_repo.document(s, doc_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found")
    try:
        if doc.subject_kind == SubjectKind.ROUND:
            r = rounds_service.visible_round(s, actor, doc.subject_id)
            hidden = is_draft(doc) and not sees_round_draft(s, actor, r, doc)
        elif (
            doc.subject_kind == SubjectKind.MEETING
            and (vote := meetings_store.meeting(s, doc.subject_id)) is not None
            and vote.process == CLUSTER_VOTE
        ):
            # A cluster's vote: its Biên bản to whoever sees the cluster's year; the draft
            # to its secretary and its chairs, and auditors.
            year = s.get(ClusterYear, vote.about_id)
            if year is None:
                raise NotFound()
            ctx = clusters_service.load_year(s, actor, year.cluster_id, year.year)
            hidden = is_draft(doc) and not sees_vote_draft(actor, vote, ctx)
        elif doc.subject_kind == SubjectKind.MEETING:
            m = meetings_service.visible_meeting(s, actor, doc.subject_id)
            hidden = is_draft(doc) and not sees_meeting_draft(actor, m)
        elif doc.subject_kind == SubjectKind.DECISION:
            dec = decisions_service.visible_decision(s, actor, doc.subject_id)
            hidden = is_draft(doc) and not sees_decision_draft(s, actor, dec, doc)
        elif doc.subject_kind == SubjectKind.PERSON:
            # A unit's own decision uploaded with a title it entered: whoever sees the
            # person's record (domain/people.py), nothing is a draft.
            people_service.visible_person(s, actor, doc.subject_id)
            hidden = False
        elif doc.subject_kind == SubjectKind.COLLECTIVE:
            people_service.visible_collective(s, actor, doc.subject_id)
            hidden = False
        elif doc.subject_kind == SubjectKind.CLUSTER_YEAR:
            # A cluster year's documents (its plan, …): whoever sees the year (its
            # members, the board, auditors); a draft only who runs the year and auditors.
            year = s.get(ClusterYear, doc.subject_id)
            if year is None:
                raise NotFound()
            ctx = clusters_service.load_year(s, actor, year.cluster_id, year.year)
            # The members read the covenant before they sign it (api/clusters/covenant.py).
            hidden = (
                is_draft(doc)
                and doc.form != "giao_uoc_thi_dua"
                and not (ctx.access.runs or Role.AUDITOR in actor.roles())
            )
        elif doc.subject_kind == SubjectKind.CLUSTER_PROPOSAL:
            # The cluster's Tờ trình: whoever sees its year; a draft only who runs the
            # year and auditors.
            ctx = proposal_service.year_of_proposal(s, actor, doc.subject_id)
            hidden = is_draft(doc) and not (ctx.access.runs or Role.AUDITOR in actor.roles())
        else:
            d = visible_dossier(s, actor, doc.subject_id)
            hidden = is_draft(doc) and not sees_draft(s, actor, d, doc)
    except NotFound as e:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found") from e
    if hidden:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found")
    return doc


def sees_vote_draft(actor: Actor, m: Meeting, ctx: clusters_service.YearContext) -> bool:
    """A cluster vote's Biên bản before it is issued: its secretary, the chairs (the head
    unit's cluster approver or head), auditors."""
    secretary = next((x.user_id for x in m.members if x.role == MemberRole.SECRETARY), None)
    return (
        Role.AUDITOR in actor.roles()
        or secretary == actor.user_id
        or chairs_vote(actor, ctx.head_unit_id, ctx.term.id if ctx.term else None)
    )


def sees_round_draft(s: Session, actor: Actor, r: AwardRound, doc: Document) -> bool:
    """A round's Tờ trình prepared for the leader: the leader who can sign it now, and
    auditors."""
    if Role.AUDITOR in actor.roles():
        return True
    return doc.transition_seq == r.transition_seq + 1 and Action.APPROVE in (
        rounds_service.actions_for(s, actor, r)
    )


def sees_meeting_draft(actor: Actor, m: Meeting) -> bool:
    """A meeting's Biên bản before it is issued: its secretary and chair (who sign it),
    and auditors."""
    if Role.AUDITOR in actor.roles():
        return True
    me = meetings_service.member_of(m, actor.user_id)
    return me is not None and me.role in (MemberRole.SECRETARY, MemberRole.CHAIR)


def meeting_documents(s: Session, actor: Actor, m: Meeting) -> list[tuple[Document, bool]]:
    """The meeting's documents the actor may see, each with whether it is a draft."""
    shown = []
    for doc in documents_repo.subject_documents(s, meetings_service.subject_of(m)):
        draft = is_draft(doc)
        if not draft or sees_meeting_draft(actor, m):
            shown.append((doc, draft))
    return shown


def sees_decision_draft(s: Session, actor: Actor, d: AwardDecision, doc: Document) -> bool:
    """A Quyết định prepared for the signer: the specialist who sent it, the leader who
    can sign it now, and auditors."""
    if Role.AUDITOR in actor.roles():
        return True
    return doc.transition_seq == d.transition_seq + 1 and (
        Action.APPROVE in decisions_service.actions_for(s, actor, d)
        or actor.holds(Role.BOARD_SPECIALIST, decisions_service.scope_of(d))
    )


def decision_documents(s: Session, actor: Actor, d: AwardDecision) -> list[tuple[Document, bool]]:
    """The decision's documents the actor may see, each with whether it is a draft."""
    shown = []
    for doc in documents_repo.subject_documents(s, decisions_service.subject_of(d)):
        draft = is_draft(doc)
        if not draft or sees_decision_draft(s, actor, d, doc):
            shown.append((doc, draft))
    return shown


def round_documents(s: Session, actor: Actor, r: AwardRound) -> list[tuple[Document, bool]]:
    """The round's documents the actor may see, each with whether it is a draft."""
    shown = []
    for doc in documents_repo.subject_documents(s, rounds_service.subject_of(r)):
        draft = is_draft(doc)
        if not draft or sees_round_draft(s, actor, r, doc):
            shown.append((doc, draft))
    return shown


def display_name(doc: Document, v: DocumentVersion) -> str:
    """The name a person sees and downloads: an attachment's own (uploaded) name; a
    form's number and title (documents/names.py), whatever its storage key is."""
    return names.display_name(doc.form, doc.title, doc.number, v.rendition, v.file_name)


@dataclass(frozen=True)
class Listed:
    """A document of the dossier as the reader may see it, with its submission."""

    doc: Document
    placement: Placement
    draft: bool
    unused: bool
    """A draft prepared for an approval that did not happen (shown to auditors only)."""


def listed_documents(s: Session, actor: Actor, d: Dossier) -> list[Listed]:
    """The dossier's documents the actor may see, each with the submission(s) it
    belongs to and what replaced it (domain/submissions.py)."""
    docs = list(documents_repo.documents_of(s, d.id))
    steps = [StepFacts(t.seq, t.action, t.created_at) for t in dossiers_repo.transitions(s, d.id)]
    facts = [
        DocFacts(
            doc.id,
            doc.form,
            doc.copy_no,
            doc.transition_seq,
            any(v.rendition == "pdf-signed" for v in doc.versions),
            doc.removed_at,
        )
        for doc in docs
    ]
    placed = place(facts, steps)
    shown = []
    for doc in docs:
        draft = is_draft(doc)
        if draft and not sees_draft(s, actor, d, doc):
            continue
        unused = draft and doc.transition_seq != d.transition_seq + 1
        shown.append(Listed(doc, placed[doc.id], draft, unused))
    return shown


def version_of(doc: Document, rendition: str | None, seq: int | None = None) -> DocumentVersion:
    """The latest file of the document (of one rendition), or its version `seq` (an
    attachment's copy sealed for an earlier Tờ trình)."""
    versions = [
        v
        for v in doc.versions
        if (rendition is None or v.rendition == rendition) and (seq is None or v.seq == seq)
    ]
    if not versions:
        raise NotFound("Văn bản chưa có tệp này.", code="file_not_found")
    return versions[-1]


def read_content(
    rt: Runtime,
    s: Session,
    caller: Caller,
    doc_id: int,
    rendition: str | None,
    seq: int | None = None,
) -> tuple[Iterator[bytes], DocumentVersion, str]:
    """The file, as pieces to send, its version row and the name to send it under.

    Every download goes into the history (who, which file, its SHA-256, whether the bytes
    still have it), committed before the bytes leave: no read of an archived document is
    unrecorded. So the file is read twice, in pieces: once to hash it, once to send it;
    memory stays one piece whatever the file's size."""
    doc = visible_document(s, caller.actor, doc_id)
    v = version_of(doc, rendition, seq)
    name = display_name(doc, v)
    digest = hashlib.sha256()
    for piece in rt.store.chunks(v.object_key, v.object_version_id):
        digest.update(piece)
    record_read(
        rt.db,
        user_id=caller.user.id,
        subject=Subject(SubjectKind(doc.subject_kind), doc.subject_id),
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
            "file_name": name,
        },
    )
    return rt.store.chunks(v.object_key, v.object_version_id), v, name


async def verify_document(
    rt: Runtime, s: Session, actor: Actor, doc_id: int, seq: int | None = None
) -> VerifyOut:
    """Every signature of the document's signed PDF (or of its version `seq`), checked
    against our trust roots and the CRLs of the CAs the system holds, and whether the
    file still has the SHA-256 recorded when it was stored."""

    def read() -> tuple[Document, DocumentVersion, bytes, list[bytes]]:
        doc = visible_document(s, actor, doc_id)
        v = version_of(doc, "pdf-signed", seq)
        data = rt.store.get(v.object_key, v.object_version_id)
        return doc, v, data, [r.cert_pem for r in keys_repo.trust_roots(s)]

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


def attachment_kind(raw: str | None) -> AttachmentKind:
    """The kind the clerk picked (default: Tài liệu khác), or 422."""
    try:
        return AttachmentKind(raw or AttachmentKind.KHAC)
    except ValueError as e:
        raise InvalidInput(
            "Hãy chọn loại tài liệu trong danh sách.", code="invalid_attachment_kind"
        ) from e


def _clerk_dossier(s: Session, caller: Caller, dossier_id: int, what: str) -> Dossier:
    """The dossier, locked, if the caller is its unit's clerk and it is editable."""
    d = visible_dossier(s, caller.actor, dossier_id, for_update=True)
    if not caller.actor.holds(Role.UNIT_CLERK, dossiers_repo.scope_of(s, d)):
        raise Forbidden(
            f"Chỉ cán bộ phụ trách TĐKT của đơn vị được {what} tài liệu.",
            code="forbidden_action",
        )
    if Status(d.status) not in EDITABLE:
        raise NotEditable(
            f"Chỉ {what} tài liệu kèm theo khi hồ sơ là dự thảo hoặc bị trả lại; "
            "hồ sơ đã trình thì không sửa được."
        )
    return d


def _read_upload(rt: Runtime, file: BinaryIO) -> tuple[bytes, str, str]:
    """The uploaded bytes, checked by size and by content: (data, media type, ext)."""
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
    return data, media_type, ext


def _new_attachment(
    s: Session,
    rt: Runtime,
    d: Dossier,
    upload: tuple[bytes, str, str],
    file_name: str | None,
    title: str | None,
    kind: AttachmentKind,
) -> tuple[Document, DocumentVersion]:
    data, media_type, ext = upload
    name = upload_name(file_name, ext)
    copy_no = 1 + len(documents_repo.attachments_of(s, d.id))
    key = f"dossiers/{d.id}/attachments/{uuid.uuid4().hex}{ext}"
    obj = rt.store.put(key, data, media_type)
    doc = Document(
        **subject_columns(d.subject),
        transition_seq=d.transition_seq,
        form=ATTACHMENT,
        copy_no=copy_no,
        title=title or name.rsplit(".", 1)[0],
        kind=kind.value,
    )
    s.add(doc)
    s.flush()
    v = DocumentVersion(
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
    s.add(v)
    s.flush()
    return doc, v


def _file_data(doc: Document, v: DocumentVersion) -> dict[str, object]:
    return {
        "document_id": doc.id,
        "title": doc.title,
        "kind": doc.kind,
        "object_key": v.object_key,
        "version_id": v.object_version_id,
        "sha256": v.sha256,
        "file_name": v.file_name,
    }


def _who(caller: Caller, d: Dossier) -> audit.Who:
    return audit.Who(caller.user.id, caller.user.full_name, Role.UNIT_CLERK, d.unit.name)


def add_attachment(
    s: Session,
    rt: Runtime,
    caller: Caller,
    dossier_id: int,
    file: BinaryIO,
    file_name: str | None,
    title: str | None,
    kind: str | None = None,
) -> Document:
    """Store an attachment the unit's clerk uploads while the dossier is editable: checked
    by content (not by name), written once with its SHA-256, recorded in the history."""
    d = _clerk_dossier(s, caller, dossier_id, "thêm")
    picked = attachment_kind(kind)
    doc, v = _new_attachment(s, rt, d, _read_upload(rt, file), file_name, title, picked)
    audit.append(
        s, kind="attachment_added", dossier_id=d.id, who=_who(caller, d), data=_file_data(doc, v)
    )
    s.flush()
    s.refresh(doc)
    return doc


def _current_attachment(s: Session, d: Dossier, doc_id: int) -> Document:
    doc = documents_repo.document(s, doc_id)
    if doc is None or doc.dossier_id != d.id or doc.form != ATTACHMENT:
        raise NotFound("Không tìm thấy tài liệu kèm theo.", code="attachment_not_found")
    if doc.removed_at is not None:
        raise NotEditable(
            "Tài liệu này đã được gỡ bỏ hoặc thay bằng tệp khác.", code="attachment_removed"
        )
    return doc


def remove_attachment(s: Session, caller: Caller, dossier_id: int, doc_id: int) -> Document:
    """Take an attachment out of the editable dossier. Nothing archived is deleted: its
    files stay in the store and in the listing, the document is marked removed and the
    history says who removed it."""
    d = _clerk_dossier(s, caller, dossier_id, "gỡ bỏ")
    doc = _current_attachment(s, d, doc_id)
    doc.removed_at, doc.removed_by = utcnow(), caller.user.id
    s.flush()
    audit.append(
        s,
        kind="attachment_removed",
        dossier_id=d.id,
        who=_who(caller, d),
        data={"document_id": doc.id, "title": doc.title, "kind": doc.kind},
    )
    return doc


def replace_attachment(
    s: Session,
    rt: Runtime,
    caller: Caller,
    dossier_id: int,
    doc_id: int,
    file: BinaryIO,
    file_name: str | None,
    title: str | None = None,
    kind: str | None = None,
) -> Document:
    """A new file in the place of an attachment (same title and kind unless given): a new
    document; the earlier one stays archived, marked replaced by it."""
    d = _clerk_dossier(s, caller, dossier_id, "thay")
    old = _current_attachment(s, d, doc_id)
    picked = attachment_kind(kind or old.kind)
    upload = _read_upload(rt, file)
    doc, v = _new_attachment(s, rt, d, upload, file_name, title or old.title, picked)
    old.removed_at, old.removed_by, old.replaced_by_id = utcnow(), caller.user.id, doc.id
    s.flush()
    audit.append(
        s,
        kind="attachment_replaced",
        dossier_id=d.id,
        who=_who(caller, d),
        data={**_file_data(doc, v), "replaces_document_id": old.id, "replaces_title": old.title},
    )
    s.flush()
    s.refresh(doc)
    return doc


def kind_label(kind: str | None) -> str:
    try:
        return ATTACHMENT_KIND_LABELS[AttachmentKind(kind or AttachmentKind.KHAC)]
    except ValueError:
        return kind or ""
