"""Dossier pages: the list and search, the dossier with its stepper, documents, history and
actions, the clerk's step-by-step editor, and approving several dossiers at once.

Every change goes through the same use cases as the JSON API: `service.create`,
`service.update`, `documents.service.add_attachment` and `approvals.take_action` (which
signs with the approver's PIN); the flow of a step is started after the commit, as the
API does."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.deps import RuntimeDep
from api.documents import service as documents
from api.dossiers import approvals, service
from api.dossiers.routes import dossier_out
from api.dossiers.schemas import ActionIn, DossierCreate, DossierPatch
from api.web import views
from api.web.forms import (
    Checked,
    NomineeRow,
    integer,
    nominee_rows,
    nominees_in,
    text,
    validate,
)
from api.web.home import home_page  # the inbox, where several are approved at once
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain.awards import AWARDS
from domain.errors import DomainError, Forbidden, NotFound
from domain.process import EDITABLE, Action, Status
from domain.roles import Role
from flows.runtime import Runtime
from storage import repositories as repo
from storage.models import Dossier

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 20
PIN_CODES = {"wrong_pin", "signing_locked", "signing_pin_required", "no_signing_key"}
EDIT_STEPS = (
    (1, "Thông tin chung"),
    (2, "Tập thể, cá nhân được đề nghị"),
    (3, "Tài liệu kèm theo"),
    (4, "Xem lại và trình"),
)


def this_year() -> int:
    return datetime.now(UTC).year


# ---------------------------------------------------------------- list and search


@router.get("/ho-so", response_class=HTMLResponse)
def list_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    trang_thai: Annotated[str | None, Query(alias="trang-thai", max_length=32)] = None,
    nam: Annotated[str | None, Query(max_length=4)] = None,
    khen_thuong: Annotated[str | None, Query(alias="khen-thuong", max_length=64)] = None,
    don_vi: Annotated[str | None, Query(alias="don-vi", max_length=12)] = None,
    cum: Annotated[str | None, Query(max_length=12)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    trang: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    def number(raw: str | None) -> int | None:
        return int(raw) if raw and raw.isdigit() else None

    f = repo.DossierFilter(
        status=trang_thai if _is_status(trang_thai) else None,
        year=number(nam),
        award=khen_thuong if khen_thuong in AWARDS else None,
        unit_id=number(don_vi),
        cluster_id=number(cum),
        q=(q or "").strip() or None,
    )
    with rt.db.read() as s:
        found, total = repo.list_dossiers(
            s, visitor.actor, f, offset=(trang - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        listed = views.rows(s, visitor.actor, found)
        wide = bool(visitor.actor.roles() - {Role.UNIT_CLERK, Role.UNIT_HEAD})
        units = repo.all_units(s) if wide else []
        clusters = repo.all_clusters(s) if wide else []
    pages = max(1, -(-total // PAGE_SIZE))
    query = {
        k: v
        for k, v in {
            "trang-thai": f.status,
            "nam": f.year,
            "khen-thuong": f.award,
            "don-vi": f.unit_id,
            "cum": f.cluster_id,
            "q": f.q,
        }.items()
        if v
    }
    return render(
        request,
        "dossiers.html",
        visitor,
        rows=listed,
        total=total,
        page=trang,
        pages=pages,
        f=f,
        query=query,
        units=units,
        clusters=clusters,
        wide=wide,
    )


def _is_status(value: str | None) -> bool:
    try:
        Status(value or "")
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- the dossier page


def _dossier_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    dossier_id: int,
    *,
    status_code: int = 200,
    action_error: dict[str, Any] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        view = views.dossier_view(s, visitor.actor, dossier_id)
    return render(
        request,
        "dossier.html",
        visitor,
        status_code=status_code,
        v=view,
        d=view.d,
        action_error=action_error or {},
        idem=secrets.token_urlsafe(16),
        is_auditor=Role.AUDITOR in visitor.actor.roles(),
    )


@router.get("/ho-so/{dossier_id:int}", response_class=HTMLResponse)
def dossier_page(
    request: Request, dossier_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _dossier_page(request, visitor, rt, dossier_id)


@router.post("/ho-so/{dossier_id:int}/thao-tac/{action}", response_model=None)
async def act(
    request: Request,
    dossier_id: int,
    action: Action,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    """Submit, approve (signing with the PIN), return, reject or withdraw: the API's own
    `take_action`; its refusal is shown next to the field it is about."""
    version = text(form, "version").strip()
    body = ActionIn(
        reason=text(form, "reason", 4000) or None,
        signing_pin=text(form, "signing_pin", 64) or None,
        version=int(version) if version.isdigit() else None,
    )
    idem = text(form, "idem", 100).strip() or None
    try:
        _, outbox_id = await run_in_threadpool(
            approvals.take_action,
            rt,
            visitor.caller,
            dossier_id,
            action,
            body,
            [],
            lambda s, d: dossier_out(s, visitor.actor, d),
            idempotency_key=f"web:{idem}:{dossier_id}:{action}" if idem else None,
        )
    except NotFound:
        raise
    except DomainError as e:
        field = (
            "signing_pin"
            if e.code in PIN_CODES
            else "reason"
            if e.code == "reason_required"
            else None
        )
        error = {
            "action": str(action),
            "field": field,
            "message": e.message,
            "code": e.code,
            "reason": body.reason or "",
        }
        return await run_in_threadpool(
            _dossier_page,
            request,
            visitor,
            rt,
            dossier_id,
            status_code=e.status,
            action_error=error,
        )
    if outbox_id is not None and rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    response = redirect(f"/ho-so/{dossier_id}")
    set_flash(response, DONE_MESSAGES[action])
    return response


DONE_MESSAGES = {
    Action.SUBMIT: "Đã trình hồ sơ. Hệ thống đang lập báo cáo thành tích.",
    Action.APPROVE: "Đã duyệt và ký. Hệ thống đang cấp số, đóng dấu và chuyển bước tiếp theo.",
    Action.RETURN: "Đã trả lại hồ sơ cho đơn vị.",
    Action.REJECT: "Đã ghi nhận: không đề nghị khen thưởng.",
    Action.WITHDRAW: "Đã rút hồ sơ về dự thảo.",
}


# ---------------------------------------------------------------- approving several at once


@router.post("/hop-thu/duyet", response_model=None)
async def approve_many(
    request: Request,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    """Approve each selected dossier with its own signature (one `take_action` each). A
    wrong PIN stops at once: every further try would count towards the lock."""
    ids = [int(x) for x in form.getlist("ho_so") if isinstance(x, str) and x.isdigit()][:50]
    pin = text(form, "signing_pin", 64)
    idem = text(form, "idem", 100).strip()
    if not ids:
        return await run_in_threadpool(
            home_page,
            request,
            visitor,
            rt,
            status_code=422,
            bulk_errors={"ho_so": "Hãy chọn ít nhất một hồ sơ."},
        )
    if not pin:
        return await run_in_threadpool(
            home_page,
            request,
            visitor,
            rt,
            status_code=422,
            bulk_errors={"signing_pin": "Hãy nhập mã PIN ký số."},
            selected=set(ids),
        )
    results: list[dict[str, Any]] = []
    stopped: str | None = None
    for dossier_id in ids:
        if stopped:
            results.append({"id": dossier_id, "ok": False, "message": stopped})
            continue
        try:
            out, outbox_id = await run_in_threadpool(
                approvals.take_action,
                rt,
                visitor.caller,
                dossier_id,
                Action.APPROVE,
                ActionIn(signing_pin=pin),
                [],
                lambda s, d: dossier_out(s, visitor.actor, d),
                idempotency_key=f"web:{idem}:{dossier_id}:approve" if idem else None,
            )
        except DomainError as e:
            if e.code in PIN_CODES:
                if not results:  # nothing signed yet: say it next to the PIN field
                    return await run_in_threadpool(
                        home_page,
                        request,
                        visitor,
                        rt,
                        status_code=e.status,
                        bulk_errors={"signing_pin": e.message},
                        selected=set(ids),
                    )
                stopped = "Chưa ký: " + e.message
            results.append({"id": dossier_id, "ok": False, "message": e.message})
            continue
        if outbox_id is not None and rt.dispatcher is not None:
            background.add_task(rt.dispatcher.start_soon, outbox_id)
        results.append(
            {"id": dossier_id, "ok": True, "message": "Đã duyệt và ký.", "title": out.dossier.title}
        )
    with rt.db.read() as s:
        for r in results:
            d = repo.dossier(s, r["id"])
            if d is not None and visitor.actor.can_view(repo.scope_of(s, d)):
                r.setdefault("title", d.title)
            else:
                r["title"] = f"Hồ sơ số {r['id']}"
    return render(request, "bulk_result.html", visitor, results=results)


# ---------------------------------------------------------------- the clerk's editor


def _editable(visitor: Visitor, rt: Runtime, dossier_id: int) -> Dossier | RedirectResponse:
    with rt.db.read() as s:
        d = service.visible_dossier(s, visitor.actor, dossier_id)
        if views.can_edit(s, visitor.actor, d):
            return d
        editable_status = Status(d.status) in EDITABLE
    response = redirect(f"/ho-so/{dossier_id}")
    set_flash(
        response,
        "Hồ sơ đang được xử lý, hãy thử lại sau ít phút."
        if editable_status
        else "Hồ sơ không còn ở trạng thái được sửa.",
    )
    return response


def _edit_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    step: int,
    dossier_id: int | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    view = None
    if dossier_id is not None:
        with rt.db.read() as s:
            view = views.dossier_view(s, visitor.actor, dossier_id)
    return render(
        request,
        f"edit_{step}.html",
        visitor,
        status_code=status_code,
        step=step,
        steps=EDIT_STEPS,
        v=view,
        d=view.d if view else None,
        award_kinds=views.award_kinds,
        max_upload=rt.settings.max_upload_bytes,
        idem=secrets.token_urlsafe(16),
        **context,
    )


@router.get("/ho-so/moi", response_class=HTMLResponse)
def new_page(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    if Role.UNIT_CLERK not in visitor.actor.roles():
        raise Forbidden("Chỉ cán bộ phụ trách TĐKT của đơn vị được lập hồ sơ.")
    return _edit_page(
        request,
        visitor,
        rt,
        1,
        None,
        values={"award": "bang_khen_ubnd_tinh", "year": str(this_year()), "title": ""},
        errors={},
    )


def _general(form_values: dict[str, str], checked: Checked) -> tuple[str, int | None, str]:
    """Award, year and title, checked by the API's own model (`DossierCreate`)."""
    award, title = form_values["award"], form_values["title"].strip()
    if award not in AWARDS:
        checked.errors["award"] = "Hãy chọn một hình thức khen thưởng."
    year_raw = form_values["year"].strip()
    year = int(year_raw) if year_raw.isdigit() and len(year_raw) <= 4 else -1
    validate(DossierCreate, {"award": award, "year": year, "title": title or None}, checked)
    if "year" in checked.errors:
        checked.errors["year"] = "Năm phải là số từ 2000 đến 2100."
    return award, (year if "year" not in checked.errors else None), title


@router.post("/ho-so/moi", response_model=None)
def create(request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep) -> Response:
    values = {k: text(form, k, 600) for k in ("award", "year", "title")}
    checked = Checked()
    award, year, title = _general(values, checked)
    if not checked.ok or year is None:
        return _edit_page(
            request, visitor, rt, 1, None, status_code=422, values=values, errors=checked.errors
        )
    try:
        with rt.db.write() as s:
            d = service.create(
                s,
                visitor.user,
                visitor.actor,
                DossierCreate(award=award, year=year, title=title or None),
            )
            dossier_id = d.id
    except DomainError as e:
        return _edit_page(
            request,
            visitor,
            rt,
            1,
            None,
            status_code=e.status,
            values=values,
            errors={},
            error=e.message,
        )
    response = redirect(f"/ho-so/{dossier_id}/sua/2")
    set_flash(response, f"Đã lập hồ sơ số {dossier_id}. Tiếp theo: tập thể, cá nhân được đề nghị.")
    return response


@router.get("/ho-so/{dossier_id:int}/sua/{step}", response_class=HTMLResponse, response_model=None)
def edit_page(
    request: Request, dossier_id: int, step: int, visitor: VisitorDep, rt: RuntimeDep
) -> Response:
    if step not in (1, 2, 3, 4):
        raise NotFound("Không có bước này.")
    d = _editable(visitor, rt, dossier_id)
    if isinstance(d, RedirectResponse):
        return d
    context: dict[str, Any] = {"errors": {}}
    if step == 1:
        context["values"] = {"award": d.award, "year": str(d.year), "title": d.title}
    if step == 2:
        context["rows"] = [
            NomineeRow(i, n.kind, n.name, n.job_title, n.unit_name, n.achievements)
            for i, n in enumerate(d.nominees)
        ]
    return _edit_page(request, visitor, rt, step, dossier_id, **context)


@router.post("/ho-so/{dossier_id:int}/sua/1", response_model=None)
def save_general(
    request: Request, dossier_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    values = {k: text(form, k, 600) for k in ("award", "year", "title")}
    checked = Checked()
    award, year, title = _general(values, checked)
    version = integer(form, "version", checked, "Thiếu phiên bản của hồ sơ.")
    if checked.ok and version is not None:
        patch = DossierPatch(version=version, award=award, year=year, title=title or None)
        error = _update(visitor, rt, dossier_id, patch)
        if error is None:
            return redirect(f"/ho-so/{dossier_id}/sua/2")
        return _edit_page(
            request,
            visitor,
            rt,
            1,
            dossier_id,
            status_code=error.status,
            values=values,
            errors={},
            error=error.message,
        )
    return _edit_page(
        request, visitor, rt, 1, dossier_id, status_code=422, values=values, errors=checked.errors
    )


def _update(
    visitor: Visitor, rt: Runtime, dossier_id: int, patch: DossierPatch
) -> DomainError | None:
    try:
        with rt.db.write() as s:
            service.update(s, visitor.user, visitor.actor, dossier_id, patch)
    except NotFound:
        raise
    except DomainError as e:
        return e
    return None


@router.post("/ho-so/{dossier_id:int}/sua/2", response_model=None)
def save_nominees(
    request: Request, dossier_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    rows = nominee_rows(form)
    checked = Checked()
    nominees = nominees_in(rows, checked)
    version = integer(form, "version", checked, "Thiếu phiên bản của hồ sơ.")
    error: DomainError | None = None
    if checked.ok and version is not None:
        error = _update(visitor, rt, dossier_id, DossierPatch(version=version, nominees=nominees))
        if error is None:
            if text(form, "next") == "1":
                return redirect(f"/ho-so/{dossier_id}/sua/3")
            response = redirect(f"/ho-so/{dossier_id}/sua/2")
            set_flash(response, f"Đã lưu {len(nominees)} tập thể, cá nhân được đề nghị.")
            return response
    kept = [r for r in rows if not r.remove]
    return _edit_page(
        request,
        visitor,
        rt,
        2,
        dossier_id,
        status_code=error.status if error else 422,
        rows=kept,
        errors=checked.errors,
        error=error.message if error else "Có thông tin chưa hợp lệ, xem các ô được đánh dấu.",
    )


@router.post("/ho-so/{dossier_id:int}/tai-lieu", response_model=None)
def upload(
    request: Request, dossier_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """An attachment (the page's script sends it with a progress bar and asks for JSON;
    without the script the form posts and gets the page back)."""
    wants_json = "application/json" in request.headers.get("accept", "")
    file = form.get("file")
    title = text(form, "title", 300).strip() or None
    error: DomainError | None = None
    if file is None or isinstance(file, str) or not file.filename:
        message, status = "Hãy chọn một tệp.", 422
    else:
        try:
            with rt.db.write() as s:
                doc = documents.add_attachment(
                    s, rt, visitor.caller, dossier_id, file.file, file.filename, title
                )
                name = doc.title
        except NotFound:
            raise
        except DomainError as e:
            error = e
        if error is None:
            if wants_json:
                ok = JSONResponse({"ok": True, "title": name})
                set_flash(ok, f"Đã tải lên «{name}».")
                return ok
            response = redirect(f"/ho-so/{dossier_id}/sua/3")
            set_flash(response, f"Đã tải lên «{name}».")
            return response
        message, status = error.message, error.status
    if wants_json:
        return JSONResponse({"ok": False, "message": message}, status_code=status)
    return _edit_page(
        request, visitor, rt, 3, dossier_id, status_code=status, errors={"file": message}
    )
