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
from domain.errors import InvalidInput
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
