"""The internal demo CA: certificates that pyHanko and NSS accept for signing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from documents.pki import (
    CertKey,
    WrongPassphrase,
    decrypt_key,
    encrypt_key,
    fingerprint,
    issue_certificate,
    subject_common_name,
    subject_organization,
)
from tests.fixtures.pki import demo_ca, expired_signer, person_signer


def _cert(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def test_ca_is_a_self_signed_signing_authority():
    ca = _cert(demo_ca().cert_pem)
    assert ca.issuer == ca.subject
    bc = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca
    ku = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.key_cert_sign and ku.crl_sign and not ku.digital_signature
    assert ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    key = ca.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 3072
    ca.verify_directly_issued_by(ca)


def test_organisation_certificate_with_vietnamese_names():
    ca = demo_ca()
    issued = issue_certificate(
        ca,
        common_name="Ban Dân tộc tỉnh Lạng Sơn",
        organization="UBND tỉnh Lạng Sơn",
        organizational_unit="Văn phòng Ban",
        kind="organisation",
    )
    cert = _cert(issued.cert_pem)
    cert.verify_directly_issued_by(_cert(ca.cert_pem))
    assert subject_common_name(issued.cert_pem) == "Ban Dân tộc tỉnh Lạng Sơn"
    assert subject_organization(issued.cert_pem) == "UBND tỉnh Lạng Sơn"
    ou = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
    assert ou == "Văn phòng Ban"
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment  # nonRepudiation
    assert not ku.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca_ski = _cert(ca.cert_pem).extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert aki.key_identifier == ca_ski.value.digest
    # 825 days by default
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(days=825)
    # the private key is unencrypted PKCS#8 and matches the certificate
    assert issued.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    key = serialization.load_pem_private_key(issued.key_pem, password=None)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()


def test_person_certificate_carries_email():
    signer = person_signer("Nguyễn Thị Hồng Nhung", "Sở Nội vụ tỉnh Lạng Sơn", "nhung@example.vn")
    cert = _cert(signer.cert_pem)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["nhung@example.vn"]
    assert subject_common_name(signer.cert_pem) == "Nguyễn Thị Hồng Nhung"
    assert signer.chain_pems == (demo_ca().cert_pem,)


def test_not_before_and_validity_are_honoured():
    start = datetime(2020, 1, 1, tzinfo=UTC)
    issued = issue_certificate(
        demo_ca(),
        common_name="Cũ",
        organization="Cũ",
        kind="organisation",
        not_before=start,
        valid_days=10,
    )
    cert = _cert(issued.cert_pem)
    assert cert.not_valid_before_utc == start
    assert cert.not_valid_after_utc == start + timedelta(days=10)
    assert _cert(expired_signer("Hết hạn").cert_pem).not_valid_after_utc < datetime.now(UTC)


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError):
        issue_certificate(demo_ca(), common_name="x", organization="y", kind="robot")  # type: ignore[arg-type]


def test_encrypt_decrypt_key_roundtrip_and_wrong_passphrase():
    key_pem = person_signer("Trần Văn An", "UBND huyện Cao Lộc").key_pem
    enc = encrypt_key(key_pem, "123456")
    assert enc.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert b"PRIVATE KEY-----\n" in enc and enc != key_pem
    assert decrypt_key(enc, "123456") == key_pem
    with pytest.raises(WrongPassphrase):
        decrypt_key(enc, "654321")
    with pytest.raises(WrongPassphrase):
        decrypt_key(b"not a key", "123456")
    assert issubclass(WrongPassphrase, ValueError)


def test_fingerprint_is_sha256_of_der():
    pem = demo_ca().cert_pem
    der = _cert(pem).public_bytes(serialization.Encoding.DER)
    assert fingerprint(pem) == hashlib.sha256(der).hexdigest()
    assert fingerprint(der) == fingerprint(pem)
    assert len(fingerprint(pem)) == 64


def test_certkey_is_frozen():
    ck = demo_ca()
    assert isinstance(ck, CertKey)
    with pytest.raises(AttributeError):
        ck.cert_pem = b""  # type: ignore[misc]
