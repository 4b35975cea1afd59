"""What anyone needs to check our signatures: the trust roots, the demo CA's CRL, and the
demo's time-stamping service (RFC 3161 over HTTP). In production the CRLs and the TSA are
the certification authorities' own; these endpoints then answer 404."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import ReadSession, RuntimeDep
from domain.errors import InvalidInput, NotFound, PayloadTooLarge
from storage.repositories import keys as keys_repo

router = APIRouter(prefix="/api/v1", tags=["pki"])


@router.get("/trust-roots")
def trust_roots(s: ReadSession) -> Response:
    pem = b"".join(r.cert_pem for r in keys_repo.trust_roots(s))
    return Response(pem, media_type="application/x-pem-file")


@router.get("/pki/crl")
def crl(rt: RuntimeDep) -> Response:
    """The certificate revocation list (DER) of the CA whose key the system holds (the
    demo CA): the certificates it issued that an admin revoked."""
    crls = rt.crls()
    if not crls:
        raise NotFound("Không có danh sách thu hồi do hệ thống phát hành.", code="no_crl")
    return Response(crls[0], media_type="application/pkix-crl")


@router.post("/pki/tsa")
async def tsa(request: Request, rt: RuntimeDep) -> Response:
    """The demo's time-stamping service (application/timestamp-query)."""
    body = await request.body()
    if len(body) > 64 * 1024:
        raise PayloadTooLarge()

    local = await run_in_threadpool(rt.local_tsa)
    if local is None:
        raise NotFound("Hệ thống không có dịch vụ cấp dấu thời gian.", code="no_tsa")
    try:
        answer = await run_in_threadpool(local.answer, body)
    except ValueError as e:
        raise InvalidInput("Yêu cầu cấp dấu thời gian không hợp lệ.", code="bad_tsa_request") from e
    return Response(answer, media_type="application/timestamp-reply")
