"""The awards registry: search, and imports of past awards (upload → check in the
background with progress → preview → accept or discard). Personal data read from a file
goes to the database only: never into a log line or a message (problems name the row
and the column)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from api.deps import Caller
from api.registry import files
from api.registry.schemas import ImportOut, ProblemOut, RegistryAwardOut, RegistryPage
from documents.inspect import PDF, Refusal, check_upload
from documents.names import upload_name
from documents.vn import today_vn
from domain import registry_import as rules
from domain.awards import NomineeKind
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, UnsupportedMediaType
from domain.registry import (
    CATALOGUE,
    OCCASION_LABELS,
    REGISTRY_KIND_LABELS,
    SOURCE_LABELS,
    Occasion,
    Source,
    award_name,
)
from domain.roles import AUTHORITY_ROLES, Actor, Role
from domain.subjects import Subject, SubjectKind
from issuing.runtime import Runtime
from storage import audit
from storage import people as people_store
from storage import registry as store
from storage.models import (
    Collective,
    Document,
    DocumentVersion,
    Person,
    RegistryAward,
    RegistryImport,
    Unit,
    subject_columns,
    utcnow,
)
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

log = logging.getLogger(__name__)

BATCH = 2000
"""Rows checked between two progress updates (and one duplicate query)."""
PROBLEMS_PAGE = 100
UNIT_DECISION_FORM = "quyet_dinh_don_vi"
"""The document form of a unit's own decision, uploaded with the title it gives."""

STATUS_LABELS = {
    "checking": "Đang kiểm tra",
    "preview": "Đã kiểm tra – chờ xác nhận",
    "accepted": "Đã ghi vào sổ",
    "discarded": "Đã huỷ",
    "failed": "Không đọc được tệp",
}


# --------------------------------------------------------------- search


def award_out(r: RegistryAward, unit_name: str | None) -> RegistryAwardOut:
    entry = CATALOGUE.get(r.award)
    return RegistryAwardOut(
        id=r.id,
        holder_kind=str(NomineeKind.INDIVIDUAL if r.person_id else NomineeKind.COLLECTIVE),
        person_id=r.person_id,
        collective_id=r.collective_id,
        holder_name=r.holder_name,
        unit_id=r.unit_id,
        unit_name=unit_name,
        award=r.award,
        award_name=award_name(r.award),
        kind_label=REGISTRY_KIND_LABELS[entry.kind] if entry else "",
        year=r.year,
        occasion=r.occasion,
        occasion_label=OCCASION_LABELS.get(Occasion(r.occasion), r.occasion)
        if r.occasion in set(Occasion)
        else r.occasion,
        decision_number=r.decision_number,
        decision_date=r.decision_date,
        issuer=r.issuer,
        source=r.source,
        source_label=SOURCE_LABELS.get(Source(r.source), r.source)
        if r.source in set(Source)
        else r.source,
        revoked=r.revoked_at is not None,
        revoked_at=r.revoked_at,
    )


def search_scope(actor: Actor, f: store.SearchFilter) -> rules.RegistryScope:
    """Whose records the actor searches (403 for another unit's `unit_id`): the search
    and its exports (api/exports/) both ask here."""
    scope = rules.registry_scope(actor)
    if f.unit_id is not None and not scope.all_units and f.unit_id not in scope.unit_ids:
        raise Forbidden(
            "Đơn vị chỉ tra cứu khen thưởng của chính đơn vị mình.", code="registry_other_unit"
        )
    return scope


def search(s: Session, actor: Actor, f: store.SearchFilter, page: int) -> RegistryPage:
    scope = search_scope(actor, f)
    rows, total = store.search(s, scope, f, page)
    return RegistryPage(
        items=[award_out(r, name) for r, name in rows],
        page=page,
        page_size=store.PAGE_SIZE,
        total=min(total, store.COUNT_CAP),
        more=total > store.COUNT_CAP,
    )


# --------------------------------------------------------------- imports


def _authority_of(s: Session, actor: Actor, unit_id: int | None) -> int:
    if unit_id is not None:
        return org_repo.unit(s, unit_id).authority_id
    for g in actor.grants:
        if g.role in AUTHORITY_ROLES and g.authority_id is not None:
            return g.authority_id
    raise Forbidden()


def _visible(actor: Actor, imp: RegistryImport) -> bool:
    for g in actor.grants:
        if g.role == Role.AUDITOR:
            return True
        if g.role in AUTHORITY_ROLES and g.authority_id == imp.authority_id:
            return True
        if g.role == Role.UNIT_CLERK and imp.unit_id is not None and g.unit_id == imp.unit_id:
            return True
    return False


def _import(
    s: Session, actor: Actor, import_id: int, *, for_update: bool = False
) -> RegistryImport:
    imp = store.registry_import(s, import_id, for_update=for_update)
    if imp is None or not _visible(actor, imp):
        raise NotFound("Không tìm thấy tệp nhập.", code="import_not_found")
    return imp


def import_out(s: Session, imp: RegistryImport, page: int = 1) -> ImportOut:
    total, bad, dup = store.problem_counts(s, imp.id)
    rows = store.problems(s, imp.id, page, PROBLEMS_PAGE)
    note = None
    if imp.status == "preview" and dup and imp.rows_bad >= imp.rows_total:
        note = (
            f"{dup} dòng đã có trong sổ khen thưởng (tệp này có thể đã được nhập trước đây), "
            "các dòng còn lại có lỗi: nhận tệp sẽ không thêm gì."
        )
    elif imp.status == "preview" and dup:
        note = f"{dup} dòng đã có trong sổ khen thưởng: sẽ không được ghi lại."
    elif imp.status == "preview" and not bad:
        note = "Tệp không có lỗi: có thể ghi vào sổ."
    return ImportOut(
        id=imp.id,
        filename=imp.filename,
        sha256=imp.sha256,
        status=imp.status,
        status_label=STATUS_LABELS.get(imp.status, imp.status),
        unit_id=imp.unit_id,
        rows_total=imp.rows_total,
        rows_done=imp.rows_done,
        rows_bad=imp.rows_bad,
        rows_written=imp.rows_written,
        rows_clean=max(imp.rows_total - imp.rows_bad, 0) if imp.status != "checking" else 0,
        duplicates_in_registry=dup,
        note=note,
        error=imp.error,
        problems_total=total,
        problems=[
            ProblemOut(
                row_no=p.row_no,
                column=p.column,
                column_label=rules.HEADER_OF.get(p.column, "Tệp"),
                code=p.code,
                message=p.message,
            )
            for p in rows
        ],
        problems_page=page,
        created_at=imp.created_at,
        finished_at=imp.finished_at,
    )


def upload(rt: Runtime, caller: Caller, filename: str, data: bytes) -> int:
    """Store the file and open an import in «checking»; the caller starts `check`."""
    own_unit = rules.import_unit(caller.actor)
    kind = files.kind_of(filename, data)
    estimate = files.opening_check(kind, data)
    media = files.XLSX_TYPE if kind == "xlsx" else files.CSV_TYPE
    obj = rt.store.put(f"registry-imports/{uuid.uuid4().hex}.{kind}", data, media)
    with rt.db.write() as s:
        imp = RegistryImport(
            authority_id=_authority_of(s, caller.actor, own_unit),
            unit_id=own_unit,
            filename=(filename or f"tep.{kind}")[-255:],
            sha256=obj.sha256,
            object_key=obj.key,
            status="checking",
            rows_total=estimate,
            created_by=caller.user.id,
        )
        s.add(imp)
        s.flush()
        return imp.id


def _data_rows(kind: str, data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the data rows (1 = under the header), blank rows left out."""
    it = files.rows(kind, data)
    next(it, None)
    for row_no, cells in enumerate(it, 1):
        if any(c is not None and str(c).strip() for c in cells):
            yield row_no, cells


def _extra_cells(cells: list[Any]) -> bool:
    return any(c is not None and str(c).strip() for c in cells[len(rules.COLUMN_KEYS) :])


def check(rt: Runtime, import_id: int) -> None:
    """Check every row (a background thread): problems written and progress updated every
    BATCH rows; at the end «preview» (or «failed» with the reason)."""
    try:
        _check(rt, import_id)
    except files.FileBroken as e:
        with rt.db.write() as s:
            store.set_progress(s, import_id, error=str(e))
            store.finished(s, import_id, "failed")
    except Exception:
        log.exception("registry import %s: the check failed", import_id)
        with rt.db.write() as s:
            store.set_progress(s, import_id, error="Lỗi hệ thống khi kiểm tra tệp.")
            store.finished(s, import_id, "failed")


def _check(rt: Runtime, import_id: int) -> None:
    started = time.monotonic()
    with rt.db.read() as s:
        imp = store.registry_import(s, import_id)
        assert imp is not None
        units = store.units_by_code(s)
        own_unit, key = imp.unit_id, imp.object_key
    kind = "xlsx" if key.endswith(".xlsx") else "csv"
    data = rt.store.get(key)
    today = today_vn()
    seen: dict[rules.RowKey, int] = {}
    pending: list[rules.ImportRow] = []
    problems: list[dict[str, object]] = []
    bad: set[int] = set()
    done = 0

    def flush() -> None:
        if pending:
            with rt.db.read() as s:
                existing = store.existing_keys(s, [r.key for r in pending])
            for r in pending:
                if r.key in existing:
                    bad.add(r.row_no)
                    p = rules.DUPLICATE_IN_REGISTRY
                    problems.append(_problem(import_id, r.row_no, p))
        with rt.db.write() as s:
            store.add_problems(s, problems)
            store.set_progress(s, import_id, rows_done=done, rows_bad=len(bad))
        pending.clear()
        problems.clear()

    for row_no, cells in _data_rows(kind, data):
        if row_no > files.MAX_ROWS:
            raise files.FileBroken(f"Tệp có hơn {files.MAX_ROWS} dòng: hãy chia nhỏ.")
        row, found = rules.check_row(row_no, cells, units=units, today=today, own_unit_id=own_unit)
        if _extra_cells(cells):
            found = [*found, rules.Problem("file", "row_extra_cells", "Dòng có ô ngoài 12 cột.")]
            row = None
        if row is not None:
            first = seen.get(row.key)
            if first is not None:
                found = [rules.duplicate_in_file(first)]
            else:
                seen[row.key] = row_no
                pending.append(row)
        if found:
            bad.add(row_no)
            problems += [_problem(import_id, row_no, p) for p in found]
        done += 1
        if done % BATCH == 0:
            flush()
    flush()
    with rt.db.write() as s:
        store.set_progress(s, import_id, rows_total=done, rows_done=done, rows_bad=len(bad))
        store.finished(s, import_id, "preview")
    log.info(
        "registry import %s checked: %s rows, %s with problems, %.1f s",
        import_id,
        done,
        len(bad),
        time.monotonic() - started,
    )


def _problem(import_id: int, row_no: int, p: rules.Problem) -> dict[str, object]:
    return {
        "import_id": import_id,
        "row_no": row_no,
        "column": p.column,
        "code": p.code,
        "message": p.message,
    }


def _who(s: Session, caller: Caller, imp: RegistryImport) -> audit.Who:
    user = users_repo.user_by_id(s, caller.user.id)
    assert user is not None
    if imp.unit_id is not None:
        return audit.Who(
            user.id, user.full_name, str(Role.UNIT_CLERK), org_repo.unit(s, imp.unit_id).name
        )
    return audit.Who(
        user.id,
        user.full_name,
        str(Role.BOARD_SPECIALIST),
        org_repo.authority(s, imp.authority_id).name,
    )


def _may_change(actor: Actor, imp: RegistryImport) -> None:
    if imp.unit_id is None:
        if not any(
            g.role in AUTHORITY_ROLES - {Role.AUTHORITY_LEADER}
            and g.authority_id == imp.authority_id
            for g in actor.grants
        ):
            raise Forbidden("Chỉ Phòng TĐKT xác nhận tệp này.")
    elif not any(g.role == Role.UNIT_CLERK and g.unit_id == imp.unit_id for g in actor.grants):
        raise Forbidden("Chỉ cán bộ TĐKT của đơn vị xác nhận tệp này.")


def accept(rt: Runtime, caller: Caller, import_id: int, only_clean: bool) -> ImportOut:
    """Write the clean rows once, in one transaction (batched inserts), and one audit
    event with the file's SHA-256 and the counts."""
    with rt.db.write() as s:
        imp = _import(s, caller.actor, import_id, for_update=True)
        _may_change(caller.actor, imp)
        if imp.status == "checking":
            raise Conflict("Tệp đang được kiểm tra: hãy chờ xong.", code="import_checking")
        if imp.status != "preview":
            raise Conflict(
                f"Tệp đã ở trạng thái «{STATUS_LABELS.get(imp.status, imp.status)}».",
                code="import_closed",
            )
        if imp.rows_bad and not only_clean:
            raise Conflict(
                f"Tệp còn {imp.rows_bad} dòng có lỗi: sửa tệp và nhập lại, hoặc chỉ ghi các "
                "dòng không lỗi.",
                code="import_has_problems",
            )
        bad = store.bad_rows(s, imp.id)
        units = store.units_by_code(s)
        unit_names = {u.id: u.name for u in s.query(Unit).all()}
        kind = "xlsx" if imp.object_key.endswith(".xlsx") else "csv"
        data = rt.store.get(imp.object_key)
        today = today_vn()
        written = skipped = 0
        batch: list[rules.ImportRow] = []

        def write() -> None:
            nonlocal written, skipped
            existing = store.existing_keys(s, [r.key for r in batch])
            fresh = [r for r in batch if r.key not in existing]
            skipped += len(batch) - len(fresh)
            written += store.write_rows(
                s, fresh, import_id=imp.id, user_id=caller.user.id, unit_names=unit_names
            )
            batch.clear()

        for row_no, cells in _data_rows(kind, data):
            if row_no in bad:
                continue
            row, found = rules.check_row(
                row_no, cells, units=units, today=today, own_unit_id=imp.unit_id
            )
            if row is None or found:
                skipped += 1
                continue
            batch.append(row)
            if len(batch) >= 5000:
                write()
        write()
        imp.status = "accepted"
        imp.rows_written = written
        imp.rows_done = imp.rows_total
        imp.finished_at = utcnow()
        audit.append(
            s,
            kind="registry_import_accepted",
            subject=Subject(SubjectKind.REGISTRY_IMPORT, imp.id),
            who=_who(s, caller, imp),
            from_status="preview",
            to_status="accepted",
            data={
                "filename": imp.filename,
                "sha256": imp.sha256,
                "object_key": imp.object_key,
                "rows_total": imp.rows_total,
                "rows_bad": imp.rows_bad,
                "rows_written": written,
                "rows_skipped": skipped,
                "only_clean": only_clean,
            },
        )
        s.flush()
        return import_out(s, imp)


def discard(rt: Runtime, caller: Caller, import_id: int) -> ImportOut:
    with rt.db.write() as s:
        imp = _import(s, caller.actor, import_id, for_update=True)
        _may_change(caller.actor, imp)
        if imp.status == "checking":
            raise Conflict("Tệp đang được kiểm tra: hãy chờ xong.", code="import_checking")
        if imp.status not in ("preview", "failed"):
            raise Conflict(
                f"Tệp đã ở trạng thái «{STATUS_LABELS.get(imp.status, imp.status)}».",
                code="import_closed",
            )
        before = imp.status
        imp.status = "discarded"
        imp.finished_at = utcnow()
        audit.append(
            s,
            kind="registry_import_discarded",
            subject=Subject(SubjectKind.REGISTRY_IMPORT, imp.id),
            who=_who(s, caller, imp),
            from_status=before,
            to_status="discarded",
            data={
                "filename": imp.filename,
                "sha256": imp.sha256,
                "object_key": imp.object_key,
                "rows_total": imp.rows_total,
                "rows_bad": imp.rows_bad,
                "rows_written": 0,
            },
        )
        s.flush()
        return import_out(s, imp)


def get_import(s: Session, actor: Actor, import_id: int, page: int) -> ImportOut:
    return import_out(s, _import(s, actor, import_id), page)


# --------------------------------------------------------------- a unit's own titles


@dataclass(frozen=True)
class UnitAwardIn:
    award: str
    year: int
    decision_number: str
    decided_on: date | None
    person_id: int | None = None
    collective_id: int | None = None
    holder_name: str | None = None
    identity_no: str | None = None
    """A person not yet in the registry: found by this identity number, else created."""
    occasion: str | None = None
    """Thường xuyên (yearly, the default), chuyên đề, đột xuất, khác."""
    issuer: str | None = None
    """Who decided, as the decision names them (default: the unit's name)."""
    unit_id: int | None = None
    """The unit entering it (the holder's); default: the caller's first unit."""


def add_unit_award(
    rt: Runtime, caller: Caller, body: UnitAwardIn, pdf: bytes, filename: str
) -> RegistryAwardOut:
    """A title the unit decided itself (Lao động tiên tiến, Chiến sĩ thi đua cơ sở, …),
    entered by its clerk with the unit's decision (PDF, stored as a document of the
    holder). 422 `award_not_unit_decides`, `award_holder_kind`, …; 404 `holder_not_found`
    (not a person or collective of the unit); 409 `registry_duplicate` (the same decision,
    or a title given once a year already held that year)."""
    unit_id, role = rules.unit_award_grant(caller.actor, body.unit_id)
    number = rules.check_unit_award(
        body.award, body.year, body.decision_number, body.decided_on, today_vn()
    )
    assert body.decided_on is not None
    occasion = rules.unit_award_occasion(body.occasion)
    if not pdf.startswith(b"%PDF-"):  # a Word file, a picture, anything else
        raise UnsupportedMediaType(
            "Quyết định của đơn vị phải là tệp PDF.", code="decision_pdf_required"
        )
    try:
        media_type, ext = check_upload(pdf)
    except Refusal as e:
        raise UnsupportedMediaType(e.message, code=e.code) from e
    if media_type != PDF:
        raise UnsupportedMediaType(
            "Quyết định của đơn vị phải là tệp PDF.", code="decision_pdf_required"
        )
    with rt.db.write() as s:
        unit = org_repo.unit(s, unit_id)
        issuer = rules.unit_award_issuer(body.issuer, unit.name)
        person: Person | None = None
        team: Collective | None = None
        if body.person_id is not None:
            person = s.get(Person, body.person_id)
            if person is None or person.unit_id != unit_id or person.merged_into_id:
                raise NotFound("Không có cá nhân này trong đơn vị.", code="holder_not_found")
        elif body.collective_id is not None:
            team = s.get(Collective, body.collective_id)
            if team is None or team.unit_id != unit_id or team.merged_into_id:
                raise NotFound("Không có tập thể này trong đơn vị.", code="holder_not_found")
        elif body.identity_no:
            ident = body.identity_no.strip()
            if not rules.IDENTITY_RE.match(ident):
                raise InvalidInput(
                    "Số định danh phải gồm đúng 12 chữ số.", code="identity_no_invalid"
                )
            name = " ".join((body.holder_name or "").split())
            if not name:
                raise InvalidInput("Cần họ tên.", code="name_required")
            person = store.person_for(
                s, name=name[:255], unit_id=unit_id, identity_no=ident, created_by=caller.user.id
            )
            if person.unit_id != unit_id:
                raise NotFound("Không có cá nhân này trong đơn vị.", code="holder_not_found")
        else:  # the unit itself
            team = store.collective_for(
                s, unit_id=unit_id, name=unit.name, created_by=caller.user.id
            )
        kind = NomineeKind.INDIVIDUAL if person is not None else NomineeKind.COLLECTIVE
        rules.check_holder_kind(body.award, kind)
        holder_name = person.full_name if person is not None else team.name if team else ""
        if store.holds(s, person, team, body.award, body.year, number):
            raise Conflict(
                "Khen thưởng này (cùng năm, số quyết định) đã có trong sổ.",
                code="registry_duplicate",
            )
        if rules.once_a_year(body.award, occasion):
            held = people_store.held_in_year(
                s,
                person_id=person.id if person is not None else None,
                collective_id=team.id if team is not None else None,
                award=body.award,
                year=body.year,
                occasion=occasion,
            )
            if held is not None:
                raise Conflict(
                    f"«{award_name(body.award)}» năm {body.year} đã có trong sổ (quyết định "
                    f"số {held.decision_number}): một thành tích chỉ khen thưởng một lần.",
                    code="registry_duplicate",
                )
        subject = (
            Subject(SubjectKind.PERSON, person.id)
            if person is not None
            else Subject(SubjectKind.COLLECTIVE, team.id if team else 0)
        )
        obj = rt.store.put(f"registry/unit-awards/{uuid.uuid4().hex}{ext}", pdf, media_type)
        doc = Document(
            **subject_columns(subject),
            transition_seq=0,
            form=UNIT_DECISION_FORM,
            copy_no=1,
            title=f"Quyết định số {number} ngày {body.decided_on:%d/%m/%Y} của {unit.name}",
            number=number,
            issuer_name=unit.name,
            kind="decision",
        )
        s.add(doc)
        s.flush()
        s.add(
            DocumentVersion(
                document_id=doc.id,
                seq=1,
                rendition="upload",
                object_key=obj.key,
                object_version_id=obj.version_id,
                sha256=obj.sha256,
                size=obj.size,
                media_type=media_type,
                file_name=upload_name(filename, ext),
            )
        )
        ra = RegistryAward(
            person_id=person.id if person is not None else None,
            collective_id=team.id if team is not None else None,
            award=body.award,
            year=body.year,
            occasion=occasion,
            decision_number=number,
            decision_date=body.decided_on,
            issuer=issuer,
            source=str(Source.UNIT),
            holder_name=holder_name,
            unit_id=unit_id,
            search_text=rules.search_text(holder_name, body.award, number),
            document_id=doc.id,
            created_by=caller.user.id,
        )
        s.add(ra)
        s.flush()
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        audit.append(
            s,
            kind="registry_award_added",
            subject=subject,
            who=audit.Who(user.id, user.full_name, str(role), unit.name),
            data={
                "registry_award_id": ra.id,
                "award": body.award,
                "year": body.year,
                "occasion": occasion,
                "issuer": issuer,
                "decision_number": number,
                "decision_date": body.decided_on.isoformat(),
                "document_id": doc.id,
                "object_key": obj.key,
                "sha256": obj.sha256,
            },
        )
        return award_out(ra, unit.name)
