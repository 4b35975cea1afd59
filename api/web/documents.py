"""A dossier's files for the pages: shown inline (PDF, pictures) or downloaded, each read
recorded in the history like an API download; and the signature check of a document as
badges (valid, invalid, untrusted)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import RuntimeDep
from api.documents import service as documents
from api.documents.download import file_response
from api.web.pages import WebRoute, render, templates
from api.web.session import VisitorDep

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Rendition = Literal["pdf-signed", "pdf-personal", "pdf-prepared", "docx", "upload"]


@router.get("/van-ban/{doc_id:int}")
def content(
    doc_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    ban: Annotated[Rendition | None, Query()] = None,
    tai: Annotated[int, Query(ge=0, le=1)] = 0,
    phien_ban: Annotated[int | None, Query(alias="phien-ban", ge=1, le=10_000)] = None,
) -> Response:
    with rt.db.read() as s:
        pieces, v, name = documents.read_content(rt, s, visitor.caller, doc_id, ban, phien_ban)
    return file_response(pieces, v, name, attachment=bool(tai))


def badge(sig: dict[str, Any]) -> tuple[str, str]:
    """(css class, label): valid and trusted; intact and valid but not from a trusted
    authority; or invalid (changed after signing, broken)."""
    if sig.get("intact") and sig.get("valid") and sig.get("trusted"):
        return "ok", "Hợp lệ"
    if sig.get("intact") and sig.get("valid"):
        return "warn", "Không được tin cậy"
    return "bad", "Không hợp lệ"


@router.get("/van-ban/{doc_id:int}/chu-ky", response_class=HTMLResponse)
async def signatures(
    request: Request,
    doc_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    phien_ban: Annotated[int | None, Query(alias="phien-ban", ge=1, le=10_000)] = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        result = await documents.verify_document(rt, s, visitor.actor, doc_id, phien_ban)
    context: dict[str, Any] = {
        "result": result,
        "sigs": [(sig, *badge(sig)) for sig in result.signatures],
    }
    if request.headers.get("x-fragment") == "1":
        return templates.TemplateResponse(
            request, "_signatures.html", {"request": request, **context}
        )
    return render(request, "signatures.html", visitor, doc_id=doc_id, **context)
