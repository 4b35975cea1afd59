"""A decision signed outside tdkt (the province's own e-office) uploaded as a PDF with its
number and date: accepted only if every signature in it is intact, valid and trusted by
the trust roots the system holds and the last one covers the whole file; refused with a
code otherwise, and then nothing changes. Accepted, it is stored as the decision's signed
document and the same awards follow as for a decision signed here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from api.decisions import service
from api.decisions.schemas import DecisionOut
from api.deps import Caller
from documents.inspect import Refusal, check_pdf
from documents.verify import InvalidPdf
from documents.vn import today_vn
from domain import decisions as rules
from domain.decisions import DecisionStatus
from domain.errors import SignatureRejected, StaleVersion
from domain.roles import Role
from issuing import awarding
from issuing.issue import PDF, record_in
from issuing.runtime import Runtime
from storage import audit
from storage.models import AwardDecision, Document, subject_columns
from storage.objects import ObjectExists, StoredObject
from storage.repositories import keys as keys_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo


def _reject(code: str, message: str) -> SignatureRejected:
    return SignatureRejected(message, code=code)


def check_signed(rt: Runtime, pdf: bytes) -> list[dict[str, object]]:
    """The uploaded decision's signatures, or why it is refused."""
    try:
        check_pdf(pdf)
    except Refusal as e:
        raise _reject(e.code, e.message) from e
    with rt.db.read() as s:
        roots = [r.cert_pem for r in keys_repo.trust_roots(s)]
    try:
        reports = rt.signing.verify_blocking(pdf, roots, rt.crls())
    except InvalidPdf as e:
        raise _reject("invalid_pdf", "Tệp PDF không đọc được.") from e
    if not reports:
        raise _reject("decision_unsigned", "Quyết định tải lên chưa có chữ ký số.")
    for r in reports:
        if not (r.intact and r.valid):
            raise _reject("signature_invalid", "Chữ ký số không hợp lệ: " + r.summary_vi + ".")
        if r.problem == "revoked":
            raise _reject("certificate_revoked", "Chứng thư số của người ký đã bị thu hồi.")
        if not r.trusted:
            raise _reject(
                "untrusted_certificate", "Chứng thư số không do tổ chức chứng thực tin cậy cấp."
            )
    if reports[-1].coverage != "entire_file":
        raise _reject("changed_after_signing", "Tệp đã bị thay đổi sau khi ký.")
    return [r.to_dict() for r in reports]


@dataclass(frozen=True)
class SignedUpload:
    """A PDF signed elsewhere whose signatures verified, stored, with its number and date."""

    number: str
    decided_on: date
    signatures: list[dict[str, object]]
    stored: StoredObject


def verified_upload(
    rt: Runtime, pdf: bytes, number: str, decided_on: date | None, key_prefix: str
) -> SignedUpload:
    """The checks every decision signed elsewhere passes (an award decision, a correcting
    or revoking one): its number and date, then its signatures; then the file stored
    (content-addressed under `key_prefix`: a retry stores nothing twice). Raises with
    the refusal's code before anything is written to the database."""
    clean = rules.check_upload_fields(number, decided_on, today_vn())
    assert decided_on is not None
    signatures = check_signed(rt, pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    key = f"{key_prefix}-{digest[:16]}-pdf-signed.pdf"
    try:
        stored = rt.store.put(key, pdf, PDF)
    except ObjectExists:
        stored = rt.store.stat(key)
    return SignedUpload(clean, decided_on, signatures, stored)


def signed_document(
    s: Session, d: AwardDecision, up: SignedUpload, *, form: str, title: str
) -> Document:
    """The uploaded PDF as a document on the decision's chain (a new step of it)."""
    d.transition_seq += 1
    ubnd = org_repo.authority(s, d.decider_authority_id)
    doc = Document(
        **subject_columns(service.subject_of(d)),
        transition_seq=d.transition_seq,
        form=form,
        copy_no=0,
        title=title,
        number=up.number,
        issuer_name=ubnd.name,
    )
    s.add(doc)
    s.flush()
    record_in(s, doc.id, "pdf-signed", up.stored, PDF, signatures=up.signatures)
    return doc


def upload(
    rt: Runtime,
    caller: Caller,
    decision_id: int,
    pdf: bytes,
    number: str,
    decided_on: date | None,
    version: int | None,
) -> DecisionOut:
    """Runs in a worker thread: checks that need no file first, then the signatures,
    then one transaction."""
    with rt.db.read() as s:
        d = service.visible_decision(s, caller.actor, decision_id)
        rules.check_drafter(caller.actor, d.authority_id)
        rules.check_uploadable(d.status)
    up = verified_upload(rt, pdf, number, decided_on, f"decisions/{decision_id}/upload")
    clean, decided_on, signatures, stored = up.number, up.decided_on, up.signatures, up.stored
    with rt.db.write() as s:
        d = service.visible_decision(s, caller.actor, decision_id, for_update=True)
        rules.check_uploadable(d.status)
        if version is not None and version != d.version:
            raise StaleVersion("Quyết định đã được người khác thay đổi. Hãy tải lại rồi thử lại.")
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        before = d.status
        doc = signed_document(
            s,
            d,
            up,
            form="quyet_dinh_khen_thuong",
            title="Quyết định khen thưởng (đã ký trên hệ thống quản lý văn bản của tỉnh)",
        )
        d.status = str(DecisionStatus.ISSUED)
        d.source = "upload"
        d.number, d.decided_on, d.document_id = clean, decided_on, doc.id
        s.flush()
        authority = org_repo.authority(s, d.authority_id).name
        audit.append(
            s,
            kind="decision_uploaded",
            subject=service.subject_of(d),
            who=audit.Who(user.id, user.full_name, str(Role.BOARD_SPECIALIST), authority),
            from_status=before,
            to_status=d.status,
            data={
                "decision_number": clean,
                "decision_date": decided_on.isoformat(),
                "document_id": doc.id,
                "object_key": stored.key,
                "version_id": stored.version_id,
                "sha256": stored.sha256,
                "signers": [str(x.get("signer")) for x in signatures],
            },
        )
        awarding.record_awards(s, d, clean, decided_on)
        return service.decision_out(s, caller.actor, d)
