"""Template administration (admin only): the forms with their versions, upload a new
version, download a version."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from api.deps import CurrentWriter, RuntimeDep, WriteSession
from api.templates import service
from api.templates.schemas import FormTemplatesOut, TemplateVersionOut
from doc_templates.versions import DOCX
from domain.errors import PayloadTooLarge

router = APIRouter(prefix="/api/v1/admin/templates", tags=["templates"])

# The listing and the download register the built-in versions on first use, hence the
# write session.


@router.get("", response_model=list[FormTemplatesOut])
def list_templates(
    caller: CurrentWriter, s: WriteSession, rt: RuntimeDep
) -> list[FormTemplatesOut]:
    service.require_admin(caller.actor)
    return service.listing(s, rt.store)


@router.post("/{code}/versions", status_code=201, response_model=TemplateVersionOut)
def add_version(
    code: str,
    caller: CurrentWriter,
    s: WriteSession,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    note: Annotated[str, Form(max_length=500)] = "",
) -> TemplateVersionOut:
    service.require_admin(caller.actor)
    service.spec_of(code)
    limit = rt.settings.max_upload_bytes
    chunks, size = [], 0
    while chunk := file.file.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Tệp vượt quá {limit / (1024 * 1024):g} MB.")
        chunks.append(chunk)
    return service.add_version(s, rt.store, caller.user, code, b"".join(chunks), note)


@router.get("/{code}/versions/{version}/content")
def version_content(
    code: str, version: str, caller: CurrentWriter, s: WriteSession, rt: RuntimeDep
) -> Response:
    service.require_admin(caller.actor)
    t = service.content(s, rt.store, code, version)
    name = f"{code}-v{version}.docx"
    return Response(
        t.data,
        media_type=DOCX,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
            "X-Content-SHA256": t.sha256,
            "X-Content-Type-Options": "nosniff",
        },
    )
