"""The cluster's year: scores. Each member scores itself per criterion of the plan and
submits its sheet; the head and deputy units review it (points set with a reason, the
self-score kept); the ranking is computed from the sheets (domain/cluster_scores.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import StreamingResponse

from api.clusters import score_service as service
from api.clusters.score_schemas import AttachmentOut, ReviewIn, ScoresOut, SelfScoreIn, VersionIn
from api.clusters.service import load_year
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.documents.download import content_disposition

router = APIRouter(tags=["clusters"])

YEAR = "/clusters/{cluster_id}/years/{year}"


@router.get(YEAR + "/scores", response_model=ScoresOut)
def get_scores(
    cluster_id: int,
    year: int,
    caller: CurrentReader,
    s: ReadSession,
    period: Annotated[str, Query()] = "midyear",
) -> ScoresOut:
    """The period's criteria, the sheets the caller may see (every member's to whoever
    runs the year, the board and auditors; its own to a member) and the ranking."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    return service.scores_out(s, caller.actor, ctx, service.period_of(period))


@router.put(YEAR + "/scores/{period}/{unit_id}", response_model=ScoresOut)
def put_self_score(
    cluster_id: int,
    year: int,
    period: str,
    unit_id: int,
    body: SelfScoreIn,
    caller: CurrentWriter,
    s: WriteSession,
) -> ScoresOut:
    """A member's own points (0 ≤ points ≤ the maximum, two decimal places: 422
    score_negative, score_above_max, score_too_precise, score_not_a_number) and evidence,
    while its sheet is not submitted (409 score_sheet_submitted)."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    p = service.period_of(period)
    service.self_score(s, caller.user, caller.actor, ctx, p, unit_id, body)
    return service.scores_out(s, caller.actor, ctx, p)


@router.post(YEAR + "/scores/{period}/{unit_id}/submit", response_model=ScoresOut)
def submit_sheet(
    cluster_id: int,
    year: int,
    period: str,
    unit_id: int,
    caller: CurrentWriter,
    s: WriteSession,
    body: VersionIn | None = None,
) -> ScoresOut:
    """The member sends its sheet, every criterion scored (422 score_missing)."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    p = service.period_of(period)
    service.submit(s, caller.user, caller.actor, ctx, p, unit_id, (body or VersionIn()).version)
    return service.scores_out(s, caller.actor, ctx, p)


@router.post(YEAR + "/scores/{period}/{unit_id}/review", response_model=ScoresOut)
def review_sheet(
    cluster_id: int,
    year: int,
    period: str,
    unit_id: int,
    body: ReviewIn,
    caller: CurrentWriter,
    s: WriteSession,
) -> ScoresOut:
    """The head or deputy unit sets points of a submitted sheet, each with a reason (422
    reason_required); audited `cluster_score_adjusted`; the self-score stays."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    p = service.period_of(period)
    service.review(s, caller.user, caller.actor, ctx, p, unit_id, body)
    return service.scores_out(s, caller.actor, ctx, p)


@router.post(
    YEAR + "/scores/{period}/{unit_id}/attachments", status_code=201, response_model=AttachmentOut
)
def add_attachment(
    cluster_id: int,
    year: int,
    period: str,
    unit_id: int,
    caller: CurrentWriter,
    s: WriteSession,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    criterion_id: Annotated[int | None, Form()] = None,
) -> AttachmentOut:
    """A PDF of evidence on the member's own sheet (to one criterion or the sheet), while
    not submitted; checked as every upload (415 pdf_only, pdf_javascript…; 413 size)."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    p = service.period_of(period)
    a = service.attach(
        s, rt, caller.user, caller.actor, ctx, p, unit_id, file.file, file.filename, criterion_id
    )
    return AttachmentOut(
        id=a.id,
        criterion_id=a.criterion_id,
        file_name=a.file_name,
        size=a.size,
        sha256=a.sha256,
        url=f"/api/v1/clusters/{cluster_id}/years/{year}/scores/attachments/{a.id}",
    )


@router.get(YEAR + "/scores/attachments/{attachment_id}")
def get_attachment(
    cluster_id: int,
    year: int,
    attachment_id: int,
    caller: CurrentReader,
    s: ReadSession,
    rt: RuntimeDep,
) -> StreamingResponse:
    """An attached PDF of evidence, to whoever sees the sheet."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    a = service.visible_attachment(s, caller.actor, ctx, attachment_id)
    return StreamingResponse(
        rt.store.chunks(a.object_key, a.object_version_id),
        media_type=a.media_type,
        headers={
            "Content-Length": str(a.size),
            "Content-Disposition": content_disposition(a.file_name, attachment=False),
            "X-Content-SHA256": a.sha256,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
