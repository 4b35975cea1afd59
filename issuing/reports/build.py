"""A report form for a year and a scope (the province, a cluster, a unit): who may make
it, its cells (domain/report_forms.py's engine over storage/reports.py's grouped counts
and the board's entries), its heading and signer's block, as XLSX or PDF. The forms are
counts only: no name or personal data of anyone reaches them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from domain import report_forms as rf
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.roles import AUTHORITY_ROLES, UNIT_ROLES, Actor, Role
from issuing.reports.pdf import xlsx_to_pdf
from issuing.reports.xlsx import Heading, workbook
from storage import reports as store
from storage.models import Authority, ReportEntry, Unit
from storage.repositories import org as org_repo

RECEIVER_PROVINCE = "Bộ Nội vụ (Ban Thi đua - Khen thưởng Trung ương)"
"""Who receives the province's report (?: the receiving body is not printed in the
layout read; configuration would be the next step)."""
DEFAULT_SIGNER = "Thủ trưởng đơn vị"


@dataclass(frozen=True)
class Scope:
    kind: str
    """"province", "cluster" or "unit"."""
    id: int | None = None

    def __str__(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


def parse_scope(text: str | None) -> Scope:
    text = (text or "province").strip()
    if text == "province":
        return Scope("province")
    kind, _, ident = text.partition(":")
    if kind in ("cluster", "unit") and ident.isdigit() and len(ident) <= 12:
        return Scope(kind, int(ident))
    raise InvalidInput(
        "Phạm vi báo cáo phải là «province», «cluster:<số>» hoặc «unit:<số>».",
        code="report_scope_invalid",
    )


def version(form: str, year: int) -> rf.FormVersion:
    if form in rf.FORMS_NOT_BUILT:
        raise NotFound(
            f"Biểu {form} ({rf.FORMS_NOT_BUILT[form]}) chưa được xây dựng.",
            code="report_form_not_built",
        )
    v = rf.form_for(form, year)
    if v is None:
        known = {x.form for x in rf.VERSIONS}
        if form not in known:
            raise NotFound(f"Không có biểu báo cáo «{form}».", code="report_form_not_found")
        raise NotFound(
            f"Biểu {form} không có phiên bản có hiệu lực cho báo cáo năm {year}.",
            code="report_form_not_in_force",
        )
    return v


def _authority_grant(actor: Actor) -> int | None:
    for g in actor.grants:
        if g.role in AUTHORITY_ROLES and g.authority_id is not None:
            return g.authority_id
    return None


def authority_of(s: Session, scope: Scope) -> Authority:
    if scope.kind == "cluster":
        c = org_repo.cluster(s, scope.id)
        if c is None:
            raise NotFound("Không tìm thấy cụm thi đua.", code="cluster_not_found")
        return org_repo.authority(s, c.authority_id)
    if scope.kind == "unit":
        u = s.get(Unit, scope.id)
        if u is None:
            raise NotFound("Không tìm thấy đơn vị.", code="unit_not_found")
        return org_repo.authority(s, u.authority_id)
    authorities = org_repo.all_authorities(s)
    if not authorities:
        raise NotFound("Chưa có cơ quan quản lý.", code="authority_not_found")
    return authorities[0]


def may_see(s: Session, actor: Actor | None, scope: Scope, year: int) -> bool:
    """The board (and auditors) see the province and anything in it; a cluster's head or
    deputy unit of the year its cluster; a unit's clerk or head their unit. `None`: the
    operator at the command line."""
    if actor is None:
        return True
    roles = actor.roles()
    if Role.AUDITOR in roles:
        return True
    board = _authority_grant(actor)
    if board is not None and authority_of(s, scope).id == board:
        return True
    if scope.kind == "unit":
        return any(g.role in UNIT_ROLES and g.unit_id == scope.id for g in actor.grants)
    if scope.kind == "cluster":
        term = org_repo.cluster_term(s, scope.id, year)
        for g in actor.grants:
            if g.role is not Role.CLUSTER_APPROVER:
                continue
            if term is not None and (
                g.cluster_term_id == term.id
                or (g.unit_id is not None and g.unit_id in (term.head_unit_id, term.deputy_unit_id))
            ):
                return True
    return False


def scopes_for(s: Session, actor: Actor, year: int) -> list[tuple[str, str]]:
    """The scopes the actor may pick, as (value, label)."""
    out: list[tuple[str, str]] = []
    for a in org_repo.all_authorities(s):
        sc = Scope("province")
        if may_see(s, actor, sc, year) and authority_of(s, sc).id == a.id:
            out.append((str(sc), f"Toàn tỉnh – {a.name}"))
    for c in org_repo.all_clusters(s):
        sc = Scope("cluster", c.id)
        if may_see(s, actor, sc, year):
            out.append((str(sc), f"Cụm: {c.name}"))
    for u in org_repo.all_units(s):
        sc = Scope("unit", u.id)
        if may_see(s, actor, sc, year):
            out.append((str(sc), f"Đơn vị: {u.name}"))
    return out


def may_enter(actor: Actor | None) -> bool:
    """Entered figures and the signer's block: the board's specialists and heads."""
    return actor is None or bool(actor.roles() & (AUTHORITY_ROLES - {Role.AUTHORITY_LEADER}))


@dataclass(frozen=True)
class Report:
    form: rf.FormVersion
    year: int
    scope: Scope
    authority_id: int
    cells: rf.Cells
    heading: Heading
    entry_version: int | None

    @property
    def filename(self) -> str:
        scope = str(self.scope).replace(":", "-")
        return f"bieu-{self.form.form.replace('.', '-')}-{self.year}-{scope}"


def entered_cells(e: ReportEntry | None) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for k, v in ((e.cells if e else None) or {}).items():
        r, _, c = k.partition("|")
        out[(r, c)] = int(v)
    return out


def build(
    s: Session,
    actor: Actor | None,
    form: str,
    year: int,
    scope: Scope,
    *,
    place: str,
    today: date,
) -> Report:
    if not 2000 <= year <= 2200:
        raise InvalidInput("Năm báo cáo không hợp lệ.", code="report_year_invalid")
    v = version(form, year)
    authority = authority_of(s, scope)
    if not may_see(s, actor, scope, year):
        raise Forbidden(
            "Bạn không được xem báo cáo của phạm vi này.", code="report_scope_forbidden"
        )
    unit_ids: list[int] | None = None
    if scope.kind == "cluster":
        assert scope.id is not None
        unit_ids = store.cluster_unit_ids(s, scope.id, year)
        label = f"Cụm: {org_repo.cluster(s, scope.id).name}"  # type: ignore[union-attr]
        reporting, receiving = label.removeprefix("Cụm: "), authority.name
    elif scope.kind == "unit":
        assert scope.id is not None
        unit_ids = [scope.id]
        name = org_repo.unit(s, scope.id).name
        label, reporting, receiving = f"Đơn vị: {name}", name, authority.name
    else:
        label = f"Toàn tỉnh {authority.province}".strip()
        reporting, receiving = authority.name, RECEIVER_PROVINCE
    counts = store.grouped_counts(
        s, authority_id=authority.id, year=year, awards=v.universe, unit_ids=unit_ids
    )
    e = store.entry(s, authority.id, v.form, year, str(scope))
    cells = rf.compute(v, counts, entered_cells(e))
    heading = Heading(
        reporting_body=reporting,
        receiving_body=receiving,
        year=year,
        scope_label=label,
        place=place,
        day=today,
        signer_title=(e.signer_title if e and e.signer_title else DEFAULT_SIGNER),
        signer_name=e.signer_name if e else "",
        preparer_name=e.preparer_name if e else "",
    )
    return Report(v, year, scope, authority.id, cells, heading, e.version if e else None)


def xlsx(report: Report) -> bytes:
    return workbook(report.form, report.cells, report.heading)


def pdf(report: Report, *, profile_root: Path, soffice: str = "soffice") -> bytes:
    return xlsx_to_pdf(xlsx(report), profile_root=profile_root, soffice=soffice)


def save_entries(
    s: Session,
    actor: Actor | None,
    user_id: int,
    form: str,
    year: int,
    scope: Scope,
    cells: dict[str, Any],
    *,
    signer_title: str,
    signer_name: str,
    preparer_name: str,
    expected_version: int | None,
) -> ReportEntry:
    """The board's entered figures for a report (only the cells the database does not
    hold, whole numbers ≥ 0, no part above its total) and its signer's block; 409
    `stale_version` when someone saved meanwhile."""
    if not may_enter(actor):
        raise Forbidden("Chỉ Phòng TĐKT nhập số liệu báo cáo.", code="report_entry_forbidden")
    v = version(form, year)
    if not may_see(s, actor, scope, year):
        raise Forbidden(
            "Bạn không được xem báo cáo của phạm vi này.", code="report_scope_forbidden"
        )
    allowed = {f"{r}|{c}" for r, c in v.entered_cells()}
    clean: dict[str, int] = {}
    for key, raw in cells.items():
        if key not in allowed:
            raise InvalidInput(
                f"Ô «{key}» của biểu {v.form} không nhập tay (được tính từ dữ liệu).",
                code="report_cell_not_entered",
            )
        if raw is None or str(raw).strip() == "":
            continue
        clean[key] = _whole_number(v, key, raw)
    _check_limits(v, clean)
    authority = authority_of(s, scope)
    e = store.entry(s, authority.id, v.form, year, str(scope))
    if e is None:
        e = ReportEntry(
            authority_id=authority.id, form=v.form, year=year, scope=str(scope), updated_by=user_id
        )
        s.add(e)
    elif expected_version is not None and e.version != expected_version:
        raise Conflict(
            "Số liệu đã được người khác lưu trong lúc bạn nhập: hãy tải lại trang.",
            code="stale_version",
        )
    e.cells = clean
    e.signer_title = signer_title.strip()[:255]
    e.signer_name = signer_name.strip()[:255]
    e.preparer_name = preparer_name.strip()[:255]
    e.updated_by = user_id
    s.flush()
    return e


def _cell_name(v: rf.FormVersion, key: str) -> str:
    r, _, c = key.partition("|")
    row, col = v.row(r), v.column(c)
    return f"dòng {r} «{row.label.lstrip('-+ ')}», cột {c} «{col.path[-1]}»"


def _whole_number(v: rf.FormVersion, key: str, raw: Any) -> int:
    """A cell's figure: a whole number 0…999 999 999; 422 `report_cell_invalid` with
    what is wrong (negative, not whole, not a number)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip().replace(" ", "")
    where = _cell_name(v, key)
    if text.isdigit() and len(text) <= 9:
        return int(text)
    if text.startswith("-") and text[1:].replace(".", "", 1).replace(",", "", 1).isdigit():
        msg = f"Ô {where}: số liệu không được âm ({text})."
    elif text.replace(".", "", 1).replace(",", "", 1).isdigit():
        msg = f"Ô {where}: hãy nhập số nguyên (số người, số tổ chức…), không có phần lẻ ({text})."
    elif text.isdigit():
        msg = f"Ô {where}: số quá lớn ({text})."
    else:
        msg = f"Ô {where}: hãy nhập một số nguyên không âm."
    raise InvalidInput(msg, code="report_cell_invalid")


def _check_limits(v: rf.FormVersion, clean: dict[str, int]) -> None:
    """422 `report_cell_exceeds_total` when a part is larger than its total (e.g. «Nữ»
    above «Tổng số» in a row, a breakdown above the total row)."""
    entered = {(k.partition("|")[0], k.partition("|")[2]): n for k, n in clean.items()}
    cells = rf.compute(v, {}, entered)
    broken = rf.excesses(v, cells)
    if not broken:
        return
    # The row typed in rather than the total it feeds, when both break the limit.
    x = next((b for b in broken if v.row(b.row).kind is not rf.CellKind.SUM), broken[0])
    if x.axis == "columns":
        parts = " + ".join(f"«{v.column(p).path[-1]}»" for p in x.parts)
        whole = f"«{v.column(x.column).path[-1]}»"
        where = f"Dòng {x.row} «{v.row(x.row).label.lstrip('-+ ')}»"
    else:
        parts = f"các dòng {x.parts[0]}–{x.parts[-1]}" if len(x.parts) > 1 else f"dòng {x.parts[0]}"
        whole = f"dòng {x.row} «{v.row(x.row).label}»"
        where = f"Cột {x.column} «{v.column(x.column).path[-1]}»"
    raise InvalidInput(
        f"{where}: {parts} ({x.part_sum}) lớn hơn {whole} ({x.whole}).",
        code="report_cell_exceeds_total",
    )
