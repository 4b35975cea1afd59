"""The cluster's reviews (sơ kết, tổng kết): the conference record and its report, under
/api/v1/clusters/{id}/years/{year}/reviews. Thin: the rules are in
domain/cluster_reviews.py, the work in api/clusters/review_service.py."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.clusters import review_service as service
from api.clusters.review_schemas import (
    ReportSignatureOut,
    ReviewIn,
    ReviewOut,
    ReviewUpdate,
    SignIn,
)
from api.clusters.service import load_year
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from domain.errors import PayloadTooLarge

router = APIRouter(tags=["clusters"])

BASE = "/clusters/{cluster_id}/years/{year}/reviews"
"""Under /api/v1 (the including router's prefix, api/clusters/routes.py)."""


def attachment(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
    }


@router.get(BASE, response_model=list[ReviewOut])
def list_reviews(
    cluster_id: int, year: int, caller: CurrentReader, s: ReadSession
) -> list[ReviewOut]:
    """The year's review conferences with their report's state (members, the board)."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    return [service.review_out(s, ctx, r) for r in service.reviews(s, ctx)]


@router.post(BASE, status_code=201, response_model=ReviewOut)
def create_review(
    cluster_id: int,
    year: int,
    body: ReviewIn,
    caller: CurrentWriter,
    s: WriteSession,
    response: Response,
) -> ReviewOut:
    """The head or deputy unit's cluster approver records the conference: date, host,
    place, each member unit's representative (unlisted units: absent), the board's
    representative, the agenda."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    r = service.create(s, caller.user, ctx, body)
    response.headers["Location"] = f"/api/v1{BASE.format(cluster_id=cluster_id, year=year)}/{r.id}"
    return service.review_out(s, ctx, r)


@router.get(BASE + "/{review_id}", response_model=ReviewOut)
def get_review(
    cluster_id: int, year: int, review_id: int, caller: CurrentReader, s: ReadSession
) -> ReviewOut:
    ctx = load_year(s, caller.actor, cluster_id, year)
    return service.review_out(s, ctx, service.review_of(s, ctx, review_id))


@router.put(BASE + "/{review_id}", response_model=ReviewOut)
def update_review(
    cluster_id: int,
    year: int,
    review_id: int,
    body: ReviewUpdate,
    caller: CurrentWriter,
    s: WriteSession,
) -> ReviewOut:
    ctx = load_year(s, caller.actor, cluster_id, year)
    r = service.update(s, caller.user, ctx, review_id, body)
    return service.review_out(s, ctx, r)


@router.get(BASE + "/{review_id}/report/draft.docx")
def draft_report(
    cluster_id: int,
    year: int,
    review_id: int,
    caller: CurrentWriter,
    s: WriteSession,
    rt: RuntimeDep,
) -> Response:
    """The report drafted from the year's data (report_facts), to edit in Word; it prints
    the caller's name under the signature: they upload it back and sign it."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    data, name = service.draft_docx(s, rt, caller.user, ctx, review_id)
    return Response(data, media_type=service.DOCX, headers=attachment(name))


@router.post(BASE + "/{review_id}/report", response_model=ReviewOut)
async def upload_report(
    cluster_id: int,
    year: int,
    review_id: int,
    caller: CurrentReader,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File(description="the edited report (.docx)")],
) -> ReviewOut:
    """The edited report back: a real .docx without macros, within the size limit, the
    number, date and signer's name kept; converted to PDF for signing."""
    limit = rt.settings.max_upload_bytes
    chunks, size = [], 0
    while chunk := await file.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Tệp vượt quá {limit / (1024 * 1024):g} MB.")
        chunks.append(chunk)
    return await run_in_threadpool(
        service.upload, rt, caller, cluster_id, year, review_id, b"".join(chunks)
    )


@router.post(BASE + "/{review_id}/report/actions/sign", response_model=ReviewOut)
async def sign_report(
    cluster_id: int,
    year: int,
    review_id: int,
    body: SignIn,
    caller: CurrentReader,
    rt: RuntimeDep,
) -> ReviewOut:
    """The uploader signs with their PIN; the report is numbered in the cluster's series,
    sealed with the host unit's seal and sent to the board."""
    return await run_in_threadpool(
        service.sign_and_send, rt, caller, cluster_id, year, review_id, body.signing_pin
    )


@router.get(BASE + "/{review_id}/report/signed.pdf")
def signed_report(
    cluster_id: int,
    year: int,
    review_id: int,
    caller: CurrentReader,
    s: ReadSession,
    rt: RuntimeDep,
) -> Response:
    ctx = load_year(s, caller.actor, cluster_id, year)
    r, v = service.signed_version(s, ctx, review_id)
    data = rt.store.get(v.object_key, v.object_version_id)
    name = f"{r.number or ''} Báo cáo {service.PERIOD_LABELS[service.Period(r.period)]} {year}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers=attachment(name.strip()) | {"X-Content-SHA256": v.sha256},
    )


@router.get(BASE + "/{review_id}/report/verify", response_model=ReportSignatureOut)
async def verify_report(
    cluster_id: int, year: int, review_id: int, caller: CurrentReader, rt: RuntimeDep
) -> ReportSignatureOut:
    """Every signature of the signed report, checked against the trust roots and CRLs."""
    return await run_in_threadpool(service.verify, rt, caller.actor, cluster_id, year, review_id)
