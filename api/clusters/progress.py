"""Each member's progress in a cluster's year (domain/cluster_progress.py) from what the
year's parts recorded: the plan's calendar, the covenant's targets and signatures, the
registrations, each period's score sheets, the reviews. Read only."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.clusters.service import YearContext
from documents.vn import today_vn
from domain import cluster_progress as rules
from domain.cluster_progress import Step
from domain.cluster_reviews import ReviewStatus
from domain.cluster_scores import SheetStatus
from domain.covenant import CovenantStatus
from storage import cluster_reviews as review_store
from storage import cluster_scores as score_store
from storage import covenant as covenant_store


class StepOut(BaseModel):
    step: str
    label: str
    mark: str
    mark_label: str


class MemberProgressOut(BaseModel):
    unit_id: int
    unit_name: str
    post: str
    late: bool
    steps: list[StepOut]


class TallyOut(BaseModel):
    step: str
    label: str
    done: int
    late: int
    of: int


class ProgressOut(BaseModel):
    cluster_id: int
    year: int
    plan_status: str
    """none | draft | issued"""
    plan_status_label: str
    covenant_status: str
    reviews_held: list[str]
    """The periods whose review report was signed and sent to the board (midyear, yearend)."""
    tallies: list[TallyOut]
    members: list[MemberProgressOut]


PLAN_LABELS = {"none": "Chưa lập", "draft": "Đang soạn", "issued": "Đã ban hành"}


def post_of(ctx: YearContext, unit_id: int) -> str:
    if unit_id == ctx.head_unit_id:
        return "Trưởng cụm"
    if unit_id == ctx.deputy_unit_id:
        return "Phó trưởng cụm"
    return "Thành viên"


def progress_out(s: Session, ctx: YearContext, *, today: date | None = None) -> ProgressOut:
    day = today or today_vn()
    year_id = ctx.row.id if ctx.row else None
    plan = covenant_store.plan_of(s, year_id)
    issued = score_store.issued_plan(s, year_id)
    cal = rules.Calendar(
        issued=issued is not None,
        covenant_signing_on=issued.covenant_signing_on if issued else None,
        registration_deadline=issued.registration_deadline if issued else None,
        midyear_review_on=issued.midyear_review_on if issued else None,
        yearend_review_on=issued.yearend_review_on if issued else None,
    )
    covenant = covenant_store.covenant_of(s, year_id)
    cov_status = CovenantStatus(covenant.status) if covenant else CovenantStatus.DRAFT
    signers = (
        {int(x["unit_id"]) for x in (covenant.signers or [])}
        if covenant and cov_status is not CovenantStatus.DRAFT
        else set()
    )
    committed = {
        x.unit_id for x in covenant_store.commitments(s, covenant.id if covenant else None)
    }
    signed = {x.unit_id for x in covenant_store.signatures(s, covenant.id if covenant else None)}
    regs = {r.unit_id: r for r in score_store.registrations(s, year_id)}
    submitted = {
        step: {
            sh.unit_id
            for sh in score_store.sheets(s, year_id, step.value)
            if sh.status == SheetStatus.SUBMITTED
        }
        for step in (Step.MIDYEAR, Step.YEAREND)
    }
    rows = [
        rules.progress(
            rules.MemberFacts(
                unit_id=u.id,
                name=u.name,
                committed=u.id in committed,
                covenant_open=u.id in signers,
                covenant_signed=u.id in signed,
                registered=u.id in regs,
                registered_late=bool(regs.get(u.id) and regs[u.id].late),
                submitted={step: u.id in ids for step, ids in submitted.items()},
            ),
            cal,
            day,
        )
        for u in ctx.members
    ]
    held = (
        [r.period for r in review_store.reviews_of(s, year_id) if r.status == ReviewStatus.SIGNED]
        if year_id
        else []
    )
    plan_status = "issued" if issued else ("draft" if plan else "none")
    return ProgressOut(
        cluster_id=ctx.cluster.id,
        year=ctx.year,
        plan_status=plan_status,
        plan_status_label=PLAN_LABELS[plan_status],
        covenant_status=cov_status.value,
        reviews_held=held,
        tallies=[
            TallyOut(step=step.value, label=rules.STEP_LABELS[step], **vars(t))
            for step, t in rules.tally(rows).items()
        ],
        members=[
            MemberProgressOut(
                unit_id=r.unit_id,
                unit_name=r.name,
                post=post_of(ctx, r.unit_id),
                late=r.late,
                steps=[
                    StepOut(
                        step=step.value,
                        label=rules.STEP_LABELS[step],
                        mark=mark.value,
                        mark_label=rules.MARK_LABELS[mark],
                    )
                    for step, mark in r.marks.items()
                ],
            )
            for r in rows
        ],
    )
