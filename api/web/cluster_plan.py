"""The cluster's year page: its plan section (read by every member and the board), and the
head unit's page that drafts and issues the plan (/cum-thi-dua/{id}/{year}/ke-hoach).

Every change goes through the API's own use cases (api/clusters/plan_service.py): the
same rules, audit events and refusals, shown on the page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.clusters import plan_service
from api.clusters.plan_schemas import CriterionIn, PlanIn, PlanOut
from api.clusters.service import YearContext, load_year
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain.cluster_plan import MAX_CRITERIA, points_text
from domain.errors import DomainError, NotFound
from issuing.runtime import Runtime

router = APIRouter(route_class=WebRoute, include_in_schema=False)

BLANK_ROWS = 2


def section(s: Session, ctx: YearContext, visitor: Visitor) -> dict[str, Any]:
    """What the year page's plan section shows (cluster_year/_plan.html)."""
    plan = plan_service.plan_out(s, visitor.actor, ctx)
    return {
        "plan": plan,
        "groups": groups_of(plan),
        "total": points_text(plan.total_points),
        "edit_url": f"/cum-thi-dua/{ctx.cluster.id}/{ctx.year}/ke-hoach",
        **pdf_links(plan),
    }


def pdf_links(plan: PlanOut) -> dict[str, str]:
    """The issued Kế hoạch as the pages offer it: shown, downloaded, its signatures."""
    if plan.document_id is None:
        return {}
    doc = f"/van-ban/{plan.document_id}"
    return {
        "view_url": f"{doc}?ban=pdf-signed",
        "download_url": f"{doc}?ban=pdf-signed&tai=1",
        "signatures_url": f"{doc}/chu-ky",
    }


def groups_of(plan: PlanOut) -> list[dict[str, Any]]:
    """The criteria by group, with each group's points, in the plan's order (points as
    a Vietnamese reader writes them: "20,5")."""
    out: list[dict[str, Any]] = []
    sums: list[Decimal] = []
    for c in plan.criteria:
        if not out or out[-1]["name"] != c.group_name:
            out.append({"name": c.group_name, "criteria": []})
            sums.append(Decimal(0))
        out[-1]["criteria"].append({**c.model_dump(), "points": points_text(c.max_points)})
        sums[-1] += c.max_points
    for g, total in zip(out, sums, strict=True):
        g["points"] = points_text(total)
    return out


def _rows(plan: PlanOut) -> list[dict[str, str]]:
    rows = [
        {
            "group_name": c.group_name,
            "code": c.code,
            "title": c.title,
            "max_points": points_text(c.max_points),
            "mandatory": "1" if c.mandatory else "",
            "evidence": c.evidence,
        }
        for c in plan.criteria
    ]
    return rows + [
        dict.fromkeys(("group_name", "code", "title", "max_points", "mandatory", "evidence"), "")
        for _ in range(BLANK_ROWS)
    ]


def _edit_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    cluster_id: int,
    year: int,
    *,
    status_code: int = 200,
    error: str = "",
    problems: list[str] | None = None,
    sent: dict[str, Any] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        ctx = load_year(s, visitor.actor, cluster_id, year)
        ctx.require_runs()
        plan = plan_service.plan_out(s, visitor.actor, ctx)
    rows = sent["rows"] if sent else _rows(plan)
    values = sent or {
        "goals": plan.goals,
        "covenant_signing_on": plan.covenant_signing_on,
        "registration_deadline": plan.registration_deadline,
        "midyear_review_on": plan.midyear_review_on,
        "yearend_review_on": plan.yearend_review_on,
    }
    return render(
        request,
        "cluster_plan_edit.html",
        visitor,
        status_code=status_code,
        ctx=ctx,
        plan=plan,
        groups=groups_of(plan),
        total=points_text(plan.total_points),
        links=pdf_links(plan),
        rows=rows,
        values=values,
        error=error,
        problems=problems if problems is not None else plan.problems,
        max_rows=MAX_CRITERIA,
    )


@router.get("/cum-thi-dua/{cluster_id:int}/{year:int}/ke-hoach", response_class=HTMLResponse)
def edit_page(
    request: Request, cluster_id: int, year: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _edit_page(request, visitor, rt, cluster_id, year)


def _day(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _points(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def read_form(form: FormData) -> tuple[dict[str, Any], list[str]]:
    """The page's fields as sent, and what in them cannot be read (a date, points)."""
    wrong: list[str] = []
    indexes = sorted(
        {int(k.split("-")[1]) for k in form if k.startswith("tc-") and k.split("-")[1].isdigit()}
    )[: MAX_CRITERIA + BLANK_ROWS]
    rows = []
    for i in indexes:
        row = {
            name: text(form, f"tc-{i}-{name}", 4000)
            for name in ("group_name", "code", "title", "max_points", "evidence")
        }
        row["mandatory"] = "1" if text(form, f"tc-{i}-mandatory") else ""
        rows.append(row)
    sent: dict[str, Any] = {"goals": text(form, "goals", 20000), "rows": rows}
    for name in (
        "covenant_signing_on",
        "registration_deadline",
        "midyear_review_on",
        "yearend_review_on",
    ):
        raw = text(form, name, 20)
        sent[name] = _day(raw)
        if raw.strip() and sent[name] is None:
            wrong.append(f"Ngày «{raw}» không đúng định dạng.")
    return sent, wrong


def plan_in(sent: dict[str, Any], version: int | None) -> tuple[PlanIn | None, list[str]]:
    wrong: list[str] = []
    criteria = []
    for row in sent["rows"]:
        if not any(
            row[k].strip() for k in ("group_name", "code", "title", "max_points", "evidence")
        ):
            continue  # a blank row: nothing to keep
        points = _points(row["max_points"]) if row["max_points"].strip() else Decimal(0)
        if points is None:
            wrong.append(
                f"Điểm tối đa «{row['max_points']}» của tiêu chí {row['code']} không phải là số."
            )
            continue
        try:
            criteria.append(
                CriterionIn(
                    group_name=row["group_name"],
                    code=row["code"].strip(),
                    title=row["title"],
                    max_points=points,
                    mandatory=bool(row["mandatory"]),
                    evidence=row["evidence"],
                )
            )
        except ValidationError:
            wrong.append(f"Tiêu chí «{row['code']}» có ô quá dài hoặc điểm không hợp lệ.")
    if wrong:
        return None, wrong
    try:
        body = PlanIn(
            version=version,
            goals=sent["goals"],
            covenant_signing_on=sent["covenant_signing_on"],
            registration_deadline=sent["registration_deadline"],
            midyear_review_on=sent["midyear_review_on"],
            yearend_review_on=sent["yearend_review_on"],
            criteria=criteria,
        )
    except ValidationError:
        return None, ["Nội dung kế hoạch quá dài hoặc có quá nhiều tiêu chí."]
    return body, []


def _version(form: FormData) -> int | None:
    raw = text(form, "version", 12).strip()
    return int(raw) if raw.isdigit() else None


async def _change(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    cluster_id: int,
    year: int,
    work: Callable[[], None],
    done: str,
    *,
    sent: dict[str, Any] | None = None,
    to: str | None = None,
) -> Response:
    try:
        await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        problems = e.extra().get("problems")
        listed = problems if isinstance(problems, list) else None
        return await run_in_threadpool(
            functools.partial(
                _edit_page,
                request,
                visitor,
                rt,
                cluster_id,
                year,
                status_code=e.status,
                error="Kế hoạch chưa đủ để ban hành." if listed else e.message,
                problems=listed,
                sent=sent,
            )
        )
    response = redirect(to or f"/cum-thi-dua/{cluster_id}/{year}/ke-hoach")
    set_flash(response, done)
    return response


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/ke-hoach", response_model=None)
async def save_plan(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    sent, wrong = read_form(form)
    body, more = plan_in(sent, _version(form))
    if wrong or more or body is None:
        return await run_in_threadpool(
            lambda: _edit_page(
                request,
                visitor,
                rt,
                cluster_id,
                year,
                status_code=422,
                error=" ".join(wrong + more),
                sent=sent,
            )
        )

    def work() -> None:
        with rt.db.write() as s:
            plan_service.save(s, visitor.user, visitor.actor, cluster_id, year, body)

    return await _change(
        request, visitor, rt, cluster_id, year, work, "Đã lưu dự thảo kế hoạch.", sent=sent
    )


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/ke-hoach/sao-chep", response_model=None)
async def copy_plan(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    version = _version(form)

    def work() -> None:
        with rt.db.write() as s:
            plan_service.copy_last_year(s, visitor.user, visitor.actor, cluster_id, year, version)

    return await _change(
        request,
        visitor,
        rt,
        cluster_id,
        year,
        work,
        f"Đã sao chép kế hoạch năm {year - 1}: hãy kiểm tra các ngày và tiêu chí rồi lưu.",
    )


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/ke-hoach/ban-hanh", response_model=None)
async def issue_plan(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    pin = text(form, "signing_pin", 64) or None
    version = _version(form)
    outbox_ids: list[int] = []

    def work() -> None:
        outbox_ids.append(
            plan_service.issue_plan(rt, visitor.caller, cluster_id, year, pin, version)
        )

    response = await _change(
        request,
        visitor,
        rt,
        cluster_id,
        year,
        work,
        "Đã ký Kế hoạch. Hệ thống đang cấp số, đóng dấu và gửi các đơn vị thành viên.",
        to=f"/cum-thi-dua/{cluster_id}/{year}#ke-hoach",
    )
    if outbox_ids and rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_ids[0])
    return response
