"""Approving is signing: unlocking an approver's key with their PIN, and accepting a PDF
they signed elsewhere (their own tool or USB token) only if it is exactly the prepared
document plus their one valid, trusted signature."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO
from typing import NoReturn

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation.pdf_embedded import read_certification_data
from sqlalchemy.orm import Session

from documents.inspect import Refusal, check_pdf
from documents.pki import WrongPassphrase, decrypt_key, pin_passphrase
from documents.sign import SignerMaterial
from documents.verify import InvalidPdf, SignatureReport
from domain.errors import (
    CertificateRevoked,
    NoSigningKey,
    SignatureRejected,
    SignerMismatch,
    SigningLocked,
    SigningPinNotSet,
    WrongPin,
)
from storage import audit
from storage.db import Database
from storage.models import SigningKey, User
from storage.repositories import keys as keys_repo

MAX_PIN_FAILURES = 5


def unlock(db: Database, user_id: int, pin: str, secret: str) -> SignerMaterial:
    """The approver's key, decrypted in memory with their PIN.

    Its own transaction: a wrong PIN is counted even though the action fails, and the
    fifth one in a row locks signing until an admin unlocks it.
    """
    with db.write() as s:
        user = s.get(User, user_id)
        assert user is not None
        key = usable_key(s, user)
        assert key.key_pem_encrypted is not None
        try:
            pem = decrypt_key(key.key_pem_encrypted, pin_passphrase(pin, secret))
        except WrongPassphrase:
            wrong_pin(s, user)
        user.pin_failures = 0
        chain = tuple(r.cert_pem for r in keys_repo.trust_roots(s))
        return SignerMaterial(pem, key.cert_pem, chain)


def usable_key(s: Session, user: User) -> SigningKey:
    """The key the person signs with, or why there is none: locked, a key asked for whose
    PIN they have not set yet, revoked, or none at all."""
    key = keys_repo.personal_key(s, user.id)
    if key is None and user.signing_key_pending:
        raise SigningPinNotSet()
    if user.signing_locked:
        raise SigningLocked()
    if key is not None:
        return key
    if any(k.key_pem_encrypted is not None for k in keys_repo.personal_keys(s, user.id)):
        raise CertificateRevoked()
    raise NoSigningKey()


def wrong_pin(s: Session, user: User) -> NoReturn:
    """Count a wrong PIN (committed although the request fails); the fifth in a row locks
    signing until an admin unlocks it."""
    user.pin_failures += 1
    locked = user.pin_failures >= MAX_PIN_FAILURES
    user.signing_locked = locked
    audit.append(
        s,
        kind="signing_locked" if locked else "signing_pin_failed",
        who=audit.Who(user.id, user.full_name, "", ""),
        data={"failures": user.pin_failures},
    )
    s.commit()
    if locked:
        raise SigningLocked() from None
    left = MAX_PIN_FAILURES - user.pin_failures
    raise WrongPin(f"Mã PIN ký số không đúng. Còn {left} lần thử.") from None


def _reject(code: str, message: str) -> SignatureRejected:
    return SignatureRejected(message, code=code)


Verify = Callable[[bytes, Sequence[bytes]], list[SignatureReport]]


def check_uploaded(
    s: Session,
    user: User,
    prepared: bytes,
    uploaded: bytes,
    verify: Verify,
    *,
    signed_before: int = 0,
) -> list[dict[str, object]]:
    """Accept a PDF the approver signed elsewhere, or say exactly why not. `verify` checks
    its signatures (`SigningPool.verify_blocking`: in a signing process, with the CRLs
    of the CAs the system holds). `prepared` may already carry `signed_before`
    signatures (an individual's on their own report): the approver adds exactly one."""
    try:
        reader = check_pdf(uploaded)
    except Refusal as e:
        raise _reject(e.code, e.message) from e
    if not uploaded.startswith(prepared):
        raise _reject(
            "prepared_revision_changed", "Tệp đã ký không chứa nguyên vẹn văn bản đã chuẩn bị."
        )
    roots = [r.cert_pem for r in keys_repo.trust_roots(s)]
    try:
        reports = verify(uploaded, roots)
    except InvalidPdf as e:
        raise _reject("invalid_pdf", "Tệp PDF không đọc được.") from e
    if len(reports) != signed_before + 1:
        raise _reject("expected_one_signature", "Tệp phải có đúng một chữ ký số của người duyệt.")
    r = reports[-1]
    invalid = _reject("signature_invalid", "Chữ ký số không hợp lệ: " + r.summary_vi + ".")
    if not r.intact:
        raise invalid
    if r.coverage != "entire_file":
        raise _reject("changed_after_signing", "Tệp đã bị thay đổi sau khi ký.")
    if not r.valid:
        raise invalid
    base_revisions = PdfFileReader(BytesIO(prepared), strict=False).xrefs.total_revisions
    if reader.xrefs.total_revisions != base_revisions + 1:
        raise _reject(
            "changed_after_prepared",
            "Ngoài chữ ký, tệp còn có thay đổi khác so với văn bản đã chuẩn bị.",
        )
    if r.problem == "expired":
        raise _reject("certificate_expired", "Chứng thư số của người ký đã hết hạn.")
    if r.problem == "revoked" or r.cert_fingerprint in revoked_fingerprints(s, user.id):
        raise _reject(
            "certificate_revoked", "Chứng thư số của người ký đã bị thu hồi, không dùng để ký được."
        )
    if not r.trusted:
        raise _reject(
            "untrusted_certificate", "Chứng thư số không do tổ chức chứng thực tin cậy cấp."
        )
    certification = read_certification_data(reader)
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise _reject(
            "no_changes_allowed",
            "Chữ ký chứng nhận không cho phép điền số, ngày và đóng dấu sau khi ký.",
        )
    if r.cert_fingerprint not in registered_fingerprints(s, user.id):
        raise SignerMismatch()
    return [x.to_dict() for x in reports]


def registered_fingerprints(s: Session, user_id: int) -> Sequence[str]:
    """The person's certificates that may sign: registered to them and not revoked."""
    return [k.fingerprint for k in keys_repo.personal_keys(s, user_id) if k.revoked_at is None]


def revoked_fingerprints(s: Session, user_id: int) -> Sequence[str]:
    return [k.fingerprint for k in keys_repo.personal_keys(s, user_id) if k.revoked_at is not None]
