"""Time-stamps (RFC 3161) and revocation data for long-term signatures (PAdES B-T, B-LT).

In production the TSA is the national one given by `TDKT_TSA_URL`, and the CAs publish
their CRLs. The demo has its own TSA and CRL, served by the app (api/pki/routes.py), so
the same B-LT path runs on a laptop.
"""

from __future__ import annotations

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents.pki import CertKey


def remote(url: str | None) -> TimeStamper | None:
    return HTTPTimeStamper(url, timeout=10) if url else None


def validation_context(roots: list[bytes], crls: list[bytes]) -> ValidationContext:
    """What a B-LT signature embeds: the chains to `roots` and these CRLs (no fetching)."""
    certs = [asn1_x509.Certificate.load(_der(pem)) for pem in roots]
    return ValidationContext(
        trust_roots=certs, crls=crls, allow_fetching=False, revocation_mode="soft-fail"
    )


def _der(pem: bytes) -> bytes:
    return pyca_x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


class LocalTsa:
    """The demo's own TSA: answers RFC 3161 requests with its certificate."""

    def __init__(self, tsa: CertKey, chain: list[bytes]) -> None:
        key = serialization.load_pem_private_key(tsa.key_pem, password=None)
        asn1_key: asn1_keys.PrivateKeyInfo = translate_pyca_cryptography_key_to_asn1(key)
        self._stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(_der(tsa.cert_pem)),
            tsa_key=asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(_der(c)) for c in chain]
            ),
        )

    async def answer(self, request: bytes) -> bytes:
        req = tsp.TimeStampReq.load(request)
        resp: tsp.TimeStampResp = await self._stamper.async_request_tsa_response(req)
        return resp.dump()
