"""The registry's identities as pages: «Cá nhân» (find a unit's people, make a record), a
person's page (details, personal data for whoever may read it — the board's and
auditors' reads recorded —, restrictions, awards by year, the board's merge form,
history), a collective's page, and the search the dossier editor's picker asks as the
clerk types (JSON, within the unit).

Every change goes through the API's own use cases (api/people/service.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import RuntimeDep
from api.exports import service as exports
from api.exports.lists import PEOPLE, PeopleFilter
from api.people import service
from api.people.schemas import MergeIn, PersonIn, PersonSummary, RestrictionIn
from api.web import unit_awards
from api.web.forms import iso_date, message_for, text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain import people as rules
from domain.awards import NomineeKind
from domain.errors import DomainError, Forbidden, NotFound
from domain.nominee_details import ETHNICITIES, GENDER_LABELS
from domain.people import DISCIPLINE_LEVEL_LABELS, RESTRICTION_KIND_LABELS
from domain.roles import BOARD_ROLES, UNIT_ROLES, Role
from issuing.runtime import Runtime
from storage.repositories import org as org_repo

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PERSON_FORM = (
    "full_name",
    "position",
    "gender",
    "ethnicity",
    "birth_date",
    "identity_no",
    "unit_id",
)


def _units(rt: Runtime, visitor: Visitor) -> list[tuple[int, str]]:
    """The units the visitor may make records in: its own (clerk), its authority's (board)."""
    actor = visitor.actor
    with rt.db.read() as s:
        units = org_repo.all_units(s)
    own = {g.unit_id for g in actor.grants if g.role == Role.UNIT_CLERK}
    boards = {g.authority_id for g in actor.grants if g.role in BOARD_ROLES}
    return [(u.id, u.name) for u in units if u.id in own or u.authority_id in boards]


def _list_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    q: str,
    unit_id: int | None,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        people = service.list_people(s, visitor.actor, q or None, unit_id)
        collectives = service.list_collectives(s, visitor.actor, q or None, unit_id)
    units = _units(rt, visitor)
    return render(
        request,
        "people.html",
        visitor,
        status_code=status_code,
        q=q,
        unit_id=unit_id,
        query={k: v for k, v in (("q", q), ("don-vi", unit_id)) if v},
        people=people,
        collectives=collectives,
        units=units,
        values=values or {},
        errors=errors or {},
        GENDER_LABELS=GENDER_LABELS,
        ETHNICITIES=ETHNICITIES,
    )


def _sees_list(visitor: Visitor) -> bool:
    return bool(visitor.actor.roles() & (UNIT_ROLES | BOARD_ROLES | {Role.AUDITOR}))


@router.get("/ca-nhan", response_class=HTMLResponse)
def people_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    q: Annotated[str, Query(max_length=200)] = "",
    don_vi: Annotated[int | None, Query(alias="don-vi")] = None,
) -> HTMLResponse:
    """A unit's clerk and head: the unit's people; the board: its authority's; auditors:
    all. Found by name with or without diacritics."""
    if not _sees_list(visitor):
        raise NotFound("Không có trang này.")
    return _list_page(request, visitor, rt, q, don_vi)


@router.get("/ca-nhan/xuat", response_model=None)
def export_people(
    visitor: VisitorDep,
    rt: RuntimeDep,
    fmt: Annotated[str | None, Query(alias="dinh-dang", max_length=8)] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    don_vi: Annotated[int | None, Query(alias="don-vi")] = None,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of the people and collectives the page lists (the same
    name and unit), without personal data, as the page."""
    if not _sees_list(visitor):
        raise NotFound("Không có trang này.")
    return exports.export(rt, visitor.caller, PEOPLE.name, fmt, PeopleFilter(q or None, don_vi))


@router.get("/ca-nhan/tim")
def find_people(
    visitor: VisitorDep,
    rt: RuntimeDep,
    q: Annotated[str, Query(max_length=200)] = "",
    don_vi: Annotated[int | None, Query(alias="don-vi")] = None,
) -> list[PersonSummary]:
    """What the editor's picker shows as the clerk types: the answer of GET
    /api/v1/people?q=…&unit_id=… for the signed-in visitor (no personal data)."""
    with rt.db.read() as s:
        return service.list_people(s, visitor.actor, q or None, don_vi)


def _person_in(values: dict[str, str]) -> tuple[PersonIn | None, dict[str, str]]:
    data: dict[str, Any] = {k: v.strip() for k, v in values.items() if v.strip()}
    if "birth_date" in data:
        data["birth_date"] = iso_date(data["birth_date"])
    if "unit_id" in data:
        data["unit_id"] = int(data["unit_id"]) if data["unit_id"].isdigit() else -1
    try:
        return PersonIn.model_validate(data, strict=False), {}
    except ValidationError as e:
        errors: dict[str, str] = {}
        for err in e.errors():
            where = str(err["loc"][0]) if err["loc"] else "full_name"
            errors.setdefault(where, message_for(err["type"]))
        return None, errors


IDENTITY_CODES = {"identity_no_invalid", "identity_no_taken"}


@router.post("/ca-nhan", response_model=None)
def create_person(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    values = {k: text(form, k, 600) for k in PERSON_FORM}
    body, errors = _person_in(values)
    if body is not None:
        try:
            with rt.db.write() as s:
                person_id = service.create_person(s, visitor.user, visitor.actor, body).id
        except NotFound:
            raise
        except DomainError as e:
            field = "identity_no" if e.code in IDENTITY_CODES else "form"
            return _list_page(
                request,
                visitor,
                rt,
                "",
                None,
                status_code=e.status,
                values=values,
                errors={field: e.message},
            )
        response = redirect(f"/ca-nhan/{person_id}")
        set_flash(response, "Đã lập hồ sơ cá nhân.")
        return response
    return _list_page(request, visitor, rt, "", None, status_code=422, values=values, errors=errors)


def _person_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    person_id: int,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    award_errors: dict[str, str] | None = None,
    award_values: dict[str, str] | None = None,
) -> HTMLResponse:
    person = service.read_person(rt, visitor.user, visitor.actor, person_id)
    award_form = unit_awards.form_context(
        rt,
        visitor,
        person.unit_id,
        NomineeKind.INDIVIDUAL,
        merged=person.merged_into_id is not None,
        errors=award_errors,
        values=award_values,
    )
    with rt.db.read() as s:
        history = service.history(s, visitor.actor, service.person_subject(person_id))
        kept = None
        if person.merged_into_id is not None:
            kept = service.visible_person(s, visitor.actor, person.merged_into_id)[0]
    return render(
        request,
        "person.html",
        visitor,
        status_code=status_code,
        p=person,
        kept=kept,
        history=history,
        recorded=person.personal_data_shown
        and not any(
            g.role in UNIT_ROLES and g.unit_id == person.unit_id for g in visitor.actor.grants
        ),
        errors=errors or {},
        values=values or {},
        ua=award_form,
        RESTRICTION_KIND_LABELS=RESTRICTION_KIND_LABELS,
        DISCIPLINE_LEVEL_LABELS=DISCIPLINE_LEVEL_LABELS,
        GENDER_LABELS=GENDER_LABELS,
    )


@router.get("/ca-nhan/{person_id:int}", response_class=HTMLResponse)
async def person_page(
    request: Request, person_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return await run_in_threadpool(_person_page, request, visitor, rt, person_id)


@router.post("/ca-nhan/{person_id:int}/hop-nhat", response_model=None)
def merge_person(
    request: Request, person_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    raw_other, reason = text(form, "other_id", 20).strip(), text(form, "reason", 4000).strip()
    values = {"other_id": raw_other, "reason": reason}
    if not raw_other.isdigit():
        errors = {"other_id": "Hãy nhập số hồ sơ cá nhân trùng."}
    elif not reason:
        errors = {"reason": "Cần nêu lý do hợp nhất."}
    else:
        try:
            with rt.db.write() as s:
                body = MergeIn(other_id=int(raw_other), reason=reason)
                service.merge(s, visitor.user, visitor.actor, person_id, body)
        except DomainError as e:
            if isinstance(e, NotFound) and e.code != "person_not_found":
                raise
            errors = {"other_id" if isinstance(e, NotFound) else "merge": e.message}
        else:
            response = redirect(f"/ca-nhan/{person_id}")
            set_flash(response, f"Đã hợp nhất hồ sơ số {raw_other} vào hồ sơ này.")
            return response
    return _person_page(
        request, visitor, rt, person_id, status_code=422, errors=errors, values=values
    )


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(iso_date(raw.strip())) if raw.strip() else None
    except ValueError:
        return None


@router.post("/ca-nhan/{person_id:int}/han-che", response_model=None)
def add_restriction(
    request: Request, person_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    values = {k: text(form, k, 4000) for k in ("kind", "level", "starts_on", "ends_on", "note")}
    starts, ends = _date(values["starts_on"]), _date(values["ends_on"])
    errors: dict[str, str] = {}
    if starts is None:
        errors["starts_on"] = "Hãy nhập ngày bắt đầu theo dạng ngày/tháng/năm."
    if values["ends_on"].strip() and ends is None:
        errors["ends_on"] = "Hãy nhập ngày kết thúc theo dạng ngày/tháng/năm."
    if values["kind"] not in {k.value for k in rules.RestrictionKind}:
        errors["kind"] = "Hãy chọn loại."
    if not errors:
        assert starts is not None
        try:
            with rt.db.write() as s:
                body = RestrictionIn(
                    kind=rules.RestrictionKind(values["kind"]),
                    level=values["level"] or None,
                    starts_on=starts,
                    ends_on=ends,
                    note=values["note"],
                )
                service.add_restriction(s, visitor.user, visitor.actor, body, person_id=person_id)
        except NotFound:
            raise
        except DomainError as e:
            errors = {"level" if "level" in e.code else "restriction": e.message}
        else:
            response = redirect(f"/ca-nhan/{person_id}#han-che")
            set_flash(response, "Đã ghi nhận.")
            return response
    return _person_page(
        request, visitor, rt, person_id, status_code=422, errors=errors, values=values
    )


def _collective_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    collective_id: int,
    *,
    status_code: int = 200,
    award_errors: dict[str, str] | None = None,
    award_values: dict[str, str] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        c, _ = service.visible_collective(s, visitor.actor, collective_id)
        out = service.collective_out(s, c)
        merged = c.merged_into_id is not None
        history = service.history(s, visitor.actor, service.collective_subject(collective_id))
    award_form = unit_awards.form_context(
        rt,
        visitor,
        out.unit_id,
        NomineeKind.COLLECTIVE,
        merged=merged,
        errors=award_errors,
        values=award_values,
    )
    return render(
        request,
        "collective.html",
        visitor,
        status_code=status_code,
        c=out,
        history=history,
        ua=award_form,
    )


@router.get("/tap-the/{collective_id:int}", response_class=HTMLResponse)
def collective_page(
    request: Request, collective_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _collective_page(request, visitor, rt, collective_id)


@router.post("/ca-nhan/{person_id:int}/danh-hieu", response_model=None)
async def person_award(
    request: Request, person_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """«Ghi danh hiệu do đơn vị quyết định» for a person of the unit (its clerk or head)."""

    def unit() -> int | None:
        with rt.db.read() as s:
            return service.visible_person(s, visitor.actor, person_id)[0].unit_id

    unit_id = await run_in_threadpool(unit)
    if unit_id is None or not unit_awards.may_enter(visitor.actor, unit_id):
        raise Forbidden(unit_awards.FORBIDDEN)
    errors, values, done, status = await unit_awards.enter(
        rt, visitor, form, unit_id=unit_id, person_id=person_id
    )
    if done:
        response = redirect(f"/ca-nhan/{person_id}#khen-thuong")
        set_flash(response, f"Đã ghi {done} vào sổ khen thưởng.")
        return response
    return await run_in_threadpool(
        lambda: _person_page(
            request,
            visitor,
            rt,
            person_id,
            status_code=status,
            award_errors=errors,
            award_values=values,
        )
    )


@router.post("/tap-the/{collective_id:int}/danh-hieu", response_model=None)
async def collective_award(
    request: Request, collective_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """«Ghi danh hiệu do đơn vị quyết định» for a collective of the unit."""

    def unit() -> int:
        with rt.db.read() as s:
            return service.visible_collective(s, visitor.actor, collective_id)[0].unit_id

    unit_id = await run_in_threadpool(unit)
    if not unit_awards.may_enter(visitor.actor, unit_id):
        raise Forbidden(unit_awards.FORBIDDEN)
    errors, values, done, status = await unit_awards.enter(
        rt, visitor, form, unit_id=unit_id, collective_id=collective_id
    )
    if done:
        response = redirect(f"/tap-the/{collective_id}#khen-thuong")
        set_flash(response, f"Đã ghi {done} vào sổ khen thưởng.")
        return response
    return await run_in_threadpool(
        lambda: _collective_page(
            request,
            visitor,
            rt,
            collective_id,
            status_code=status,
            award_errors=errors,
            award_values=values,
        )
    )
