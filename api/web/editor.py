"""The clerk's step-by-step editor of a dossier: general information, nominees,
attachments (uploaded with a progress bar by the page's script, or by a plain form post),
and the review before submitting.

Every change goes through the same use cases as the JSON API (`service.create`,
`service.update`, `documents.service.add_attachment`); a failed check shows the page
again with what the clerk typed and the reasons, never loses it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.deps import RuntimeDep
from api.documents import service as documents
from api.dossiers import service
from api.dossiers.schemas import DossierCreate, DossierPatch
from api.people import service as people_service
from api.web import views
from api.web.forms import (
    COUNT_FIELDS,
    COUNT_LABELS,
    Checked,
    InitiativeRow,
    NomineeRow,
    integer,
    kept_rows,
    nominee_rows,
    nominees_in,
    text,
    validate,
)
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from documents.vn import short_date
from domain.awards import AWARDS
from domain.eligibility import INITIATIVE_SCOPES, TTLDXS
from domain.errors import CertificateNotAttached, DomainError, Forbidden, NotFound
from domain.process import EDITABLE, Status
from domain.required_documents import AttachmentKind
from domain.roles import Role
from issuing.runtime import Runtime
from storage import eligibility as eligibility_store
from storage import people as people_store
from storage.models import Dossier
from storage.repositories import documents as documents_repo
from storage.repositories import users as users_repo

router = APIRouter(route_class=WebRoute, include_in_schema=False)

EDIT_STEPS = (
    (1, "Thông tin chung"),
    (2, "Tập thể, cá nhân được đề nghị"),
    (3, "Tài liệu kèm theo"),
    (4, "Xem lại và trình"),
)


def this_year() -> int:
    return datetime.now(UTC).year


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
            if step == 2:  # whom an individual nominee may be linked to
                context["accounts"] = [
                    (u.username, u.full_name) for u in users_repo.unit_accounts(s, view.d.unit_id)
                ]
                # the picker's choices without JS (with JS: searched as the clerk types)
                context["people"] = [
                    p
                    for p, _ in people_store.search_people(
                        s, visitor.actor, unit_id=view.d.unit_id, limit=PICKER_LIMIT
                    )
                ]
                # an initiative's certificate: one of the dossier's attachments of its kind
                context["certificates"] = [
                    (a.id, a.title)
                    for a in documents_repo.attachments_of(s, view.d.id, current=True)
                    if a.kind in CERTIFICATE_KINDS
                ]
                context["asks_counts"] = view.d.award == TTLDXS
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
        INITIATIVE_SCOPES=INITIATIVE_SCOPES,
        COUNT_LABELS=COUNT_LABELS,
        max_upload=rt.settings.max_upload_bytes,
        idem=secrets.token_urlsafe(16),
        **context,
    )


PICKER_LIMIT = 300
CERTIFICATE_KINDS = frozenset(
    {AttachmentKind.GIAY_CHUNG_NHAN_SANG_KIEN, AttachmentKind.QUYET_DINH_CONG_NHAN_DE_TAI}
)
"""The attachments an initiative's certificate is chosen from (a topic's is its decision)."""


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
        with rt.db.read() as s:
            users = users_repo.users_by_ids(s, {n.user_id for n in d.nominees if n.user_id})
            initiatives = eligibility_store.initiatives_of(s, d)
        context["rows"] = [
            NomineeRow(
                i,
                n.kind,
                n.name,
                n.job_title,
                n.unit_name,
                n.achievements,
                short_date(n.birth_date) if n.birth_date else "",
                n.gender or "",
                n.ethnicity or "",
                account=users[n.user_id].username if n.user_id in users else "",
                opinion_category=n.opinion_category or "",
                person_id=str(n.person_id or ""),
                initiatives=[
                    InitiativeRow(
                        title=x.title,
                        scope=x.scope,
                        recognized_by=x.recognized_by,
                        recognized_on=short_date(x.recognized_on) if x.recognized_on else "",
                        applied=x.applied,
                        document_id=str(x.document_id or ""),
                    )
                    for x in initiatives.get(n.id, [])
                ],
                counts={f: str((n.collective_counts or {}).get(f, "")) for f in COUNT_FIELDS},
            )
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


def _named(rt: Runtime, visitor: Visitor, rows: list[NomineeRow]) -> list[NomineeRow]:
    """A row whose person was picked but whose name was left empty takes the record's
    name (without JS, the picker cannot fill it in)."""
    picked = [r for r in rows if r.person_id.isdigit() and not r.name.strip() and not r.remove]
    if picked:
        with rt.db.read() as s:
            for r in picked:
                try:
                    p, _ = people_service.visible_person(s, visitor.actor, int(r.person_id))
                except NotFound:
                    continue  # refused by the save, as not of the unit
                r.name = p.full_name
                r.job_title = r.job_title or p.position
    return rows


@router.post("/ho-so/{dossier_id:int}/sua/2", response_model=None)
def save_nominees(
    request: Request, dossier_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    rows = _named(rt, visitor, nominee_rows(form))
    checked = Checked()
    with rt.db.read() as s:
        award = service.visible_dossier(s, visitor.actor, dossier_id).award
    nominees = nominees_in(rows, checked, counts=award == TTLDXS)
    version = integer(form, "version", checked, "Thiếu phiên bản của hồ sơ.")
    error: DomainError | None = None
    if checked.ok and version is not None:
        error = _update(visitor, rt, dossier_id, DossierPatch(version=version, nominees=nominees))
        if isinstance(error, CertificateNotAttached):
            # beside the certificate's field: nominees.<k>.initiatives.<j>.document_id
            _, k, _, j, _ = error.field.split(".")
            row = kept_rows(rows)[int(k)]
            checked.errors[f"n-{row.index}-initiatives-{j}-document_id"] = error.message
        if error is None:
            if text(form, "next") == "1":
                return redirect(f"/ho-so/{dossier_id}/sua/3")
            response = redirect(f"/ho-so/{dossier_id}/sua/2")
            set_flash(response, f"Đã lưu {len(nominees)} tập thể, cá nhân được đề nghị.")
            return response
    kept = [r for r in rows if not (r.remove or r.is_blank())]
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


def _upload_answer(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    dossier_id: int,
    form: Any,
    store: Callable[[Any, str | None], str],
    field: str,
    done: str,
) -> Response:
    """An upload of the attachments step, new or in the place of another (the page's
    script sends it with a progress bar and asks for JSON; without the script the form
    posts and gets the page back). `store(file, title)` saves it and names it."""
    wants_json = "application/json" in request.headers.get("accept", "")
    file = form.get("file")
    title = text(form, "title", 300).strip() or None
    error: DomainError | None = None
    if file is None or isinstance(file, str) or not file.filename:
        message, status = "Hãy chọn một tệp.", 422
    else:
        try:
            name = store(file, title)
        except NotFound:
            raise
        except DomainError as e:
            error = e
        if error is None:
            note = done.format(name=name)
            if wants_json:
                ok = JSONResponse({"ok": True, "title": name})
                set_flash(ok, note)
                return ok
            response = redirect(f"/ho-so/{dossier_id}/sua/3")
            set_flash(response, note)
            return response
        message, status = error.message, error.status
    if wants_json:
        return JSONResponse({"ok": False, "message": message}, status_code=status)
    return _edit_page(
        request, visitor, rt, 3, dossier_id, status_code=status, errors={field: message}
    )


@router.post("/ho-so/{dossier_id:int}/tai-lieu", response_model=None)
def upload(
    request: Request, dossier_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """A new attachment, of the kind the clerk picked."""
    kind = text(form, "kind", 64) or None

    def store(file: Any, title: str | None) -> str:
        with rt.db.write() as s:
            doc = documents.add_attachment(
                s, rt, visitor.caller, dossier_id, file.file, file.filename, title, kind
            )
            return doc.title

    return _upload_answer(
        request, visitor, rt, dossier_id, form, store, "file", "Đã tải lên «{name}»."
    )


@router.post("/ho-so/{dossier_id:int}/tai-lieu/{doc_id:int}/thay", response_model=None)
def replace(
    request: Request,
    dossier_id: int,
    doc_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    """A new file in the place of an attachment; the earlier one stays archived."""

    def store(file: Any, title: str | None) -> str:
        with rt.db.write() as s:
            doc = documents.replace_attachment(
                s, rt, visitor.caller, dossier_id, doc_id, file.file, file.filename, title
            )
            return doc.title

    return _upload_answer(
        request,
        visitor,
        rt,
        dossier_id,
        form,
        store,
        f"thay-{doc_id}-file",
        "Đã thay tệp của «{name}». Tệp cũ vẫn được lưu trong kho.",
    )


@router.post("/ho-so/{dossier_id:int}/tai-lieu/{doc_id:int}/go", response_model=None)
def remove(
    request: Request,
    dossier_id: int,
    doc_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    """Take an attachment out of the dossier (it stays archived and in the history)."""
    try:
        with rt.db.write() as s:
            title = documents.remove_attachment(s, visitor.caller, dossier_id, doc_id).title
    except NotFound:
        raise
    except DomainError as e:
        return _edit_page(
            request, visitor, rt, 3, dossier_id, status_code=e.status, errors={"action": e.message}
        )
    response = redirect(f"/ho-so/{dossier_id}/sua/3")
    set_flash(response, f"Đã gỡ «{title}» khỏi hồ sơ. Tệp vẫn được lưu trong kho.")
    return response
