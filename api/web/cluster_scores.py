"""The cluster's year page: its scores section (the ranking of each period, who has
scored), and the scoring page of a period (/cum-thi-dua/{id}/{year}/cham-diem/{period}):
the member's own sheet per criterion (maximum points shown, evidence, PDF attachments),
submitted; the head and deputy units' review (points set with a reason, the self-score
beside them); the ranking. Changes go through the API's use cases
(api/clusters/score_service.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.clusters import score_service as service
from api.clusters.registration_service import sees_all
from api.clusters.score_schemas import AdjustmentIn, PointsIn, ReviewIn, SelfScoreIn
from api.clusters.service import YearContext, load_year
from api.deps import RuntimeDep
from api.documents.download import content_disposition
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain import cluster_scores as rules
from domain.cluster_scores import Period
from domain.errors import DomainError, Forbidden, NotFound

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def section(s: Session, ctx: YearContext, visitor: Visitor) -> dict[str, Any]:
    """What the year page's scores section shows (cluster_year/_scores.html)."""
    periods = []
    has_criteria = False
    for p in Period:
        out = service.scores_out(s, visitor.actor, ctx, p)
        has_criteria = has_criteria or bool(out.criteria)
        periods.append(
            {
                "period": p.value,
                "label": rules.PERIOD_LABELS[p],
                "out": out,
                "submitted": sum(1 for r in out.ranking if r.submitted),
            }
        )
    return {"periods": periods, "pts": rules.points_text, "has_criteria": has_criteria}


def _page(
    request: Request,
    visitor: Visitor,
    rt: Any,
    cluster_id: int,
    year: int,
    period: str,
    *,
    status_code: int = 200,
    error: str | None = None,
    error_unit: int | None = None,
    entered: dict[str, str] | None = None,
) -> HTMLResponse:
    p = service.period_of(period)
    with rt.db.read() as s:
        ctx = load_year(s, visitor.actor, cluster_id, year)
        out = service.scores_out(s, visitor.actor, ctx, p)
        everyone = sees_all(ctx, visitor.actor)
    lead = {ctx.head_unit_id, ctx.deputy_unit_id}
    reviewer_units = sorted(
        {g.unit_id for g in visitor.actor.grants if g.unit_id is not None and g.unit_id in lead}
    )
    return render(
        request,
        "cluster_scores.html",
        visitor,
        status_code=status_code,
        ctx=ctx,
        out=out,
        period=p.value,
        other=(Period.YEAREND if p is Period.MIDYEAR else Period.MIDYEAR).value,
        other_label=rules.PERIOD_LABELS[Period.YEAREND if p is Period.MIDYEAR else Period.MIDYEAR],
        pts=rules.points_text,
        mine=sorted(ctx.access.member_units),
        runs=ctx.access.runs,
        reviewer_units=reviewer_units,
        everyone=everyone,
        error=error,
        error_unit=error_unit,
        entered=entered or {},
    )


@router.get(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/cham-diem/{period}", response_class=HTMLResponse
)
def scores_page(
    request: Request, cluster_id: int, year: int, period: str, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _page(request, visitor, rt, cluster_id, year, period)


async def _change(
    request: Request,
    visitor: Visitor,
    rt: Any,
    cluster_id: int,
    year: int,
    period: str,
    unit_id: int,
    work: Callable[[Session, YearContext], None],
    done: str,
    entered: dict[str, str],
) -> Response:
    def run() -> None:
        with rt.db.write() as s:
            ctx = load_year(s, visitor.actor, cluster_id, year)
            work(s, ctx)

    try:
        await run_in_threadpool(run)
    except (NotFound, Forbidden):
        raise
    except DomainError as e:
        return await run_in_threadpool(
            _page,
            request,
            visitor,
            rt,
            cluster_id,
            year,
            period,
            status_code=e.status,
            error=e.message,
            error_unit=unit_id,
            entered=entered,
        )
    response = redirect(f"/cum-thi-dua/{cluster_id}/{year}/cham-diem/{period}#phieu-{unit_id}")
    set_flash(response, done)
    return response


def _version(form: CheckedForm) -> int | None:
    raw = text(form, "version", 20)
    return int(raw) if raw.isdigit() else None


@router.post(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/cham-diem/{period}/{unit_id:int}",
    response_model=None,
)
async def self_score(
    request: Request,
    cluster_id: int,
    year: int,
    period: str,
    unit_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    p = service.period_of(period)
    scores, entered = [], {}
    for key, value in form.multi_items():
        if key.startswith("diem_") and key[5:].isdigit() and isinstance(value, str):
            cid = int(key[5:])
            evidence = text(form, f"minh_chung_{cid}", 4000)
            entered[key], entered[f"minh_chung_{cid}"] = value, evidence
            scores.append(PointsIn(criterion_id=cid, points=value[:20], evidence=evidence))
    send = text(form, "gui", 10) == "1"
    body = SelfScoreIn(scores=scores[:500], version=_version(form))

    def work(s: Session, ctx: YearContext) -> None:
        sh = service.self_score(s, visitor.user, visitor.actor, ctx, p, unit_id, body)
        if send:
            service.submit(s, visitor.user, visitor.actor, ctx, p, unit_id, sh.version)

    done = (
        "Đã gửi phiếu chấm điểm tới Trưởng cụm, Phó trưởng cụm." if send else "Đã lưu điểm tự chấm."
    )
    return await _change(
        request, visitor, rt, cluster_id, year, period, unit_id, work, done, entered
    )


@router.post(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/cham-diem/{period}/{unit_id:int}/tham-dinh",
    response_model=None,
)
async def review(
    request: Request,
    cluster_id: int,
    year: int,
    period: str,
    unit_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    p = service.period_of(period)
    adjustments, entered = [], {}
    for key, value in form.multi_items():
        if key.startswith("tham_dinh_") and key[10:].isdigit() and isinstance(value, str):
            cid = int(key[10:])
            reason = text(form, f"ly_do_{cid}", 4000)
            entered[f"{unit_id}_{key}"], entered[f"{unit_id}_ly_do_{cid}"] = value, reason
            if value.strip() or reason.strip():
                adjustments.append(AdjustmentIn(criterion_id=cid, points=value[:20], reason=reason))
    if not adjustments:
        return await run_in_threadpool(
            _page,
            request,
            visitor,
            rt,
            cluster_id,
            year,
            period,
            status_code=422,
            error="Hãy nhập điểm thẩm định và lý do cho ít nhất một tiêu chí.",
            error_unit=unit_id,
        )
    body = ReviewIn(adjustments=adjustments[:500], version=_version(form))

    def work(s: Session, ctx: YearContext) -> None:
        service.review(s, visitor.user, visitor.actor, ctx, p, unit_id, body)

    done = f"Đã ghi điểm thẩm định ({len(adjustments)} tiêu chí)."
    return await _change(
        request, visitor, rt, cluster_id, year, period, unit_id, work, done, entered
    )


@router.post(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/cham-diem/{period}/{unit_id:int}/minh-chung",
    response_model=None,
)
async def attach(
    request: Request,
    cluster_id: int,
    year: int,
    period: str,
    unit_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    p = service.period_of(period)
    upload = form.get("file")
    raw = text(form, "criterion_id", 20)
    criterion_id = int(raw) if raw.isdigit() else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await run_in_threadpool(
            _page,
            request,
            visitor,
            rt,
            cluster_id,
            year,
            period,
            status_code=422,
            error="Hãy chọn tệp PDF minh chứng.",
            error_unit=unit_id,
        )

    def work(s: Session, ctx: YearContext) -> None:
        assert isinstance(upload, UploadFile)
        service.attach(
            s,
            rt,
            visitor.user,
            visitor.actor,
            ctx,
            p,
            unit_id,
            upload.file,
            upload.filename,
            criterion_id,
        )

    return await _change(
        request, visitor, rt, cluster_id, year, period, unit_id, work, "Đã đính kèm minh chứng.", {}
    )


@router.get("/cum-thi-dua/{cluster_id:int}/{year:int}/minh-chung/{attachment_id:int}")
def attachment_file(
    cluster_id: int, year: int, attachment_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> StreamingResponse:
    """An attached PDF of evidence, to whoever sees the sheet."""
    with rt.db.read() as s:
        ctx = load_year(s, visitor.actor, cluster_id, year)
        a = service.visible_attachment(s, visitor.actor, ctx, attachment_id)
        key, version, media, size, sha, name = (
            a.object_key,
            a.object_version_id,
            a.media_type,
            a.size,
            a.sha256,
            a.file_name,
        )
    return StreamingResponse(
        rt.store.chunks(key, version),
        media_type=media,
        headers={
            "Content-Length": str(size),
            "Content-Disposition": content_disposition(name, attachment=False),
            "X-Content-SHA256": sha,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
