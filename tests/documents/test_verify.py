"""Verification results a user (or an auditor) would notice."""

from __future__ import annotations

import asyncio
import json
import logging
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from documents.sign import sign_pdf
from documents.verify import InvalidPdf, SignatureReport, verify_pdf, verify_pdf_sync
from tests.fixtures.pki import demo_ca, expired_signer, org_signer, other_ca, simple_pdf

BOARD = "Ban Thi đua – Khen thưởng tỉnh Lạng Sơn"
TEXT = "Quyết định khen thưởng\nTặng Bằng khen cho tập thể Trường THCS Hữu Lũng\n"


@pytest.fixture(autouse=True)
def _quiet_pyhanko(caplog):
    # pyHanko logs path-building failures (untrusted / expired) with tracebacks.
    caplog.set_level(logging.CRITICAL, logger="pyhanko")


async def _signed(signer=None, **kw) -> bytes:
    return await sign_pdf(
        simple_pdf(TEXT),
        signer or org_signer(BOARD),
        field_name=kw.pop("field_name", "Ban"),
        reason="Ban hành",
        location="Lạng Sơn",
        stamp_lines=[f"Ký bởi: {BOARD}", "Thời gian: 2026-11-20T09:15:00+07:00"],
        **kw,
    )


async def test_flipping_a_signed_byte_breaks_integrity():
    signed = await _signed()
    # the producer string of the original document is inside the signed byte range
    i = signed.index(b"LibreOffice")
    tampered = signed[:i] + b"M" + signed[i + 1 :]
    [rep] = await verify_pdf(tampered, [demo_ca().cert_pem])
    assert rep.intact is False
    assert rep.valid is False and rep.trusted is False
    assert rep.summary_vi == "Chữ ký không hợp lệ: tài liệu đã bị sửa đổi sau khi ký"
    assert rep.problem == "modified"


async def test_changing_page_content_after_signing_is_detected():
    signed = await _signed()
    w = IncrementalPdfFileWriter(BytesIO(signed), strict=False)
    extra = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 400 Td (X) Tj ET")
    w.add_stream_to_page(0, w.add_object(extra))
    out = BytesIO()
    w.write(out)
    [rep] = await verify_pdf(out.getvalue(), [demo_ca().cert_pem])
    assert rep.intact  # the signed revision itself is untouched ...
    assert not rep.valid and not rep.trusted  # ... but the later change is not allowed
    assert rep.coverage == "entire_revision"
    assert rep.modification_level == "other"
    assert rep.summary_vi == "Chữ ký không hợp lệ: tài liệu có thay đổi không được phép sau khi ký"


async def test_other_ca_is_not_trusted():
    signed = await _signed()
    [rep] = await verify_pdf(signed, [other_ca().cert_pem])
    assert rep.intact and rep.valid
    assert rep.trusted is False
    assert rep.summary_vi == "Chứng thư số không thuộc tổ chức chứng thực tin cậy"
    assert rep.problem == "untrusted_issuer"
    # no trust roots at all: nothing is trusted (no fallback to the system store)
    [rep] = await verify_pdf(signed, [])
    assert rep.trusted is False


async def test_certificate_from_other_ca_is_not_trusted():
    stranger = org_signer("Cơ quan lạ", other_ca())
    [rep] = await verify_pdf(await _signed(stranger), [demo_ca().cert_pem])
    assert rep.valid and not rep.trusted
    assert rep.signer == "Cơ quan lạ"
    assert rep.summary_vi == "Chứng thư số không thuộc tổ chức chứng thực tin cậy"


async def test_expired_certificate_is_not_trusted_with_clear_summary():
    signed = await _signed(expired_signer("Ban Hết Hạn"))
    [rep] = await verify_pdf(signed, [demo_ca().cert_pem])
    assert rep.intact
    assert rep.trusted is False and rep.ok is False
    assert rep.problem == "expired"
    assert "hết hạn" in rep.summary_vi
    assert rep.summary_vi.startswith("Chứng thư số đã hết hạn")


async def test_pem_bundle_of_trust_roots_is_accepted():
    signed = await _signed()
    bundle = other_ca().cert_pem + demo_ca().cert_pem
    [rep] = await verify_pdf(signed, [bundle])
    assert rep.trusted


async def test_unsigned_pdf_has_no_signatures():
    assert await verify_pdf(simple_pdf(TEXT), [demo_ca().cert_pem]) == []


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"%PDF-1.7\nthis is not a pdf", b"\x00" * 2048],
    ids=["empty", "garbage", "header-only", "zeros"],
)
async def test_garbage_raises_invalid_pdf(data):
    with pytest.raises(InvalidPdf):
        await verify_pdf(data, [demo_ca().cert_pem])
    assert issubclass(InvalidPdf, ValueError)


async def test_truncated_signed_pdf_raises_invalid_pdf_or_reports_damage():
    signed = await _signed()
    try:
        reports = await verify_pdf(signed[: len(signed) - 300], [demo_ca().cert_pem])
    except InvalidPdf:
        return
    assert all(not r.valid for r in reports)


async def test_damaged_signature_contents_give_a_report_not_an_exception():
    signed = await _signed()
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    damaged = signed[:start] + b"0" * 64 + signed[start + 64 :]
    [rep] = await verify_pdf(damaged, [demo_ca().cert_pem])
    assert rep.field_name == "Ban"
    assert not (rep.intact or rep.valid or rep.trusted)
    assert rep.problem == "damaged"
    assert rep.summary_vi.startswith("Chữ ký bị hỏng")


async def test_report_to_dict_is_json_serialisable():
    [rep] = await verify_pdf(await _signed(), [demo_ca().cert_pem])
    assert isinstance(rep, SignatureReport)
    data = rep.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text)["signer"] == BOARD
    assert data["signing_time"].endswith("+00:00")
    assert data["ok"] is True
    assert {
        "field_name",
        "signer",
        "organisation",
        "signing_time",
        "intact",
        "valid",
        "trusted",
        "coverage",
        "modification_level",
        "summary_vi",
    } <= data.keys()


def test_sync_wrapper():
    signed = asyncio.run(_signed())
    [rep] = verify_pdf_sync(signed, [demo_ca().cert_pem])
    assert rep.ok


async def test_sync_wrapper_inside_a_running_loop():
    signed = await _signed()
    [rep] = verify_pdf_sync(signed, [demo_ca().cert_pem])
    assert rep.ok
