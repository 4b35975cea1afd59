"""The awards registry's endpoints: search, and the import of past awards (template,
upload → background check → preview → accept / discard). Thin: api/registry/service.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.deps import CurrentReader, ReadSession, RuntimeDep
from api.registry import files, service
from api.registry.schemas import AcceptIn, ImportOut, RegistryAwardOut, RegistryPage
from domain.errors import PayloadTooLarge
from storage.registry import SearchFilter

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])

IMPORT_PATH = "/api/v1/registry/imports"
WEB_IMPORT_PATH = "/tra-cuu-khen-thuong/nhap"
LARGE_UPLOAD_PATHS = (IMPORT_PATH, WEB_IMPORT_PATH)
"""The addresses whose uploads may be as large as `max_import_bytes` (api/guards.py)."""


@router.get("", response_model=RegistryPage)
def search_registry(
    caller: CurrentReader,
    s: ReadSession,
    q: Annotated[str | None, Query(max_length=200)] = None,
    unit_id: Annotated[int | None, Query()] = None,
    award: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    decision_number: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> RegistryPage:
    """Awards and titles held, newest year first, 50 a page: `q` finds names, award names
    and decision numbers with or without diacritics ("Nguyen Van An" finds «Nguyễn Văn
    An»). The board and auditors search all; a unit's clerk or head only their unit's
    records (403 `registry_other_unit` for another `unit_id`). No personal data."""
    f = SearchFilter(q=q, unit_id=unit_id, award=award, year=year, decision_number=decision_number)
    return service.search(s, caller.actor, f, page)


@router.get("/imports/template.xlsx")
def template_xlsx(caller: CurrentReader) -> Response:
    """The import template: the header row, and a «Hướng dẫn» sheet (each column, the
    award codes)."""
    return Response(
        files.template_xlsx(),
        media_type=files.XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="mau-nhap-khen-thuong.xlsx"'},
    )


@router.get("/imports/template.csv")
def template_csv(caller: CurrentReader) -> Response:
    """The import template as CSV (UTF-8 with BOM, opens in Excel with its diacritics)."""
    return Response(
        files.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mau-nhap-khen-thuong.csv"'},
    )


@router.post("/imports", status_code=202, response_model=ImportOut)
async def upload_import(
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
    response: Response,
    file: Annotated[UploadFile, File()],
) -> ImportOut:
    """A file of past awards (.xlsx or .csv as the template) by the board, or by a unit's
    clerk for its own grassroots titles. Stored (object store, SHA-256), then checked row
    by row in the background: poll `GET …/imports/{id}` (`rows_done` of `rows_total`).
    413 `payload_too_large`; 415 `import_file_type`, `import_not_xlsx`, `import_not_csv`;
    422 `import_header_invalid`, `import_csv_encoding`, `import_file_unreadable`,
    `import_empty`. Nothing is written to the registry before `accept`."""
    limit = rt.settings.max_import_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge("Tệp quá lớn để nhập một lần: hãy chia nhỏ.")
    import_id = await run_in_threadpool(service.upload, rt, caller, file.filename or "", data)
    background.add_task(service.check, rt, import_id)  # a worker thread, after the answer
    response.headers["Location"] = f"{IMPORT_PATH}/{import_id}"

    def answer() -> ImportOut:
        with rt.db.read() as s:
            return service.get_import(s, caller.actor, import_id, 1)

    return await run_in_threadpool(answer)


@router.get("/imports/{import_id}", response_model=ImportOut)
def get_import(
    import_id: int,
    caller: CurrentReader,
    s: ReadSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> ImportOut:
    """Status, progress (`rows_done` of `rows_total`), counts and the problems (100 a
    page): each on its row (1 = the first row under the header) and column, with a code."""
    return service.get_import(s, caller.actor, import_id, page)


@router.post("/imports/{import_id}/accept", response_model=ImportOut)
async def accept_import(
    import_id: int, caller: CurrentReader, rt: RuntimeDep, body: AcceptIn | None = None
) -> ImportOut:
    """Write the file's rows to the registry, once (409 `import_has_problems` when rows
    have problems and `only_clean` is false; `import_checking`, `import_closed`)."""
    only_clean = body.only_clean if body is not None else False
    return await run_in_threadpool(service.accept, rt, caller, import_id, only_clean)


@router.post("/imports/{import_id}/discard", response_model=ImportOut)
async def discard_import(import_id: int, caller: CurrentReader, rt: RuntimeDep) -> ImportOut:
    return await run_in_threadpool(service.discard, rt, caller, import_id)


@router.post("/unit-awards", status_code=201, response_model=RegistryAwardOut)
async def add_unit_award(
    caller: CurrentReader,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    award: Annotated[str, Form(max_length=64)],
    year: Annotated[int, Form()],
    decision_number: Annotated[str, Form(max_length=64)],
    decided_on: Annotated[date | None, Form()] = None,
    person_id: Annotated[int | None, Form()] = None,
    collective_id: Annotated[int | None, Form()] = None,
    holder_name: Annotated[str | None, Form(max_length=255)] = None,
    identity_no: Annotated[str | None, Form(max_length=20)] = None,
    occasion: Annotated[str | None, Form(max_length=16)] = None,
    issuer: Annotated[str | None, Form(max_length=300)] = None,
) -> RegistryAwardOut:
    """A title the unit decided itself (a code the catalogue marks `unit_decides`:
    Lao động tiên tiến, Chiến sĩ thi đua cơ sở, Hoàn thành xuất sắc nhiệm vụ, Tập thể lao
    động tiên tiến, Giấy khen), entered by the unit's clerk with the unit's decision as a
    PDF (`file`), its `decision_number`, `decided_on` and the `year`; the holder: a person
    (`person_id`) or collective (`collective_id`) of the unit, a person by `holder_name`
    and `identity_no` (found or created), or, with none of these, the unit itself;
    `occasion` (yearly by default: chuyen_de, dot_xuat, khac) and `issuer` (the unit's
    name by default). The PDF is then served by `GET /api/v1/documents/{document_id}/content`
    to whoever sees the holder's record. 422 `award_not_unit_decides`, `award_holder_kind`,
    `year_inconsistent`, `occasion_invalid` …; 415 for a file that is not a PDF; 404
    `holder_not_found`; 409 `registry_duplicate` (the same decision, or a yearly title the
    holder already has that year)."""
    limit = rt.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge()
    body = service.UnitAwardIn(
        award=award,
        year=year,
        decision_number=decision_number,
        decided_on=decided_on,
        person_id=person_id,
        collective_id=collective_id,
        holder_name=holder_name,
        identity_no=identity_no,
        occasion=occasion,
        issuer=issuer,
    )
    return await run_in_threadpool(
        service.add_unit_award, rt, caller, body, data, file.filename or "quyet-dinh.pdf"
    )
