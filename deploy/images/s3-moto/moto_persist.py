"""moto's S3 server, over TLS, with its state kept in a file across restarts.

moto keeps buckets and objects in memory. For `docker compose down` then `up` (and a
backup made by copying the stopped service's volume) the test stand-in has to survive a
restart, so this wrapper pickles moto's S3 backends (buckets, every object version with
its version id, object lock and retention; moto's FakeKey supports pickling) to
S3_STATE_FILE when the container is stopped (SIGTERM, SIGINT) and loads that file at the
next start. A container killed with SIGKILL loses what changed since its last start.
A TEST STAND-IN: production uses MinIO (docs/production.md).
"""

from __future__ import annotations

import copyreg
import os
import pickle
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.s3.models import s3_backends
from moto.s3.utils import _VersionedKeyStore
from werkzeug.serving import run_simple

STATE = Path(os.environ.get("S3_STATE_FILE", "/data/moto-s3.pickle"))
_saving = threading.Lock()


def _store(lists: list[tuple[str, list[Any]]]) -> _VersionedKeyStore:
    store = _VersionedKeyStore()
    for key, versions in lists:
        store.setlist(key, versions)
    return store


def _reduce_store(store: _VersionedKeyStore) -> tuple[Any, ...]:
    # A bucket's keys: each key's every version (plain pickling keeps only the latest,
    # through the class's items()).
    return _store, ([(k, list(v)) for k, v in dict.items(store)],)


copyreg.pickle(_VersionedKeyStore, _reduce_store)


def snapshot() -> dict[str, dict[str, dict[str, Any]]]:
    return {
        account: {partition: dict(backend.__dict__) for partition, backend in by_partition.items()}
        for account, by_partition in s3_backends.items()
    }


def load() -> None:
    if not STATE.is_file():
        print(f"s3: no saved state at {STATE}, starting empty", flush=True)
        return
    with STATE.open("rb") as f:
        state = pickle.load(f)  # our own file, on our own volume
    count = 0
    for account, by_partition in state.items():
        for partition, attributes in by_partition.items():
            backend = s3_backends[account][partition]
            backend.__dict__.update(attributes)
            count += len(getattr(backend, "buckets", {}))
    print(f"s3: state loaded from {STATE} ({count} buckets)", flush=True)


def save() -> None:
    with _saving:
        STATE.parent.mkdir(parents=True, exist_ok=True)
        tmp = STATE.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(snapshot(), f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(STATE)
    print(f"s3: state saved to {STATE} ({STATE.stat().st_size} bytes)", flush=True)


def stop(signum: int, frame: Any) -> None:
    save()
    sys.exit(0)


def main() -> None:
    host, port, cert, key = sys.argv[1:5]
    os.environ.setdefault("MOTO_PORT", port)
    load()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        host,
        int(port),
        app,
        threaded=True,
        ssl_context=(cert, key),
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
