"""The agency's signed letter (công văn) uploaded by the board as the agency's reply:
accepted only if it is a PDF whose signature covers the whole file, is valid, and chains
to the trust roots (as an approver's upload is checked in api/dossiers/signing.py);
refused with its code otherwise, and then nothing changes."""

from __future__ import annotations

import hashlib
from datetime import datetime

from api.deps import Caller
from api.opinions import service
from api.opinions.schemas import ReplyOut
from documents.inspect import PDF, Refusal, check_pdf
from documents.verify import InvalidPdf, SignatureReport
from domain.errors import NotFound, SignatureRejected
from domain.opinions import Opinion
from issuing import issue
from issuing.runtime import Runtime
from storage import opinions as store
from storage.models import Agency, utcnow
from storage.repositories import keys as keys_repo
from storage.repositories import users as users_repo


def _reject(code: str, message: str) -> SignatureRejected:
    return SignatureRejected(message, code=code)


def check_signature(reports: list[SignatureReport]) -> SignatureReport:
    """The letter's last signature, or the first reason it cannot be accepted."""
    if not reports:
        raise _reject(
            "letter_not_signed",
            "Công văn chưa được ký số: cần bản PDF có chữ ký số của cơ quan cho ý kiến.",
        )
    r = reports[-1]
    if not r.intact or not r.valid:
        raise _reject("signature_invalid", "Chữ ký số không hợp lệ: " + r.summary_vi + ".")
    if r.coverage != "entire_file":
        raise _reject("changed_after_signing", "Tệp đã bị thay đổi sau khi ký.")
    if r.problem == "expired":
        raise _reject("certificate_expired", "Chứng thư số của người ký đã hết hạn.")
    if r.problem == "revoked":
        raise _reject("certificate_revoked", "Chứng thư số của người ký đã bị thu hồi.")
    if not r.trusted:
        raise _reject(
            "untrusted_certificate", "Chứng thư số không do tổ chức chứng thực tin cậy cấp."
        )
    return r


def accept_letter(
    rt: Runtime, caller: Caller, request_id: int, opinion: Opinion, note: str, data: bytes
) -> ReplyOut:
    """Runs in a worker thread: every refusal before anything is stored or written."""
    with rt.db.read() as s:
        q = store.opinion_request(s, request_id)
        if q is None:
            raise NotFound(service.REQUEST_NOT_FOUND, code="opinion_request_not_found")
        r = service.check_round_for_letter(s, caller.actor, q, lock=False)
        roots = [k.cert_pem for k in keys_repo.trust_roots(s)]
        round_id = r.id
    try:
        check_pdf(data)
    except Refusal as e:
        raise _reject(e.code, e.message) from e
    try:
        reports = rt.signing.verify_blocking(data, roots, rt.crls())
    except InvalidPdf as e:
        raise _reject("invalid_pdf", "Tệp PDF không đọc được.") from e
    signature = check_signature(reports)
    sha = hashlib.sha256(data).hexdigest()
    key = f"opinions/round-{round_id}/request-{request_id}/{sha}.pdf"
    stored, _ = issue.store(rt, key, data, PDF)
    signed_at: datetime = signature.signing_time or utcnow()
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        q = service.record_letter(
            s,
            user,
            caller.actor,
            request_id,
            opinion,
            note,
            key=stored.key,
            sha256=sha,
            signer=", ".join(x for x in (signature.signer, signature.organisation) if x),
            signed_at=signed_at,
        )
        agency = s.get(Agency, q.agency_id)
        assert agency is not None
        return service.reply_out(q, agency)
