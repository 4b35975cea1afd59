"""The «Ủy quyền» pages: a person's own (from the account menu: delegate one of their
roles for a period, see what they gave and received, revoke), and the admin's absence
form (record that someone is away and who stands in for them). The rules, the audit
events and the codes are `api.delegations.service`'s."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.accounts.service import role_titles
from api.delegations import service
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from documents.vn import today_vn
from domain.delegation import DELEGABLE, KIND_EXPLANATIONS, KIND_LABELS, DelegationKind
from domain.errors import DomainError, InvalidInput
from domain.roles import ROLE_LABELS, Role
from issuing.runtime import Runtime
from storage.models import Delegation
from storage.repositories import users as users_repo

router = APIRouter(route_class=WebRoute, include_in_schema=False)
OWN_PAGE, ADMIN_PAGE = "/tai-khoan/uy-quyen", "/quan-tri/vang-mat"

FIELD_OF_CODE = {
    "self_delegation": "delegate",
    "delegate_inactive": "delegate",
    "delegate_elsewhere": "delegate",
    "delegate_holds_role": "delegate",
    "user_not_found": "delegate",
    "delegation_dates": "valid_to",
    "delegation_in_past": "valid_to",
    "delegation_too_long": "valid_to",
    "delegation_overlap": "valid_from",
    "grant_not_held": "grant",
    "grant_ambiguous": "grant",
    "role_not_delegable": "grant",
}


def _row(s: Session, d: Delegation, today: date) -> dict[str, Any]:
    kind = DelegationKind(d.kind)
    return {
        "id": d.id,
        "delegator": d.delegator,
        "delegate": d.delegate,
        "place": service.place_title(s, d),
        "valid_from": d.valid_from,
        "valid_to": d.valid_to,
        "kind": KIND_LABELS[kind],
        "reason": d.reason,
        "revoked": d.revoked_at is not None,
        "in_force": d.revoked_at is None and d.valid_from <= today <= d.valid_to,
        "open": d.revoked_at is None and d.valid_to >= today,
    }


def _page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    *,
    admin: bool,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    today = today_vn()
    with rt.db.read() as s:
        rows = [_row(s, d, today) for d in service.visible(s, visitor.caller, everyone=admin)]
        own = [g for g in users_repo.actor_of(visitor.user).grants if g.role in DELEGABLE]
        grants = list(zip(_grant_keys(own), role_titles(s, own), strict=True))
    return render(
        request,
        "delegations.html",
        visitor,
        status_code=status_code,
        admin=admin,
        action=ADMIN_PAGE if admin else OWN_PAGE,
        rows=rows,
        grants=grants,
        roles=[(str(r), ROLE_LABELS[r]) for r in sorted(DELEGABLE)],
        kinds=[(k.value, KIND_LABELS[k], KIND_EXPLANATIONS[k]) for k in DelegationKind],
        today=today.isoformat(),
        errors=errors or {},
        values=values or {},
    )


def _grant_keys(grants: list[Any]) -> list[str]:
    return [
        "|".join(
            [str(g.role), *(str(x or "") for x in (g.unit_id, g.cluster_term_id, g.authority_id))]
        )
        for g in grants
    ]


def _date(form_value: str, field: str) -> date | None:
    if not form_value:
        return None
    try:
        return date.fromisoformat(form_value)
    except ValueError as e:
        raise InvalidInput("Ngày không hợp lệ.", code=f"bad_{field}") from e


def _create(visitor: Visitor, rt: Runtime, form: Any, *, admin: bool) -> None:
    values = {k: text(form, k, 1000) for k in form}
    if admin:
        role = Role(values.get("role") or "")
        place: dict[str, int | None] = {}
        delegator = values.get("delegator") or None
        if not delegator:
            raise InvalidInput("Hãy nhập tài khoản người vắng mặt.", code="delegator_required")
    else:
        parts = (values.get("grant") or "|||").split("|")
        role = Role(parts[0]) if parts[0] else Role.UNIT_MEMBER
        place = {
            k: int(v) if v else None
            for k, v in zip(("unit_id", "cluster_term_id", "authority_id"), parts[1:], strict=False)
        }
        delegator = None
    valid_to = _date(values.get("valid_to", ""), "valid_to")
    if valid_to is None:
        raise InvalidInput("Hãy chọn ngày kết thúc.", code="delegation_dates")
    with rt.db.write() as s:
        service.create(
            s,
            visitor.caller,
            delegator_username=delegator,
            delegate_username=values.get("delegate", ""),
            role=role,
            place=place,
            valid_from=_date(values.get("valid_from", ""), "valid_from"),
            valid_to=valid_to,
            kind=DelegationKind(values.get("kind") or "KT"),
            reason=values.get("reason", ""),
        )


def _post(request: Request, visitor: Visitor, form: Any, rt: Runtime, *, admin: bool) -> Response:
    try:
        if admin:
            service.require_admin(visitor.caller)
        _create(visitor, rt, form, admin=admin)
    except (DomainError, ValueError) as e:
        message = e.message if isinstance(e, DomainError) else "Dữ liệu không hợp lệ."
        code = e.code if isinstance(e, DomainError) else "invalid_input"
        status = e.status if isinstance(e, DomainError) else 422
        return _page(
            request,
            visitor,
            rt,
            admin=admin,
            status_code=status,
            errors={FIELD_OF_CODE.get(code, "_"): message},
            values={k: text(form, k, 1000) for k in form},
        )
    response = redirect(ADMIN_PAGE if admin else OWN_PAGE)
    set_flash(response, "Đã ghi nhận việc ủy quyền.")
    return response


@router.get(OWN_PAGE, response_class=HTMLResponse)
def own_page(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    return _page(request, visitor, rt, admin=False)


@router.post(OWN_PAGE, response_model=None)
def own_create(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    return _post(request, visitor, form, rt, admin=False)


@router.get(ADMIN_PAGE, response_class=HTMLResponse)
def admin_page(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    service.require_admin(visitor.caller)
    return _page(request, visitor, rt, admin=True)


@router.post(ADMIN_PAGE, response_model=None)
def admin_create(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    return _post(request, visitor, form, rt, admin=True)


@router.post("/uy-quyen/{delegation_id}/thu-hoi", response_model=None)
def revoke(
    delegation_id: int, request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    back = ADMIN_PAGE if text(form, "back", 40) == ADMIN_PAGE else OWN_PAGE
    try:
        with rt.db.write() as s:
            service.revoke(s, visitor.caller, delegation_id)
    except DomainError as e:
        response = redirect(back)
        set_flash(response, e.message)
        return response
    response = redirect(back)
    set_flash(response, "Đã thu hồi việc ủy quyền: có hiệu lực ngay.")
    return response
