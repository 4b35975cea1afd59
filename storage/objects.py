"""Write-once object store for archived documents: a local folder or an S3 bucket (MinIO).

Both stores share one contract: an object is written once under a key and never replaced
or deleted through this code; its SHA-256 travels with it so the database record can be
checked against the bytes. Keys are relative paths with `/` separators, normalised to
Unicode NFC so that a Vietnamese name typed on any system finds the same object.

All methods are blocking; async callers wrap them in `asyncio.to_thread`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import mimetypes
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, ENABLED
from minio.error import S3Error, ServerError
from minio.helpers import MAX_PART_SIZE, MIN_PART_SIZE
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.versioningconfig import VersioningConfig

DEFAULT_CONTENT_TYPE = "application/octet-stream"
SHA256_META = "sha256"  # sent as x-amz-meta-sha256
MAX_KEY_BYTES = 1024  # S3's limit on object names
MAX_SINGLE_PUT_BYTES = MAX_PART_SIZE  # 5 GiB: S3's limit for one PUT
MAX_SEGMENT_BYTES = 255  # common file-name limit (ext4, xfs, NTFS in UTF-16 units)
_TMP_PREFIX = ".tdkt-tmp-"  # reserved: temporary files of the local store


@dataclass(frozen=True)
class StoredObject:
    key: str
    version_id: str | None  # S3 version id; None for the local store
    sha256: str  # hex of the bytes
    size: int
    content_type: str


class ObjectExists(Exception):
    """Write-once: the key already holds an object."""


class ObjectNotFound(Exception):
    """No object (or no such version) under the key."""


class ObjectStoreUnavailable(Exception):
    """The store cannot be reached: endpoint down, network or TLS failure, folder missing."""


class ObjectCorrupted(Exception):
    """The bytes read back do not match the SHA-256 recorded when they were written."""


@runtime_checkable
class ObjectStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> StoredObject: ...
    def get(self, key: str, version_id: str | None = None) -> bytes: ...
    def chunks(self, key: str, version_id: str | None = None) -> Iterator[bytes]: ...
    def stat(self, key: str) -> StoredObject: ...
    def exists(self, key: str) -> bool: ...
    def ensure_ready(self) -> None: ...
    def delete(self, key: str) -> None: ...


def normalize_key(key: str) -> str:
    """Return the key in NFC, or raise ValueError if it is not a safe relative path."""
    if not isinstance(key, str) or not key:
        raise ValueError("object key must be a non-empty string")
    key = unicodedata.normalize("NFC", key)
    if any(unicodedata.category(ch) == "Cc" for ch in key):
        raise ValueError(f"object key contains a control character: {key!r}")
    if "\\" in key:
        raise ValueError(f"object key must use '/' separators, not '\\': {key!r}")
    if key.startswith("/"):
        raise ValueError(f"object key must be relative: {key!r}")
    if len(key.encode()) > MAX_KEY_BYTES:
        raise ValueError(f"object key longer than {MAX_KEY_BYTES} bytes")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise ValueError(f"object key has an empty, '.' or '..' segment: {key!r}")
        if segment.startswith(_TMP_PREFIX):
            raise ValueError(f"object key segment uses a reserved prefix: {key!r}")
        if len(segment.encode()) > MAX_SEGMENT_BYTES:
            raise ValueError(f"object key segment longer than {MAX_SEGMENT_BYTES} bytes")
    return key


CHUNK = 256 * 1024


def _pieces(f: BinaryIO) -> Iterator[bytes]:
    with f:
        while piece := f.read(CHUNK):
            yield piece


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _refuse_delete(key: str) -> None:
    raise PermissionError("write-once")


class LocalObjectStore:
    """Objects as read-only files under `root`; the embedded (laptop) mode."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()

    def __repr__(self) -> str:
        return f"LocalObjectStore({str(self.root)!r})"

    def ensure_ready(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*normalize_key(key).split("/"))

    def _check_root(self) -> None:
        # A missing root usually means an unmounted volume: refuse rather than write
        # the archive onto whatever disk happens to be underneath.
        if not self.root.is_dir():
            raise ObjectStoreUnavailable(f"object folder {self.root} does not exist")

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        key = normalize_key(key)
        final = self._path(key)
        self._check_root()
        if final.exists():
            raise ObjectExists(key)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise ValueError(f"object key {key!r} runs through an existing object") from exc
        fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, 0o444)
            # link() publishes the complete file under its final name atomically and
            # fails if the name is taken, so of racing writers exactly one wins.
            try:
                os.link(tmp_name, final)
            except FileExistsError as exc:
                if final.is_dir():
                    raise ValueError(f"object key {key!r} is a folder of other objects") from exc
                raise ObjectExists(key) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
        _fsync_dir(final.parent)
        return StoredObject(key, None, _sha256(data), len(data), content_type)

    def get(self, key: str, version_id: str | None = None) -> bytes:
        with self._open(key, version_id) as f:
            return f.read()

    def chunks(self, key: str, version_id: str | None = None) -> Iterator[bytes]:
        """The object in pieces of CHUNK bytes, for sending without holding it whole.
        Opened at once (a missing object raises here, not at the first piece)."""
        return _pieces(self._open(key, version_id))

    def _open(self, key: str, version_id: str | None) -> BinaryIO:
        path = self._path(key)
        if version_id is not None:
            # Objects here are written once, so there are no versions to choose from.
            raise ObjectNotFound(f"{key} (version {version_id}): the local store keeps no versions")
        self._check_root()
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectNotFound(key) from exc

    def stat(self, key: str) -> StoredObject:
        key = normalize_key(key)
        path = self._path(key)
        self._check_root()
        digest = hashlib.sha256()
        size = 0
        try:
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectNotFound(key) from exc
        # No sidecar: the database holds the content type given at put(); here it is
        # recovered from the key's extension.
        content_type = mimetypes.guess_type(key, strict=False)[0] or DEFAULT_CONTENT_TYPE
        return StoredObject(key, None, digest.hexdigest(), size, content_type)

    def exists(self, key: str) -> bool:
        path = self._path(key)
        self._check_root()
        return path.is_file()

    def delete(self, key: str) -> None:
        _refuse_delete(key)


def _fsync_dir(directory: Path) -> None:
    """Make the new directory entry durable (POSIX; a no-op where dirs cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_NOT_FOUND_CODES = {"NoSuchKey", "NoSuchVersion", "NoSuchObject"}


@contextlib.contextmanager
def _s3_errors(key: str | None = None) -> Iterator[None]:
    """Translate minio/urllib3 failures into the store's exceptions."""
    try:
        yield
    except S3Error as exc:
        if exc.code in _NOT_FOUND_CODES:
            raise ObjectNotFound(key) from exc
        if exc.code == "InvalidArgument" and "version" in (exc.message or "").lower():
            raise ObjectNotFound(key) from exc  # malformed version id: no such version
        if exc.code == "NoSuchBucket":
            raise ObjectStoreUnavailable(f"bucket missing ({exc.bucket_name})") from exc
        if exc.response is not None and exc.response.status >= 500:
            raise ObjectStoreUnavailable(f"{exc.code}: {exc.message}") from exc
        raise
    except ServerError as exc:  # 5xx after retries
        raise ObjectStoreUnavailable(str(exc)) from exc
    except urllib3.exceptions.HTTPError as exc:  # MaxRetryError, ProtocolError, SSLError…
        raise ObjectStoreUnavailable(str(exc)) from exc
    except OSError as exc:  # socket errors that escape urllib3's wrapping
        raise ObjectStoreUnavailable(str(exc)) from exc


class S3ObjectStore:
    """Objects in an S3 bucket (MinIO in production) with versioning and object lock."""

    def __init__(
        self,
        client: Minio,
        bucket: str,
        prefix: str = "",
        *,
        object_lock: bool = False,
        retention_days: int = 0,
    ) -> None:
        if retention_days < 0:
            raise ValueError("retention_days must be >= 0")
        if retention_days and not object_lock:
            raise ValueError("retention_days needs object_lock=True")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.object_lock = object_lock
        self.retention_days = retention_days

    def __repr__(self) -> str:
        where = f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket
        return f"S3ObjectStore('s3://{where}')"

    def _name(self, key: str) -> str:
        key = normalize_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def ensure_ready(self) -> None:
        with _s3_errors():
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket, object_lock=self.object_lock)
                except S3Error as exc:  # another process created it first
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
            if self.object_lock and not self._has_object_lock():
                # S3/MinIO enable object lock only when a bucket is created; writing
                # into an unlocked bucket would silently weaken the archive.
                raise ObjectStoreUnavailable(
                    f"bucket {self.bucket} exists without object lock; "
                    "create a new bucket with object lock enabled"
                )
            self.client.set_bucket_versioning(self.bucket, VersioningConfig(ENABLED))
            wanted = ObjectLockConfig(COMPLIANCE, self.retention_days, DAYS)
            # Every app and worker process calls this at start: write the default
            # retention only when it differs (some S3 servers refuse to change it on a
            # bucket that already holds objects).
            if self.retention_days and self.client.get_object_lock_config(self.bucket) != wanted:
                self.client.set_object_lock_config(self.bucket, wanted)

    def _has_object_lock(self) -> bool:
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error as exc:
            if exc.code == "ObjectLockConfigurationNotFoundError":
                return False
            raise
        return True

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        key = normalize_key(key)
        name = self._name(key)
        if len(data) > MAX_SINGLE_PUT_BYTES:
            raise ValueError(f"object larger than {MAX_SINGLE_PUT_BYTES} bytes")
        # Check-then-write is not atomic: two writers racing on one key may both pass
        # the check. With versioning and object lock on the bucket the second write
        # only adds a newer version; the first version stays readable by its version
        # id (recorded in the database) and cannot be destroyed.
        # A key whose latest version is a delete marker (someone deleted around us)
        # counts as used too: archive keys are never reused.
        if self._latest(name, key) != "absent":
            raise ObjectExists(key)
        digest = _sha256(data)
        headers: dict[str, str | list[str] | tuple[str]] = {
            SHA256_META: digest,
            # The server checks the bytes against this SHA-256. It also satisfies the
            # object-lock rule "Content-MD5 or a checksum header is required", which
            # the minio client meets on its own only over HTTPS (it sends Content-MD5
            # only there), so plain-HTTP endpoints work with locked buckets too.
            "x-amz-sdk-checksum-algorithm": "SHA256",
            "x-amz-checksum-sha256": base64.b64encode(bytes.fromhex(digest)).decode(),
        }
        with _s3_errors(key):
            result = self.client.put_object(
                self.bucket,
                name,
                io.BytesIO(data),
                len(data),
                content_type=content_type or DEFAULT_CONTENT_TYPE,
                metadata=headers,
                # One PUT, never multipart: one version, and the whole-object checksum
                # header above stays valid.
                part_size=max(len(data), MIN_PART_SIZE),
            )
        return StoredObject(
            key, result.version_id, digest, len(data), content_type or DEFAULT_CONTENT_TYPE
        )

    def get(self, key: str, version_id: str | None = None) -> bytes:
        name = self._name(key)
        with _s3_errors(key):
            response = self.client.get_object(self.bucket, name, version_id=version_id)
            try:
                data = response.read()
                expected = response.headers.get(f"x-amz-meta-{SHA256_META}")
            finally:
                response.close()
                response.release_conn()
        if expected and expected.lower() != _sha256(data):
            raise ObjectCorrupted(f"{key}: SHA-256 differs from the one recorded at write")
        return data

    def chunks(self, key: str, version_id: str | None = None) -> Iterator[bytes]:
        """The object in pieces of CHUNK bytes, for sending without holding it whole.
        The request is made at once (errors raise here); the caller checks the SHA-256."""
        name = self._name(key)
        with _s3_errors(key):
            response = self.client.get_object(self.bucket, name, version_id=version_id)

        def pieces() -> Iterator[bytes]:
            try:
                with _s3_errors(key):
                    yield from response.stream(CHUNK)
            finally:
                response.close()
                response.release_conn()

        return pieces()

    def stat(self, key: str) -> StoredObject:
        key = normalize_key(key)
        with _s3_errors(key):
            info = self.client.stat_object(self.bucket, self._name(key))
        sha256 = (info.metadata or {}).get(f"x-amz-meta-{SHA256_META}")
        if not sha256:
            # Not written through this store (no metadata): compute it from the bytes.
            sha256 = _sha256(self.get(key, info.version_id))
        return StoredObject(
            key,
            info.version_id,
            sha256.lower(),
            int(info.size or 0),
            info.content_type or DEFAULT_CONTENT_TYPE,
        )

    def _latest(self, name: str, key: str) -> str:
        """What the key's latest version is: "object", "deleted" (a delete marker) or "absent"."""
        try:
            with _s3_errors(key):
                self.client.stat_object(self.bucket, name)
        except ObjectNotFound as exc:
            cause = exc.__cause__
            if (
                isinstance(cause, S3Error)
                and cause.response is not None
                and cause.response.headers.get("x-amz-delete-marker", "").lower() == "true"
            ):
                return "deleted"
            return "absent"
        return "object"

    def exists(self, key: str) -> bool:
        return self._latest(self._name(key), key) == "object"

    def delete(self, key: str) -> None:
        _refuse_delete(key)


def _http_client(ca_bundle: str | None) -> urllib3.PoolManager:
    # Few retries and short connect timeouts: a down endpoint must fail in seconds
    # (the caller retries the whole flow step), not after minio's 5 retries x 5 min.
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=3.0, read=60.0),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=ca_bundle or os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(
            total=2,
            connect=1,
            read=0,
            backoff_factor=0.2,
            status_forcelist=[500, 502, 503, 504],
            raise_on_status=False,
        ),
    )


def open_store(
    url: str,
    *,
    endpoint: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    secure: bool = True,
    ca_bundle: str | None = None,
    region: str = "us-east-1",
    object_lock: bool = False,
    retention_days: int = 0,
) -> ObjectStore:
    """Open the store named by `url`: `file:///abs/dir`, `file://rel/dir` or `s3://bucket[/prefix]`.

    A relative file path is taken from the current directory now, not at each call.
    """
    if url.startswith("file://"):
        raw = unquote(url[len("file://") :])
        if not raw:
            raise ValueError("file:// URL needs a folder")
        return LocalObjectStore(Path(raw).absolute())
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("s3:// URL needs a bucket: s3://bucket[/prefix]")
        if not endpoint:
            raise ValueError("an s3:// store needs an endpoint (host:port)")
        if "://" in endpoint:
            scheme, _, endpoint = endpoint.partition("://")
            secure = scheme == "https"
        endpoint = endpoint.rstrip("/")
        client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=_http_client(ca_bundle),
        )
        return S3ObjectStore(
            client,
            parts.netloc,
            unquote(parts.path),
            object_lock=object_lock,
            retention_days=retention_days,
        )
    raise ValueError(f"unsupported object store URL {url!r}: use file:// or s3://")


__all__ = [
    "LocalObjectStore",
    "ObjectCorrupted",
    "ObjectExists",
    "ObjectNotFound",
    "ObjectStore",
    "ObjectStoreUnavailable",
    "S3ObjectStore",
    "StoredObject",
    "normalize_key",
    "open_store",
]
