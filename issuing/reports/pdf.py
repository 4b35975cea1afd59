"""A report's XLSX to PDF with LibreOffice Calc (`soffice --convert-to pdf`).

The documents' warm converter pool (documents/converter.py) exports with Writer's PDF
filter, so a spreadsheet goes through a cold `soffice` run of its own (~1–2 s, a report is
made a few times a year) on a profile kept under the converter's profile root; a file
lock keeps two conversions off the same profile, the process group is killed on timeout.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from documents.pdf import ConversionError

SLOTS = 2


@contextlib.contextmanager
def _profile(root: Path) -> Iterator[Path]:
    root.mkdir(parents=True, exist_ok=True)
    while True:
        for n in range(SLOTS):
            profile = root / f"report-{n}"
            fd = os.open(profile.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield profile
            finally:
                os.close(fd)
            return
        # All slots busy: wait on the first one.
        fd = os.open((root / "report-0").with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield root / "report-0"
        finally:
            os.close(fd)
        return


def xlsx_to_pdf(
    xlsx: bytes, *, profile_root: Path, soffice: str = "soffice", timeout: float = 120.0
) -> bytes:
    """The PDF of the workbook's print area; raises ConversionError."""
    with _profile(profile_root) as profile:
        work = Path(tempfile.mkdtemp(prefix="report-", dir=profile_root))
        try:
            source = work / "report.xlsx"
            source.write_bytes(xlsx)
            command = [
                soffice,
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--invisible",
                "--nologo",
                "--nodefault",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "pdf:calc_pdf_Export",
                "--outdir",
                str(work),
                str(source),
            ]
            try:
                p = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                    cwd=work,
                )
            except OSError as exc:
                raise ConversionError(f"cannot start {soffice}: {exc}") from exc
            try:
                _, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                shutil.rmtree(profile, ignore_errors=True)
                raise ConversionError(f"LibreOffice did not finish within {timeout:g} s") from None
            target = work / "report.pdf"
            if p.returncode != 0 or not target.exists():
                raise ConversionError(
                    f"LibreOffice failed ({p.returncode}): {err.decode(errors='replace')[:300]}"
                )
            return target.read_bytes()
        finally:
            shutil.rmtree(work, ignore_errors=True)
