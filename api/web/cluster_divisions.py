"""The admin's page of the division decisions (quyết định phân cụm, khối thi đua): the
decisions recorded with what each changed, the clusters and their members on a day
(today by default), and the form that records a new decision from a few operations
built with selects. The rules and the audit event are api/clusters/divisions.py's."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.clusters import divisions
from api.clusters.division_schemas import DivisionIn, NewClusterIn, OperationIn
from api.deps import RuntimeDep
from api.web.forms import iso_date, message_for, text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from documents.vn import today_vn
from domain.cluster_divisions import OPERATION_LABELS
from domain.errors import DomainError, NotFound
from issuing.runtime import Runtime
from storage import cluster_divisions as store

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE = "/quan-tri/phan-cum"
ROWS = 3
"""Operation rows the form offers (a decision rarely changes more at once; a copy or a
merge is one row)."""

FIELD_OF_CODE = {
    "division_number_required": "number",
    "division_before_latest": "effective_from",
    "authority_required": "_",
}


def _clusters_and_units(s: Session, day: date) -> tuple[list[Any], list[Any]]:
    clusters, units = [], []
    for a in store.authorities(s):
        clusters += [
            c
            for c in store.clusters(s, a.id)
            if (c.valid_from is None or c.valid_from <= day)
            and (c.valid_to is None or c.valid_to > day)
        ]
        names = {c.id: c.name for c in store.clusters(s, a.id)}
        for u in store.units(s, a.id):
            m = store.membership_on(s, u.id, day)
            units.append(
                {"id": u.id, "name": u.name, "cluster": names.get(m.cluster_id) if m else None}
            )
    return clusters, units


def _page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    day: date | None = None,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    sent: dict[str, Any] | None = None,
) -> HTMLResponse:
    today = today_vn()
    day = day or today
    with rt.db.read() as s:
        in_force = divisions.clusters_on(s, visitor.actor, day)
        decisions = divisions.divisions(s, visitor.actor)
        clusters, units = _clusters_and_units(s, today)
    return render(
        request,
        "admin_divisions.html",
        visitor,
        status_code=status_code,
        day=day,
        today=today,
        in_force=in_force,
        decisions=decisions,
        clusters=clusters,
        units=units,
        labels=OPERATION_LABELS,
        rows=range(ROWS),
        errors=errors or {},
        sent=sent or {},
    )


@router.get(PAGE, response_class=HTMLResponse)
def divisions_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    ngay: Annotated[date | None, Query()] = None,
) -> HTMLResponse:
    divisions.require_admin(visitor.actor)
    return _page(request, visitor, rt, ngay)


def _ids(form: FormData, name: str) -> list[int]:
    return [int(v) for v in form.getlist(name) if isinstance(v, str) and v.isdigit()][:500]


def _one(form: FormData, name: str) -> int | None:
    raw = text(form, name, 12).strip()
    return int(raw) if raw.isdigit() else None


def _operations(form: FormData, errors: dict[str, str]) -> list[OperationIn]:
    """The rows the admin filled, each checked for what its kind needs (errors by row)."""
    ops: list[OperationIn] = []
    for i in range(ROWS):
        kind = text(form, f"op-{i}-kind", 16).strip()
        if not kind:
            continue
        units = _ids(form, f"op-{i}-units")
        cluster, cluster2 = _one(form, f"op-{i}-cluster"), _one(form, f"op-{i}-cluster2")
        to = text(form, f"op-{i}-to", 12).strip()
        new_code = text(form, f"op-{i}-new_code", 32).strip()
        new_name = text(form, f"op-{i}-new_name", 255).strip()
        new = (
            NewClusterIn(code=new_code, name=new_name) if to == "moi" or kind == "create" else None
        )
        to_id = int(to) if to.isdigit() else None
        key = f"op-{i}"
        if kind == "move":
            if not units:
                errors[key] = "Hãy chọn đơn vị cần chuyển."
            elif to_id is None and new is None:
                errors[key] = "Hãy chọn cụm đến."
            ops += [
                OperationIn(op="move", unit_id=u, to_cluster_id=to_id, new_cluster=new)
                for u in units
            ]
        elif kind == "merge":
            if cluster is None or cluster2 is None:
                errors[key] = "Hãy chọn hai cụm hợp nhất."
            elif to_id is None and new is None:
                errors[key] = "Hãy chọn cụm sau hợp nhất (một trong hai cụm, hoặc cụm mới)."
            ops.append(
                OperationIn(
                    op="merge",
                    cluster_ids=[c for c in (cluster, cluster2) if c is not None],
                    to_cluster_id=to_id,
                    new_cluster=new,
                )
            )
        elif kind == "dissolve":
            if cluster is None:
                errors[key] = "Hãy chọn cụm giải thể."
            ops.append(OperationIn(op="dissolve", cluster_id=cluster))
        elif kind == "create":
            if not new_code or not new_name:
                errors[key] = "Hãy nhập mã và tên cụm mới."
            elif not units:
                errors[key] = "Hãy chọn các đơn vị thành viên của cụm mới."
            ops.append(OperationIn(op="create", unit_ids=units, new_cluster=new))
        elif kind == "copy":
            ops.append(OperationIn(op="copy"))
        else:
            errors[key] = "Loại nội dung không hợp lệ."
    if not ops and not errors:
        errors["ops"] = "Hãy chọn ít nhất một nội dung của quyết định (có thể là Giữ nguyên)."
    return ops


@router.post(PAGE, response_model=None)
def record_division(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    divisions.require_admin(visitor.actor)
    sent: dict[str, Any] = {k: text(form, k, 5000) for k in form if k != "csrf"}
    for i in range(ROWS):
        sent[f"op-{i}-units"] = [str(u) for u in _ids(form, f"op-{i}-units")]
    errors: dict[str, str] = {}
    ops = _operations(form, errors)
    body: DivisionIn | None = None
    try:
        body = DivisionIn(
            number=text(form, "number", 64).strip(),
            signed_on=iso_date(text(form, "signed_on", 10).strip()),  # type: ignore[arg-type]
            effective_from=iso_date(text(form, "effective_from", 10).strip()),  # type: ignore[arg-type]
            title=text(form, "title", 500),
            note=text(form, "note", 5000),
            changes=ops,
        )
    except ValidationError as e:
        for err in e.errors():
            loc = str(err.get("loc", ("_",))[0])
            errors.setdefault(loc, message_for(err.get("type", "")))
    if not text(form, "number", 64).strip():
        errors.setdefault("number", "Cần nhập số quyết định.")
    if errors or body is None:
        return _page(request, visitor, rt, status_code=422, errors=errors, sent=sent)
    try:
        with rt.db.write() as s:
            out = divisions.record(s, visitor.user, visitor.actor, body, today=today_vn())
    except NotFound:
        raise
    except DomainError as e:
        field = FIELD_OF_CODE.get(e.code, "ops")
        return _page(
            request, visitor, rt, status_code=e.status, errors={field: e.message}, sent=sent
        )
    response = redirect(f"{PAGE}#qd-{out.id}")
    changed = f"{len(out.changes)} đơn vị thay đổi cụm" if out.changes else "giữ nguyên phân cụm"
    set_flash(response, f"Đã ghi Quyết định {out.number}: {changed}.")
    return response
