"""The warm LibreOffice pool behind PdfConverter: real LibreOffice over UNO (Debian's
python3-uno under the system Python). A form converts in a fraction of a cold start, a
hung instance is killed at the timeout and replaced, concurrent calls never share an
instance, and without python3-uno the converter falls back to the cold path."""

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path

import pytest

from doc_templates.catalogue import template_path
from documents.converter import uno_available
from documents.pdf import ConversionError, PdfConverter
from documents.render import render_docx
from tests.fixtures.forms import sample_context
from tests.fixtures.pdf_layout import flat_text, read_pdf

pytestmark = pytest.mark.skipif(not uno_available(), reason="python3-uno is not installed")


def form(code: str = "to_trinh_don_vi") -> bytes:
    return render_docx(template_path(code), sample_context())


def text_of(pdf: bytes) -> str:
    return flat_text(read_pdf(pdf))


def gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


async def test_a_warm_instance_converts_forms_fast(tmp_path):
    converter = PdfConverter(tmp_path / "profiles", workers=1, timeout=60)
    assert converter.warm
    try:
        await converter.warm_up()
        docx = form()
        timings = []
        for _ in range(3):
            started = time.monotonic()
            pdf = await converter.convert(docx)
            timings.append(time.monotonic() - started)
        assert pdf.startswith(b"%PDF-")
        assert "TỜ TRÌNH" in text_of(pdf)
        # No LibreOffice start per document: well under a cold start (~0.75 s or more).
        assert min(timings) < 0.6, timings
        assert converter.pool is not None and converter.pool.restarts == 0
    finally:
        converter.close()


async def test_a_hung_instance_is_killed_at_the_timeout_and_replaced(tmp_path):
    converter = PdfConverter(tmp_path / "profiles", workers=1, timeout=2)
    pool = converter.pool
    assert pool is not None
    try:
        await converter.warm_up()
        [hung] = pool.instance_pids()
        os.killpg(hung, signal.SIGSTOP)  # helper and LibreOffice stop answering
        started = time.monotonic()
        with pytest.raises(ConversionError, match="did not finish within 2 s"):
            await converter.convert(form())
        assert time.monotonic() - started < 6
        for _ in range(100):
            if gone(hung):
                break
            await asyncio.sleep(0.05)
        assert gone(hung)
        assert pool.restarts == 1
        pdf = await converter.convert(form())  # a fresh instance takes the slot
        assert pdf.startswith(b"%PDF-")
        assert pool.instance_pids() != [hung]
    finally:
        converter.close()


async def test_an_instance_that_died_between_calls_is_restarted(tmp_path):
    converter = PdfConverter(tmp_path / "profiles", workers=1, timeout=60)
    pool = converter.pool
    assert pool is not None
    try:
        await converter.warm_up()
        [dead] = pool.instance_pids()
        os.killpg(dead, signal.SIGKILL)
        pdf = await converter.convert(form())
        assert pdf.startswith(b"%PDF-")
        assert pool.restarts == 1
    finally:
        converter.close()


async def test_a_well_used_instance_is_replaced_by_a_fresh_one(tmp_path):
    # LibreOffice grows with use: after max_conversions documents it is stopped cleanly
    # (not counted as a failure) and the next document starts a fresh instance.
    converter = PdfConverter(tmp_path / "profiles", workers=1, timeout=60, max_conversions=2)
    pool = converter.pool
    assert pool is not None
    try:
        await converter.warm_up()
        [first] = pool.instance_pids()
        for _ in range(2):
            assert (await converter.convert(form())).startswith(b"%PDF-")
        assert pool.instance_pids() == [] and gone(first)
        pdf = await converter.convert(form())
        assert "TỜ TRÌNH" in text_of(pdf)
        [second] = pool.instance_pids()
        assert second != first
        assert (pool.recycled, pool.restarts) == (1, 0)
    finally:
        converter.close()


async def test_concurrent_calls_each_get_their_own_instance_and_right_document(tmp_path):
    converter = PdfConverter(tmp_path / "profiles", workers=2, timeout=60)
    pool = converter.pool
    assert pool is not None
    try:
        codes = ["to_trinh_don_vi", "bao_cao_thanh_tich", "thong_bao"] * 3
        pdfs = await asyncio.gather(*(converter.convert(form(c)) for c in codes))
        titles = {
            "to_trinh_don_vi": "TỜ TRÌNH",
            "bao_cao_thanh_tich": "BÁO CÁO",
            "thong_bao": "THÔNG BÁO",
        }
        for code, pdf in zip(codes, pdfs, strict=True):
            assert titles[code] in text_of(pdf), code
        assert len(pool.instance_pids()) == 2
        assert pool.restarts == 0
        profiles = sorted(p.name for p in (tmp_path / "profiles").iterdir() if p.is_dir())
        assert profiles == ["warm-0", "warm-1"]  # no job folders left behind
    finally:
        converter.close()


async def test_a_bad_document_does_not_take_the_instance_down(tmp_path):
    converter = PdfConverter(tmp_path / "profiles", workers=1, timeout=60)
    try:
        # LibreOffice reads some garbage as plain text; either way the instance survives.
        with contextlib.suppress(ConversionError):
            await converter.convert(b"PK\x03\x04 broken zip" + bytes(range(256)) * 4)
        assert (await converter.convert(form())).startswith(b"%PDF-")
        assert converter.pool is not None and converter.pool.restarts == 0
    finally:
        converter.close()


async def test_two_pools_sharing_a_folder_never_share_a_profile(tmp_path):
    first = PdfConverter(tmp_path / "profiles", workers=1, timeout=60)
    second = PdfConverter(tmp_path / "profiles", workers=1, timeout=60)
    try:
        await asyncio.gather(first.warm_up(), second.warm_up())
        assert first.pool is not None and second.pool is not None
        taken = {i.profile.name for p in (first.pool, second.pool) for i in p._instances.values()}
        assert taken == {"warm-0", "warm-1"}
    finally:
        first.close()
        second.close()


def test_without_python3_uno_the_cold_path_is_used(tmp_path):
    converter = PdfConverter(tmp_path / "profiles", python=str(tmp_path / "no-python"))
    assert not converter.warm
    assert converter.pool is None
