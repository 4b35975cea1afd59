"""Verification of the signatures embedded in a PDF, with pyHanko.

Trust is exactly the given roots (the demo CA in the demo, Ban Cơ yếu's roots in
production): no operating-system roots, no network fetching, revocation "soft-fail"
(certificates without CRL/OCSP information are accepted) — except that a signer whose
issuer's CRL is given must be checked against it (a certificate revoked by an admin is
reported revoked, problem "revoked").

Report fields:

* ``intact`` — the bytes covered by the signature hash to the value that was signed;
* ``valid`` — intact, the cryptographic signature checks against the signer's certificate,
  and what was appended after signing is allowed (DocMDP / form filling / later
  signatures); says nothing about who the signer is;
* ``trusted`` — in addition, the signer's certificate chains to one of the trust roots
  and is within its validity period now (B-B signatures carry no time-stamp, so an
  expired certificate makes the signature untrusted).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

__all__ = [
    "InvalidPdf",
    "SignatureReport",
    "load_trust_roots",
    "verify_pdf",
    "verify_pdf_sync",
]

log = logging.getLogger(__name__)

# Personal tokens (uploaded PDFs signed elsewhere) sometimes only assert
# digitalSignature; accept either bit, as NSS and Acrobat do.
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)

SUMMARY_OK = "Chữ ký hợp lệ, tin cậy, tài liệu không bị sửa đổi sau khi ký"
SUMMARY_OK_EXTENDED = (
    "Chữ ký hợp lệ, tin cậy; sau khi ký tài liệu chỉ được bổ sung chữ ký hoặc thông tin được phép"
)
SUMMARY_MODIFIED = "Chữ ký không hợp lệ: tài liệu đã bị sửa đổi sau khi ký"
SUMMARY_BAD_CRYPTO = "Chữ ký không hợp lệ: giá trị chữ ký không khớp với chứng thư số"
SUMMARY_DISALLOWED_CHANGES = "Chữ ký không hợp lệ: tài liệu có thay đổi không được phép sau khi ký"
SUMMARY_DAMAGED = "Chữ ký bị hỏng, không đọc được"
SUMMARY_UNTRUSTED = "Chứng thư số không thuộc tổ chức chứng thực tin cậy"
SUMMARY_EXPIRED = "Chứng thư số đã hết hạn (hoặc chưa có hiệu lực) tại thời điểm kiểm tra"
SUMMARY_REVOKED = "Chứng thư số đã bị thu hồi"
SUMMARY_CERT_PROBLEM = "Chứng thư số không đáp ứng yêu cầu để tin cậy"


class InvalidPdf(ValueError):
    """The input is not a readable PDF file."""


@dataclass
class SignatureReport:
    field_name: str
    signer: str  # subject CN of the signer's certificate
    organisation: str | None  # subject O
    signing_time: datetime | None  # UTC; the signer-reported /M (no time-stamp in B-B)
    intact: bool
    valid: bool
    trusted: bool
    coverage: str  # "entire_file" | "entire_revision" | "partial"
    modification_level: str  # none | lta_updates | form_filling | annotations | other | unknown
    summary_vi: str
    certified: bool = False  # certifying (DocMDP) signature
    reason: str | None = None
    location: str | None = None
    cert_fingerprint: str | None = None  # sha256 hex of the signer's certificate
    problem: str | None = None  # machine-readable cause when not valid+trusted
    timestamped: bool = False  # an RFC 3161 time-stamp from a trusted TSA gives the time
    long_term: bool = False  # validation data embedded (DSS): PAdES B-LT

    @property
    def ok(self) -> bool:
        return self.valid and self.trusted

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies every value, and inside a flow run that
        # was ~18% of the CPU a stage used (py-spy, embedded mode).
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["signing_time"] = (
            self.signing_time.isoformat() if self.signing_time is not None else None
        )
        data["ok"] = self.ok
        return data


def load_trust_roots(trust_roots_pem: Sequence[bytes]) -> list[asn1_x509.Certificate]:
    """Parse PEM (bundles allowed) or DER certificates."""
    roots: list[asn1_x509.Certificate] = []
    for blob in trust_roots_pem:
        roots.extend(load_certs_from_pemder_data(blob))
    return roots


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _name_attr(cert: asn1_x509.Certificate | None, attr: str) -> str | None:
    if cert is None:
        return None
    try:
        value = cert.subject.native.get(attr)
    except Exception:  # pragma: no cover - malformed names
        return None
    if isinstance(value, list):  # multi-valued attribute
        value = value[0] if value else None
    return str(value) if value is not None else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return str(value.get_object())
    except Exception:
        return None


def _coverage(status: PdfSignatureStatus) -> str:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "entire_file"
    if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        return "entire_revision"
    return "partial"


def _modification_level(status: PdfSignatureStatus) -> str:
    level = status.modification_level
    return level.name.lower() if level is not None else "unknown"


def _modifications_ok(status: PdfSignatureStatus) -> bool:
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return False
    if isinstance(status.diff_result, SuspiciousModification):
        return False
    if status.docmdp_ok is False:
        return False
    level = status.modification_level
    # Without a DocMDP policy, pyHanko accepts up to form filling (new signatures).
    return not (
        status.docmdp_ok is None and level is not None and level > ModificationLevel.FORM_FILLING
    )


def _trust_problem(status: PdfSignatureStatus) -> tuple[str, str]:
    indic = status.trust_problem_indic
    if status.revoked or indic in (
        AdESFailure.REVOKED,
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    ):
        return "revoked", SUMMARY_REVOKED
    if indic in (
        AdESIndeterminate.EXPIRED,
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
        AdESIndeterminate.NOT_YET_VALID,
        AdESFailure.NOT_YET_VALID,
    ):
        return "expired", SUMMARY_EXPIRED
    if indic in (
        AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,
        AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    ) or (indic is None and status.validation_path is None):
        return "untrusted_issuer", SUMMARY_UNTRUSTED
    name = getattr(indic, "name", str(indic)).lower()
    return f"certificate:{name}", f"{SUMMARY_CERT_PROBLEM} ({name})"


def _report_from_status(status: PdfSignatureStatus, base: dict[str, Any]) -> SignatureReport:
    intact = bool(status.intact)
    crypto_ok = bool(status.valid)
    mods_ok = _modifications_ok(status)
    valid = intact and crypto_ok and mods_ok
    trusted = valid and bool(status.trusted)
    problem: str | None = None
    if not intact:
        problem, summary = "modified", SUMMARY_MODIFIED
    elif not crypto_ok:
        problem, summary = "bad_signature", SUMMARY_BAD_CRYPTO
    elif not mods_ok:
        problem, summary = "disallowed_changes", SUMMARY_DISALLOWED_CHANGES
    elif not trusted:
        problem, summary = _trust_problem(status)
    elif status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        summary = SUMMARY_OK
    else:
        summary = SUMMARY_OK_EXTENDED
    signing_time = None
    ts = status.timestamp_validity
    if ts is not None and ts.valid and ts.trusted:
        signing_time = ts.timestamp
    signing_time = _utc(signing_time or status.signer_reported_dt)
    return SignatureReport(
        **base,
        signing_time=signing_time,
        timestamped=ts is not None and bool(ts.valid and ts.trusted),
        intact=intact,
        valid=valid,
        trusted=trusted,
        coverage=_coverage(status),
        modification_level=_modification_level(status),
        summary_vi=summary,
        problem=problem,
    )


def _damaged_report(field_name: str, detail: str, base: dict[str, Any] | None) -> SignatureReport:
    fields = base or {
        "field_name": field_name,
        "signer": "",
        "organisation": None,
        "certified": False,
        "reason": None,
        "location": None,
        "cert_fingerprint": None,
    }
    return SignatureReport(
        **fields,
        signing_time=None,
        intact=False,
        valid=False,
        trusted=False,
        coverage="partial",
        modification_level="unknown",
        summary_vi=f"{SUMMARY_DAMAGED}: {detail}" if detail else SUMMARY_DAMAGED,
        problem="damaged",
    )


def _base_fields(emb: EmbeddedPdfSignature, field_name: str) -> dict[str, Any]:
    cert: asn1_x509.Certificate | None
    try:
        cert = emb.signer_cert
    except Exception:
        cert = None
    try:
        certified = emb.docmdp_level is not None
    except Exception:
        certified = False
    return {
        "field_name": field_name,
        "signer": _name_attr(cert, "common_name") or "",
        "organisation": _name_attr(cert, "organization_name"),
        "certified": certified,
        "reason": _text(emb.sig_object.get("/Reason")),
        "location": _text(emb.sig_object.get("/Location")),
        "cert_fingerprint": cert.sha256.hex() if cert is not None else None,
    }


def _read(pdf: bytes) -> PdfFileReader:
    if not isinstance(pdf, bytes | bytearray | memoryview):
        raise InvalidPdf("PDF must be bytes")
    data = bytes(pdf)
    if b"%PDF-" not in data[:1024]:
        raise InvalidPdf("không phải tệp PDF (thiếu phần đầu %PDF-)")
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        _ = reader.root  # force the trailer / catalog to be read
    except Exception as exc:
        raise InvalidPdf(f"không đọc được tệp PDF: {exc}") from exc
    if reader.encrypted:
        raise InvalidPdf("tệp PDF được mã hóa, không hỗ trợ")
    return reader


# A signer whose issuer's CRL we hold is checked against it: the certificates our CA
# issues carry no CRL distribution point, so "soft-fail" (check only what a certificate
# declares) would never look.
_CRL_REQUIRED = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
    )
)


def _context(
    roots: list[asn1_x509.Certificate],
    crls: list[bytes],
    crl_issuers: list[asn1_x509.Name],
    signer: asn1_x509.Certificate | None,
) -> ValidationContext:
    if signer is not None and signer.issuer in crl_issuers:
        return ValidationContext(
            trust_roots=list(roots), crls=crls, allow_fetching=False, revinfo_policy=_CRL_REQUIRED
        )
    return ValidationContext(
        trust_roots=list(roots), crls=crls, allow_fetching=False, revocation_mode="soft-fail"
    )


async def verify_pdf(
    pdf: bytes, trust_roots_pem: Sequence[bytes], crls: Sequence[bytes] = ()
) -> list[SignatureReport]:
    """Validate every signature in ``pdf`` (in signing order) against ``trust_roots_pem``,
    and against ``crls`` (DER) for signers whose issuer published one of them.

    Unsigned PDF → ``[]``. Unreadable input → :class:`InvalidPdf`. A damaged signature
    yields a report with everything False instead of an exception.
    """
    reader = _read(pdf)
    roots = load_trust_roots(trust_roots_pem)
    crl_list = list(crls)
    crl_issuers = [asn1_crl.CertificateList.load(c).issuer for c in crl_list]
    try:
        filled = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:
        raise InvalidPdf(f"không đọc được các trường chữ ký: {exc}") from exc

    loaded: list[tuple[int, str, EmbeddedPdfSignature | None, str]] = []
    for fq_name, _value, field_ref in filled:
        try:
            emb = EmbeddedPdfSignature(reader, field_ref, fq_name)
            if emb.sig_object_type != "/Sig":
                continue  # document time-stamps (/DocTimeStamp) are not signatures
            loaded.append((emb.signed_revision, fq_name, emb, ""))
        except Exception as exc:
            log.info("unreadable signature in field %s: %s", fq_name, exc)
            loaded.append((10**9, fq_name, None, str(exc) or type(exc).__name__))
    loaded.sort(key=lambda item: item[0])

    reports: list[SignatureReport] = []
    for _rev, fq_name, maybe_emb, error in loaded:
        if maybe_emb is None:
            reports.append(_damaged_report(fq_name, error, None))
            continue
        emb = maybe_emb
        base = _base_fields(emb, fq_name)
        try:
            signer = emb.signer_cert
        except Exception:
            signer = None
        vc = _context(roots, crl_list, crl_issuers, signer)
        try:
            status = await async_validate_pdf_signature(
                emb, signer_validation_context=vc, key_usage_settings=_KEY_USAGE
            )
        except Exception as exc:
            log.info("validation of %s failed: %s", fq_name, exc, exc_info=True)
            reports.append(_damaged_report(fq_name, str(exc) or type(exc).__name__, base))
            continue
        reports.append(_report_from_status(status, base))
    long_term = "/DSS" in reader.root  # the document security store: chains and CRLs
    for r in reports:
        r.long_term = long_term and r.timestamped
    return reports


def verify_pdf_sync(
    pdf: bytes, trust_roots_pem: Sequence[bytes], crls: Sequence[bytes] = ()
) -> list[SignatureReport]:
    """Blocking wrapper around :func:`verify_pdf` (for the CLI and scripts)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(verify_pdf(pdf, trust_roots_pem, crls))
    # Called from inside an event loop: run in a helper thread with its own loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, verify_pdf(pdf, trust_roots_pem, crls)).result()
