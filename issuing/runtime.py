"""Process-wide services the flows and the API share: database, object store, converter.

Flows receive ids only; they reach these services through `current()`. The app process
installs its runtime at start-up; a worker process (server mode) builds one from the
settings on first use. The dispatcher that runs a committed step is whatever the
composition root plugs in (flows/dispatch.py): this package knows it only as
`Dispatcher`, so neither it nor the API imports Prefect.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography import x509
from sqlalchemy.orm import Session

from core.settings import Settings, get_settings
from documents import timestamps
from documents.pdf import PdfConverter
from documents.pki import CertKey, Revocation, decrypt_key, make_crl
from documents.signing_pool import SigningPool
from storage.db import Database
from storage.objects import ObjectStore, open_store
from storage.repositories import keys as keys_repo


class Dispatcher(Protocol):
    """What a request needs of the machinery after its commit: start the outbox row's
    step soon (flows/dispatch.py implements it; none in a process that runs no steps)."""

    async def start_soon(self, outbox_id: int) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    db: Database
    store: ObjectStore
    converter: PdfConverter
    signing: SigningPool
    dispatcher: Dispatcher | None = None
    _long_term: tuple[float, tuple[Any, ...], dict[str, Any]] | None = None
    _crls: tuple[float, tuple[Any, ...], list[bytes]] | None = None
    _crl_lock: threading.Lock = field(default_factory=threading.Lock)
    _tsa: tuple[tuple[Any, ...], timestamps.LocalTsa] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        store = open_store(
            settings.object_store_url,
            endpoint=settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
            ca_bundle=settings.s3_ca_bundle,
            region=settings.s3_region,
            object_lock=settings.s3_object_lock,
            retention_days=settings.s3_retention_days,
        )
        converter = PdfConverter(
            settings.converter_profiles,
            workers=settings.converter_workers,
            timeout=settings.converter_timeout,
            soffice=settings.soffice,
        )
        signing = SigningPool(settings.signing_processes or 0)
        return cls(settings, Database(settings.database_url), store, converter, signing)

    def long_term(self) -> dict[str, Any]:
        """Signing options for PAdES B-LT when a TSA is configured (the TSA's address, and
        the trust roots with the current CRLs of the CAs the system holds, as plain data a
        signing process can receive), else nothing (B-B)."""
        if not self.settings.tsa_url:
            return {}
        with self.db.read() as s:
            crls, state = self._current_crls(s)
            cached = self._long_term
            if cached is not None and cached[1] == state:
                return cached[2]
            roots = [r.cert_pem for r in keys_repo.trust_roots(s)]
        spec = timestamps.LongTerm(self.settings.tsa_url, tuple(roots), tuple(crls))
        options = {"long_term": spec}
        self._long_term = (time.monotonic(), state, options)
        return options

    def local_tsa(self) -> timestamps.LocalTsa | None:
        """The demo's time-stamping service, made once per TSA key and trust roots (its key
        unlocked once, not at every time-stamp); None when the system holds no TSA key."""
        with self.db.read() as s:
            key = keys_repo.demo_tsa(s)
            if key is None or key.key_pem_encrypted is None:
                return None
            roots = keys_repo.trust_roots(s)
            state = (key.id, key.fingerprint, tuple(r.id for r in roots))
            cached = self._tsa
            if cached is not None and cached[0] == state:
                return cached[1]
            chain = [r.cert_pem for r in roots]
            pem = decrypt_key(key.key_pem_encrypted, self.settings.secret_key)
            tsa = timestamps.LocalTsa(CertKey(key.cert_pem, pem), chain)
        self._tsa = (state, tsa)
        return tsa

    def crls(self) -> list[bytes]:
        """The CRL (DER) of every CA whose key the system holds, listing the certificates
        admins revoked. Made again when a revocation is added, or an hour after the last."""
        with self.db.read() as s:
            return self._current_crls(s)[0]

    def _current_crls(self, s: Session) -> tuple[list[bytes], tuple[Any, ...]]:
        now = time.monotonic()
        state = (keys_repo.revocation_state(s), tuple(r.id for r in keys_repo.trust_roots(s)))
        with self._crl_lock:
            cached = self._crls
            if cached is not None and cached[1] == state and now - cached[0] < 3600:
                return cached[2], (cached[0], state)
            crls = crls_of(s, self.settings.secret_key)
            self._crls = (now, state, crls)
            return crls, (now, state)

    def close(self) -> None:
        self.converter.close()  # the warm LibreOffice instances end with the process
        self.signing.close()
        self.db.dispose()


def crls_of(s: Session, secret: str) -> list[bytes]:
    """A CRL for each CA whose key the system holds, with the revoked certificates it
    issued (unlocking a CA key takes ~0.1 s: `Runtime.crls` keeps them)."""
    revoked = [(x509.load_pem_x509_certificate(k.cert_pem), k) for k in keys_repo.revoked_keys(s)]
    crls = []
    for root in keys_repo.trust_roots(s):
        if not root.key_pem_encrypted:
            continue
        subject = x509.load_pem_x509_certificate(root.cert_pem).subject
        entries = [
            Revocation(cert.serial_number, k.revoked_at, k.revocation_code or "unspecified")
            for cert, k in revoked
            if cert.issuer == subject and k.revoked_at is not None
        ]
        ca = CertKey(root.cert_pem, decrypt_key(root.key_pem_encrypted, secret))
        crls.append(make_crl(ca, entries))
    return crls


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    global _current
    if _current is None:
        _current = Runtime.from_settings(get_settings())
        _current.store.ensure_ready()
    return _current
