"""An export: the format checked, the rows counted through the list's own query (too
many: refused), the export recorded in the audit chain — who, which list, the filters,
the format, how many rows, whether personal data was in it — and committed before a
byte leaves, as a document download is; then the file streamed from a generator that
reads the list in chunks in a session of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fastapi.responses import StreamingResponse

from api.audit.service import record_read
from api.deps import Caller
from api.documents.download import content_disposition
from api.exports.lists import LISTS, ExportList, filters_of
from api.exports.writers import CSV_TYPE, XLSX_TYPE, csv_pieces, xlsx_pieces
from domain.errors import DomainError, InvalidInput, NotFound
from domain.roles import Actor, RoleGrant
from issuing.runtime import Runtime
from storage import audit
from storage.audit import VIETNAM
from storage.models import ClusterTerm
from storage.repositories import org as org_repo

FORMATS = ("xlsx", "csv")
KIND = "list_exported"


class ExportTooLarge(DomainError):
    status, code = 422, "export_too_large"


def _n(n: int) -> str:
    """1.234.567, as Vietnamese write it."""
    return f"{n:,}".replace(",", ".")


def export_list(name: str) -> ExportList:
    try:
        return LISTS[name]
    except KeyError:
        raise NotFound("Không có danh sách này để xuất.", code="export_list_unknown") from None


def check_format(fmt: str | None) -> str:
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise InvalidInput(
            "Định dạng xuất phải là «xlsx» (Excel) hoặc «csv».", code="export_format_invalid"
        )
    return fmt


def _who(rt: Runtime, caller: Caller) -> audit.Who:
    """The reader, in their first role and where it is held."""
    grants = sorted(caller.actor.grants, key=lambda g: str(g.role))
    g: RoleGrant | None = grants[0] if grants else None
    place = ""
    if g is not None:
        with rt.db.read() as s:
            if g.unit_id is not None:
                place = org_repo.unit(s, g.unit_id).name
            elif g.cluster_term_id is not None:
                term = s.get(ClusterTerm, g.cluster_term_id)
                c = org_repo.cluster(s, term.cluster_id) if term else None
                place = c.name if c else ""
            elif g.authority_id is not None:
                place = org_repo.authority(s, g.authority_id).name
    return audit.Who(caller.user.id, caller.user.full_name, str(g.role) if g else "", place)


def _pieces(rt: Runtime, lst: ExportList, actor: Actor, f: Any, fmt: str) -> Iterator[bytes]:
    s = rt.db.reader()
    try:
        rows = lst.rows(s, actor, f)
        columns = lst.columns(actor)
        if fmt == "csv":
            yield from csv_pieces(columns, rows)
        else:
            yield from xlsx_pieces(columns, rows, lst.title)
    finally:
        s.close()


def export(rt: Runtime, caller: Caller, name: str, fmt: str | None, f: Any) -> StreamingResponse:
    """The list `name` with the filter `f` as a file of `fmt`, for `caller`: 422
    `export_format_invalid`, 422 `export_too_large` (more rows than
    `TDKT_EXPORT_MAX_ROWS`: filter more), 404 `export_list_unknown`; the list's own
    refusals (403 `registry_other_unit` …) as the list answers them."""
    lst = export_list(name)
    fmt = check_format(fmt)
    with rt.db.read() as s:
        rows = lst.count(s, caller.actor, f)
    limit = rt.settings.export_max_rows
    if rows > limit:
        raise ExportTooLarge(
            f"Danh sách có {_n(rows)} dòng, quá {_n(limit)} dòng một lần xuất: hãy lọc bớt "
            "(theo năm, đơn vị …) rồi xuất từng phần."
        )
    data = {
        "list": lst.name,
        "title": lst.title,
        "format": fmt,
        "filters": filters_of(f),
        "rows": rows,
        "personal_data": any(c.personal for c in lst.columns(caller.actor)),
    }
    subject = lst.subject(f)
    if subject is not None:  # in the subject's own history too, as its downloads are
        record_read(rt.db, user_id=caller.user.id, subject=subject, kind=KIND, data=data)
    else:
        who = _who(rt, caller)
        with rt.db.write() as s:
            audit.append(s, kind=KIND, who=who, data=data)
    stamp = datetime.now(VIETNAM).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        _pieces(rt, lst, caller.actor, f, fmt),
        media_type=XLSX_TYPE if fmt == "xlsx" else CSV_TYPE,
        headers={
            "Content-Disposition": content_disposition(
                f"{lst.file_stem}-{stamp}.{fmt}", attachment=True
            ),
            "X-Export-Rows": str(rows),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
