"""A small internal certification authority for the demo and the tests.

In production the certificates come from Ban Cơ yếu Chính phủ (NĐ 68/2024/NĐ-CP) and the
trust roots are configuration; this module only makes look-alike material so that the
whole signing path (pyHanko, poppler's ``pdfsig``, Acrobat) can be exercised offline.

Keys are RSA 3072 with SHA-256 signatures: accepted by pyHanko's validator, by NSS
(``pdfsig``) and by Adobe Reader alike, and the usual choice of Vietnamese public CAs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID

__all__ = [
    "CertKey",
    "WrongPassphrase",
    "create_ca",
    "decrypt_key",
    "encrypt_key",
    "fingerprint",
    "issue_certificate",
    "subject_common_name",
    "subject_organization",
]

RSA_KEY_SIZE = 3072
COUNTRY = "VN"
# Backdate notBefore a little so that clocks slightly behind ours still accept the cert.
_CLOCK_SKEW = timedelta(minutes=5)
SIGNING_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,  # nonRepudiation
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)
"""What a signer's certificate (person, organisation, TSA) may be used for."""


class WrongPassphrase(ValueError):
    """The passphrase does not decrypt the private key."""


@dataclass(frozen=True)
class CertKey:
    cert_pem: bytes
    key_pem: bytes  # PKCS#8 PEM, unencrypted


KeyType = Literal["rsa", "ec"]


def _new_key(key_type: KeyType = "rsa") -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    if key_type == "ec":  # ECDSA P-256: milliseconds to make, valid for PAdES and NSS
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)


def pin_passphrase(pin: str, pepper: str) -> str:
    """What a personal key is encrypted under: the signing PIN, peppered with the server's
    secret, so that a copy of the database alone does not let anyone guess PINs offline."""
    return hmac.new(
        pepper.encode(), b"tdkt-signing-pin:" + pin.encode(), hashlib.sha256
    ).hexdigest()


def _key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(
    common_name: str,
    organization: str,
    organizational_unit: str | None = None,
    email: str | None = None,
) -> x509.Name:
    # cryptography encodes these attributes as UTF8String, so Vietnamese names survive.
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY)]
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if organizational_unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organizational_unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


def create_ca(common_name: str, organization: str, valid_days: int = 3650) -> CertKey:
    """Create a self-signed root CA (basicConstraints CA, keyCertSign, cRLSign, SKI)."""
    key = _new_key()
    name = _name(common_name, organization)
    now = datetime.now(UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return CertKey(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def issue_certificate(
    ca: CertKey,
    *,
    common_name: str,
    organization: str,
    organizational_unit: str | None = None,
    email: str | None = None,
    kind: Literal["organisation", "person"],
    valid_days: int = 825,
    not_before: datetime | None = None,
    key_type: KeyType = "rsa",
) -> CertKey:
    """Issue a signing certificate (digitalSignature + nonRepudiation) under ``ca``.

    ``kind="organisation"`` is the organisation's certificate (con dấu số: CN is the
    organisation's name); ``kind="person"`` a personal one (CN is the person's full name,
    O/OU where they work). An e-mail address, if given, goes into the subject and into
    subjectAltName. No extendedKeyUsage is set (NSS then accepts the cert for signing).
    """
    if kind not in ("organisation", "person"):
        raise ValueError(f"unknown certificate kind: {kind!r}")
    if valid_days <= 0:
        raise ValueError("valid_days must be positive")
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    ca_key = serialization.load_pem_private_key(ca.key_pem, password=None)
    if not isinstance(ca_key, rsa.RSAPrivateKey):
        raise TypeError("CA key must be RSA")

    key = _new_key(key_type)
    start = not_before if not_before is not None else datetime.now(UTC) - _CLOCK_SKEW
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    builder = _signer_builder(
        ca_cert,
        _name(common_name, organization, organizational_unit, email),
        key,
        start,
        valid_days,
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    return CertKey(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def _signer_builder(
    ca_cert: x509.Certificate,
    subject: x509.Name,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    start: datetime,
    valid_days: int,
) -> x509.CertificateBuilder:
    """What every certificate our CA issues to a signer has in common."""
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(SIGNING_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
    )


_SECRET_ENVELOPE = b"tdkt-aes256gcm-v1:"


def encrypt_key(key_pem: bytes, passphrase: str, *, secret: bool = False) -> bytes:
    """Encrypt a private key for storage.

    Default: encrypted PKCS#8 PEM (PBES2 with a slow key derivation, what a short PIN
    needs). With `secret=True` the passphrase is already a long random secret (the
    organisations' seals under the server's secret key): the key is sealed with AES-256-GCM
    under an HKDF of it, so unlocking a seal costs no time per document.
    """
    if not passphrase:
        raise ValueError("passphrase must not be empty")
    key = serialization.load_pem_private_key(key_pem, password=None)
    if secret:
        nonce = os.urandom(12)
        plain = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        sealed = AESGCM(_envelope_key(passphrase)).encrypt(nonce, plain, _SECRET_ENVELOPE)
        return _SECRET_ENVELOPE + base64.b64encode(nonce + sealed)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )


def _envelope_key(passphrase: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tdkt key at rest").derive(
        passphrase.encode("utf-8")
    )


def decrypt_key(encrypted_pem: bytes, passphrase: str) -> bytes:
    """Decrypt an encrypted PKCS#8 PEM key; returns unencrypted PKCS#8 PEM.

    Raises :class:`WrongPassphrase` if the passphrase is wrong (or the data is not an
    encrypted key). The wrong passphrase is caught by the decryption itself; the RSA
    key's consistency check (~20–110 ms: at every PIN unlock and seal) is skipped, since
    every RSA signature made with the key is verified against its certificate before use
    (documents/sign.py `_PreloadedKeySigner`).
    """
    try:
        if encrypted_pem.startswith(_SECRET_ENVELOPE):
            raw = base64.b64decode(encrypted_pem[len(_SECRET_ENVELOPE) :])
            plain = AESGCM(_envelope_key(passphrase)).decrypt(raw[:12], raw[12:], _SECRET_ENVELOPE)
            key = serialization.load_der_private_key(
                plain, password=None, unsafe_skip_rsa_key_validation=True
            )
        else:
            key = serialization.load_pem_private_key(
                encrypted_pem,
                password=passphrase.encode("utf-8"),
                unsafe_skip_rsa_key_validation=True,
            )
    except (ValueError, TypeError, InvalidTag) as exc:
        raise WrongPassphrase("sai mã PIN / passphrase của khóa ký") from exc
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_cert(cert_pem: bytes) -> x509.Certificate:
    if b"-----BEGIN" in cert_pem:
        return x509.load_pem_x509_certificate(cert_pem)
    return x509.load_der_x509_certificate(cert_pem)


def fingerprint(cert_pem: bytes) -> str:
    """SHA-256 fingerprint of the DER certificate, lowercase hex without separators."""
    der = _load_cert(cert_pem).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def _subject_attr(cert_pem: bytes, oid: x509.ObjectIdentifier) -> str | None:
    attrs = _load_cert(cert_pem).subject.get_attributes_for_oid(oid)
    if not attrs:
        return None
    value = attrs[0].value
    return value.decode("utf-8") if isinstance(value, bytes) else value


def subject_common_name(cert_pem: bytes) -> str:
    """The subject CN ("" if the certificate has none)."""
    return _subject_attr(cert_pem, NameOID.COMMON_NAME) or ""


def subject_organization(cert_pem: bytes) -> str | None:
    """The subject O, if any."""
    return _subject_attr(cert_pem, NameOID.ORGANIZATION_NAME)


def issue_tsa_certificate(ca: CertKey, common_name: str, valid_days: int = 825) -> CertKey:
    """A time-stamping authority's certificate (extendedKeyUsage timeStamping, critical,
    as RFC 3161 requires)."""
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    ca_key = serialization.load_pem_private_key(ca.key_pem, password=None)
    assert isinstance(ca_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    key = _new_key("rsa")  # pyHanko's RFC 3161 responder signs with RSA only
    start = datetime.now(UTC) - _CLOCK_SKEW
    cert = (
        _signer_builder(ca_cert, _name(common_name, common_name), key, start, valid_days)
        .add_extension(
            x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    return CertKey(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


@dataclass(frozen=True)
class Revocation:
    """One revoked certificate, as a CRL lists it."""

    serial: int
    at: datetime
    reason: str = "unspecified"
    """A name of x509.ReasonFlags (key_compromise, affiliation_changed, superseded, …)."""


def make_crl(
    ca: CertKey,
    revoked_serials: Sequence[int | Revocation] = (),
    valid_days: int = 7,
) -> bytes:
    """The CA's certificate revocation list (DER), as a CA publishes it."""
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    ca_key = serialization.load_pem_private_key(ca.key_pem, password=None)
    assert isinstance(ca_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    now = datetime.now(UTC) - _CLOCK_SKEW
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + timedelta(days=valid_days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    for entry in revoked_serials:
        r = entry if isinstance(entry, Revocation) else Revocation(entry, now)
        revoked = (
            x509.RevokedCertificateBuilder().serial_number(r.serial).revocation_date(min(r.at, now))
        )
        flag = x509.ReasonFlags[r.reason] if r.reason in _REASONS else None
        if flag is not None and flag != x509.ReasonFlags.unspecified:
            revoked = revoked.add_extension(x509.CRLReason(flag), critical=False)
        builder = builder.add_revoked_certificate(revoked.build())
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


_REASONS = {f.name for f in x509.ReasonFlags}


def revoked_serials(crl_der: bytes) -> dict[int, str | None]:
    """What a CRL lists: serial → reason (None when it gives none)."""
    crl = x509.load_der_x509_crl(crl_der)
    listed: dict[int, str | None] = {}
    for r in crl:
        try:
            listed[r.serial_number] = r.extensions.get_extension_for_class(
                x509.CRLReason
            ).value.reason.name
        except x509.ExtensionNotFound:
            listed[r.serial_number] = None
    return listed


# ---------------------------------------------------------------- people's certificates


def x509_name(name: str) -> str:
    """X.509 limits CN and O to 64 bytes of UTF-8 (Vietnamese letters take 2–3): long
    official names are shortened in the certificate only; the forms print them whole."""
    if len(name.encode()) <= 64:
        return name
    while len((name + "…").encode()) > 64:
        name = name[:-1]
    return name.rstrip() + "…"


@dataclass(frozen=True)
class CertificateFacts:
    """What people are shown of a certificate."""

    subject: str
    organization: str | None
    issuer: str
    serial: str
    """Hexadecimal, as certificate viewers show it."""
    not_before: datetime
    not_after: datetime
    fingerprint: str


def certificate_facts(cert_pem: bytes) -> CertificateFacts:
    cert = _load_cert(cert_pem)
    issuer = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CertificateFacts(
        subject=subject_common_name(cert_pem),
        organization=subject_organization(cert_pem),
        issuer=str(issuer[0].value) if issuer else cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint=fingerprint(cert_pem),
    )


class CertificateProblem(ValueError):
    """Why a certificate cannot be registered for signing: a stable code and a
    Vietnamese message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def read_certificates(data: bytes) -> list[x509.Certificate]:
    """A certificate file as CAs and tokens export it: PEM (possibly with its chain) or
    DER."""
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError as e:
        raise CertificateProblem(
            "certificate_invalid", "Tệp không phải chứng thư số X.509 (PEM hoặc DER)."
        ) from e
    if not certs:
        raise CertificateProblem(
            "certificate_invalid", "Tệp không phải chứng thư số X.509 (PEM hoặc DER)."
        )
    return certs


def check_signing_certificate(
    data: bytes,
    roots: Sequence[bytes],
    crls: Sequence[bytes] = (),
    at: datetime | None = None,
) -> bytes:
    """The signer's certificate (PEM) of an uploaded certificate file, once it can sign
    (key usage digitalSignature or nonRepudiation, not a CA), is in date at `at` (now),
    chains to one of `roots` (through the intermediates the file carries) and is not
    listed in `crls`. Raises :class:`CertificateProblem` otherwise."""
    certs = read_certificates(data)
    leaf = certs[0]
    at = at or datetime.now(UTC)
    try:
        constraints = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value
        is_ca = constraints.ca
    except x509.ExtensionNotFound:
        is_ca = False
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
        signs = usage.digital_signature or usage.content_commitment
    except x509.ExtensionNotFound:
        signs = False
    if is_ca or not signs:
        raise CertificateProblem(
            "certificate_not_for_signing",
            "Chứng thư này không dùng để ký số (cần mục đích digitalSignature hoặc "
            "nonRepudiation, và không phải chứng thư của một CA).",
        )
    if at < leaf.not_valid_before_utc:
        raise CertificateProblem(
            "certificate_not_yet_valid",
            f"Chứng thư số chưa có hiệu lực (từ {leaf.not_valid_before_utc:%d/%m/%Y}).",
        )
    if at > leaf.not_valid_after_utc:
        raise CertificateProblem(
            "certificate_expired",
            f"Chứng thư số đã hết hạn ngày {leaf.not_valid_after_utc:%d/%m/%Y}.",
        )
    pem = leaf.public_bytes(serialization.Encoding.PEM)
    _check_path(leaf, certs[1:], roots, crls, at)
    return pem


def _check_path(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    roots: Sequence[bytes],
    crls: Sequence[bytes],
    at: datetime,
) -> None:
    import asyncio
    import concurrent.futures

    from asn1crypto import x509 as asn1_x509
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        NotYetValidError,
        PathBuildingError,
        PathValidationError,
        RevokedError,
    )

    der = serialization.Encoding.DER
    anchors = [c for pem in roots for c in load_certs_from_pemder_data(pem)]
    if not anchors:
        raise CertificateProblem(
            "certificate_untrusted",
            "Chưa có chứng thư gốc tin cậy nào (tdkt pki add-root) để kiểm tra chứng thư này.",
        )
    context = ValidationContext(
        trust_roots=anchors,
        crls=list(crls),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=at,
    )
    validator = CertificateValidator(
        asn1_x509.Certificate.load(leaf.public_bytes(der)),
        intermediate_certs=[asn1_x509.Certificate.load(c.public_bytes(der)) for c in intermediates],
        validation_context=context,
    )

    async def validate() -> None:
        await validator.async_validate_path()

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(validate())
        else:  # inside an event loop: a helper thread with its own
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(asyncio.run, validate()).result()
    except RevokedError as e:
        raise CertificateProblem(
            "certificate_revoked", "Chứng thư số đã bị tổ chức chứng thực thu hồi."
        ) from e
    except (ExpiredError, NotYetValidError) as e:
        raise CertificateProblem(
            "certificate_expired",
            "Chứng thư số hoặc chứng thư của CA cấp nó không còn hiệu lực.",
        ) from e
    except (PathBuildingError, PathValidationError) as e:
        raise CertificateProblem(
            "certificate_untrusted",
            "Chứng thư số không do tổ chức chứng thực tin cậy của hệ thống cấp "
            "(GET /api/v1/trust-roots).",
        ) from e
