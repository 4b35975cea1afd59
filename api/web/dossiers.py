"""Dossier pages: the list and search, the dossier with its stepper, documents, history and
actions, and approving several dossiers at once (the clerk's editor is api/web/editor.py).

Actions go through the same use case as the JSON API, `approvals.take_action` (which
signs with the approver's PIN); the flow of a step is started after the commit, as the
API does."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api.deps import RuntimeDep
from api.dossiers import approvals, eligibility, service
from api.dossiers.eligibility import OverrideIn
from api.dossiers.progress import StepProgress, step_progress
from api.dossiers.routes import dossier_out, refresh_prepared, save_appraisal
from api.dossiers.schemas import ActionIn, AppraisalIn, AppraisalItemIn, OwnReportSignIn
from api.exports import service as exports
from api.exports.lists import DOSSIERS, NOMINEES
from api.web import views
from api.web.forms import text
from api.web.home import home_page  # the inbox, where several are approved at once
from api.web.pages import WebRoute, redirect, render
from api.web.refusals import PIN_CODES, action_error
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain import rounds as rounds_rules
from domain.appraisal import Result
from domain.awards import AWARDS
from domain.errors import AppraisalInvalid, DomainError, NotFound
from domain.process import Action, Status
from domain.roles import Role
from issuing.runtime import Runtime
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 20


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
    f = _filter(trang_thai, nam, khen_thuong, don_vi, cum, q)
    with rt.db.read() as s:
        found, total = dossiers_repo.list_dossiers(
            s, visitor.actor, f, offset=(trang - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        listed = views.rows(s, visitor.actor, found)
        wide = bool(visitor.actor.roles() - {Role.UNIT_CLERK, Role.UNIT_HEAD})
        units = org_repo.all_units(s) if wide else []
        clusters = org_repo.all_clusters(s) if wide else []
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


def _filter(
    status: str | None,
    year: str | None,
    award: str | None,
    unit: str | None,
    cluster: str | None,
    q: str | None,
) -> dossiers_repo.DossierFilter:
    """The list's filter from the page's address (what is not understood is left out):
    the list and its exports read it alike."""

    def number(raw: str | None) -> int | None:
        return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None

    return dossiers_repo.DossierFilter(
        status=status if _is_status(status) else None,
        year=number(year),
        award=award if award in AWARDS else None,
        unit_id=number(unit),
        cluster_id=number(cluster),
        q=(q or "").strip() or None,
    )


class DossierListQuery:
    """The list's filters as the page's address names them (`/ho-so?nam=2026&…`)."""

    def __init__(
        self,
        trang_thai: Annotated[str | None, Query(alias="trang-thai", max_length=32)] = None,
        nam: Annotated[str | None, Query(max_length=4)] = None,
        khen_thuong: Annotated[str | None, Query(alias="khen-thuong", max_length=64)] = None,
        don_vi: Annotated[str | None, Query(alias="don-vi", max_length=12)] = None,
        cum: Annotated[str | None, Query(max_length=12)] = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
    ) -> None:
        self.filter = _filter(trang_thai, nam, khen_thuong, don_vi, cum, q)


ExportFormat = Annotated[str | None, Query(alias="dinh-dang", max_length=8)]


@router.get("/ho-so/xuat", response_model=None)
def export_dossiers(
    visitor: VisitorDep,
    rt: RuntimeDep,
    listed: Annotated[DossierListQuery, Depends()],
    dinh_dang: ExportFormat = None,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of the list, with the filters the list shows."""
    return exports.export(rt, visitor.caller, DOSSIERS.name, dinh_dang, listed.filter)


@router.get("/ho-so/xuat-tap-the-ca-nhan", response_model=None)
def export_nominees(
    visitor: VisitorDep,
    rt: RuntimeDep,
    listed: Annotated[DossierListQuery, Depends()],
    dinh_dang: ExportFormat = None,
) -> Response:
    """The collectives and individuals proposed in the list's dossiers, a row each."""
    return exports.export(rt, visitor.caller, NOMINEES.name, dinh_dang, listed.filter)


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
    appraisal: dict[str, Any] | None = None,
    eligibility_error: str = "",
    override_form: dict[str, str] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        view = views.dossier_view(s, visitor.actor, dossier_id)
        progress = step_progress(s, view.d) if view.out.processing else None
    return render(
        request,
        "dossier.html",
        visitor,
        status_code=status_code,
        v=view,
        d=view.d,
        progress=progress,
        action_error=action_error or {},
        appraisal_form=appraisal or {},
        eligibility_error=eligibility_error,
        override_form=override_form or {},
        idem=secrets.token_urlsafe(16),
        is_auditor=Role.AUDITOR in visitor.actor.roles(),
        can_see_round=rounds_rules.can_view(visitor.actor, view.d.authority_id),
    )


@router.get("/ho-so/{dossier_id:int}", response_class=HTMLResponse)
def dossier_page(
    request: Request, dossier_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _dossier_page(request, visitor, rt, dossier_id)


@router.get("/ho-so/{dossier_id:int}/tien-do")
def progress_of(dossier_id: int, visitor: VisitorDep, rt: RuntimeDep) -> StepProgress:
    """What the dossier page polls while its step's documents are being made (the API's
    `GET /api/v1/dossiers/{id}/progress`, for the session of the pages)."""
    with rt.db.read() as s:
        return step_progress(s, service.visible_dossier(s, visitor.actor, dossier_id))


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
        eligibility_explanations=explanations(form),
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
        error = action_error(e, action, body.reason)
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
    signed = action != Action.APPROVE or body.signing_pin is not None
    set_flash(response, DONE_MESSAGES[action] if signed else APPROVED_WITHOUT_SIGNING)
    return response


EXPLANATION_FIELD = re.compile(r"giai-trinh-(\d{1,18})-([a-z0-9_]{1,64})")


def explanations(form: Any) -> dict[str, dict[str, str]]:
    """The clerk's explanations of failing eligibility rules, typed on the submit form as
    `giai-trinh-<nominee id>-<rule code>`."""
    out: dict[str, dict[str, str]] = {}
    for key in list(form)[:1000]:
        m = EXPLANATION_FIELD.fullmatch(key)
        value = text(form, key, 4000).strip() if m else ""
        if m and value:
            out.setdefault(m.group(1), {})[m.group(2)] = value
    return out


@router.post("/ho-so/{dossier_id:int}/dieu-kien/chap-thuan", response_model=None)
async def override_eligibility(
    request: Request, dossier_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """The board's override of a failing eligibility rule, with its reason: the API's own
    use case; a refusal is shown above the rules."""
    nominee = text(form, "nominee_id", 20).strip()
    body = OverrideIn(
        nominee_id=int(nominee) if nominee.isdigit() else 0,
        rule_code=text(form, "rule_code", 64),
        reason=text(form, "reason", 4000),
    )

    def save() -> None:
        with rt.db.write() as s:
            user = users_repo.user_by_id(s, visitor.caller.user.id)
            assert user is not None
            d = service.visible_dossier(s, visitor.actor, dossier_id, for_update=True)
            eligibility.override(s, user, visitor.actor, d, body)

    try:
        await run_in_threadpool(save)
    except NotFound:
        raise
    except DomainError as e:
        return await run_in_threadpool(
            _dossier_page,
            request,
            visitor,
            rt,
            dossier_id,
            status_code=e.status,
            eligibility_error=e.message,
            override_form={"key": f"{body.nominee_id}-{body.rule_code}"},
        )
    response = redirect(f"/ho-so/{dossier_id}#dieu-kien")
    set_flash(response, "Đã chấp thuận điều kiện khen thưởng (ghi vào lịch sử hồ sơ).")
    return response


APPROVED_WITHOUT_SIGNING = "Đã duyệt. Hồ sơ đã được chuyển sang bước tiếp theo."
DONE_MESSAGES = {
    Action.SUBMIT: "Đã trình hồ sơ. Hệ thống đang lập báo cáo thành tích.",
    Action.APPROVE: "Đã duyệt và ký. Hệ thống đang cấp số, đóng dấu và chuyển bước tiếp theo.",
    Action.RETURN: "Đã trả lại hồ sơ cho đơn vị.",
    Action.REJECT: "Đã ghi nhận: không đề nghị khen thưởng.",
    Action.WITHDRAW: "Đã rút hồ sơ về dự thảo.",
}


# ---------------------------------------------------------------- appraisal, own reports

APPRAISAL_FIELDS = ("result", "note", "other_award", "strike_reason")
APPRAISAL_ROW = re.compile(r"r-(\d{1,18})-result")


@router.post("/ho-so/{dossier_id:int}/tham-dinh", response_model=None)
async def record_appraisal(
    request: Request, dossier_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """The specialist's results, one row per nominee (`r-<nominee id>-<field>`), through
    the API's own use case; a refusal is shown next to its field with what was typed."""
    version = text(form, "version").strip()
    found = (APPRAISAL_ROW.fullmatch(key) for key in form)
    ids = list(dict.fromkeys(int(m.group(1)) for m in found if m))[:500]
    typed: dict[int, dict[str, Any]] = {
        i: {f: text(form, f"r-{i}-{f}", 2000) for f in APPRAISAL_FIELDS}
        | {"struck": text(form, f"r-{i}-struck") == "1"}
        for i in ids
    }
    errors: dict[str, str] = {}
    items = []
    for i, values in typed.items():
        result = values["result"] if values["result"] in set(Result) else None
        if values["result"] and result is None:
            errors[f"r-{i}-result"] = "Hãy chọn một kết quả trong danh sách."
        items.append(
            AppraisalItemIn(
                nominee_id=i,
                result=Result(result) if result else None,
                note=str(values["note"]),
                other_award=str(values["other_award"])[:255],
                struck=bool(values["struck"]),
                strike_reason=str(values["strike_reason"]),
            )
        )
    message = "Có kết quả chưa hợp lệ, xem các ô được đánh dấu."
    status = 422
    if not errors:
        body = AppraisalIn(version=int(version) if version.isdigit() else -1, items=items)
        try:
            await run_in_threadpool(save_appraisal, rt, visitor.caller, dossier_id, body)
        except NotFound:
            raise
        except AppraisalInvalid as e:
            for err in e.errors:
                _, index, field = err["field"].split(".")
                errors[f"r-{ids[int(index)]}-{field}"] = err["message"].split(": ", 1)[-1]
        except DomainError as e:
            message, status = e.message, e.status
        else:
            await refresh_prepared(rt, visitor.caller, dossier_id)
            response = redirect(f"/ho-so/{dossier_id}#tham-dinh")
            set_flash(response, "Đã lưu kết quả thẩm định. Báo cáo thẩm định đã được lập lại.")
            return response
    return await run_in_threadpool(
        _dossier_page,
        request,
        visitor,
        rt,
        dossier_id,
        status_code=status,
        appraisal={"values": typed, "errors": errors, "message": message},
    )


@router.post("/ho-so/{dossier_id:int}/ky-bao-cao", response_model=None)
async def sign_own_report(
    request: Request, dossier_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """An individual signs their own achievement report with their PIN (the API's own
    use case); a refusal is shown next to the PIN field."""
    version = text(form, "version").strip()
    body = OwnReportSignIn(
        signing_pin=text(form, "signing_pin", 64) or None,
        version=int(version) if version.isdigit() else None,
    )
    try:
        await run_in_threadpool(
            approvals.sign_own_report,
            rt,
            visitor.caller,
            dossier_id,
            body,
            lambda s, d: dossier_out(s, visitor.actor, d),
        )
    except NotFound:
        raise
    except DomainError as e:
        error = {
            "action": "own_report",
            "field": "signing_pin" if e.code in PIN_CODES else None,
            "message": e.message,
            "code": e.code,
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
    response = redirect(f"/ho-so/{dossier_id}")
    set_flash(response, "Đã ký báo cáo thành tích của bạn. Thủ trưởng đơn vị ký tiếp khi duyệt.")
    return response


# ---------------------------------------------------------------- approving several at once


@router.post("/hop-thu/duyet", response_model=None)
async def approve_many(
    request: Request,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    """Approve the selected dossiers as one action (the API's `approve_many`): each signed
    with the approver's key, all or none; a refusal names its dossier."""
    ids = [int(x) for x in form.getlist("ho_so") if isinstance(x, str) and x.isdigit()][:50]
    pin = text(form, "signing_pin", 64)
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
    try:
        answers, outbox_ids = await run_in_threadpool(
            approvals.approve_many,
            rt,
            visitor.caller,
            ids,
            pin,
            {},
            lambda s, d: dossier_out(s, visitor.actor, d),
        )
    except DomainError as e:
        # All or none: nothing was approved; the refusal goes next to what it is about.
        field = "signing_pin" if e.code in PIN_CODES else "ho_so"
        return await run_in_threadpool(
            home_page,
            request,
            visitor,
            rt,
            status_code=e.status,
            bulk_errors={field: e.message},
            selected=set(ids),
        )
    if rt.dispatcher is not None:
        for outbox_id in outbox_ids:
            background.add_task(rt.dispatcher.start_soon, outbox_id)
    results = [
        {"id": a.dossier.id, "ok": True, "message": "Đã duyệt và ký.", "title": a.dossier.title}
        for a in answers
    ]
    return render(request, "bulk_result.html", visitor, results=results)
