"""«Ghi danh hiệu do đơn vị quyết định» on a person's and a collective's page: the unit's
clerk (or head) enters a grassroots title the unit decided itself (Lao động tiên tiến,
Chiến sĩ thi đua cơ sở, Hoàn thành xuất sắc nhiệm vụ, Tập thể lao động tiên tiến, Giấy
khen) with its decision as a PDF. The form posts through the API's own use case
(api/registry/service.py `add_unit_award`); a refusal is shown beside its field. The
routes are api/web/people.py's (the pages the form is on)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from api.registry import service
from api.web.forms import iso_date, text
from api.web.session import Visitor
from documents.vn import today_vn
from domain import registry_import as rules
from domain.awards import NomineeKind
from domain.errors import DomainError, Forbidden, NotFound, PayloadTooLarge
from domain.registry import OCCASION_LABELS
from domain.roles import Actor, Role
from issuing.runtime import Runtime
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

FORBIDDEN = "Chỉ cán bộ TĐKT hoặc thủ trưởng của đơn vị nhập danh hiệu do đơn vị quyết định."

FIELDS = ("award", "year", "occasion", "decision_number", "decided_on", "issuer")

FIELD_OF_CODE = {
    "award_unknown": "award",
    "award_not_unit_decides": "award",
    "award_holder_kind": "award",
    "registry_duplicate": "award",
    "year_invalid": "year",
    "year_inconsistent": "year",
    "occasion_invalid": "occasion",
    "decision_number_required": "decision_number",
    "decision_date_invalid": "decided_on",
    "decision_date_future": "decided_on",
    "issuer_too_long": "issuer",
}
"""Where a refusal is shown; a refusal of the file (not a PDF, unreadable, too large,
missing) beside the file; anything else in the form's error box."""


def field_of(code: str, status: int) -> str:
    if code in FIELD_OF_CODE:
        return FIELD_OF_CODE[code]
    if status in (413, 415) or code in ("file_required", "invalid_pdf", "pdf_encrypted"):
        return "file"
    return "form"


def may_enter(actor: Actor, unit_id: int | None) -> bool:
    return rules.may_enter_unit_award(actor, unit_id)


def form_context(
    rt: Runtime,
    visitor: Visitor,
    unit_id: int | None,
    kind: NomineeKind,
    *,
    merged: bool = False,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the page needs to show the form (`may` false: no form)."""
    may = not merged and rules.may_enter_unit_award(visitor.actor, unit_id)
    if not may or unit_id is None:
        return {"may": False}
    with rt.db.read() as s:
        unit_name = org_repo.unit(s, unit_id).name
        heads = [
            u
            for u in users_repo.unit_accounts(s, unit_id)
            if any(g.role == Role.UNIT_HEAD and g.unit_id == unit_id for g in u.grants)
        ]
    issuer = rules.default_issuer(heads[0].position if heads else None, unit_name)
    defaults = {"year": str(today_vn().year - 1), "occasion": "yearly", "issuer": issuer}
    return {
        "may": True,
        "codes": rules.unit_award_codes(kind),
        "occasions": [(str(k), v) for k, v in OCCASION_LABELS.items()],
        "errors": {f"ua-{k}": v for k, v in (errors or {}).items()},
        "values": {**defaults, **(values or {})},
    }


async def enter(
    rt: Runtime,
    visitor: Visitor,
    form: FormData,
    *,
    unit_id: int,
    person_id: int | None = None,
    collective_id: int | None = None,
) -> tuple[dict[str, str], dict[str, str], str | None, int]:
    """Enter the title for the holder: (errors by field, values as typed, the award's
    name and year when recorded, the HTTP status of the page shown again)."""
    values = {k: text(form, k, 300).strip() for k in FIELDS}
    errors: dict[str, str] = {}
    year = int(values["year"]) if values["year"].isdigit() and len(values["year"]) == 4 else None
    if year is None:
        errors["year"] = "Hãy nhập năm, ví dụ 2025."
    decided_on: date | None = None
    if values["decided_on"]:
        try:
            decided_on = date.fromisoformat(iso_date(values["decided_on"]))
        except ValueError:
            errors["decided_on"] = "Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 15/12/2025."
    else:
        errors["decided_on"] = "Cần ngày quyết định."
    if not values["award"]:
        errors["award"] = "Hãy chọn danh hiệu."
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        errors["file"] = "Hãy chọn tệp PDF của quyết định."
    if errors:
        return errors, values, None, 422
    assert isinstance(file, UploadFile) and year is not None
    limit = rt.settings.max_upload_bytes
    data = await file.read(limit + 1)
    body = service.UnitAwardIn(
        award=values["award"],
        year=year,
        decision_number=values["decision_number"],
        decided_on=decided_on,
        person_id=person_id,
        collective_id=collective_id,
        occasion=values["occasion"] or None,
        issuer=values["issuer"] or None,
        unit_id=unit_id,
    )
    try:
        if len(data) > limit:
            raise PayloadTooLarge()
        out = await run_in_threadpool(
            service.add_unit_award, rt, visitor.caller, body, data, file.filename or ""
        )
    except (Forbidden, NotFound):
        raise
    except DomainError as e:
        field = field_of(e.code, e.status)
        message = e.message if field != "file" else f"{e.message} (mã: {e.code})"
        return {field: message}, values, None, e.status
    return {}, values, f"{out.award_name} năm {out.year}", 201
