"""The archive's object store: write-once, checksummed, the same on a laptop and on S3.

Each contract test runs against the local folder store and against a real S3 endpoint
(moto's server over TLS, bucket with versioning and object lock in COMPLIANCE mode).
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from minio.commonconfig import COMPLIANCE
from minio.objectlockconfig import DAYS

from storage.objects import (
    CHUNK,
    LocalObjectStore,
    ObjectCorrupted,
    ObjectExists,
    ObjectNotFound,
    ObjectStore,
    ObjectStoreUnavailable,
    S3ObjectStore,
    open_store,
)
from tests.fixtures.s3 import MotoS3Server, free_loopback_port, s3_store

PDF = "application/pdf"
# Decree-style file name a clerk would give a signed proposal.
VIETNAMESE_KEY = "hồ sơ/2025/Tờ trình đề nghị khen thưởng – Đơn vị Cụm 3 (bản ký số).pdf"


def fake_pdf(label: str) -> bytes:
    return b"%PDF-1.7\n" + f"{label} – Bằng khen của Chủ tịch UBND tỉnh".encode() + b"\n%%EOF\n"


def new_bucket() -> str:
    return f"tdkt-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoS3Server]:
    with MotoS3Server() as server:
        yield server


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        local = open_store(f"file://{tmp_path / 'objects'}")
        local.ensure_ready()
        return local
    server: MotoS3Server = request.getfixturevalue("moto")
    return s3_store(server, new_bucket(), object_lock=True, retention_days=1)


# --- the contract, on both stores -------------------------------------------------------


def test_put_get_round_trip_keeps_bytes_and_metadata(store: ObjectStore) -> None:
    data = fake_pdf("round trip")

    stored = store.put("2025/dv-001/to-trinh.pdf", data, PDF)

    assert stored.key == "2025/dv-001/to-trinh.pdf"
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.content_type == PDF
    if isinstance(store, S3ObjectStore):
        assert stored.version_id
    else:
        assert stored.version_id is None
    assert store.get("2025/dv-001/to-trinh.pdf") == data
    assert store.stat("2025/dv-001/to-trinh.pdf") == stored
    assert store.exists("2025/dv-001/to-trinh.pdf")
    assert not store.exists("2025/dv-001/other.pdf")


def test_second_put_to_same_key_is_refused_and_first_bytes_stay(store: ObjectStore) -> None:
    first = store.put("signed/qd-15.pdf", fake_pdf("first"), PDF)

    with pytest.raises(ObjectExists):
        store.put("signed/qd-15.pdf", fake_pdf("forged"), PDF)

    assert store.get("signed/qd-15.pdf") == fake_pdf("first")
    assert store.stat("signed/qd-15.pdf") == first


def test_delete_is_refused_and_object_survives(store: ObjectStore) -> None:
    store.put("signed/qd-16.pdf", fake_pdf("keep"), PDF)

    with pytest.raises(PermissionError, match="write-once"):
        store.delete("signed/qd-16.pdf")

    assert store.get("signed/qd-16.pdf") == fake_pdf("keep")


def test_missing_key_is_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound):
        store.get("never/written.pdf")
    with pytest.raises(ObjectNotFound):
        store.stat("never/written.pdf")
    assert not store.exists("never/written.pdf")


def test_vietnamese_key_round_trips_in_either_unicode_form(store: ObjectStore) -> None:
    data = fake_pdf("tiếng Việt")
    stored = store.put(VIETNAMESE_KEY, data, PDF)

    assert stored.key == VIETNAMESE_KEY
    assert store.get(VIETNAMESE_KEY) == data
    # The same name typed on a system that sends decomposed accents finds the same object.
    decomposed = unicodedata.normalize("NFD", VIETNAMESE_KEY)
    assert decomposed != VIETNAMESE_KEY
    assert store.get(decomposed) == data
    with pytest.raises(ObjectExists):
        store.put(decomposed, b"other", PDF)


def test_large_scan_round_trips(store: ObjectStore) -> None:
    # Above minio's 5 MiB multipart threshold: still one object, one checksum.
    data = bytes(range(256)) * (6 * 1024 * 4)
    stored = store.put("scans/bien-ban-hop.pdf", data, PDF)

    assert stored.size == 6 * 1024 * 1024
    assert store.stat("scans/bien-ban-hop.pdf").sha256 == hashlib.sha256(data).hexdigest()
    assert store.get("scans/bien-ban-hop.pdf") == data


def test_an_object_reads_back_in_pieces_that_make_the_whole(store: ObjectStore) -> None:
    # Downloads are sent piece by piece: a 1 MB scan never sits whole in memory.
    data = os.urandom(1024 * 1024 + 17)
    key = f"tệp đính kèm/{uuid.uuid4().hex}.pdf"
    stored = store.put(key, data, PDF)
    pieces = list(store.chunks(key, stored.version_id))
    assert b"".join(pieces) == data
    assert len(pieces) > 1 and max(len(p) for p in pieces) <= CHUNK
    with pytest.raises(ObjectNotFound):  # at once, not at the first piece
        store.chunks("không có/tệp này.pdf")


def test_empty_object_round_trips(store: ObjectStore) -> None:
    stored = store.put("empty.bin", b"", "application/octet-stream")

    assert stored.size == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert store.get("empty.bin") == b""


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside.pdf",
        "a/../../outside.pdf",
        "a//b.pdf",
        "a/./b.pdf",
        "folder/",
        "a\\b.pdf",
        "a\x00b.pdf",
        "line\nbreak.pdf",
        "x" * 300,
    ],
)
def test_unsafe_keys_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.put(key, b"data", PDF)
    with pytest.raises(ValueError):
        store.get(key)


# --- local folder store -----------------------------------------------------------------


@pytest.fixture
def local(tmp_path: Path) -> LocalObjectStore:
    store = LocalObjectStore(tmp_path / "objects")
    store.ensure_ready()
    return store


def test_local_concurrent_puts_of_one_key_have_exactly_one_winner(
    local: LocalObjectStore,
) -> None:
    writers = 8
    barrier = threading.Barrier(writers)
    won: list[bytes] = []
    refused: list[int] = []
    errors: list[BaseException] = []

    def write(i: int) -> None:
        data = fake_pdf(f"writer {i}")
        barrier.wait()
        try:
            local.put("race/qd.pdf", data, PDF)
            won.append(data)
        except ObjectExists:
            refused.append(i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(won) == 1
    assert len(refused) == writers - 1
    assert local.get("race/qd.pdf") == won[0]
    # No temporary files left beside the object.
    assert [p.name for p in (local.root / "race").iterdir()] == ["qd.pdf"]


def test_local_files_are_read_only_and_under_the_root(local: LocalObjectStore) -> None:
    local.put("a/b/c.pdf", b"x", PDF)

    path = local.root / "a" / "b" / "c.pdf"
    assert path.read_bytes() == b"x"
    assert path.stat().st_mode & 0o777 == 0o444


def test_local_has_no_versions(local: LocalObjectStore) -> None:
    local.put("v.pdf", b"x", PDF)

    assert local.get("v.pdf", None) == b"x"
    with pytest.raises(ObjectNotFound):
        local.get("v.pdf", version_id="3HL4kqtJlcpXroDTDmjVBH40Nrjfkd")


def test_local_missing_folder_is_unavailable_not_silently_recreated(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path / 'unmounted'}")

    with pytest.raises(ObjectStoreUnavailable):
        store.put("a.pdf", b"x", PDF)
    assert not (tmp_path / "unmounted").exists()


def test_file_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = open_store(f"file://{tmp_path}/abs")
    assert isinstance(absolute, LocalObjectStore)
    assert absolute.root == tmp_path / "abs"

    monkeypatch.chdir(tmp_path)
    relative = open_store("file://var/objects")
    assert isinstance(relative, LocalObjectStore)
    assert relative.root == tmp_path / "var" / "objects"

    with pytest.raises(ValueError):
        open_store("ftp://host/objects")
    with pytest.raises(ValueError):
        open_store("s3://bucket")  # no endpoint
    with pytest.raises(ValueError):
        open_store("s3://bucket", endpoint="127.0.0.1:9", retention_days=30)  # no object lock


# --- S3 store on moto over TLS ----------------------------------------------------------


def test_s3_bucket_has_versioning_and_compliance_object_lock(moto: MotoS3Server) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket, object_lock=True, retention_days=7)
    store.ensure_ready()  # idempotent

    client = moto.client()
    assert client.get_bucket_versioning(bucket).status == "Enabled"
    lock = client.get_object_lock_config(bucket)
    assert (lock.mode, lock.duration, lock.duration_unit) == (COMPLIANCE, 7, DAYS)

    stored = store.put("qd.pdf", b"x", PDF)
    info = client.stat_object(bucket, "qd.pdf")
    assert info.metadata is not None
    assert info.metadata["x-amz-meta-sha256"] == stored.sha256
    assert info.metadata["x-amz-object-lock-mode"] == COMPLIANCE


def test_s3_refused_second_put_adds_no_version(moto: MotoS3Server) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket)
    first = store.put("qd.pdf", b"first", PDF)

    with pytest.raises(ObjectExists):
        store.put("qd.pdf", b"second", PDF)

    versions = list(moto.client().list_objects(bucket, include_version=True))
    assert [v.version_id for v in versions] == [first.version_id]


def test_s3_racing_writers_never_destroy_each_others_bytes(moto: MotoS3Server) -> None:
    # Check-then-write on S3 is not atomic; what must hold is that every writer told
    # "stored" can read its own bytes back by the version id it was given.
    store = s3_store(moto, new_bucket(), retention_days=1)
    writers = 8
    barrier = threading.Barrier(writers)
    stored: list[tuple[bytes, str | None]] = []
    errors: list[BaseException] = []

    def write(i: int) -> None:
        data = fake_pdf(f"writer {i}")
        barrier.wait()
        try:
            stored.append((data, store.put("race/qd.pdf", data, PDF).version_id))
        except ObjectExists:
            pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert stored
    for data, version_id in stored:
        assert store.get("race/qd.pdf", version_id=version_id) == data


def test_s3_get_by_version_id(moto: MotoS3Server) -> None:
    store = s3_store(moto, new_bucket())
    stored = store.put("qd.pdf", b"signed", PDF)

    assert store.get("qd.pdf", version_id=stored.version_id) == b"signed"
    with pytest.raises(ObjectNotFound):
        store.get("qd.pdf", version_id=str(uuid.uuid4()))


def test_s3_key_hidden_by_delete_marker_is_not_reused(moto: MotoS3Server) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket)
    first = store.put("qd.pdf", b"signed", PDF)
    moto.client().remove_object(bucket, "qd.pdf")  # someone deletes around us

    assert not store.exists("qd.pdf")
    with pytest.raises(ObjectExists):
        store.put("qd.pdf", b"replacement", PDF)
    assert store.get("qd.pdf", version_id=first.version_id) == b"signed"


def test_s3_locked_version_cannot_be_removed_by_the_client(moto: MotoS3Server) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket, retention_days=1)
    stored = store.put("qd.pdf", b"signed", PDF)

    with pytest.raises(Exception, match="AccessDenied"):
        moto.client().remove_object(bucket, "qd.pdf", version_id=stored.version_id)
    assert store.get("qd.pdf", version_id=stored.version_id) == b"signed"


def test_s3_tampered_object_is_detected_on_read(moto: MotoS3Server) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket)
    # Written around the store, claiming a checksum the bytes do not have.
    moto.client().put_object(
        bucket,
        "qd.pdf",
        io.BytesIO(b"altered"),
        7,
        metadata={"sha256": hashlib.sha256(b"original").hexdigest()},
    )

    with pytest.raises(ObjectCorrupted):
        store.get("qd.pdf")


def test_s3_object_lock_over_plain_http() -> None:
    # Compose may talk to MinIO over plain HTTP, where the minio client sends no
    # Content-MD5; the store's SHA-256 checksum header must satisfy object lock.
    with MotoS3Server(tls=False) as plain:
        bucket = new_bucket()
        store = s3_store(plain, bucket, retention_days=1)
        stored = store.put("qd.pdf", b"signed", PDF)

        assert store.get("qd.pdf", version_id=stored.version_id) == b"signed"
        info = plain.client().stat_object(bucket, "qd.pdf")
        assert info.metadata is not None
        assert info.metadata["x-amz-object-lock-mode"] == COMPLIANCE


def test_s3_prefix_keeps_keys_relative(moto: MotoS3Server) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket, prefix="archive/2025")
    stored = store.put("qd.pdf", b"x", PDF)

    assert stored.key == "qd.pdf"
    assert moto.client().stat_object(bucket, "archive/2025/qd.pdf").size == 1
    assert store.stat("qd.pdf").key == "qd.pdf"


def test_s3_existing_bucket_without_lock_is_refused(moto: MotoS3Server) -> None:
    bucket = new_bucket()
    s3_store(moto, bucket, object_lock=False)

    with pytest.raises(ObjectStoreUnavailable, match="without object lock"):
        s3_store(moto, bucket, object_lock=True)


def test_s3_untrusted_certificate_is_refused(moto: MotoS3Server) -> None:
    store = open_store(
        f"s3://{new_bucket()}",
        endpoint=moto.endpoint,
        access_key=moto.access_key,
        secret_key=moto.secret_key,
        ca_bundle=None,  # public CAs only: moto's self-signed certificate fails
    )

    with pytest.raises(ObjectStoreUnavailable):
        store.ensure_ready()


@pytest.mark.parametrize("secure", [True, False])
def test_s3_endpoint_down_fails_fast(secure: bool) -> None:
    store = open_store(
        "s3://archive",
        endpoint=f"127.0.0.1:{free_loopback_port()}",
        access_key="testing",
        secret_key="testing",
        secure=secure,
    )

    for call in (
        store.ensure_ready,
        lambda: store.put("a.pdf", b"x", PDF),
        lambda: store.get("a.pdf"),
        lambda: store.exists("a.pdf"),
    ):
        started = time.monotonic()
        with pytest.raises(ObjectStoreUnavailable):
            call()
        assert time.monotonic() - started < 5
