"""The cluster's year page: its reviews section (sơ kết, tổng kết), a page per review
(/cum-thi-dua/{id}/{year}/hoi-nghi/{review_id}: the record, its attendees, the report
drafted, uploaded, signed and sent), and the section's forms. Every change goes through
the API's use cases (api/clusters/review_service.py): the same rules, audit events and
refusals, shown on the page."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from api.clusters import review_service as service
from api.clusters.review_schemas import AttendeeIn, ReviewIn, ReviewUpdate
from api.clusters.service import YearContext, load_year
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain.cluster_reviews import PERIOD_LABELS, Period
from domain.errors import DomainError, InvalidInput, NotFound, PayloadTooLarge
from issuing.runtime import Runtime

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PERIODS = [(p.value, f"Hội nghị {PERIOD_LABELS[p]}") for p in Period]


def page_url(cluster_id: int, year: int, review_id: int) -> str:
    return f"/cum-thi-dua/{cluster_id}/{year}/hoi-nghi/{review_id}"


def section(s: Session, ctx: YearContext, visitor: Visitor) -> dict[str, Any]:
    """What the year page's reviews section shows (cluster_year/_reviews.html)."""
    del visitor
    reviews = [service.review_out(s, ctx, r) for r in service.reviews(s, ctx)]
    recorded = {r.period for r in reviews}
    return {
        "reviews": reviews,
        "periods": [p for p in PERIODS if p[0] not in recorded],
        "runs": ctx.access.runs,
        "url": lambda r: page_url(ctx.cluster.id, ctx.year, r.id),
    }


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _record_body(form: FormData, ctx: YearContext, period: str) -> ReviewIn:
    held_on = _date(text(form, "held_on", 10))
    if held_on is None:
        raise InvalidInput("Hãy nhập ngày hội nghị (ngày/tháng/năm).", code="review_date_required")
    attendees = []
    for u in ctx.members:
        if f"unit_{u.id}" not in form:
            continue  # the short form in the section: everyone absent until recorded here
        attendees.append(
            AttendeeIn(
                unit_id=u.id,
                name=text(form, f"name_{u.id}", 255),
                position=text(form, f"position_{u.id}", 255),
                present=text(form, f"present_{u.id}") == "1",
            )
        )
    host = text(form, "host_unit_id").strip()
    return ReviewIn(
        period=period,
        held_on=held_on,
        host_unit_id=int(host) if host.isdigit() else None,
        place=text(form, "place", 300),
        agenda=text(form, "agenda", 20000),
        board_rep_name=text(form, "board_rep_name", 255),
        board_rep_position=text(form, "board_rep_position", 255),
        attendees=attendees,
    )


def _page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    cluster_id: int,
    year: int,
    review_id: int,
    *,
    status_code: int = 200,
    error: str = "",
    form: FormData | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        ctx = load_year(s, visitor.actor, cluster_id, year)
        r = service.review_out(s, ctx, service.review_of(s, ctx, review_id))
    leaders = [u for u in ctx.members if u.id in (ctx.head_unit_id, ctx.deputy_unit_id)]
    return render(
        request,
        "cluster_review.html",
        visitor,
        status_code=status_code,
        ctx=ctx,
        r=r,
        leaders=leaders,
        error=error,
        url=page_url(cluster_id, year, review_id),
        is_signer=r.report.signer_id == visitor.user.id,
    )


@router.get("/cum-thi-dua/{cluster_id:int}/{year:int}/hoi-nghi/{review_id:int}")
def review_page(
    request: Request,
    cluster_id: int,
    year: int,
    review_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
) -> HTMLResponse:
    return _page(request, visitor, rt, cluster_id, year, review_id)


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/hoi-nghi", response_model=None)
async def create_review(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    def work() -> int:
        with rt.db.write() as s:
            ctx = load_year(s, visitor.actor, cluster_id, year)
            body = _record_body(form, ctx, text(form, "period", 16))
            return service.create(s, visitor.user, ctx, body).id

    try:
        review_id = await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        response = redirect(f"/cum-thi-dua/{cluster_id}/{year}#hoi-nghi")
        set_flash(response, e.message)
        return response
    response = redirect(page_url(cluster_id, year, review_id))
    set_flash(response, "Đã ghi hội nghị. Hãy ghi thành phần dự, nội dung rồi lập báo cáo.")
    return response


async def _change(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    where: tuple[int, int, int],
    work: Any,
    done: str,
) -> Response:
    try:
        await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        return await run_in_threadpool(
            _page, request, visitor, rt, *where, status_code=e.status, error=e.message
        )
    response = redirect(page_url(*where))
    set_flash(response, done)
    return response


@router.post(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/hoi-nghi/{review_id:int}", response_model=None
)
async def update_review(
    request: Request,
    cluster_id: int,
    year: int,
    review_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    version = text(form, "version").strip()

    def work() -> None:
        with rt.db.write() as s:
            ctx = load_year(s, visitor.actor, cluster_id, year)
            current = service.review_of(s, ctx, review_id)
            body = _record_body(form, ctx, current.period)
            update = ReviewUpdate(
                **body.model_dump(), version=int(version) if version.isdigit() else None
            )
            service.update(s, visitor.user, ctx, review_id, update)

    return await _change(
        request, visitor, rt, (cluster_id, year, review_id), work, "Đã lưu biên bản hội nghị."
    )


def _download(data: bytes, media_type: str, name: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/hoi-nghi/{review_id:int}/du-thao.docx",
    response_model=None,
)
def draft(
    cluster_id: int, year: int, review_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> Response:
    with rt.db.write() as s:  # may register the form's built-in version on first use
        ctx = load_year(s, visitor.actor, cluster_id, year)
        data, name = service.draft_docx(s, rt, visitor.user, ctx, review_id)
    return _download(data, service.DOCX, name)


@router.get(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/hoi-nghi/{review_id:int}/bao-cao.pdf",
    response_model=None,
)
def signed_pdf(
    cluster_id: int, year: int, review_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> Response:
    with rt.db.read() as s:
        ctx = load_year(s, visitor.actor, cluster_id, year)
        r, v = service.signed_version(s, ctx, review_id)
        data = rt.store.get(v.object_key, v.object_version_id)
    label = PERIOD_LABELS[Period(r.period)]
    return _download(data, "application/pdf", f"{r.number} Báo cáo {label} năm {year}.pdf")


@router.post(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/hoi-nghi/{review_id:int}/tai-len",
    response_model=None,
)
async def upload(
    request: Request,
    cluster_id: int,
    year: int,
    review_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    limit = rt.settings.max_upload_bytes
    file = form.get("file")
    data = await file.read(limit + 1) if isinstance(file, UploadFile) else b""

    def work() -> None:
        if len(data) > limit:
            raise PayloadTooLarge(f"Tệp vượt quá {limit / (1024 * 1024):g} MB.")
        if not data:
            raise InvalidInput("Hãy chọn tệp báo cáo (.docx) đã chỉnh sửa.", code="file_required")
        service.upload(rt, visitor.caller, cluster_id, year, review_id, data)

    return await _change(
        request,
        visitor,
        rt,
        (cluster_id, year, review_id),
        work,
        "Đã tải lên báo cáo và chuyển sang PDF. Hãy xem lại rồi ký số.",
    )


@router.post(
    "/cum-thi-dua/{cluster_id:int}/{year:int}/hoi-nghi/{review_id:int}/ky",
    response_model=None,
)
async def sign(
    request: Request,
    cluster_id: int,
    year: int,
    review_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    pin = text(form, "signing_pin", 64)

    def work() -> None:
        service.sign_and_send(rt, visitor.caller, cluster_id, year, review_id, pin)

    return await _change(
        request,
        visitor,
        rt,
        (cluster_id, year, review_id),
        work,
        "Đã ký số, đóng dấu và gửi báo cáo đến Phòng Thi đua – Khen thưởng.",
    )
