"""What the pages show about dossiers, built from the same services and repositories as
the JSON API (visibility, allowed actions, history), never from rules of their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from api.audit import service as audit_service
from api.audit.schemas import HistoryEntry
from api.dossiers import appraisal, service
from api.dossiers.routes import EVENT_LABELS, dossier_out
from api.dossiers.schemas import AppraisalOut, DossierOut
from doc_templates.catalogue import FORMS
from domain.awards import AWARDS, NOMINEE_KIND_LABELS, NomineeFacts, NomineeKind, dossier_problems
from domain.process import (
    ACTION_LABELS,
    EDITABLE,
    PROCESSES,
    STAGE_LABELS,
    STAGE_ORDER,
    STATUS_STAGE,
    Action,
    Stage,
    Status,
    Transition,
)
from domain.roles import ROLE_LABELS, Actor, Role
from storage import repositories as repo
from storage.models import Document, Dossier, DossierTransition

RENDITION_LABELS = {
    "pdf-signed": "PDF đã ký số, đóng dấu",
    "pdf-personal": "PDF có chữ ký của người duyệt",
    "pdf-reporter": "PDF có chữ ký của người báo cáo thành tích",
    "pdf-prepared": "PDF chờ ký",
    "docx": "DOCX",
    "upload": "Tệp gốc",
}
PREVIEWABLE = ("application/pdf", "image/png", "image/jpeg")
DEADLINE_NOT_SET = "Chưa quy định"


@dataclass(frozen=True)
class StepView:
    stage: str
    label: str
    state: str  # "done" | "current" | "todo"


def stepper(d: Dossier) -> list[StepView]:
    """Đơn vị → Cụm thi đua → Phòng TĐKT → Kết thúc, with where the dossier is now."""
    current = STATUS_STAGE[Status(d.status)]
    at = STAGE_ORDER.index(current)
    steps = []
    for i, stage in enumerate(STAGE_ORDER):
        if stage == Stage.DONE:
            state = "current" if current == Stage.DONE else "todo"
            if Status(d.status) == Status.APPROVED:
                state = "done"
        else:
            state = "done" if i < at else "current" if i == at else "todo"
        label = STAGE_LABELS[stage]
        if stage == Stage.DONE and Status(d.status) == Status.REJECTED:
            label = "Không đề nghị"
        steps.append(StepView(str(stage), label, state))
    return steps


@dataclass(frozen=True)
class FormPreview:
    action: str
    action_label: str
    who: str
    titles: list[str]


def forms_of_next_steps(d: Dossier) -> list[FormPreview]:
    """The forms each possible next step of the dossier will fill (the catalogue's
    titles, one per nominee where the form is per nominee)."""
    previews = []
    for t in PROCESSES[d.process].transitions:
        if t.source != Status(d.status) or not t.forms:
            continue
        who = ", ".join(ROLE_LABELS[r] for r in sorted(t.roles))
        previews.append(FormPreview(str(t.action), ACTION_LABELS[t.action], who, _titles(d, t)))
    return previews


def forms_after_submit(d: Dossier) -> list[str]:
    """What submitting prepares: the forms of the approval the dossier then waits for
    (the unit head signs the achievement reports with the unit's Tờ trình)."""
    process = PROCESSES[d.process]
    submit = next(
        (t for t in process.transitions if t.action == Action.SUBMIT and t.source == d.status),
        None,
    )
    approve = process.find(Action.APPROVE, submit.target) if submit else None
    return _titles(d, approve) if approve else []


def _titles(d: Dossier, t: Transition) -> list[str]:
    titles = []
    for f in t.forms:
        title = FORMS[f.form].title
        if f.per_nominee:
            titles += [f"{title} – {n.name}" for n in d.nominees] or [f"{title} (mỗi người)"]
        else:
            titles.append(title)
    return titles


def problems_of(d: Dossier) -> list[str]:
    award = AWARDS[d.award]
    return dossier_problems(
        award, [NomineeFacts(NomineeKind(n.kind), n.name, n.achievements) for n in d.nominees]
    )


def award_kinds(code: str) -> str:
    award = AWARDS[code]
    return ", ".join(
        NOMINEE_KIND_LABELS[k].lower() for k in NomineeKind if k in award.nominee_kinds
    )


@dataclass(frozen=True)
class VersionView:
    id: int
    rendition: str
    label: str
    media_type: str
    size: int
    sha256: str
    file_name: str
    created_at: datetime


@dataclass
class DocView:
    id: int
    title: str
    form: str
    form_title: str
    number: str | None
    issuer: str | None
    seq: int
    state: str
    state_label: str
    preview: str | None  # rendition to preview inline
    preview_kind: str  # "pdf" | "image" | ""
    signed: bool  # has a signed PDF whose signatures can be verified
    versions: list[VersionView] = field(default_factory=list)
    created_at: datetime | None = None


def doc_view(doc: Document) -> DocView:
    versions = [
        VersionView(
            v.id,
            v.rendition,
            RENDITION_LABELS.get(v.rendition, v.rendition),
            v.media_type,
            v.size,
            v.sha256,
            v.file_name,
            v.created_at,
        )
        for v in doc.versions
    ]
    kinds = {v.rendition for v in versions}
    if doc.form == "attachment":
        sealed = "pdf-signed" in kinds
        state, label = "attachment", "Kèm theo, đã đóng dấu" if sealed else "Tài liệu kèm theo"
    elif "pdf-signed" in kinds:
        state, label = "signed", "Đã ký số, đóng dấu"
    elif "pdf-personal" in kinds:
        state, label = "sealing", "Đã ký, đang đóng dấu"
    elif "pdf-reporter" in kinds:
        state, label = "to_sign", "Cá nhân đã ký, chờ thủ trưởng ký"
    elif "pdf-prepared" in kinds:
        state, label = "to_sign", "Chờ người duyệt ký"
    else:
        state, label = "draft", "Đang soạn"
    preview = None
    for rendition in ("pdf-signed", "pdf-personal", "pdf-reporter", "pdf-prepared", "upload"):
        v = next((x for x in reversed(versions) if x.rendition == rendition), None)
        if v is not None and v.media_type in PREVIEWABLE:
            preview = rendition
            kind = "pdf" if v.media_type == "application/pdf" else "image"
            break
    else:
        kind = ""
    spec = FORMS.get(doc.form)
    return DocView(
        id=doc.id,
        title=doc.title,
        form=doc.form,
        form_title=spec.title if spec else "Tài liệu kèm theo",
        number=doc.number,
        issuer=doc.issuer_name,
        seq=doc.transition_seq,
        state=state,
        state_label=label,
        preview=preview,
        preview_kind=kind,
        signed="pdf-signed" in kinds,
        versions=versions,
        created_at=doc.created_at,
    )


def can_edit(s: Session, actor: Actor, d: Dossier) -> bool:
    """Whether to offer the editing pages (the service still decides on saving)."""
    return (
        Status(d.status) in EDITABLE
        and actor.holds(Role.UNIT_CLERK, repo.scope_of(s, d))
        and not repo.is_processing(s, d.id)
    )


def last_return(s: Session, d: Dossier) -> DossierTransition | None:
    """The return the dossier is answering, while it is returned (or redrafted after)."""
    if Status(d.status) not in EDITABLE:
        return None
    for t in reversed(repo.transitions(s, d.id)):
        if t.action == Action.RETURN:
            return t
        if t.action == Action.SUBMIT:
            return None
    return None


@dataclass
class DossierView:
    d: Dossier
    out: DossierOut
    steps: list[StepView]
    entered_at: datetime
    documents: list[DocView]
    to_sign: list[DocView]
    history: list[HistoryEntry]
    next_forms: list[FormPreview]
    problems: list[str]
    returned: DossierTransition | None
    editable: bool
    cluster_name: str | None
    deadline: str = DEADLINE_NOT_SET
    appraisal: AppraisalOut | None = None
    """The recorded results, for those who read them (the Phòng, the Sở, auditors)."""
    approve_signs: bool = True
    """The approval the caller may take signs documents (asks for the PIN)."""
    approve_target: str | None = None
    accounts: dict[int, str] = field(default_factory=dict)
    """Usernames of the accounts individual nominees are linked to, by nominee id."""
    own_reports: list[OwnReportView] = field(default_factory=list)
    submit_forms: list[str] = field(default_factory=list)
    """What submitting prepares for the unit head to sign."""


@dataclass(frozen=True)
class OwnReportView:
    """An individual's own report while the unit head waits for their signature."""

    nominee_id: int
    name: str
    document_id: int | None
    signed: bool
    mine: bool


def dossier_view(s: Session, actor: Actor, dossier_id: int) -> DossierView:
    d = service.visible_dossier(s, actor, dossier_id)
    out = dossier_out(s, actor, d)
    docs = [doc_view(doc) for doc in repo.documents_of(s, d.id)]
    for x in docs:
        if x.state == "to_sign" and x.seq != d.transition_seq + 1:
            # Prepared for an approval that did not happen (the dossier was returned).
            x.state, x.state_label = "unused", "Bản chuẩn bị, không được ký"
    to_sign = [x for x in docs if x.state == "to_sign"]
    cluster = repo.cluster(s, d.cluster_id)
    approve = PROCESSES[d.process].find(Action.APPROVE, Status(d.status))
    users = repo.users_by_ids(s, {n.user_id for n in d.nominees if n.user_id is not None})
    return DossierView(
        d=d,
        out=out,
        steps=stepper(d),
        entered_at=repo.entered_state_at(s, [d.id])[d.id],
        documents=docs,
        to_sign=to_sign,
        history=audit_service.history(s, actor, d.id, EVENT_LABELS, include_reads=False),
        next_forms=forms_of_next_steps(d),
        problems=problems_of(d),
        returned=last_return(s, d),
        editable=can_edit(s, actor, d),
        cluster_name=cluster.name if cluster else None,
        appraisal=appraisal.view(s, actor, d) if appraisal.may_read(s, actor, d) else None,
        approve_signs=approve is not None and bool(approve.forms),
        approve_target=str(approve.target) if approve else None,
        accounts={n.id: users[n.user_id].username for n in d.nominees if n.user_id in users},
        own_reports=[
            OwnReportView(
                r.nominee.id,
                r.nominee.name,
                r.document_id,
                r.signed is not None,
                r.nominee.user_id == actor.user_id,
            )
            for r in service.own_reports(s, d)
        ],
        submit_forms=forms_after_submit(d),
    )


@dataclass(frozen=True)
class Row:
    """A dossier in a list: what it is, where it waits and since when."""

    d: Dossier
    unit_name: str
    entered_at: datetime
    can_approve: bool
    cluster_name: str | None
    deadline: str = DEADLINE_NOT_SET


def rows(s: Session, actor: Actor, dossiers: list[Dossier]) -> list[Row]:
    since = repo.entered_state_at(s, [d.id for d in dossiers])
    clusters = {c.id: c.name for c in repo.all_clusters(s)}
    return [
        Row(
            d,
            d.unit.name,
            since[d.id],
            Action.APPROVE in service.actions_for(s, actor, d),
            clusters.get(d.cluster_id) if d.cluster_id else None,
        )
        for d in dossiers
    ]
