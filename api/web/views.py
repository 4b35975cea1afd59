"""What the pages show about dossiers, built from the same services and repositories as
the JSON API (visibility, allowed actions, history), never from rules of their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from api.audit import service as audit_service
from api.audit.schemas import HistoryEntry
from api.documents import service as documents
from api.documents.service import Listed
from api.dossiers import appraisal, eligibility, service
from api.dossiers.deadlines import DeadlineOut, dossier_deadlines
from api.dossiers.eligibility import EligibilityOut
from api.dossiers.routes import EVENT_LABELS, dossier_out
from api.dossiers.schemas import AppraisalOut, DossierOut
from doc_templates.catalogue import FORMS
from documents.vn import document_number, today_vn
from domain.awards import AWARDS, NOMINEE_KIND_LABELS, NomineeKind
from domain.errors import DocumentsNotReady
from domain.personal_data import sees_personal_data
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
from domain.required_documents import requirements_in_force
from domain.roles import ROLE_LABELS, Actor, Role
from storage import outbox
from storage.models import Document, Dossier, DossierTransition
from storage.repositories import documents as documents_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

RENDITION_LABELS = {
    "pdf-signed": "PDF đã ký số, đóng dấu",
    "pdf-personal": "PDF có chữ ký của người duyệt",
    "pdf-reporter": "PDF có chữ ký của người báo cáo thành tích",
    "pdf-prepared": "PDF chờ ký",
    "docx": "DOCX",
    "upload": "Tệp gốc",
}
PREVIEWABLE = ("application/pdf", "image/png", "image/jpeg")


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


def problems_of(s: Session, d: Dossier) -> list[str]:
    """What keeps the dossier from being submitted today (the submit's own check)."""
    return service.completeness_problems(s, d)


@dataclass(frozen=True)
class RequirementView:
    label: str
    legal_basis: str
    mark: str  # "✓" confirmed in a public source, "?" believed
    note: str
    met: bool
    checked_at_submit: bool


def requirements_of(s: Session, d: Dossier) -> list[RequirementView]:
    """The documents the dossier's award requires today, with their basis, and whether
    the attachments meet each (shown on the editor's attachments and review steps)."""
    kinds = {a.kind or "" for a in documents_repo.attachments_of(s, d.id, current=True)}
    return [
        RequirementView(
            r.label, r.legal_basis, r.mark, r.note, r.met_by(kinds), r.checked_at_submit
        )
        for r in requirements_in_force(d.award, today_vn())
    ]


def award_kinds(code: str) -> str:
    award = AWARDS[code]
    return ", ".join(
        NOMINEE_KIND_LABELS[k].lower() for k in NomineeKind if k in award.nominee_kinds
    )


@dataclass(frozen=True)
class VersionView:
    id: int
    seq: int
    rendition: str
    label: str
    media_type: str
    size: int
    sha256: str
    file_name: str
    created_at: datetime
    filed_with_id: int | None = None


@dataclass(frozen=True)
class DocRef:
    """Another document named next to this one (what replaced it)."""

    id: int
    title: str
    number: str | None
    submission: int | None


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
    preview_seq: int | None = None
    """The version to preview and download (a sealed copy of this submission)."""
    file_name: str = ""
    """The name of the file the row offers (an upload's own name, a form's number and
    title)."""
    kind_label: str = ""
    removed: bool = False
    replaced_by: DocRef | None = None
    note: str = ""
    anchor: str = ""
    """The row's id in the page (an attachment filed with two submissions is listed in
    both; its latest row is `van-ban-<id>`)."""

    @property
    def preview_url(self) -> str:
        url = f"/van-ban/{self.id}?ban={self.preview}"
        return url + (f"&phien-ban={self.preview_seq}" if self.preview_seq else "")

    @property
    def verify_url(self) -> str:
        url = f"/van-ban/{self.id}/chu-ky"
        return url + (f"?phien-ban={self.preview_seq}" if self.preview_seq else "")


def doc_view(doc: Document, filed_with: int | None = None) -> DocView:
    """A document as a row. `filed_with`: for an attachment, the Tờ trình of the
    submission the row is listed under (its sealed copy is the one offered)."""
    versions = [
        VersionView(
            v.id,
            v.seq,
            v.rendition,
            RENDITION_LABELS.get(v.rendition, v.rendition),
            v.media_type,
            v.size,
            v.sha256,
            documents.display_name(doc, v),
            v.created_at,
            v.filed_with_id,
        )
        for v in doc.versions
    ]
    kinds = {v.rendition for v in versions}
    shown: VersionView | None = None
    if doc.form == "attachment":
        sealed = next((v for v in reversed(versions) if v.filed_with_id == filed_with), None)
        if filed_with is None or sealed is None:
            upload = [v for v in versions if v.rendition == "upload"]
            shown = upload[-1] if upload else None
        else:
            shown = sealed
        state = "attachment"
        label = (
            "Kèm theo, đã đóng dấu"
            if shown and shown.rendition == "pdf-signed"
            else ("Tài liệu kèm theo")
        )
        if doc.removed_at is not None:
            state, label = (
                "removed",
                "Đã thay bằng tệp khác" if doc.replaced_by_id else ("Đã gỡ bỏ khỏi hồ sơ"),
            )
        preview = shown.rendition if shown and shown.media_type in PREVIEWABLE else None
        kind = (
            ("pdf" if shown.media_type == "application/pdf" else "image")
            if shown and preview
            else ""
        )
    else:
        if "pdf-signed" in kinds:
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
        for rendition in ("pdf-signed", "pdf-personal", "pdf-reporter", "pdf-prepared"):
            v = next((x for x in reversed(versions) if x.rendition == rendition), None)
            if v is not None and v.media_type in PREVIEWABLE:
                preview, shown = rendition, v
                break
        kind = "pdf" if preview else ""
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
        signed=shown is not None and shown.rendition == "pdf-signed",
        versions=versions,
        created_at=doc.created_at,
        preview_seq=shown.seq if shown and doc.form == "attachment" else None,
        file_name=shown.file_name if shown else "",
        kind_label=documents.kind_label(doc.kind) if doc.form == "attachment" else "",
        removed=doc.removed_at is not None,
        anchor=f"van-ban-{doc.id}",
    )


@dataclass
class SubmissionGroup:
    """The documents of one submission (lần trình), or of none yet (`number` None)."""

    number: int | None
    submitted_at: datetime | None
    current: bool
    superseded_by: int | None
    documents: list[DocView] = field(default_factory=list)


def document_groups(
    s: Session, actor: Actor, d: Dossier
) -> tuple[list[SubmissionGroup], list[DocView]]:
    """The documents the actor may see, by submission, the latest first; and the drafts
    the actor is to sign now (for the approval dialog)."""
    listed = documents.listed_documents(s, actor, d)
    submits = [t for t in dossiers_repo.transitions(s, d.id) if t.action == Action.SUBMIT]
    latest = len(submits)
    by_id = {x.doc.id: x for x in listed}
    # The Tờ trình of each submission that sealed its attachments.
    sealer: dict[int, Listed] = {}
    for x in listed:
        for v in x.doc.versions:
            tt = by_id.get(v.filed_with_id or 0)
            if tt is not None and tt.placement.submission is not None:
                sealer[tt.placement.submission] = tt
    groups: dict[int | None, SubmissionGroup] = {}

    def group(n: int | None) -> SubmissionGroup:
        if n not in groups:
            at = submits[n - 1].created_at if n else None
            superseded = n + 1 if n is not None and n < latest else None
            groups[n] = SubmissionGroup(n, at, n == latest and n is not None, superseded)
        return groups[n]

    to_sign = []
    for x in listed:
        subs: list[int | None] = [*x.placement.submissions] or [None]
        for i, n in enumerate(subs):
            tt = sealer.get(n) if n is not None and x.doc.form == "attachment" else None
            view = doc_view(x.doc, tt.doc.id if tt else None)
            if i < len(subs) - 1:
                view.anchor = f"van-ban-{x.doc.id}-lan-{n}"
                later = sealer.get(subs[i + 1] or 0)
                if tt is not None and later is not None and view.signed:
                    view.note = (
                        f"Bản đóng dấu theo Tờ trình số {tt.doc.number}; lần trình "
                        f"{subs[i + 1]} đóng dấu lại theo Tờ trình số {later.doc.number}."
                    )
            elif tt is not None and view.signed:
                view.note = f"Bản đóng dấu theo Tờ trình số {tt.doc.number}."
            replaced = x.doc.replaced_by_id or x.placement.replaced_by
            if replaced and replaced in by_id:
                r = by_id[replaced]
                view.replaced_by = DocRef(
                    r.doc.id, r.doc.title, r.doc.number, r.placement.submission
                )
            if x.unused:
                view.state, view.state_label = "unused", "Bản chuẩn bị, không được ký"
            elif x.draft and view.state == "to_sign":
                to_sign.append(view)
            group(n).documents.append(view)
    for g in groups.values():  # the forms of the submission, then what was filed with them
        g.documents.sort(key=lambda v: v.form == "attachment")
    # The latest first: what the next submission will file, then 2, then 1.
    ordered = sorted(groups.values(), key=lambda g: g.number or 1_000_000, reverse=True)
    return ordered, to_sign


def can_edit(s: Session, actor: Actor, d: Dossier) -> bool:
    """Whether to offer the editing pages (the service still decides on saving)."""
    return (
        Status(d.status) in EDITABLE
        and actor.holds(Role.UNIT_CLERK, dossiers_repo.scope_of(s, d))
        and not outbox.is_processing(s, d.id)
    )


def last_return(s: Session, d: Dossier) -> DossierTransition | None:
    """The return the dossier is answering, while it is returned (or redrafted after)."""
    if Status(d.status) not in EDITABLE:
        return None
    for t in reversed(dossiers_repo.transitions(s, d.id)):
        if t.action == Action.RETURN:
            return t
        if t.action == Action.SUBMIT:
            return None
    return None


@dataclass(frozen=True)
class OwnReportView:
    """An individual's own report while the unit head waits for their signature."""

    nominee_id: int
    name: str
    document_id: int | None
    signed: bool
    mine: bool


@dataclass
class DossierView:
    d: Dossier
    out: DossierOut
    steps: list[StepView]
    entered_at: datetime
    groups: list[SubmissionGroup]
    to_sign: list[DocView]
    history: list[HistoryEntry]
    next_forms: list[FormPreview]
    problems: list[str]
    returned: DossierTransition | None
    editable: bool
    cluster_name: str | None
    personal: bool
    """Whether the reader may see the nominees' date of birth and ethnicity."""
    requirements: list[RequirementView]
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
    eligibility: EligibilityOut | None = None
    """Each nominee against the eligibility rules in force on the dossier's date."""

    @property
    def award_results(self) -> dict[int, str]:
        """By nominee id, what the award decision did for them (empty before one)."""
        return {n.id: n.award_result.text for n in self.out.nominees if n.award_result}

    @property
    def documents(self) -> list[DocView]:
        """Every document shown, once (its latest row)."""
        seen: dict[int, DocView] = {}
        for g in self.groups:
            for x in g.documents:
                seen.setdefault(x.id, x)
        return list(seen.values())

    @property
    def attachments(self) -> list[DocView]:
        """The attachments now in the dossier (what the next submission files)."""
        return [x for x in self.documents if x.form == "attachment" and not x.removed]

    @property
    def removed_attachments(self) -> list[DocView]:
        return [x for x in self.documents if x.form == "attachment" and x.removed]


def dossier_view(s: Session, actor: Actor, dossier_id: int) -> DossierView:
    d = service.visible_dossier(s, actor, dossier_id)
    out = dossier_out(s, actor, d)
    groups, to_sign = document_groups(s, actor, d)
    cluster = org_repo.cluster(s, d.cluster_id)
    approve = PROCESSES[d.process].find(Action.APPROVE, Status(d.status))
    users = users_repo.users_by_ids(s, {n.user_id for n in d.nominees if n.user_id is not None})
    return DossierView(
        d=d,
        out=out,
        steps=stepper(d),
        entered_at=dossiers_repo.entered_state_at(s, [d.id])[d.id],
        groups=groups,
        to_sign=to_sign,
        history=audit_service.history(s, actor, d.id, EVENT_LABELS, include_reads=False),
        next_forms=forms_of_next_steps(d),
        problems=problems_of(s, d),
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
        personal=sees_personal_data(actor, dossiers_repo.scope_of(s, d)),
        requirements=requirements_of(s, d),
        eligibility=eligibility.view(s, actor, d),
    )


@dataclass(frozen=True)
class SignItem:
    """A document an approval will sign, as the bulk dialog lists it."""

    document_id: int
    title: str
    form_title: str
    number_hint: str
    preview_url: str


@dataclass(frozen=True)
class SignPlan:
    dossier_id: int
    title: str
    items: list[SignItem]
    blocked: str | None = None
    """Why this dossier cannot be signed now (its documents are not prepared yet)."""


NOT_READY = (
    "Văn bản chờ ký của hồ sơ này chưa chuẩn bị xong nên chưa ký được. "
    "Hãy bỏ chọn hồ sơ này hoặc thử lại sau ít phút."
)


def signing_plan(s: Session, d: Dossier) -> SignPlan:
    """What approving `d` now signs: each prepared document with its form, the number it
    will probably get (the next of its series; the real one is taken when it is issued)
    and its preview; or why it cannot be signed yet."""
    t = PROCESSES[d.process].find(Action.APPROVE, Status(d.status))
    if t is None or not t.forms:
        return SignPlan(d.id, d.title, [])
    try:
        found = service.to_sign(s, d, t)
    except DocumentsNotReady:
        return SignPlan(d.id, d.title, [], NOT_READY)
    year = today_vn().year
    items = []
    for x in found:
        spec = FORMS[x.job.form]
        if x.job.numbered:
            series = spec.number_series(x.job.issuer.series)
            last = documents_repo.last_number(s, series, spec.doc_type_code, year)
            number = document_number(last + 1, spec.doc_type_code, x.job.issuer.code)
            hint = (
                f"Số dự kiến: {number} trở đi (số kế tiếp của sổ văn bản, cấp khi phát hành; "
                "ký nhiều hồ sơ thì mỗi văn bản một số)"
            )
        else:
            hint = "Không cấp số"
        url = f"/van-ban/{x.document_id}?ban=pdf-prepared"
        items.append(SignItem(x.document_id, x.job.title, spec.title, hint, url))
    return SignPlan(d.id, d.title, items)


@dataclass(frozen=True)
class Row:
    """A dossier in a list: what it is, where it waits and since when."""

    d: Dossier
    unit_name: str
    entered_at: datetime
    can_approve: bool
    cluster_name: str | None
    due: DeadlineOut | None = None
    """The deadline of the step it waits at (domain/deadlines.py), if the step has one."""


def rows(s: Session, actor: Actor, dossiers: list[Dossier]) -> list[Row]:
    since = dossiers_repo.entered_state_at(s, [d.id for d in dossiers])
    clusters = {c.id: c.name for c in org_repo.all_clusters(s)}
    due = dossier_deadlines(s, dossiers)
    return [
        Row(
            d,
            d.unit.name,
            since[d.id],
            Action.APPROVE in service.actions_for(s, actor, d),
            clusters.get(d.cluster_id) if d.cluster_id else None,
            due.get(d.id),
        )
        for d in dossiers
    ]
