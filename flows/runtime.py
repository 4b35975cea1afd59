"""Process-wide services the flows and the API share: database, object store, converter.

Flows receive ids only; they reach these services through `current()`. The API process
installs its runtime at start-up; a worker process (server mode) builds one from the
settings on first use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from documents import timestamps
from documents.pdf import PdfConverter
from documents.pki import CertKey, decrypt_key, make_crl
from documents.signing_pool import SigningPool
from storage import repositories as repo
from storage.db import Database
from storage.objects import ObjectStore, open_store
from tdkt.settings import Settings, get_settings

if TYPE_CHECKING:
    from flows.dispatch import Dispatcher


@dataclass
class Runtime:
    settings: Settings
    db: Database
    store: ObjectStore
    converter: PdfConverter
    signing: SigningPool
    dispatcher: Dispatcher | None = None
    _long_term: tuple[float, dict[str, Any]] | None = None

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
        """Signing options for PAdES B-LT when a TSA is configured (time-stamper, and the
        trust roots with the demo CA's current CRL), else nothing (B-B)."""
        if not self.settings.tsa_url:
            return {}
        now = time.monotonic()
        if self._long_term is None or now - self._long_term[0] > 3600:
            with self.db.read() as s:
                roots = [r.cert_pem for r in repo.trust_roots(s)]
                crls = [
                    make_crl(
                        CertKey(
                            r.cert_pem, decrypt_key(r.key_pem_encrypted, self.settings.secret_key)
                        )
                    )
                    for r in repo.trust_roots(s)
                    if r.key_pem_encrypted
                ]
            self._long_term = (
                now,
                {
                    "timestamper": timestamps.remote(self.settings.tsa_url),
                    "validation_context": timestamps.validation_context(roots, crls),
                },
            )
        return self._long_term[1]

    def close(self) -> None:
        self.converter.close()  # the warm LibreOffice instances end with the process
        self.signing.close()
        self.db.dispose()


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
