"""The statistics reports (issuing/reports/): a form for a year and scope as XLSX or PDF,
recorded as a download in the audit chain; the board's entered figures, recorded as a
change. The audit events name the form, year and scope, never a person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from api.deps import Caller
from domain import report_forms as rf
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.roles import AUTHORITY_ROLES, UNIT_ROLES, Role
from issuing.reports import build as reports
from issuing.reports.xlsx import XLSX_TYPE
from issuing.runtime import Runtime
from storage import audit
from storage.audit import VIETNAM
from storage.models import ReportEntry
from storage.repositories import org as org_repo

PDF_TYPE = "application/pdf"


def today() -> Any:
    return datetime.now(VIETNAM).date()


def who(s: Session, caller: Caller, scope: reports.Scope) -> audit.Who:
    roles = caller.actor.roles()
    role = next(
        (
            r
            for r in (
                *sorted(AUTHORITY_ROLES),
                Role.AUDITOR,
                Role.CLUSTER_APPROVER,
                *sorted(UNIT_ROLES),
            )
            if r in roles
        ),
        next(iter(sorted(roles)), Role.UNIT_MEMBER),
    )
    place = reports.authority_of(s, scope).name
    return audit.Who(caller.user.id, caller.user.full_name, str(role), place, place)


def _event(scope: reports.Scope, form: str, year: int, **extra: Any) -> dict[str, Any]:
    return {"form": form, "year": year, "scope": str(scope), **extra}


async def download(
    rt: Runtime, caller: Caller, form: str, year: int, scope_text: str | None, fmt: str
) -> tuple[bytes, str, str]:
    """(content, media type, file name); the download recorded before it is handed out."""
    if fmt not in ("xlsx", "pdf"):
        raise InvalidInput("Định dạng phải là «xlsx» hoặc «pdf».", code="report_format_invalid")
    scope = reports.parse_scope(scope_text)

    def make() -> tuple[bytes, str, str]:
        with rt.db.read() as s:
            report = reports.build(
                s, caller.actor, form, year, scope, place=rt.settings.place_name, today=today()
            )
        if fmt == "pdf":
            data = reports.pdf(
                report, profile_root=rt.settings.converter_profiles, soffice=rt.settings.soffice
            )
            media, name = PDF_TYPE, report.filename + ".pdf"
        else:
            data, media, name = reports.xlsx(report), XLSX_TYPE, report.filename + ".xlsx"
        with rt.db.write() as s:
            audit.append(
                s,
                kind="report_downloaded",
                who=who(s, caller, scope),
                data=_event(
                    scope, report.form.form, year, format=fmt, legal_basis=report.form.legal_basis
                ),
            )
        return data, media, name

    return await run_in_threadpool(make)


def entries_out(e: ReportEntry | None) -> dict[str, Any]:
    return {
        "cells": dict((e.cells if e else None) or {}),
        "signer_title": e.signer_title if e else "",
        "signer_name": e.signer_name if e else "",
        "preparer_name": e.preparer_name if e else "",
        "version": e.version if e else None,
    }


def save(
    s: Session, caller: Caller, form: str, year: int, scope_text: str | None, body: dict[str, Any]
) -> dict[str, Any]:
    scope = reports.parse_scope(scope_text)
    e = reports.save_entries(
        s,
        caller.actor,
        caller.user.id,
        form,
        year,
        scope,
        dict(body.get("cells") or {}),
        signer_title=str(body.get("signer_title") or ""),
        signer_name=str(body.get("signer_name") or ""),
        preparer_name=str(body.get("preparer_name") or ""),
        expected_version=body.get("version"),
    )
    audit.append(
        s,
        kind="report_entries_saved",
        who=who(s, caller, scope),
        data=_event(scope, form, year, cells=len(e.cells)),
    )
    return entries_out(e)


def catalogue(s: Session, caller: Caller, year: int) -> dict[str, Any]:
    return {
        "year": year,
        "forms": [
            {
                "form": v.form,
                "number": v.number,
                "title": v.title,
                "legal_basis": v.legal_basis,
                "valid_from": v.valid_from.isoformat(),
                "valid_to": v.valid_to.isoformat() if v.valid_to else None,
                "layout_source": v.source,
                "entered_cells": [f"{r}|{c}" for r, c in v.entered_cells()],
            }
            for v in rf.forms_for(year)
        ],
        "not_built": rf.FORMS_NOT_BUILT,
        "new_regime": rf.NEW_REGIME,
        "scopes": [
            {"value": v, "label": lbl} for v, lbl in reports.scopes_for(s, caller.actor, year)
        ],
        "units_known": len(org_repo.all_units(s)),
    }


# --------------------------------------------------------------- issuing: sign and seal

ISSUERS = frozenset({Role.BOARD_HEAD, Role.AUTHORITY_LEADER})
"""Who signs a report the board sends: the board's head or the Sở's leader."""
PERSON_FIELD, SEAL_FIELD = "nguoi_ky", "con_dau"
PERSON_BOX = (600, 18, 800, 80)
"""Bottom right of the last A4 landscape page, under the signer's title."""
SEAL_BOX = (545, 14, 655, 90)
"""The seal over the left third of the signature (DOMAIN.md)."""


async def issue_report(
    rt: Runtime, caller: Caller, form: str, year: int, scope_text: str | None, pin: str | None
) -> dict[str, Any]:
    """The report made now, signed by the caller (board head or the Sở's leader, their
    key unlocked by `pin`), sealed with the authority's organisation certificate, stored
    write-once, recorded with the report and in the audit chain."""
    from api.dossiers import approvals
    from documents.appearance import seal_image, signature_image
    from documents.sign import SignatureSlot
    from issuing import issue as issuing

    if not caller.actor.roles() & ISSUERS:
        raise Forbidden(
            "Chỉ lãnh đạo Phòng TĐKT hoặc lãnh đạo Sở ký ban hành báo cáo.",
            code="report_issue_forbidden",
        )
    scope = reports.parse_scope(scope_text)

    def make() -> tuple[reports.Report, bytes, Any, str]:
        with rt.db.read() as s:
            report = reports.build(
                s, caller.actor, form, year, scope, place=rt.settings.place_name, today=today()
            )
            try:
                seal, owner = issuing.organisation_material(
                    s,
                    rt.settings.secret_key,
                    "authority",
                    authority_id=report.authority_id,
                )
            except LookupError:
                raise Conflict(
                    "Cơ quan chưa có chứng thư số tổ chức để đóng dấu.", code="no_organisation_key"
                ) from None
        pdf = reports.pdf(
            report, profile_root=rt.settings.converter_profiles, soffice=rt.settings.soffice
        )
        return report, pdf, seal, owner

    report, pdf, seal, owner = await run_in_threadpool(make)
    material = await run_in_threadpool(approvals.unlock, rt, caller, pin)
    now = datetime.now(VIETNAM).replace(microsecond=0)
    title = f"{report.form.number} năm {year}"
    signed = await rt.signing.sign(
        pdf,
        material,
        field_name=PERSON_FIELD,
        box=PERSON_BOX,
        reason=f"Ký báo cáo: {title}",
        location=rt.settings.place_name,
        stamp_lines=[f"Ký bởi: {caller.user.full_name}", f"Thời gian: {now.isoformat()}"],
        signing_time=now,
        certify=True,
        reserve_fields=[SignatureSlot(SEAL_FIELD, box=SEAL_BOX)],
        background=signature_image(caller.user.full_name),
        **rt.long_term(),
    )
    sealed = await rt.signing.sign(
        signed,
        seal,
        field_name=SEAL_FIELD,
        reason=f"Đóng dấu: {title}",
        location=rt.settings.place_name,
        stamp_lines=[owner, f"Thời gian: {now.isoformat()}"],
        signing_time=now,
        background=seal_image(owner),
        **rt.long_term(),
    )
    key = (
        f"reports/{report.authority_id}/{report.form.form}/{year}/"
        f"{str(scope).replace(':', '-')}/{now:%Y%m%dT%H%M%S}-u{caller.user.id}.pdf"
    )
    obj, _ = await run_in_threadpool(issuing.store, rt, key, sealed, PDF_TYPE)

    def record() -> dict[str, Any]:
        with rt.db.write() as s:
            e = store_entry_for_issue(s, report, caller.user.id)
            e.issued_object_key = obj.key
            e.issued_version_id = obj.version_id
            e.issued_sha256 = obj.sha256
            e.issued_at = now
            e.issued_by = caller.user.id
            s.flush()
            audit.append(
                s,
                kind="report_issued",
                who=who(s, caller, scope),
                data=_event(
                    scope,
                    report.form.form,
                    year,
                    object_key=obj.key,
                    version_id=obj.version_id,
                    sha256=obj.sha256,
                    legal_basis=report.form.legal_basis,
                ),
            )
            return {"sha256": obj.sha256, "issued_at": now.isoformat(), "form": report.form.form}

    return await run_in_threadpool(record)


def store_entry_for_issue(s: Session, report: reports.Report, user_id: int) -> ReportEntry:
    from storage import reports as store

    e = store.entry(s, report.authority_id, report.form.form, report.year, str(report.scope))
    if e is None:
        e = ReportEntry(
            authority_id=report.authority_id,
            form=report.form.form,
            year=report.year,
            scope=str(report.scope),
            cells={},
            updated_by=user_id,
        )
        s.add(e)
    return e


async def issued_pdf(
    rt: Runtime, caller: Caller, form: str, year: int, scope_text: str | None
) -> tuple[bytes, str]:
    """The last issued (signed, sealed) report; the download recorded."""
    from storage import reports as store

    scope = reports.parse_scope(scope_text)

    def get() -> tuple[bytes, str]:
        with rt.db.read() as s:
            v = reports.version(form, year)
            if not reports.may_see(s, caller.actor, scope, year):
                raise Forbidden(
                    "Bạn không được xem báo cáo của phạm vi này.", code="report_scope_forbidden"
                )
            a = reports.authority_of(s, scope)
            e = store.entry(s, a.id, v.form, year, str(scope))
            if e is None or e.issued_object_key is None:
                raise NotFound("Báo cáo này chưa được ký ban hành.", code="report_not_issued")
            key, version_id = e.issued_object_key, e.issued_version_id
        data = rt.store.get(key, version_id)
        with rt.db.write() as s:
            audit.append(
                s,
                kind="report_downloaded",
                who=who(s, caller, scope),
                data=_event(scope, v.form, year, format="pdf", issued=True, object_key=key),
            )
        name = f"bieu-{v.form.replace('.', '-')}-{year}-{str(scope).replace(':', '-')}-da-ky.pdf"
        return data, name

    return await run_in_threadpool(get)
