"""Administration pages: people and their roles, passwords (a reset to a temporary one),
the keys they sign with (a key from the system's CA, a token's certificate, revoking
one), unlocking signing, and who leads each cluster in each year. The rules and the
audit events are `api.admin.service`'s and `api.accounts.service`'s."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.accounts import service as accounts
from api.admin import service
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, secure_cookies, set_flash
from documents.vn import today_vn
from domain.clusters import reference_day
from domain.credentials import REVOCATION_REASON_LABELS
from domain.errors import CertificateRejected, DomainError, NotFound
from domain.roles import ROLE_LABELS, Role
from domain.search import fold, query_words
from issuing.runtime import Runtime
from storage import clusters as clusters_store
from storage.models import User
from storage.repositories import keys as keys_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

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
    "password_too_long": "password",
    "ca_unavailable": "signing_key",
}
# A generated temporary password travels to the next page (the user's) once, in a cookie
# only that page reads and deletes at once.
ONCE_COOKIE = "tdkt_once"


def _admin(visitor: Visitor) -> None:
    service.require_admin(visitor.actor)


def _field_error(e: DomainError) -> dict[str, str]:
    if e.code.startswith("certificate_"):
        return {"certificate": e.message}
    return {FIELD_OF_CODE.get(e.code, "_"): e.message}


def _user_rows(s: Session, users: list[User]) -> list[dict[str, Any]]:
    year = accounts.this_year()
    return [
        {
            "u": u,
            "roles": list(
                zip(accounts.role_titles(s, u.grants, year), (g.id for g in u.grants), strict=True)
            ),
            "certificates": sum(k.revoked_at is None for k in keys_repo.personal_keys(s, u.id)),
            "signing": accounts.signing_state(s, u),
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
            for u in users_repo.all_users(s)
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
    once: str | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        user = users_repo.user_by_username(s, username)
        if user is None:
            raise NotFound("Không có tài khoản này.", code="user_not_found")
        row = _user_rows(s, [user])[0]
        units = org_repo.all_units(s)
        authorities = org_repo.all_authorities(s)
        certificates = accounts.certificates_of(s, user.id)
        ca = keys_repo.issuing_ca(s)
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
        certificates=certificates,
        signing=row["signing"],
        signing_label=accounts.SIGNING_STATES[row["signing"]],
        ca_name=accounts.certificate_facts(ca.cert_pem).subject if ca else None,
        revoke_form=True,
        revocation_reasons=[(str(k), v) for k, v in REVOCATION_REASON_LABELS.items()],
        once=once,
    )


@router.get("/nguoi-dung/{username}", response_class=HTMLResponse)
def user_page(request: Request, username: str, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    _admin(visitor)
    once = request.cookies.get(ONCE_COOKIE)
    response = _user_page(request, visitor, rt, username, once=once)
    if once:
        response.delete_cookie(ONCE_COOKIE, path=_once_path(username))
    return response


def _once_path(username: str) -> str:
    return f"/quan-tri/nguoi-dung/{username}"


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


@router.post("/nguoi-dung/{username}/mat-khau", response_model=None)
def reset_password(
    request: Request, username: str, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    _admin(visitor)
    password = text(form, "password", 257).strip() or None
    try:
        with rt.db.write() as s:
            generated = accounts.reset_password(s, visitor.user, username, password)
    except NotFound:
        raise
    except DomainError as e:
        return _user_page(
            request, visitor, rt, username, status_code=e.status, errors=_field_error(e)
        )
    response = redirect(_once_path(username))
    if generated:
        response.set_cookie(
            ONCE_COOKIE,
            generated,
            max_age=120,
            httponly=True,
            samesite="strict",
            secure=secure_cookies(request),
            path=_once_path(username),
        )
        set_flash(response, "Đã đặt lại mật khẩu. Hãy báo mật khẩu tạm thời cho người dùng.")
    else:
        set_flash(response, "Đã đặt mật khẩu tạm thời. Người dùng phải đổi khi đăng nhập.")
    return response


@router.post("/nguoi-dung/{username}/khoa-ky", response_model=None)
def request_signing_key(
    request: Request, username: str, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    return _change(
        request,
        visitor,
        rt,
        username,
        lambda s: accounts.request_key(s, visitor.user, username),
        "Đã yêu cầu cấp khóa ký số. Khóa được tạo khi người dùng đặt mã PIN ký số lần đầu.",
    )


@router.post("/nguoi-dung/{username}/chung-thu", response_model=None)
async def register_certificate(
    request: Request, username: str, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    _admin(visitor)
    upload = form.get("certificate")
    data = b""
    if upload is not None and not isinstance(upload, str):
        data = await upload.read(accounts.MAX_CERTIFICATE_BYTES + 1)

    def register(s: Session) -> None:
        if not data:
            raise CertificateRejected("Hãy chọn tệp chứng thư.", code="certificate_invalid")
        accounts.register_certificate(s, visitor.user, username, data, rt.crls())

    return await run_in_threadpool(
        _change, request, visitor, rt, username, register, "Đã đăng ký chứng thư số."
    )


@router.post("/nguoi-dung/{username}/chung-thu/{certificate_id}/thu-hoi", response_model=None)
def revoke_certificate(
    request: Request,
    username: str,
    certificate_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    _admin(visitor)
    reason, code = text(form, "reason", 501), text(form, "reason_code", 32) or None
    try:
        with rt.db.write() as s:
            accounts.revoke_certificate(s, visitor.user, username, certificate_id, reason, code)
    except NotFound:
        raise
    except DomainError as e:
        return _user_page(
            request,
            visitor,
            rt,
            username,
            status_code=e.status,
            errors={f"reason-{certificate_id}": e.message},
        )
    response = redirect(_once_path(username) + "#ky-so")
    set_flash(response, "Đã thu hồi chứng thư số.")
    return response


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
        terms = {t.cluster_id: t for t in org_repo.cluster_terms_of_year(s, year)}
        clusters = [
            {
                "c": c,
                "members": clusters_store.members_on(s, c.id, reference_day(year, today_vn())),
                "term": terms.get(c.id),
            }
            for c in org_repo.all_clusters(s)
        ]
        years = sorted({*org_repo.cluster_term_years(s), year, datetime.now(UTC).year})
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
            name = c.name if (c := org_repo.cluster(s, cluster_id)) else ""
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
