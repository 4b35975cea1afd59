"""Administration pages: people and their roles, unlocking signing, and who leads each
cluster in each year. The rules and the audit events are `api.admin.service`'s."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.admin import service
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain.errors import DomainError, NotFound
from domain.roles import ROLE_LABELS, Role
from domain.search import fold, query_words
from flows.runtime import Runtime
from storage import repositories as repo
from storage.models import User

router = APIRouter(prefix="/quan-tri", route_class=WebRoute, include_in_schema=False)

FIELD_OF_CODE = {
    "invalid_username": "username",
    "username_taken": "username",
    "full_name_required": "full_name",
    "password_too_short": "password",
    "unit_required": "unit_id",
    "authority_required": "unit_id",
    "role_exists": "role",
    "cannot_lock_self": "is_active",
    "head_not_member": "head",
    "deputy_not_member": "deputy",
    "deputy_is_head": "deputy",
    "invalid_year": "year",
}


def _admin(visitor: Visitor) -> None:
    service.require_admin(visitor.actor)


def _field_error(e: DomainError) -> dict[str, str]:
    return {FIELD_OF_CODE.get(e.code, "_"): e.message}


def _place(s: Session, g: Any) -> str:
    if g.unit_id is not None:
        return repo.unit(s, g.unit_id).name
    if g.authority_id is not None:
        return repo.authority(s, g.authority_id).name
    if g.cluster_term_id is not None:
        return f"nhiệm kỳ cụm #{g.cluster_term_id}"
    return ""


def _user_rows(s: Session, users: list[User]) -> list[dict[str, Any]]:
    return [
        {
            "u": u,
            "roles": [(ROLE_LABELS[Role(g.role)], _place(s, g), g.id) for g in u.grants],
            "certificates": len(repo.personal_keys(s, u.id)),
        }
        for u in users
    ]


@router.get("/nguoi-dung", response_class=HTMLResponse)
def users_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    _admin(visitor)
    words = query_words(q)  # as the dossiers' search: any case, with or without marks
    with rt.db.read() as s:
        users = [
            u
            for u in repo.all_users(s)
            if all(w in fold(f"{u.username} {u.full_name}") for w in words)
        ]
        rows = _user_rows(s, users)
    return render(request, "admin_users.html", visitor, rows=rows, q=q or "")


def _new_user_page(
    request: Request,
    visitor: Visitor,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "admin_user_new.html",
        visitor,
        status_code=status_code,
        values=values or {"username": "", "full_name": "", "position": ""},
        errors=errors or {},
    )


@router.get("/nguoi-dung/moi", response_class=HTMLResponse)
def new_user_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    _admin(visitor)
    return _new_user_page(request, visitor)


@router.post("/nguoi-dung/moi", response_model=None)
def create_user(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    _admin(visitor)
    values = {k: text(form, k, 255) for k in ("username", "full_name", "position")}
    try:
        with rt.db.write() as s:
            user = service.create_user(
                s, visitor.user, password=text(form, "password", 256), **values
            )
            username = user.username
    except DomainError as e:
        return _new_user_page(
            request, visitor, status_code=e.status, values=values, errors=_field_error(e)
        )
    response = redirect(f"/quan-tri/nguoi-dung/{username}")
    set_flash(response, f"Đã tạo tài khoản {username}. Hãy giao vai trò cho người này.")
    return response


def _user_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    username: str,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        user = repo.user_by_username(s, username)
        if user is None:
            raise NotFound("Không có tài khoản này.", code="user_not_found")
        row = _user_rows(s, [user])[0]
        units = repo.all_units(s)
        authorities = repo.all_authorities(s)
    return render(
        request,
        "admin_user.html",
        visitor,
        status_code=status_code,
        row=row,
        u=user,
        units=units,
        authorities=authorities,
        roles=[(str(r), ROLE_LABELS[r]) for r in Role],
        unit_roles=[str(r) for r in service.HELD_AT_UNIT],
        errors=errors or {},
    )


@router.get("/nguoi-dung/{username}", response_class=HTMLResponse)
def user_page(request: Request, username: str, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    _admin(visitor)
    return _user_page(request, visitor, rt, username)


def _change(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    username: str,
    change: Any,
    done: str,
) -> Response:
    _admin(visitor)
    try:
        with rt.db.write() as s:
            change(s)
    except NotFound:
        raise
    except DomainError as e:
        return _user_page(
            request, visitor, rt, username, status_code=e.status, errors=_field_error(e)
        )
    response = redirect(f"/quan-tri/nguoi-dung/{username}")
    set_flash(response, done)
    return response


@router.post("/nguoi-dung/{username}", response_model=None)
def update_user(
    request: Request, username: str, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    return _change(
        request,
        visitor,
        rt,
        username,
        lambda s: service.update_user(
            s,
            visitor.user,
            username,
            full_name=text(form, "full_name", 255),
            position=text(form, "position", 255),
            is_active=text(form, "is_active") == "1",
        ),
        "Đã lưu thông tin tài khoản.",
    )


@router.post("/nguoi-dung/{username}/vai-tro", response_model=None)
def grant_role(
    request: Request, username: str, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    try:
        role = Role(text(form, "role"))
    except ValueError:
        _admin(visitor)
        return _user_page(
            request, visitor, rt, username, status_code=422, errors={"role": "Hãy chọn vai trò."}
        )
    unit = text(form, "unit_id").strip()
    return _change(
        request,
        visitor,
        rt,
        username,
        lambda s: service.grant_role(
            s, visitor.user, username, role, unit_id=int(unit) if unit.isdigit() else None
        ),
        f"Đã giao vai trò «{ROLE_LABELS[role]}».",
    )


@router.post("/nguoi-dung/{username}/vai-tro/{grant_id}/xoa", response_model=None)
def revoke_role(
    request: Request,
    username: str,
    grant_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    return _change(
        request,
        visitor,
        rt,
        username,
        lambda s: service.revoke_role(s, visitor.user, username, grant_id),
        "Đã bỏ vai trò.",
    )


@router.post("/nguoi-dung/{username}/mo-khoa-ky", response_model=None)
def unlock_signing(
    request: Request, username: str, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    return _change(
        request,
        visitor,
        rt,
        username,
        lambda s: service.unlock_signing(s, visitor.user, username),
        "Đã mở khóa chức năng ký số.",
    )


# ---------------------------------------------------------------- cluster terms


def _terms_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    year: int,
    *,
    status_code: int = 200,
    errors: dict[int, dict[str, str]] | None = None,
    sent: dict[int, dict[str, str]] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        terms = {t.cluster_id: t for t in repo.cluster_terms_of_year(s, year)}
        clusters = [
            {
                "c": c,
                "members": repo.units_of_cluster(s, c.id),
                "term": terms.get(c.id),
            }
            for c in repo.all_clusters(s)
        ]
        years = sorted({*repo.cluster_term_years(s), year, datetime.now(UTC).year})
    return render(
        request,
        "admin_terms.html",
        visitor,
        status_code=status_code,
        year=year,
        years=years,
        clusters=clusters,
        errors=errors or {},
        sent=sent or {},
    )


@router.get("/cum-thi-dua", response_class=HTMLResponse)
def terms_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    _admin(visitor)
    return _terms_page(request, visitor, rt, nam or datetime.now(UTC).year)


@router.post("/cum-thi-dua", response_model=None)
def save_term(request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep) -> Response:
    _admin(visitor)
    raw = {k: text(form, k, 12).strip() for k in ("cluster_id", "year", "head", "deputy")}
    year = int(raw["year"]) if raw["year"].isdigit() else datetime.now(UTC).year
    cluster_id = int(raw["cluster_id"]) if raw["cluster_id"].isdigit() else 0
    if not raw["head"].isdigit():
        return _terms_page(
            request,
            visitor,
            rt,
            year,
            status_code=422,
            errors={cluster_id: {"head": "Hãy chọn đơn vị Trưởng cụm."}},
            sent={cluster_id: raw},
        )
    try:
        with rt.db.write() as s:
            service.save_cluster_term(
                s,
                visitor.user,
                cluster_id=cluster_id,
                year=year,
                head_unit_id=int(raw["head"]),
                deputy_unit_id=int(raw["deputy"]) if raw["deputy"].isdigit() else None,
            )
            name = c.name if (c := repo.cluster(s, cluster_id)) else ""
    except NotFound:
        raise
    except DomainError as e:
        return _terms_page(
            request,
            visitor,
            rt,
            year,
            status_code=e.status,
            errors={cluster_id: _field_error(e)},
            sent={cluster_id: raw},
        )
    response = redirect(f"/quan-tri/cum-thi-dua?nam={year}#cum-{cluster_id}")
    set_flash(response, f"Đã lưu Trưởng cụm, Phó trưởng cụm năm {year} của {name}.")
    return response
