"""DOCX → PDF with the real LibreOffice, plus failure handling with a stand-in soffice."""

import asyncio
import re
import stat
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest

from doc_templates.catalogue import template_path
from documents.pdf import ConversionError, PdfConverter
from documents.render import render_docx
from tests.fixtures.forms import TRICKY_ACHIEVEMENT, TRICKY_NAME, sample_context


def pdf_text(pdf: Path, *pages: int) -> str:
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    out = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True, text=True)
    return unicodedata.normalize("NFC", out.stdout)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
async def converted(tmp_path_factory) -> dict[str, Path]:
    """Two real forms converted concurrently by one converter (the slow part, done once)."""
    root = tmp_path_factory.mktemp("pdf")
    converter = PdfConverter(root / "profiles", workers=2, timeout=60)
    context = sample_context()
    codes = ("bao_cao_thanh_tich", "to_trinh_don_vi")
    pdfs = await asyncio.gather(
        *(converter.convert(render_docx(template_path(code), context)) for code in codes)
    )
    paths = {}
    for code, pdf in zip(codes, pdfs, strict=True):
        paths[code] = root / f"{code}.pdf"
        paths[code].write_bytes(pdf)
    return paths


def test_user_text_reaches_the_pdf_literally(converted):
    text = flat(pdf_text(converted["bao_cao_thanh_tich"]))
    assert TRICKY_NAME in text
    assert TRICKY_ACHIEVEMENT in text
    assert "BÁO CÁO THÀNH TÍCH" in text
    assert "Lạng Sơn, ngày 02 tháng 7 năm 2026" in text


def test_pdf_is_a4_with_liberation_serif_fonts(converted):
    for pdf in converted.values():
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info.stdout)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
        names = [line.split()[0] for line in fonts.stdout.splitlines()[2:]]
        assert names
        assert all(re.search(r"LiberationSerif|Times", name) for name in names), names


def test_proposal_pages_are_numbered_from_page_two(converted):
    pdf = converted["to_trinh_don_vi"]
    first_page = pdf_text(pdf, 1).split()
    assert first_page[:4] == ["UBND", "TỈNH", "LẠNG", "SƠN"]  # no number on page 1
    second_page = pdf_text(pdf, 2).split()
    assert second_page[0] == "2"
    assert "DANH SÁCH TẬP THỂ, CÁ NHÂN" in flat(pdf_text(pdf, 2))
    third_page = pdf_text(pdf, 3).split()
    assert third_page[0] == "3"
    assert third_page[1:6] == ["STT", "Họ", "và", "tên", "Chức"]  # header row repeated


# -- failures, with a stand-in for soffice (fast and deterministic) ---------------------


def fake_soffice(tmp_path: Path, body: str) -> str:
    """A shell script called like soffice; ``$profile`` and ``$outdir`` are parsed for it."""
    script = tmp_path / "fake-soffice"
    script.write_text(
        "#!/bin/sh\n"
        'prev=""\n'
        'for a in "$@"; do\n'
        '  case "$a" in -env:UserInstallation=file://*) profile="${a#*file://}";; esac\n'
        '  if [ "$prev" = "--outdir" ]; then outdir="$a"; fi\n'
        '  prev="$a"\n'
        "done\n" + body
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def process_gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # a zombie waiting for init is dead too


async def test_timeout_kills_the_whole_process_group(tmp_path):
    pid_file = tmp_path / "child.pid"
    soffice = fake_soffice(tmp_path, f'sleep 30 &\necho $! > "{pid_file}"\nwait\n')
    converter = PdfConverter(tmp_path / "profiles", workers=1, timeout=0.5, soffice=soffice)
    started = time.monotonic()
    with pytest.raises(ConversionError, match="did not finish"):
        await converter.convert(b"PK fake docx")
    assert time.monotonic() - started < 5
    child = int(pid_file.read_text())
    for _ in range(50):
        if process_gone(child):
            break
        await asyncio.sleep(0.02)
    assert process_gone(child)


async def test_non_zero_exit_is_a_conversion_error(tmp_path):
    soffice = fake_soffice(tmp_path, 'echo "Error: source file could not be loaded" >&2\nexit 3\n')
    converter = PdfConverter(tmp_path / "profiles", soffice=soffice)
    with pytest.raises(ConversionError, match=r"exited with 3.*could not be loaded"):
        await converter.convert(b"PK fake docx")


async def test_missing_output_is_a_conversion_error(tmp_path):
    converter = PdfConverter(tmp_path / "profiles", soffice=fake_soffice(tmp_path, "exit 0\n"))
    with pytest.raises(ConversionError, match="no PDF"):
        await converter.convert(b"PK fake docx")


async def test_missing_soffice_is_a_conversion_error(tmp_path):
    converter = PdfConverter(tmp_path / "profiles", soffice=str(tmp_path / "no-such-soffice"))
    with pytest.raises(ConversionError, match="cannot start"):
        await converter.convert(b"PK fake docx")


async def test_concurrent_calls_never_share_a_profile_and_reuse_the_pool(tmp_path):
    # The stand-in refuses to run if its profile is already in use, like LibreOffice
    # would misbehave; each run leaves a mark so that profile reuse is visible.
    soffice = fake_soffice(
        tmp_path,
        'mkdir "$profile/busy" || exit 9\n'
        'echo run >> "$profile/runs"\n'
        "sleep 0.2\n"
        'rmdir "$profile/busy"\n'
        'printf "%%PDF-1.4 fake" > "$outdir/document.pdf"\n',
    )
    converter = PdfConverter(tmp_path / "profiles", workers=2, soffice=soffice)
    started = time.monotonic()
    pdfs = await asyncio.gather(*(converter.convert(b"PK fake docx") for _ in range(6)))
    elapsed = time.monotonic() - started
    assert pdfs == [b"%PDF-1.4 fake"] * 6
    assert elapsed >= 0.55  # at most two at a time: three rounds of 0.2 s
    runs = [p.read_text().count("run") for p in (tmp_path / "profiles").glob("*/runs")]
    assert len(runs) == 2  # both profiles of the pool are used, and reused
    assert sum(runs) == 6
    assert not list((tmp_path / "profiles").glob("job-*"))  # work folders cleaned up
