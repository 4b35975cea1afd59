"""Time-stamps (RFC 3161) and revocation data for long-term signatures (PAdES B-T, B-LT).

In production the TSA is the national one given by `TDKT_TSA_URL`, and the CAs publish
their CRLs. The demo has its own TSA and CRL, served by the app (api/pki/routes.py), so
the same B-LT path runs on a laptop.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
import certifi
from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from documents.pki import CertKey


class _Stamper(HTTPTimeStamper):
    """pyHanko's HTTP time-stamp client, its TLS settings made once per process.

    The stock client opens an aiohttp session per time-stamp (it may be reused across
    event loops, so it cannot keep one), and each session builds a TLS context from
    certifi's bundle — some 150 CA certificates parsed, 15–40 ms of CPU per time-stamp in
    a signing process even for an `http://` TSA: about a tenth of the signing pool's time
    under `make run` (py-spy on the app during bench/floor_and_stage.py). Here the session
    is still one per time-stamp, on the context of the process (`_tls`)."""

    @contextlib.asynccontextmanager
    async def _acquire_session(self) -> AsyncIterator[aiohttp.ClientSession]:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_tls()))
        try:
            yield session
        finally:
            await session.close()


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS context of a TSA over https (pyHanko's own choice: certifi's roots)."""
    return ssl.create_default_context(cafile=certifi.where())


def remote(url: str | None) -> TimeStamper | None:
    return _Stamper(url, timeout=10) if url else None


@dataclass(frozen=True)
class LongTerm:
    """What a PAdES B-LT signature needs, as plain data: a signing process receives it
    (documents/signing_pool.py) and makes the time-stamper and the validation context
    itself, once per process and value (`options`). Signatures with a TSA were made in the
    app's own process before, because those objects cannot be sent to another one."""

    tsa_url: str
    roots: tuple[bytes, ...]
    crls: tuple[bytes, ...]

    def options(self) -> dict[str, Any]:
        """`sign_pdf`'s `timestamper` and `validation_context`, the same objects for the
        same value (the time-stamper keeps what it learnt of the TSA's answers' size)."""
        return _options(self)


@functools.lru_cache(maxsize=4)
def _options(spec: LongTerm) -> dict[str, Any]:
    return {
        "timestamper": remote(spec.tsa_url),
        "validation_context": validation_context(list(spec.roots), list(spec.crls)),
    }


def validation_context(roots: list[bytes], crls: list[bytes]) -> ValidationContext:
    """What a B-LT signature embeds: the chains to `roots` and these CRLs (no fetching)."""
    certs = [asn1_x509.Certificate.load(_der(pem)) for pem in roots]
    return ValidationContext(
        trust_roots=certs, crls=crls, allow_fetching=False, revocation_mode="soft-fail"
    )


def _der(pem: bytes) -> bytes:
    return pyca_x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


class _LoadedKeyStamper(DummyTimeStamper):
    """pyHanko's DummyTimeStamper with its key loaded once.

    The stock one loads its RSA key again for every time-stamp, and that load checks the
    key: 0.2–0.6 s of CPU for a 3072-bit key on our machines, on the event loop of the app
    that serves the TSA — most of what an approval under `make run` took (ADR 0019). The
    body is pyHanko 0.38's `_sign_tst_info` (pinned in pyproject.toml) with the loaded key;
    tests/documents/test_timestamps.py checks the tokens it makes.
    """

    def __init__(self, *, pyca_key: RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pyca_key = pyca_key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        md.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute(
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                simple_cms_attribute("message_digest", md.finalize()),
            ]
        )
        signature = self._pyca_key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


class LocalTsa:
    """The demo's own TSA: answers RFC 3161 requests with its certificate. Made once per
    process and key (issuing/runtime.py `Runtime.local_tsa`): its key is loaded once."""

    def __init__(self, tsa: CertKey, chain: list[bytes]) -> None:
        # Our own key, decrypted from authenticated storage: the load's RSA check (the
        # slow part) adds nothing a wrong key would not show at the first token's check.
        key = serialization.load_pem_private_key(
            tsa.key_pem, password=None, unsafe_skip_rsa_key_validation=True
        )
        if not isinstance(key, RSAPrivateKey):
            raise ValueError("the demo TSA's key must be an RSA key")
        asn1_key: asn1_keys.PrivateKeyInfo = translate_pyca_cryptography_key_to_asn1(key)
        self._stamper = _LoadedKeyStamper(
            pyca_key=key,
            tsa_cert=asn1_x509.Certificate.load(_der(tsa.cert_pem)),
            tsa_key=asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(_der(c)) for c in chain]
            ),
        )

    def answer(self, request: bytes) -> bytes:
        """The response to one request (CPU: call it off the event loop)."""
        req = tsp.TimeStampReq.load(request)
        resp: tsp.TimeStampResp = self._stamper.request_tsa_response(req)
        return resp.dump()
