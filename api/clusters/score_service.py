"""Use cases of a cluster's scores (chấm điểm, domain/cluster_scores.py): a member's own
sheet per period (points per criterion with evidence, PDF attachments), submitted; the
head and deputy units' review (points set with a reason, the self-score kept beside
them); the sheets and the ranking, computed from them. Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from sqlalchemy.orm import Session

from api.clusters.registration_service import member_who, sees_all
from api.clusters.score_schemas import (
    AttachmentOut,
    CriterionOut,
    RankedOut,
    ReviewIn,
    ScoreOut,
    ScoresOut,
    SelfScoreIn,
    SheetOut,
)
from api.clusters.service import YearContext
from api.documents.service import _read_upload  # the uploads' one check, shared
from documents.inspect import PDF
from documents.names import upload_name
from domain import cluster_scores as rules
from domain.cluster_scores import Period, SheetStatus
from domain.errors import Conflict, InvalidInput, NotFound, StaleVersion, UnsupportedMediaType
from domain.roles import Actor, Role
from issuing.runtime import Runtime
from storage import audit
from storage import cluster_scores as store
from storage.models import (
    ClusterCriterion,
    ClusterPlan,
    ClusterScore,
    ClusterScoreAttachment,
    ClusterScoreSheet,
    User,
    utcnow,
)


def period_of(raw: str) -> Period:
    try:
        return Period(raw)
    except ValueError as e:
        raise NotFound("Không có kỳ chấm điểm này.", code="period_not_found") from e


def plan_of(s: Session, ctx: YearContext) -> ClusterPlan:
    plan = store.issued_plan(s, ctx.row.id if ctx.row else None)
    if plan is None or not plan.criteria:
        raise Conflict(
            "Kế hoạch thi đua của Cụm chưa ban hành (chưa có tiêu chí chấm điểm).",
            code="plan_not_issued",
        )
    return plan


def _criteria(plan: ClusterPlan) -> dict[int, ClusterCriterion]:
    return {c.id: c for c in plan.criteria}


def _runs_who(user: User, ctx: YearContext, actor: Actor) -> audit.Who:
    lead = {ctx.head_unit_id, ctx.deputy_unit_id}
    unit = next(
        (u for u in ctx.members if u.id in lead and any(g.unit_id == u.id for g in actor.grants)),
        None,
    )
    return audit.Who(
        user.id,
        user.full_name,
        str(Role.CLUSTER_APPROVER),
        unit.name if unit else "",
        ctx.cluster.name,
    )


def _stale(sheet: ClusterScoreSheet, version: int | None) -> None:
    if version is not None and version != sheet.version:
        raise StaleVersion(
            "Phiếu chấm điểm đã được người khác thay đổi. Hãy tải lại rồi thử lại.",
            code="stale_version",
        )


def _own_sheet(
    s: Session, ctx: YearContext, unit_id: int, period: Period, *, create: bool
) -> ClusterScoreSheet | None:
    year_row = ctx.ensure(s)
    sh = store.sheet(s, year_row.id, unit_id, period.value, for_update=True)
    if sh is None and create:
        sh = ClusterScoreSheet(
            cluster_year_id=year_row.id,
            unit_id=unit_id,
            period=period.value,
            status=SheetStatus.DRAFT.value,
            version=1,
        )
        s.add(sh)
        s.flush()
    return sh


def self_score(
    s: Session,
    user: User,
    actor: Actor,
    ctx: YearContext,
    period: Period,
    unit_id: int,
    body: SelfScoreIn,
) -> ClusterScoreSheet:
    """A member's own points and evidence on the criteria given (the others unchanged),
    while its sheet is not submitted."""
    ctx.require_member(unit_id)
    criteria = _criteria(plan_of(s, ctx))
    sh = _own_sheet(s, ctx, unit_id, period, create=True)
    assert sh is not None
    _stale(sh, body.version)
    if sh.status != SheetStatus.DRAFT:
        raise Conflict("Phiếu chấm điểm đã gửi: không sửa được nữa.", code="score_sheet_submitted")
    by_criterion = {x.criterion_id: x for x in sh.scores}
    changed = []
    for p in body.scores:
        c = criteria.get(p.criterion_id)
        if c is None:
            raise InvalidInput("Tiêu chí không thuộc kế hoạch của năm.", code="unknown_criterion")
        points = (
            None
            if p.points is None or (isinstance(p.points, str) and not p.points.strip())
            else rules.parse_points(p.points, c.max_points)
        )
        evidence = rules.check_text(p.evidence, "Minh chứng")
        row = by_criterion.get(c.id)
        if row is None:
            row = ClusterScore(sheet_id=sh.id, criterion_id=c.id, evidence="", review_reason="")
            sh.scores.append(row)
            by_criterion[c.id] = row
        row.self_points, row.evidence = points, evidence
        changed.append({"criterion": c.code, "points": str(points) if points is not None else None})
    sh.version += 1
    sh.updated_by = user.id
    s.flush()
    audit.append(
        s,
        kind="cluster_score_saved",
        subject=ctx.ensure(s).subject,
        who=member_who(s, user, actor, ctx, unit_id),
        data={"unit_id": unit_id, "period": period.value, "scores": changed},
    )
    return sh


def submit(
    s: Session,
    user: User,
    actor: Actor,
    ctx: YearContext,
    period: Period,
    unit_id: int,
    version: int | None,
) -> ClusterScoreSheet:
    """A member sends its sheet to the head and deputy units: every criterion scored."""
    ctx.require_member(unit_id)
    criteria = _criteria(plan_of(s, ctx))
    sh = _own_sheet(s, ctx, unit_id, period, create=False)
    if sh is None:
        raise InvalidInput("Chưa chấm tiêu chí nào.", code="score_missing")
    _stale(sh, version)
    if sh.status != SheetStatus.DRAFT:
        raise Conflict("Phiếu chấm điểm đã gửi.", code="score_sheet_submitted")
    scored = {x.criterion_id for x in sh.scores if x.self_points is not None}
    missing = [c.code for c in criteria.values() if c.id not in scored]
    if missing:
        raise InvalidInput(
            "Chưa chấm các tiêu chí: " + ", ".join(missing) + ".", code="score_missing"
        )
    sh.status, sh.submitted_at = SheetStatus.SUBMITTED.value, utcnow()
    sh.version += 1
    s.flush()
    total = sum((x.self_points or Decimal(0) for x in sh.scores), Decimal(0))
    audit.append(
        s,
        kind="cluster_score_submitted",
        subject=ctx.ensure(s).subject,
        who=member_who(s, user, actor, ctx, unit_id),
        to_status=sh.status,
        data={"unit_id": unit_id, "period": period.value, "self_total": str(total)},
    )
    return sh


def review(
    s: Session,
    user: User,
    actor: Actor,
    ctx: YearContext,
    period: Period,
    unit_id: int,
    body: ReviewIn,
) -> ClusterScoreSheet:
    """The head or deputy unit sets a submitted sheet's points on criteria, each with a
    reason; the member's own points stay as they were. Points equal to the member's own
    clear the adjustment; one sent back as recorded changes nothing (no event)."""
    ctx.require_runs()
    criteria = _criteria(plan_of(s, ctx))
    if unit_id not in {u.id for u in ctx.members}:
        raise NotFound("Đơn vị không là thành viên của cụm.", code="member_not_found")
    year_row = ctx.ensure(s)
    sh = store.sheet(s, year_row.id, unit_id, period.value, for_update=True)
    if sh is None or sh.status != SheetStatus.SUBMITTED:
        raise Conflict(
            "Đơn vị chưa gửi phiếu chấm điểm: chưa thẩm định được.",
            code="score_sheet_not_submitted",
        )
    lead = {ctx.head_unit_id, ctx.deputy_unit_id}
    mine = {g.unit_id for g in actor.grants if g.unit_id is not None and g.unit_id in lead}
    rules.check_reviewer(mine, unit_id)
    _stale(sh, body.version)
    by_criterion = {x.criterion_id: x for x in sh.scores}
    who = _runs_who(user, ctx, actor)
    for a in body.adjustments:
        c = criteria.get(a.criterion_id)
        if c is None:
            raise InvalidInput("Tiêu chí không thuộc kế hoạch của năm.", code="unknown_criterion")
        if a.points is None or (isinstance(a.points, str) and not a.points.strip()):
            raise InvalidInput("Hãy nhập số điểm thẩm định.", code="score_not_a_number")
        points = rules.parse_points(a.points, c.max_points)
        reason = rules.check_reason(a.reason)
        row = by_criterion.get(c.id)
        if row is None:  # a criterion the sheet was not scored on when it was submitted
            raise InvalidInput("Đơn vị chưa chấm tiêu chí này.", code="score_missing")
        before = row.reviewed_points if row.reviewed_points is not None else row.self_points
        reviewed = None if points == row.self_points else points
        if reviewed == row.reviewed_points and (reviewed is None or reason == row.review_reason):
            continue  # the form sent back what is recorded: nothing changes, nothing logged
        row.reviewed_points = reviewed
        row.review_reason = "" if reviewed is None else reason
        row.reviewed_by, row.reviewed_at = user.id, utcnow()
        s.flush()
        audit.append(
            s,
            kind="cluster_score_adjusted",
            subject=year_row.subject,
            who=who,
            reason=reason,
            data={
                "unit_id": unit_id,
                "period": period.value,
                "criterion": c.code,
                "self_points": str(row.self_points),
                "from_points": str(before),
                "to_points": str(points),
            },
        )
    sh.version += 1
    s.flush()
    return sh


def attach(
    s: Session,
    rt: Runtime,
    user: User,
    actor: Actor,
    ctx: YearContext,
    period: Period,
    unit_id: int,
    file: BinaryIO,
    file_name: str | None,
    criterion_id: int | None,
) -> ClusterScoreAttachment:
    """A PDF of evidence on the member's own sheet, while not submitted: checked by size
    and content as every upload is (documents/inspect.py), kept in the object store."""
    ctx.require_member(unit_id)
    criteria = _criteria(plan_of(s, ctx))
    if criterion_id is not None and criterion_id not in criteria:
        raise InvalidInput("Tiêu chí không thuộc kế hoạch của năm.", code="unknown_criterion")
    sh = _own_sheet(s, ctx, unit_id, period, create=True)
    assert sh is not None
    if sh.status != SheetStatus.DRAFT:
        raise Conflict("Phiếu chấm điểm đã gửi: không sửa được nữa.", code="score_sheet_submitted")
    data, media_type, ext = _read_upload(rt, file)
    if media_type != PDF:
        raise UnsupportedMediaType("Minh chứng đính kèm phải là tệp PDF.", code="pdf_only")
    name = upload_name(file_name, ext)
    obj = rt.store.put(
        f"clusters/{ctx.cluster.id}/{ctx.year}/scores/{uuid.uuid4().hex}{ext}", data, media_type
    )
    a = ClusterScoreAttachment(
        sheet_id=sh.id,
        criterion_id=criterion_id,
        file_name=name,
        media_type=media_type,
        object_key=obj.key,
        object_version_id=obj.version_id,
        sha256=obj.sha256,
        size=obj.size,
        uploaded_by=user.id,
    )
    s.add(a)
    sh.version += 1
    s.flush()
    audit.append(
        s,
        kind="cluster_score_attachment_added",
        subject=ctx.ensure(s).subject,
        who=member_who(s, user, actor, ctx, unit_id),
        data={
            "unit_id": unit_id,
            "period": period.value,
            "attachment_id": a.id,
            "file_name": name,
            "sha256": obj.sha256,
            "object_key": obj.key,
        },
    )
    return a


def visible_attachment(
    s: Session, actor: Actor, ctx: YearContext, attachment_id: int
) -> ClusterScoreAttachment:
    a = store.attachment(s, attachment_id)
    sh = s.get(ClusterScoreSheet, a.sheet_id) if a else None
    if (
        a is None
        or sh is None
        or ctx.row is None
        or sh.cluster_year_id != ctx.row.id
        or not (sees_all(ctx, actor) or sh.unit_id in ctx.access.member_units)
    ):
        raise NotFound("Không tìm thấy tệp minh chứng.", code="attachment_not_found")
    return a


@dataclass(frozen=True)
class PeriodScores:
    """A period's criteria, sheets and the ranking computed from them (every member)."""

    criteria: list[ClusterCriterion]
    sheets: dict[int, ClusterScoreSheet]
    facts: list[rules.SheetFacts]
    ranking: list[rules.Ranked]


def period_scores(s: Session, ctx: YearContext, period: Period) -> PeriodScores:
    plan = store.issued_plan(s, ctx.row.id if ctx.row else None)
    criteria = list(plan.criteria) if plan else []
    sheets = {
        sh.unit_id: sh for sh in store.sheets(s, ctx.row.id if ctx.row else None, period.value)
    }
    facts = [rules.CriterionFacts(c.id, c.code, c.max_points, c.mandatory) for c in criteria]
    sheet_facts = []
    for u in ctx.members:
        sh = sheets.get(u.id)
        rows = {x.criterion_id: x for x in sh.scores} if sh else {}
        sheet_facts.append(
            rules.SheetFacts(
                u.id,
                u.name,
                bool(sh and sh.status == SheetStatus.SUBMITTED),
                {k: v.self_points for k, v in rows.items()},
                {k: v.reviewed_points for k, v in rows.items()},
            )
        )
    return PeriodScores(criteria, sheets, sheet_facts, rules.rank(facts, sheet_facts))


def scores_out(s: Session, actor: Actor, ctx: YearContext, period: Period) -> ScoresOut:
    """The sheets the caller may see, and the ranking computed from every sheet."""
    computed = period_scores(s, ctx, period)
    criteria, sheets = computed.criteria, computed.sheets
    sheet_facts, ranking = computed.facts, computed.ranking
    base = f"/api/v1/clusters/{ctx.cluster.id}/years/{ctx.year}/scores/attachments"
    out_sheets = []
    for u in ctx.members:
        if not (sees_all(ctx, actor) or u.id in ctx.access.member_units):
            continue
        sh = sheets.get(u.id)
        rows = {x.criterion_id: x for x in sh.scores} if sh else {}
        status = sh.status if sh else "missing"
        out_sheets.append(
            SheetOut(
                unit_id=u.id,
                unit_code=u.code,
                unit_name=u.name,
                status=status,
                status_label=rules.SHEET_STATUS_LABELS.get(SheetStatus(status), "Chưa chấm")
                if status != "missing"
                else "Chưa chấm",
                submitted_at=sh.submitted_at if sh else None,
                version=sh.version if sh else None,
                scores=[
                    ScoreOut(
                        criterion_id=c.id,
                        code=c.code,
                        self_points=rows[c.id].self_points if c.id in rows else None,
                        evidence=rows[c.id].evidence if c.id in rows else "",
                        reviewed_points=rows[c.id].reviewed_points if c.id in rows else None,
                        review_reason=rows[c.id].review_reason if c.id in rows else "",
                        points=(
                            rules.effective(next(f for f in sheet_facts if f.unit_id == u.id), c.id)
                        ),
                    )
                    for c in criteria
                ],
                attachments=[
                    AttachmentOut(
                        id=a.id,
                        criterion_id=a.criterion_id,
                        file_name=a.file_name,
                        size=a.size,
                        sha256=a.sha256,
                        url=f"{base}/{a.id}",
                    )
                    for a in (sh.attachments if sh else [])
                ],
            )
        )
    return ScoresOut(
        cluster_id=ctx.cluster.id,
        year=ctx.year,
        period=period.value,
        period_label=rules.PERIOD_LABELS[period],
        criteria=[
            CriterionOut(
                id=c.id,
                group_name=c.group_name,
                code=c.code,
                title=c.title,
                max_points=c.max_points,
                mandatory=c.mandatory,
                evidence=c.evidence,
            )
            for c in criteria
        ],
        max_total=sum((c.max_points for c in criteria), Decimal(0)),
        sheets=out_sheets,
        ranking=[
            RankedOut(
                unit_id=r.unit_id,
                unit_name=r.name,
                rank=r.rank,
                tied=r.tied,
                submitted=r.submitted,
                self_total=r.self_total,
                total=r.total,
                adjusted=r.adjusted,
                failed_mandatory=list(r.failed_mandatory),
            )
            for r in ranking
        ],
    )
