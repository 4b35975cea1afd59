"""DOCX → PDF with LibreOffice in headless mode, from asyncio.

Each conversion runs ``soffice --headless --convert-to pdf`` in its own process with its
own user profile (``-env:UserInstallation``). Two soffice processes must never share a
profile at the same time: the second one would hand its job to the first over a pipe
and exit, or fail on the profile lock. So a small pool of profiles is kept under
``profile_root``; a conversion takes a free profile, and concurrency is bounded by the
pool size. Profiles are reused between calls: LibreOffice builds a profile on its first
start (slow), later starts with the same profile are faster. A file lock on each profile
also keeps two processes (two workers sharing a folder) from using it together.

A conversion that takes longer than ``timeout`` seconds is killed with its whole process
group (soffice is a launcher script with child processes) and its profile is discarded,
since a killed LibreOffice may leave it half-written.

That is the *cold* path. When the system Python has Debian's ``python3-uno`` (checked
once), ``PdfConverter`` uses the *warm* pool of ``documents.converter`` instead: the same
number of long-running LibreOffice instances, one document at a time each, with the same
timeout (kill and restart). ``warm=False`` forces the cold path, ``warm=True`` the warm
one.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from .converter import SYSTEM_PYTHON, ConversionError, WarmPool, uno_available

__all__ = ["ConversionError", "PdfConverter"]


class PdfConverter:
    def __init__(
        self,
        profile_root: Path,
        workers: int = 2,
        timeout: float = 120.0,
        soffice: str = "soffice",
        *,
        warm: bool | None = None,
        python: str = SYSTEM_PYTHON,
        start_timeout: float = 120.0,
        max_conversions: int = 500,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.profile_root = Path(profile_root)
        self.workers = workers
        self.timeout = timeout
        self.soffice = soffice
        self._free: list[int] = list(range(workers))
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.warm = uno_available(python) if warm is None else warm
        self.pool: WarmPool | None = (
            WarmPool(
                self.profile_root,
                workers,
                timeout,
                soffice,
                python,
                start_timeout,
                max_conversions,
            )
            if self.warm
            else None
        )

    def profile_dir(self, slot: int) -> Path:
        return self.profile_root / f"profile-{slot}"

    async def convert(self, docx: bytes) -> bytes:
        """The PDF of ``docx``; raises :class:`ConversionError` on failure or timeout."""
        if not docx:
            raise ConversionError("empty DOCX")
        if self.pool is not None:
            # The semaphore keeps waiting callers off the thread pool: at most
            # `workers` threads per event loop block on an instance.
            async with self._semaphore():
                return await asyncio.to_thread(self.pool.convert_blocking, docx)
        async with self._profile() as profile:
            return await self._run(profile, docx)

    async def warm_up(self) -> None:
        """Start LibreOffice once in every profile, so that the first real call is fast."""
        if self.pool is not None:
            pool = self.pool
            await asyncio.gather(
                *(asyncio.to_thread(pool.start_blocking) for _ in range(self.workers))
            )
            return
        from docx import Document  # a tiny valid document, made here to avoid a data file

        buffer = io.BytesIO()
        Document().save(buffer)
        await asyncio.gather(*(self.convert(buffer.getvalue()) for _ in range(self.workers)))

    def close(self) -> None:
        """Stop the warm instances (they also stop when this process exits)."""
        if self.pool is not None:
            self.pool.close()

    # -- internals -------------------------------------------------------------

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        # asyncio primitives bind to one loop; a converter reused under a new loop
        # (e.g. a second asyncio.run) gets fresh ones.
        if self._slots is None or self._loop is not loop:
            self._slots = asyncio.Semaphore(self.workers)
            self._loop = loop
            self._free = list(range(self.workers))
        return self._slots

    @contextlib.asynccontextmanager
    async def _profile(self) -> AsyncIterator[Path]:
        slots = self._semaphore()
        async with slots:
            slot = self._free.pop()
            try:
                profile = self.profile_dir(slot)
                profile.mkdir(parents=True, exist_ok=True)
                lock = await self._lock(profile)
                try:
                    yield profile
                finally:
                    os.close(lock)
            finally:
                self._free.append(slot)

    async def _lock(self, profile: Path) -> int:
        """An exclusive lock on the profile against other processes sharing profile_root."""
        fd = os.open(profile.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if asyncio.get_running_loop().time() > deadline:
                    os.close(fd)
                    raise ConversionError(f"profile {profile} is busy in another process") from None
                await asyncio.sleep(0.05)

    async def _run(self, profile: Path, docx: bytes) -> bytes:
        work = Path(tempfile.mkdtemp(prefix="job-", dir=self.profile_root))
        try:
            source = work / "document.docx"
            source.write_bytes(docx)
            command = [
                self.soffice,
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--invisible",
                "--nologo",
                "--nodefault",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(source),
            ]
            try:
                process = await asyncio.create_subprocess_exec(
                    *command,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                    start_new_session=True,  # its own process group, killed as a whole
                    cwd=work,
                )
            except OSError as exc:
                raise ConversionError(f"cannot start {self.soffice}: {exc}") from exc
            try:
                stdout, stderr = await asyncio.wait_for(process.communicate(), self.timeout)
            except TimeoutError:
                _kill_group(process.pid)
                await process.wait()
                shutil.rmtree(profile, ignore_errors=True)
                raise ConversionError(
                    f"LibreOffice did not finish within {self.timeout:g} s"
                ) from None
            except asyncio.CancelledError:
                _kill_group(process.pid)
                await asyncio.shield(process.wait())
                raise
            finally:
                # soffice may leave helpers behind in its group even after a clean exit.
                _kill_group(process.pid)
            output = work / "document.pdf"
            detail = (stderr or stdout or b"").decode("utf-8", "replace").strip()[-500:]
            if process.returncode != 0:
                raise ConversionError(f"LibreOffice exited with {process.returncode}: {detail}")
            if not output.is_file():
                raise ConversionError(f"LibreOffice produced no PDF: {detail}")
            pdf = output.read_bytes()
            if not pdf.startswith(b"%PDF-"):
                raise ConversionError("LibreOffice output is not a PDF")
            return pdf
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
