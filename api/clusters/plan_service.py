"""The cluster's plan of the year (domain/cluster_plan.py) as the API and the pages use it:
read it, save the whole draft, copy last year's, issue it with the head unit leader's
signature. Services never commit: the request's session does.

Issuing runs in a worker thread in the order every signed action takes (api/dossiers/
approvals.py): the refusals that need no secret first (who, state, a plan fit to issue),
then the PIN, then the Kế hoạch prepared with the signer's name and signed personally,
last one transaction with the signed PDF, the transition, the audit event and the outbox
row whose flow numbers it in the cluster's series and seals it (issuing/
cluster_plan_forms.py: then the members and the board are told).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import anyio.from_thread
from sqlalchemy.orm import Session

from api.clusters.plan_schemas import CriterionOut, PlanIn, PlanOut
from api.clusters.service import YearContext, load_year
from api.deps import Caller
from api.dossiers import approvals
from api.dossiers.service import flush
from domain import cluster_plan as rules
from domain.errors import (
    Conflict,
    DocumentsNotReady,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from domain.process import CLUSTER_PLAN, Action
from domain.roles import Actor, Role
from domain.subjects import Subject
from issuing import issue
from issuing.forms import jobs_for
from issuing.jobs import FormJob
from issuing.runtime import Runtime
from storage import audit, outbox
from storage import cluster_plans as store
from storage.models import ClusterPlan, DossierTransition, User, subject_columns, utcnow
from storage.repositories import documents as documents_repo
from storage.repositories import users as users_repo


class PlanInvalid(InvalidInput):
    """The plan may not be issued yet: every problem listed."""

    code = "plan_invalid"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Kế hoạch chưa đủ để ban hành: " + " ".join(problems))

    def extra(self) -> dict[str, object]:
        return {"problems": self.problems}


def _who(s: Session, user: User, ctx: YearContext) -> audit.Who:
    head = next((u for u in ctx.members if u.id == ctx.head_unit_id), None)
    return audit.Who(
        user.id,
        user.full_name,
        Role.CLUSTER_APPROVER.value,
        head.name if head else "",
        f"Trưởng cụm, {ctx.cluster.name} ({ctx.year})",
    )


def draft_of(plan: ClusterPlan | None, year: int) -> rules.PlanDraft:
    return store.as_draft(plan, year) if plan is not None else rules.PlanDraft(year=year)


def issued_document_id(s: Session, ctx: YearContext, plan: ClusterPlan) -> int | None:
    if plan.status != rules.PlanStatus.ISSUED or ctx.row is None:
        return None
    doc = documents_repo.document_of(s, ctx.row.subject, plan.transition_seq, store.PLAN_FORM, 0)
    if doc is None or not any(v.rendition == "pdf-signed" for v in doc.versions):
        return None
    return doc.id


def leads(actor: Actor, ctx: YearContext) -> bool:
    """The caller acts for the head unit of the year (its cluster approver): they issue
    the plan with their own signature. The deputy unit drafts, never signs it."""
    return ctx.access.runs and any(
        g.role == Role.CLUSTER_APPROVER
        and (
            (g.unit_id is not None and g.unit_id == ctx.head_unit_id)
            or (
                g.cluster_term_id is not None
                and ctx.term is not None
                and g.cluster_term_id == ctx.term.id
            )
        )
        for g in actor.grants
    )


def plan_out(s: Session, actor: Actor, ctx: YearContext) -> PlanOut:
    plan = store.plan_of(s, ctx.row.id) if ctx.row is not None else None
    draft = draft_of(plan, ctx.year)
    status = rules.PlanStatus(plan.status) if plan else rules.PlanStatus.DRAFT
    editable = status == rules.PlanStatus.DRAFT and ctx.access.runs
    doc_id = issued_document_id(s, ctx, plan) if plan else None
    return PlanOut(
        cluster_id=ctx.cluster.id,
        year=ctx.year,
        exists=plan is not None,
        status=status.value,
        status_label=rules.PLAN_STATUS_LABELS[status],
        goals=draft.goals,
        covenant_signing_on=draft.covenant_signing_on,
        registration_deadline=draft.registration_deadline,
        midyear_review_on=draft.midyear_review_on,
        yearend_review_on=draft.yearend_review_on,
        criteria=[
            CriterionOut(
                position_no=i,
                group_name=c.group_name,
                code=c.code,
                title=c.title,
                max_points=c.max_points,
                mandatory=c.mandatory,
                evidence=c.evidence,
            )
            for i, c in enumerate(draft.criteria, 1)
        ],
        total_points=rules.total_points(draft.criteria),
        number=plan.number if plan else None,
        issued_at=plan.issued_at if plan else None,
        version=plan.version if plan else 0,
        problems=rules.problems(draft) if status == rules.PlanStatus.DRAFT else [],
        can_edit=editable,
        can_issue=editable and leads(actor, ctx),
        document_id=doc_id,
        document_url=f"/api/v1/documents/{doc_id}/content" if doc_id else None,
    )


def _editable(s: Session, ctx: YearContext, version: int | None) -> ClusterPlan | None:
    """The plan the caller may change now (None: not drafted yet), or why not."""
    ctx.require_runs()
    plan = store.plan_of(s, ctx.row.id, for_update=True) if ctx.row is not None else None
    if plan is not None and plan.status != rules.PlanStatus.DRAFT:
        raise IllegalTransition("Kế hoạch đã ban hành, không sửa được nữa.", code="plan_issued")
    if version is not None and version != (plan.version if plan else 0):
        raise StaleVersion("Kế hoạch đã được người khác thay đổi. Hãy tải lại rồi thử lại.")
    return plan


def _store(
    s: Session, user: User, ctx: YearContext, plan: ClusterPlan | None, draft: rules.PlanDraft
) -> ClusterPlan:
    year = ctx.ensure(s)
    if plan is None:
        plan = ClusterPlan(
            cluster_year_id=year.id, status=rules.PlanStatus.DRAFT.value, created_by=user.id
        )
        s.add(plan)
    store.put_draft(plan, draft)
    plan.updated_at = utcnow()  # the row changes whenever its criteria do: a new version
    flush(s)
    return plan


def draft_from(body: PlanIn, year: int) -> rules.PlanDraft:
    return rules.PlanDraft(
        year=year,
        goals=body.goals,
        covenant_signing_on=body.covenant_signing_on,
        registration_deadline=body.registration_deadline,
        midyear_review_on=body.midyear_review_on,
        yearend_review_on=body.yearend_review_on,
        criteria=tuple(
            rules.Criterion(
                c.group_name.strip(),
                c.code.strip(),
                c.title,
                c.max_points,
                c.mandatory,
                c.evidence,
            )
            for c in body.criteria
        ),
    )


def save(
    s: Session, user: User, actor: Actor, cluster_id: int, year: int, body: PlanIn
) -> YearContext:
    """The whole draft as the head unit sends it (its criteria replace the earlier ones)."""
    ctx = load_year(s, actor, cluster_id, year)
    plan = _editable(s, ctx, body.version)
    draft = draft_from(body, year)
    plan = _store(s, user, ctx, plan, draft)
    assert ctx.row is not None
    audit.append(
        s,
        kind="cluster_plan_saved",
        subject=ctx.row.subject,
        who=_who(s, user, ctx),
        data={
            "plan_id": plan.id,
            "version": plan.version,
            "criteria": len(draft.criteria),
            "total_points": str(rules.total_points(draft.criteria)),
            "problems": len(rules.problems(draft)),
        },
    )
    return ctx


def copy_last_year(
    s: Session, user: User, actor: Actor, cluster_id: int, year: int, version: int | None
) -> YearContext:
    """Last year's plan of the cluster (goals, calendar a year later, criteria) as this
    year's draft, in place of what the draft held."""
    ctx = load_year(s, actor, cluster_id, year)
    plan = _editable(s, ctx, version)
    last = store.plan_of_year(s, cluster_id, year - 1)
    if last is None:
        raise NotFound(
            f"Cụm chưa có kế hoạch năm {year - 1} để sao chép.", code="no_plan_last_year"
        )
    draft = rules.copied(store.as_draft(last, year - 1))
    plan = _store(s, user, ctx, plan, draft)
    assert ctx.row is not None
    audit.append(
        s,
        kind="cluster_plan_copied",
        subject=ctx.row.subject,
        who=_who(s, user, ctx),
        data={
            "plan_id": plan.id,
            "from_plan_id": last.id,
            "from_year": year - 1,
            "version": plan.version,
            "criteria": len(draft.criteria),
        },
    )
    return ctx


@dataclass(frozen=True)
class _Issue:
    subject: Subject
    seq: int
    job: FormJob
    version: int
    changed_at: datetime


def _check_issue(
    s: Session, actor: Actor, cluster_id: int, year: int, version: int | None
) -> _Issue:
    ctx = load_year(s, actor, cluster_id, year)
    ctx.require_runs()
    plan = store.plan_of(s, ctx.row.id) if ctx.row is not None else None
    if plan is not None and plan.status == rules.PlanStatus.ISSUED:
        raise IllegalTransition("Kế hoạch đã được ban hành.", code="plan_issued")
    if not leads(actor, ctx):
        raise Forbidden(
            "Chỉ đơn vị Trưởng cụm của năm ký ban hành kế hoạch.", code="cluster_head_only"
        )
    if plan is None or ctx.row is None:
        raise PlanInvalid(rules.problems(rules.PlanDraft(year=year)))
    if version is not None and version != plan.version:
        raise StaleVersion("Kế hoạch đã được người khác thay đổi. Hãy tải lại rồi thử lại.")
    found = rules.problems(store.as_draft(plan, year))
    if found:
        raise PlanInvalid(found)
    if ctx.term is None:
        raise Conflict("Cụm chưa có đơn vị Trưởng cụm năm này.", code="no_cluster_term")
    subject = ctx.row.subject
    step = CLUSTER_PLAN.find(Action.APPROVE, plan.status)
    assert step is not None
    seq = store.next_seq(s, subject)
    (job,) = jobs_for(s, subject, step, seq)
    return _Issue(subject, seq, job, plan.version, plan.updated_at)


def issue_plan(
    rt: Runtime, caller: Caller, cluster_id: int, year: int, pin: str | None, version: int | None
) -> int:
    """Runs in a worker thread. Returns the outbox row to dispatch."""
    with rt.db.read() as s:
        plan = _check_issue(s, caller.actor, cluster_id, year, version)
    material = approvals.unlock(rt, caller, pin)
    anyio.from_thread.run(
        functools.partial(issue.prepare, rt, plan.job, caller.user.id, newer_than=plan.changed_at)
    )
    with rt.db.read() as s:
        doc = documents_repo.document_of(s, plan.subject, plan.seq, plan.job.form, 0)
        prepared = issue.latest(list(doc.versions), "pdf-prepared") if doc else None
        if doc is None or prepared is None:
            raise DocumentsNotReady()
        doc_id = doc.id
    stored, reports = anyio.from_thread.run(
        functools.partial(
            issue.sign_personally, rt, plan.job.title, prepared, caller.user, material
        )
    )
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        ctx = load_year(s, caller.actor, cluster_id, year)
        assert ctx.row is not None
        row = store.plan_of(s, ctx.row.id, for_update=True)
        if row is None or row.status != rules.PlanStatus.DRAFT or row.version != plan.version:
            raise StaleVersion("Kế hoạch đã được người khác thay đổi. Hãy tải lại rồi thử lại.")
        issue.record_in(s, doc_id, "pdf-personal", stored, "application/pdf", signatures=reports)
        row.status = rules.PlanStatus.ISSUED.value
        row.transition_seq = plan.seq
        s.add(
            DossierTransition(
                **subject_columns(plan.subject),
                seq=plan.seq,
                action=Action.APPROVE.value,
                from_status=rules.PlanStatus.DRAFT.value,
                to_status=rules.PlanStatus.ISSUED.value,
                actor_id=user.id,
                actor_role=Role.CLUSTER_APPROVER.value,
            )
        )
        flush(s)
        audit.append(
            s,
            kind="cluster_plan_issued",
            subject=plan.subject,
            who=_who(s, user, ctx),
            from_status=rules.PlanStatus.DRAFT.value,
            to_status=rules.PlanStatus.ISSUED.value,
            data={
                "plan_id": row.id,
                "transition_seq": plan.seq,
                "criteria": len(row.criteria),
                "total_points": str(sum((c.max_points for c in row.criteria), Decimal(0))),
                "signed": [
                    {
                        "document_id": doc_id,
                        "object_key": stored.key,
                        "version_id": stored.version_id,
                        "sha256": stored.sha256,
                    }
                ],
            },
        )
        return outbox.add_step(s, plan.subject, plan.seq).id
