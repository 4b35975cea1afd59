"""Process-wide services the flows and the API share: database, object store, converter.

Flows receive ids only; they reach these services through `current()`. The API process
installs its runtime at start-up; a worker process (server mode) builds one from the
settings on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from documents.pdf import PdfConverter
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
    dispatcher: Dispatcher | None = None

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
        return cls(settings, Database(settings.database_url), store, converter)

    def close(self) -> None:
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
