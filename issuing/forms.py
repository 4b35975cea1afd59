"""What a step issues, and the data each form is filled with, for any subject.

`plan_step` turns a committed transition into form jobs (which form, which copy, which
issuer); `plan_next` gives the jobs of the approval that the new state waits for, so that
their PDFs are prepared before the approver comes to sign. `form_context` builds the
render context the templates in doc_templates/ expect: always with blank room where the
number and the date go, because those are filled in after the signature
(documents/fields.py).

The engine's part is the same for every subject kind; what differs — how a subject is
loaded, its process and scope, who issues for a stage, the copies a form has, and what
its forms print — is one `SubjectForms` per kind in `KINDS` (the dossier's here, the
round's in issuing/round_forms.py). All read the database only.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from documents.vn import short_date, today_vn
from domain import appraisal, delegation
from domain.awards import AWARDS, NOMINEE_KIND_LABELS, NomineeKind
from domain.delegation import DelegationKind
from domain.nominee_details import GENDER_LABELS, Gender
from domain.policy import SubjectScope
from domain.process import PROCESSES, Action, FormStep, ProcessDefinition, Stage, Transition
from domain.roles import Role
from domain.subjects import Subject, SubjectKind
from storage import delegations
from storage.models import Dossier, DossierTransition, Nominee, User
from storage.repositories import appraisal as appraisal_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import steps
from storage.repositories import users as users_repo

from .cluster_plan_forms import ClusterPlanForms
from .cluster_proposal_forms import ClusterProposalForms
from .decision_forms import DecisionForms
from .jobs import (
    VIETNAM,
    Copy,
    FormJob,
    Issuer,
    authority_issuer,
    common_context,
    issued_at,
    leader_titles,
)
from .meeting_forms import MeetingForms
from .round_forms import RoundForms

__all__ = [
    "VIETNAM",
    "FormJob",
    "Issuer",
    "default_signer",
    "form_context",
    "issued_at",
    "jobs_for",
    "leader_titles",
    "plan_next",
    "plan_step",
]


class SubjectForms(Protocol):
    """What the engine needs of one subject kind to issue its forms."""

    def load(self, s: Session, subject_id: int) -> Any | None: ...
    def process(self, row: Any) -> ProcessDefinition: ...
    def scope(self, s: Session, row: Any) -> SubjectScope: ...
    def issuer(self, s: Session, row: Any, stage: Stage) -> Issuer: ...
    def describe(self, row: Any) -> str:
        """The subject as a notification names it."""
        ...

    def copies(
        self, row: Any, process: ProcessDefinition, step: Transition, f: FormStep
    ) -> list[Copy]: ...
    def context(
        self, s: Session, job: FormJob, row: Any, t: DossierTransition | None
    ) -> dict[str, Any]: ...


def issuer_for(s: Session, d: Dossier, stage: Stage) -> Issuer:
    if stage == Stage.UNIT:
        u = d.unit
        return Issuer(f"unit:{u.code}", u.code, u.name, u.parent_name, u.id, None)
    if stage == Stage.CLUSTER:
        term = org_repo.cluster_term(s, d.cluster_id, d.year)
        c = org_repo.cluster(s, d.cluster_id)
        if term is None or c is None:
            raise LookupError(f"cluster term missing for dossier {d.id} in {d.year}")
        head = org_repo.unit(s, term.head_unit_id)
        return Issuer(f"cluster:{c.code}", c.code, c.name, head.parent_name, head.id, None)
    return authority_issuer(s, d.authority_id)


class DossierForms:
    """A unit's dossier: issued by the unit, its cluster or the Sở, per nominee where the
    form is a nominee's report (signed first by the individual it is about)."""

    def load(self, s: Session, subject_id: int) -> Dossier | None:
        return dossiers_repo.dossier(s, subject_id)

    def process(self, row: Dossier) -> ProcessDefinition:
        return PROCESSES[row.process]

    def scope(self, s: Session, row: Dossier) -> SubjectScope:
        return dossiers_repo.scope_of(s, row)

    def issuer(self, s: Session, row: Dossier, stage: Stage) -> Issuer:
        return issuer_for(s, row, stage)

    def describe(self, row: Dossier) -> str:
        return f"Hồ sơ «{row.title}»"

    def copies(
        self, row: Dossier, process: ProcessDefinition, step: Transition, f: FormStep
    ) -> list[Copy]:
        title = FORMS[f.form].title
        if not f.per_nominee:
            return [Copy(0, None, title)]
        own = process.own_signature(step.source) if step.action == Action.APPROVE else None
        out = []
        for n in row.nominees:
            signs_own = (
                own is not None
                and own.form == f.form
                and n.kind == NomineeKind.INDIVIDUAL
                and n.user_id is not None
            )
            out.append(
                Copy(
                    n.position_no,
                    n.id,
                    f"{title} – {n.name}",
                    n.user_id if signs_own else None,
                    n.name if signs_own else "",
                )
            )
        return out

    def context(
        self, s: Session, job: FormJob, row: Dossier, t: DossierTransition | None
    ) -> dict[str, Any]:
        return _dossier_context(s, job, row, t)


KINDS: dict[SubjectKind, SubjectForms] = {
    SubjectKind.DOSSIER: DossierForms(),
    SubjectKind.ROUND: RoundForms(),
    SubjectKind.MEETING: MeetingForms(),
    SubjectKind.DECISION: DecisionForms(),
    SubjectKind.CLUSTER_YEAR: ClusterPlanForms(),
    SubjectKind.CLUSTER_PROPOSAL: ClusterProposalForms(),
}


def _source(s: Session, subject: Subject) -> tuple[SubjectForms, Any]:
    kind = KINDS[subject.kind]
    row = kind.load(s, subject.id)
    if row is None:
        raise LookupError(f"no {subject}")
    return kind, row


def _jobs(
    s: Session, kind: SubjectForms, row: Any, subject: Subject, step: Transition, seq: int
) -> list[FormJob]:
    process = kind.process(row)
    personal = step.action == Action.APPROVE
    issuers: dict[Stage, Issuer] = {}
    jobs = []
    for f in step.forms:
        # Who issues and who signs are the form's, as the process declares them.
        stage = process.issuer_of(step, f)
        issuer = issuers.setdefault(stage, kind.issuer(s, row, stage))
        role = step.signer_of(f)
        for c in kind.copies(row, process, step, f):
            jobs.append(
                FormJob(
                    subject,
                    seq,
                    f.form,
                    c.copy_no,
                    c.nominee_id,
                    f.numbered,
                    issuer,
                    c.title,
                    step.action,
                    role,
                    personal,
                    f.seals_attachments,
                    f.sealed,
                    c.reporter_id if personal else None,
                    c.reporter_name if personal else "",
                )
            )
    return jobs


def _as_subject(subject: Subject | int) -> Subject:
    # A dossier's callers name it by its id (the engine's older, dossier-only callers).
    return subject if isinstance(subject, Subject) else Subject.dossier(subject)


def plan_step(s: Session, subject: Subject | int, seq: int) -> list[FormJob]:
    """The forms the committed transition `seq` of `subject` issues."""
    subject = _as_subject(subject)
    kind, row = _source(s, subject)
    t = steps.transition(s, subject, seq)
    if t is None:
        raise LookupError(f"no transition {seq} for {subject}")
    step = kind.process(row).find(Action(t.action), t.from_status)
    if step is None:
        raise LookupError(f"transition {t.action} from {t.from_status} is not in the process")
    return _jobs(s, kind, row, subject, step, seq)


def jobs_for(s: Session, subject: Subject, step: Transition, seq: int) -> list[FormJob]:
    """The forms `step` will issue as transition `seq` of `subject`, before it is taken:
    a subject whose approval is prepared and signed in the approver's own request (a
    cluster's plan, whose draft changes until then)."""
    kind, row = _source(s, subject)
    return _jobs(s, kind, row, subject, step, seq)


def plan_next(s: Session, subject: Subject | int, seq: int) -> list[FormJob]:
    """The forms the approval after transition `seq` will issue (to prepare them now)."""
    subject = _as_subject(subject)
    kind, row = _source(s, subject)
    t = steps.transition(s, subject, seq)
    if t is None:
        raise LookupError(f"no transition {seq} for {subject}")
    step = kind.process(row).find(Action.APPROVE, t.to_status)
    return _jobs(s, kind, row, subject, step, seq + 1) if step is not None and step.forms else []


def default_signer(s: Session, job: FormJob) -> User:
    """Whose name a form is prepared with. For an approval: the holder of the approving
    role (a cluster's head unit before its deputy unit); if someone else who may approve
    signs instead, the form is prepared again with their name (issuing/issue.py)."""
    kind, row = _source(s, job.subject)
    # A kind may name its signer itself (a meeting's chair is a member of the meeting).
    own_pick = getattr(kind, "default_signer", None)
    if job.personal and own_pick is not None and (chosen := own_pick(s, row, job)) is not None:
        return cast(User, chosen)
    if not job.personal and job.signer_role != Role.UNIT_HEAD:
        t = steps.transition(s, job.subject, job.seq)
        actor = users_repo.user_by_id(s, t.actor_id) if t else None
        if actor is not None:
            return actor
    candidates = users_repo.users_holding(s, job.signer_role, kind.scope(s, row))
    if not candidates:
        raise LookupError(f"nobody holds {job.signer_role} for {job.subject}")
    head_unit = job.issuer.key_unit_id
    return min(candidates, key=lambda u: (not _acts_at(u, head_unit), u.id))


def _acts_at(user: User, unit_id: int | None) -> bool:
    return any(g.unit_id == unit_id for g in user.grants)


def form_context(s: Session, job: FormJob, signer: User, place: str) -> dict[str, Any]:
    kind, row = _source(s, job.subject)
    t = steps.transition(s, job.subject, job.seq)  # None while an approval is prepared
    ctx = {**common_context(job, signer, place), **kind.context(s, job, row, t)}
    ctx["signer"] = _as_delegate(s, job, signer, kind.scope(s, row), t, ctx["signer"])
    return ctx


def _as_delegate(
    s: Session,
    job: FormJob,
    signer: User,
    scope: SubjectScope,
    t: DossierTransition | None,
    block: dict[str, str],
) -> dict[str, str]:
    """The signature block of a signer who holds the signing role only through a
    delegation in force on the step's day (domain/delegation.py): «KT. TRƯỞNG PHÒNG» over
    their own position, or as the delegation's kind says; their own name."""
    on = issued_at(t).date() if t is not None else today_vn()
    actor = delegations.with_delegated(s, users_repo.actor_of(signer), on)
    under = delegations.acting_under(s, actor, job.signer_role, scope)
    if under is None:
        return block
    lines = delegation.signature_lines(
        DelegationKind(under.kind),
        head_position=under.delegator.position,
        own_position=signer.position,
        base_marker=block["marker"],
    )
    return {**block, "marker": lines.marker, "position": lines.position}


def _recipient(s: Session, d: Dossier, form: str) -> str:
    a = org_repo.authority(s, d.authority_id)
    c = org_repo.cluster(s, d.cluster_id)
    return {
        "to_trinh_don_vi": f"Trưởng {c.name}" if c else f"{a.name} ({a.board_name})",
        "to_trinh_cum": f"{a.name} ({a.board_name})",
        "phieu_tham_dinh": f"Hội đồng Thi đua – Khen thưởng tỉnh {a.province}",
        "to_trinh_ban": f"Chủ tịch Ủy ban nhân dân tỉnh {a.province}",
        "thong_bao": d.unit.name,
    }.get(form, "")


def _subject(d: Dossier, action: Action) -> str:
    if action == Action.RETURN:
        return "Về việc trả lại hồ sơ đề nghị khen thưởng"
    if action == Action.REJECT:
        return "Về việc không đề nghị khen thưởng"
    return f"Về việc đề nghị tặng {AWARDS[d.award].name} năm {d.year}"


def nominee_details(n: Nominee | None) -> dict[str, str]:
    """An individual's date of birth, gender and ethnicity as the report prints them."""
    individual = n is not None and n.kind == NomineeKind.INDIVIDUAL
    return {
        "birth_date": short_date(n.birth_date) if individual and n and n.birth_date else "",
        "gender": GENDER_LABELS[Gender(n.gender)] if individual and n and n.gender else "",
        "ethnicity": (n.ethnicity or "") if individual and n else "",
    }


def _dossier_context(
    s: Session, job: FormJob, d: Dossier, t: DossierTransition | None
) -> dict[str, Any]:
    award = AWARDS[d.award]
    c = org_repo.cluster(s, d.cluster_id)
    results = {
        n.id: appraisal_repo.appraisal_of(n.appraisal)
        for n in d.nominees
        if n.appraisal is not None
    }
    listed = list(d.nominees)
    other_forms: list[dict[str, str]] = []
    if job.form == "to_trinh_ban" and results:
        # The board proposes only whom the appraisal found đạt; those proposed for
        # another form are named apart (a dossier appraised before the results were
        # recorded, none of them, lists everyone).
        listed = [n for n in d.nominees if (a := results.get(n.id)) is not None and a.passed]
        other_forms = [
            {"name": n.name, "award": appraisal.award_label(a.other_award)}
            for n in d.nominees
            if (a := results.get(n.id)) is not None
            and not a.struck
            and a.result == appraisal.Result.OTHER_FORM
        ]
    people = [
        {
            "index": i,
            "name": n.name,
            "position": n.job_title,
            "unit_name": n.unit_name or d.unit.name,
            "achievements": n.achievements,
        }
        for i, n in enumerate((n for n in listed if n.kind == NomineeKind.INDIVIDUAL), 1)
    ]
    groups = [
        {"index": i, "name": n.name, "achievements": n.achievements}
        for i, n in enumerate((n for n in listed if n.kind == NomineeKind.COLLECTIVE), 1)
    ]
    checks = []
    for i, n in enumerate(d.nominees, 1):
        result, note = appraisal.printed(results.get(n.id))
        checks.append({"index": i, "name": n.name, "result": result, "note": note})
    nominee = next((n for n in d.nominees if n.id == job.nominee_id), None)
    return {
        "recipient": _recipient(s, d, job.form),
        "subject": _subject(d, job.action),
        "award_name": award.name,
        "year": d.year,
        "unit_name": d.unit.name,
        "cluster_name": c.name if c else "",
        "collectives": groups,
        "individuals": people,
        "counts": {"collectives": len(groups), "individuals": len(people)},
        "nominee": {
            "kind": nominee.kind if nominee else "",
            "kind_label": NOMINEE_KIND_LABELS[NomineeKind(nominee.kind)] if nominee else "",
            "name": nominee.name if nominee else "",
            "position": nominee.job_title if nominee else "",
            "unit_name": (nominee.unit_name or d.unit.name) if nominee else "",
            "achievements": nominee.achievements if nominee else "",
            # Only the nominee's own report prints these (personal data, NĐ 13/2023):
            # never the lists of the Tờ trình that the cluster and others sign.
            **nominee_details(nominee),
        },
        "checks": checks,
        "other_forms": other_forms,
        "reason": (t.reason or "") if t else "",
    }
