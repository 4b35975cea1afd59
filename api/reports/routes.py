"""Statistics reports to Bộ Nội vụ (TT 02/2023/TT-BNV forms): thin routes over
api/reports/service.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.reports import service
from domain.errors import Forbidden
from issuing.reports import build as reports
from storage import reports as store

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


class EntriesIn(BaseModel):
    cells: dict[str, int | float | Annotated[str, Field(max_length=20)] | None] = Field(
        default_factory=dict, max_length=2000
    )
    """{"<mã số>|<cột>": n} for the cells the database does not hold; anything but a whole
    number ≥ 0 is refused by the form's rules (422 `report_cell_invalid`, with what is
    wrong: negative, not whole), not by the schema."""
    signer_title: str = Field(default="", max_length=255)
    signer_name: str = Field(default="", max_length=255)
    preparer_name: str = Field(default="", max_length=255)
    version: int | None = Field(default=None, ge=1, le=2_000_000_000)
    """As read: 409 `stale_version` when someone saved meanwhile."""


Year = Annotated[int, Query(ge=2000, le=2200)]
ScopeQ = Annotated[str | None, Query(max_length=32)]


@router.get("")
def list_forms(caller: CurrentReader, s: ReadSession, year: Year) -> dict[str, Any]:
    """The forms in force for the year's report (legal basis, dates, where the layout
    comes from, the cells entered by hand), those not built, and the scopes the caller
    may pick."""
    return service.catalogue(s, caller, year)


@router.get("/{form}")
async def get_report(
    form: str,
    caller: CurrentReader,
    rt: RuntimeDep,
    year: Year,
    scope: ScopeQ = None,
    format: Annotated[str, Query(max_length=8)] = "xlsx",
) -> Response:
    """The form computed for `year` and `scope` (`province`, `cluster:<id>`,
    `unit:<id>`) as XLSX, or PDF with `format=pdf`; the download is recorded. 403
    `report_scope_forbidden` outside the caller's scope; 404 `report_form_not_found`,
    `report_form_not_built` (a form with no layout yet), `report_form_not_in_force`; 422
    `report_scope_invalid`, `report_format_invalid`."""
    data, media, name = await service.download(rt, caller, form, year, scope, format)
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


class IssueIn(BaseModel):
    signing_pin: str | None = Field(default=None, max_length=64)


@router.post("/{form}/issue")
async def issue_report(
    form: str,
    caller: CurrentReader,
    rt: RuntimeDep,
    year: Year,
    scope: ScopeQ = None,
    body: IssueIn | None = None,
) -> dict[str, Any]:
    """The report made now, signed by the caller (the board's head or the Sở's leader)
    with `signing_pin`, sealed with the authority's seal and kept: `{sha256, issued_at}`.
    403 `report_issue_forbidden`; 409 `no_organisation_key`; the PIN's codes as for any
    signature."""
    pin = body.signing_pin if body else None
    return await service.issue_report(rt, caller, form, year, scope, pin)


@router.get("/{form}/issued")
async def issued_report(
    form: str, caller: CurrentReader, rt: RuntimeDep, year: Year, scope: ScopeQ = None
) -> Response:
    """The last issued report (signed and sealed PDF); 404 `report_not_issued`."""
    data, name = await service.issued_pdf(rt, caller, form, year, scope)
    return Response(
        data,
        media_type=service.PDF_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{form}/entries")
def get_entries(
    form: str, caller: CurrentReader, s: ReadSession, year: Year, scope: ScopeQ = None
) -> dict[str, Any]:
    """What the board entered for this report (cells keyed "<row>|<column>")."""
    sc = reports.parse_scope(scope)
    reports.version(form, year)
    if not reports.may_see(s, caller.actor, sc, year):
        raise Forbidden(
            "Bạn không được xem báo cáo của phạm vi này.", code="report_scope_forbidden"
        )
    a = reports.authority_of(s, sc)
    return service.entries_out(store.entry(s, a.id, form, year, str(sc)))


@router.put("/{form}/entries")
def put_entries(
    form: str,
    caller: CurrentWriter,
    s: WriteSession,
    year: Year,
    scope: ScopeQ = None,
    body: EntriesIn | None = None,
) -> dict[str, Any]:
    """The board's figures for the cells the database does not hold, and the signer's
    block: `{cells: {"02|2": 3}, signer_title, signer_name, preparer_name, version}`.
    403 `report_entry_forbidden`; 422 `report_cell_not_entered`, `report_cell_invalid`,
    `report_cell_exceeds_total` (a part above its total, e.g. «Nữ» > «Tổng số»);
    409 `stale_version`."""
    return service.save(s, caller, form, year, scope, (body or EntriesIn()).model_dump())
