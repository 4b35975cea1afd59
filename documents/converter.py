"""A pool of warm LibreOffice instances for ``documents.pdf.PdfConverter``.

A cold ``soffice --convert-to pdf`` pays LibreOffice's start-up on every document
(~0.75–1.1 s here); a running instance converts a form in ~0.1 s. Each instance is one
``converter_uno.py`` helper under the system Python (it has Debian's ``python3-uno``),
which owns one headless soffice with its own profile and converts one document at a
time. The pool has ``workers`` instances (sized to the cores by the settings), started
on first use.

- **Timeouts and restarts.** A conversion that does not answer within ``timeout``
  seconds has its instance killed with its whole process group (helper and LibreOffice)
  and its profile discarded, since a killed LibreOffice may leave it half-written; the
  next call on that slot starts a fresh instance. An instance found dead before or
  during a call is restarted and the call tried once more on the new one.
- **Concurrency.** The blocking exchange with an instance runs in a thread; a thread
  semaphore hands each call an instance of its own, so calls from several event loops
  or threads are safe. A cancelled caller does not desynchronise an instance: its
  thread finishes the exchange (or times out) and returns the instance to the pool.
- **Recycling.** An instance is stopped cleanly after ``max_conversions`` documents and
  the next call starts a fresh one on the same profile: LibreOffice's memory grows with
  use (208 → 311 MB over ~750 conversions in ``bench/burst.py``).
- **Profiles.** Instance slot profiles (``warm-N``) are kept between runs (a profile is
  built on the first start); an exclusive file lock held for the instance's lifetime
  keeps two processes sharing ``profile_root`` off the same profile: a process whose
  lock is taken moves on to the next free ``warm-N``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

HELPER = Path(__file__).with_name("converter_uno.py")
SYSTEM_PYTHON = "/usr/bin/python3"


class ConversionError(Exception):
    """LibreOffice failed, timed out or produced no PDF."""


class _NoAnswer(Exception):
    """The instance did not answer in time."""


class _Gone(Exception):
    """The instance's process ended."""


@functools.cache
def uno_available(python: str = SYSTEM_PYTHON) -> bool:
    """Whether ``python`` can import ``uno`` (Debian's python3-uno)."""
    try:
        done = subprocess.run(
            [python, "-c", "import uno"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


class _Instance:
    """One helper process with its LibreOffice; not thread-safe (the pool serialises)."""

    def __init__(
        self, python: str, soffice: str, profile: Path, lock_fd: int, start_timeout: float
    ) -> None:
        self.profile = profile
        self.lock_fd = lock_fd
        self.conversions = 0
        self._buffer = b""
        try:
            self.process = subprocess.Popen(
                [python, str(HELPER), soffice, str(profile)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killed as a whole
            )
        except OSError as exc:
            raise ConversionError(f"cannot start the converter: {exc}") from exc
        try:
            ready = self._read(start_timeout)
        except (_NoAnswer, _Gone) as exc:
            self.kill()
            raise ConversionError(f"LibreOffice did not start ({type(exc).__name__})") from None
        if not ready.get("ready"):
            self.kill()
            raise ConversionError(f"LibreOffice did not start: {ready.get('error')}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def convert(self, source: Path, target: Path, timeout: float) -> dict[str, Any]:
        stdin: IO[bytes] | None = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps({"in": str(source), "out": str(target)}).encode() + b"\n")
            stdin.flush()
        except (BrokenPipeError, ValueError):
            raise _Gone from None
        return self._read(timeout)

    def _read(self, timeout: float) -> dict[str, Any]:
        stdout = self.process.stdout
        assert stdout is not None
        fd = stdout.fileno()
        deadline = _now() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - _now()
            if remaining <= 0:
                raise _NoAnswer
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise _NoAnswer
            chunk = os.read(fd, 65536)
            if not chunk:
                raise _Gone
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message: dict[str, Any] = json.loads(line)
        return message

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def stop(self) -> None:
        """Let the helper close LibreOffice cleanly (keeps the profile good), else kill."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self.kill()


class WarmPool:
    def __init__(
        self,
        profile_root: Path,
        workers: int,
        timeout: float,
        soffice: str = "soffice",
        python: str = SYSTEM_PYTHON,
        start_timeout: float = 120.0,
        max_conversions: int = 500,
    ) -> None:
        self.profile_root = Path(profile_root)
        self.workers = workers
        self.timeout = timeout
        self.soffice = soffice
        self.python = python
        self.start_timeout = start_timeout
        self.max_conversions = max_conversions
        self.restarts = 0  # instances replaced after a timeout or a crash
        self.recycled = 0  # instances stopped after max_conversions documents
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._free = list(range(workers))
        self._instances: dict[int, _Instance] = {}

    # -- the blocking side, run in a thread ----------------------------------------

    def convert_blocking(self, docx: bytes) -> bytes:
        with self._slots:
            with self._lock:
                slot = self._free.pop()
            try:
                return self._convert_in(slot, docx)
            finally:
                with self._lock:
                    self._free.append(slot)

    def start_blocking(self) -> None:
        with self._slots:
            with self._lock:
                slot = self._free.pop()
            try:
                self._instance(slot)
            finally:
                with self._lock:
                    self._free.append(slot)

    def instance_pids(self) -> list[int]:
        with self._lock:
            return [i.pid for i in self._instances.values() if i.alive()]

    def close(self) -> None:
        with self._lock:
            instances = list(self._instances.values())
            self._instances.clear()
        for instance in instances:
            instance.stop()
            os.close(instance.lock_fd)

    def _convert_in(self, slot: int, docx: bytes) -> bytes:
        self.profile_root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="job-", dir=self.profile_root))
        try:
            source, target = work / "document.docx", work / "document.pdf"
            source.write_bytes(docx)
            for attempt in (1, 2):
                instance = self._instance(slot)
                try:
                    answer = instance.convert(source, target, self.timeout)
                    break
                except _NoAnswer:
                    self._discard(slot, instance, broken_profile=True)
                    raise ConversionError(
                        f"LibreOffice did not finish within {self.timeout:g} s"
                    ) from None
                except _Gone:
                    self._discard(slot, instance, broken_profile=True)
                    if attempt == 2:
                        raise ConversionError("LibreOffice exited during the conversion") from None
            instance.conversions += 1
            if instance.conversions >= self.max_conversions:
                self._recycle(slot, instance)
            if not answer.get("ok"):
                raise ConversionError(f"LibreOffice could not convert: {answer.get('error')}")
            if not target.is_file():
                raise ConversionError("LibreOffice produced no PDF")
            pdf = target.read_bytes()
            if not pdf.startswith(b"%PDF-"):
                raise ConversionError("LibreOffice output is not a PDF")
            return pdf
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _instance(self, slot: int) -> _Instance:
        instance = self._instances.get(slot)
        if instance is not None and instance.alive():
            return instance
        if instance is not None:  # died between calls
            self._discard(slot, instance, broken_profile=True)
        profile, lock_fd = self._claim_profile()
        try:
            instance = _Instance(self.python, self.soffice, profile, lock_fd, self.start_timeout)
        except BaseException:
            os.close(lock_fd)
            raise
        with self._lock:
            self._instances[slot] = instance
        return instance

    def _discard(self, slot: int, instance: _Instance, *, broken_profile: bool) -> None:
        instance.kill()
        if broken_profile:
            shutil.rmtree(instance.profile, ignore_errors=True)
        os.close(instance.lock_fd)
        with self._lock:
            if self._instances.get(slot) is instance:
                del self._instances[slot]
            self.restarts += 1

    def _recycle(self, slot: int, instance: _Instance) -> None:
        """Stop a well-used instance cleanly; its slot starts a fresh one on next use."""
        with self._lock:
            if self._instances.get(slot) is instance:
                del self._instances[slot]
            self.recycled += 1
        instance.stop()
        os.close(instance.lock_fd)

    def _claim_profile(self) -> tuple[Path, int]:
        """The first ``warm-N`` profile no other instance (of any process) holds."""
        self.profile_root.mkdir(parents=True, exist_ok=True)
        n = 0
        while True:
            profile = self.profile_root / f"warm-{n}"
            fd = os.open(profile.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                n += 1
                continue
            return profile, fd


def _now() -> float:
    return time.monotonic()
