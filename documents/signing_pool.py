"""Signing and verifying PDFs in processes of their own.

In the embedded mode one Python process serves the pages and the API and runs every
flow: its interpreter lock was the queue of a busy day (one core busy, the other mostly
idle), and a signature computed in the event loop held up every request meanwhile. A
pool of warm processes (spawned, so no thread of the app is copied into them) signs and
verifies instead, on every core. What crosses to a pool process is the PDF, the signing
material and plain options; a B-LT signature (a time-stamper and a validation context,
which hold live connections) is made in the calling process as before.

A pool process that dies (killed, out of memory) breaks the pool: it is replaced once
and the call retried; errors of the work itself (:class:`SigningFailed`,
:class:`InvalidPdf`) come back as they are.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from core.orphans import exit_with_parent
from documents import pyhanko_internals
from documents.sign import SignerMaterial, sign_pdf
from documents.stamp import warm_stamp_font
from documents.timestamps import LongTerm
from documents.verify import SignatureReport, verify_pdf

__all__ = ["SigningPool"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Options that hold live objects: such a signature is made in the calling process.
_IN_PROCESS_OPTIONS = ("timestamper", "validation_context")

_loop: asyncio.AbstractEventLoop | None = None


def _start_process(parent: int) -> None:
    # Out of the app's process group, so Ctrl-C in a terminal (or a signal to the whole
    # group) reaches the app only: it finishes the signatures under way, then stops us.
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent, lambda: os._exit(0))
    global _loop
    _loop = asyncio.new_event_loop()
    pyhanko_internals.install()
    warm_stamp_font()  # the first signature would load and cut it (~1 s)


def _sign(
    pdf: bytes, material: SignerMaterial, options: dict[str, Any], long_term: LongTerm | None
) -> bytes:
    assert _loop is not None  # the process's own loop, made once (_start_process)
    if long_term is not None:
        options = {**options, **long_term.options()}
    return _loop.run_until_complete(sign_pdf(pdf, material, **options))


def _verify(pdf: bytes, roots: list[bytes], crls: list[bytes]) -> list[SignatureReport]:
    assert _loop is not None
    return _loop.run_until_complete(verify_pdf(pdf, roots, crls))


class SigningPool:
    """``processes`` pool processes; 0 signs and verifies in the calling process."""

    def __init__(self, processes: int) -> None:
        self.processes = max(0, processes)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_process,
                    initargs=(os.getpid(),),
                )
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def _broken(self, executor: ProcessPoolExecutor, attempt: int) -> None:
        log.warning("a signing process ended; starting new ones (attempt %d)", attempt)
        self._replace(executor)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        for attempt in (1, 2):
            executor = self._pool()
            try:
                return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)
            except BrokenProcessPool:
                self._broken(executor, attempt)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _run_blocking(self, fn: Callable[..., T], *args: Any) -> T:
        for attempt in (1, 2):
            executor = self._pool()
            try:
                return executor.submit(fn, *args).result()
            except BrokenProcessPool:
                self._broken(executor, attempt)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def sign(self, pdf: bytes, material: SignerMaterial, **options: Any) -> bytes:
        """:func:`documents.sign.sign_pdf` in a pool process (options as there, and
        `long_term`: a :class:`documents.timestamps.LongTerm` for PAdES B-LT, made into
        the time-stamper and validation context in the process that signs)."""
        long_term: LongTerm | None = options.pop("long_term", None)
        if not self.processes or any(options.get(k) for k in _IN_PROCESS_OPTIONS):
            if long_term is not None:
                options = {**options, **long_term.options()}
            return await sign_pdf(pdf, material, **options)
        options = {k: v for k, v in options.items() if k not in _IN_PROCESS_OPTIONS}
        return await self._run(_sign, pdf, material, options, long_term)

    async def verify(
        self, pdf: bytes, roots: Sequence[bytes], crls: Sequence[bytes] = ()
    ) -> list[SignatureReport]:
        """:func:`documents.verify.verify_pdf` in a pool process."""
        if not self.processes:
            return await verify_pdf(pdf, roots, crls)
        return await self._run(_verify, pdf, list(roots), list(crls))

    def verify_blocking(
        self, pdf: bytes, roots: Sequence[bytes], crls: Sequence[bytes] = ()
    ) -> list[SignatureReport]:
        """:meth:`verify` for a worker thread (a request's use case), never the event
        loop: the thread waits, the check runs in a pool process."""
        if not self.processes:
            return asyncio.run(verify_pdf(pdf, roots, crls))
        return self._run_blocking(_verify, pdf, list(roots), list(crls))

    def start(self) -> list[int]:
        """Start the pool processes now rather than at the first signature (blocking:
        call it in a thread); their process ids."""
        if not self.processes:
            return []
        executor = self._pool()
        futures = [executor.submit(os.getpid) for _ in range(self.processes)]
        for f in futures:
            f.result()
        return self.pids()

    def pids(self) -> list[int]:
        executor = self._executor
        if executor is None:
            return []
        return sorted(p.pid for p in list(getattr(executor, "_processes", {}).values()) if p.pid)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
