"""Signing LibreOffice PDFs: PAdES B-B, incremental, visible Vietnamese stamp.

Checked with pyHanko's validator and, independently, with poppler's ``pdfsig`` (NSS).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm

from documents.pki import create_ca
from documents.sign import SignatureSlot, SignerMaterial, SigningFailed, sign_pdf
from documents.verify import verify_pdf
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.pki import (
    demo_ca,
    hybrid_xref_pdf,
    org_signer,
    other_ca,
    person_signer,
    simple_pdf,
)

ICT = timezone(timedelta(hours=7))
BOARD = "Ban Dân tộc tỉnh Lạng Sơn"
PROVINCE = "UBND tỉnh Lạng Sơn"
TEXT = "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\nTờ trình đề nghị khen thưởng năm 2026\n"

# poppler 22.12 pdfsig wording (Debian 12 poppler-utils)
PDFSIG_VALID = "Signature Validation: Signature is Valid."
PDFSIG_TRUSTED = "Certificate Validation: Certificate is Trusted."


def _stamp(who: str, when: str) -> list[str]:
    return [f"Ký bởi: {who}", f"Thời gian: {when}"]


async def _sign(pdf: bytes, who: str, field: str, **kw) -> bytes:
    kw.setdefault("stamp_lines", _stamp(who, "2026-11-20T09:15:00+07:00"))
    return await sign_pdf(
        pdf,
        org_signer(who),
        field_name=field,
        reason="Phê duyệt hồ sơ khen thưởng",
        location="Lạng Sơn",
        **kw,
    )


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _widget_rect(pdf: bytes, field: str) -> tuple[float, ...]:
    r = PdfFileReader(BytesIO(pdf), strict=False)
    for f in r.root["/AcroForm"]["/Fields"]:
        f = f.get_object()
        if f["/T"] == field:
            return tuple(float(v) for v in f["/Rect"])
    raise KeyError(field)


async def test_signed_pdf_verifies_valid_intact_trusted_entire_file():
    pdf = simple_pdf(TEXT)
    when = datetime(2026, 11, 20, 9, 15, tzinfo=ICT)
    signed = await _sign(pdf, BOARD, "BanDanToc", signing_time=when)

    # incremental update: the original bytes are a prefix of the signed file
    assert signed.startswith(pdf)
    [rep] = await verify_pdf(signed, [demo_ca().cert_pem])
    assert rep.field_name == "BanDanToc"
    assert rep.signer == BOARD and rep.organisation == BOARD
    assert (rep.intact, rep.valid, rep.trusted) == (True, True, True)
    assert rep.coverage == "entire_file"
    assert rep.modification_level == "none"
    assert rep.signing_time == when.astimezone(UTC)
    assert rep.summary_vi == "Chữ ký hợp lệ, tin cậy, tài liệu không bị sửa đổi sau khi ký"
    assert rep.reason == "Phê duyệt hồ sơ khen thưởng" and rep.location == "Lạng Sơn"
    assert not rep.certified

    # PAdES baseline: ETSI.CAdES.detached
    r = PdfFileReader(BytesIO(signed), strict=False)
    [emb] = r.embedded_signatures
    assert emb.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert emb.sig_object["/M"].startswith("D:20261120091500+07")


async def test_default_stamp_box_is_bottom_right_of_last_page():
    pdf = simple_pdf(TEXT)
    signed = await _sign(pdf, BOARD, "S")
    x0, y0, x1, y1 = _widget_rect(signed, "S")
    assert (x1 - x0, y1 - y0) == (200, 70)
    media = PdfFileReader(BytesIO(pdf), strict=False).root["/Pages"]["/Kids"][0]["/MediaBox"]
    assert x1 == pytest.approx(float(media[2]) - 36, abs=1) and y0 == pytest.approx(36, abs=1)

    custom = await _sign(pdf, BOARD, "T", box=(50, 600, 250, 670), page=0)
    assert _widget_rect(custom, "T") == (50, 600, 250, 670)


async def test_certify_then_approve_keeps_both_signatures_valid():
    pdf = simple_pdf(TEXT)
    first = await _sign(
        pdf,
        BOARD,
        "BanDanToc",
        certify=True,
        reserve_fields=[SignatureSlot("UBND")],
        signing_time=datetime(2026, 11, 20, 9, 15, tzinfo=ICT),
    )
    second = await _sign(
        first,
        PROVINCE,
        "UBND",
        stamp_lines=_stamp(PROVINCE, "2026-11-21T10:00:00+07:00"),
        signing_time=datetime(2026, 11, 21, 10, 0, tzinfo=ICT),
    )
    assert second.startswith(first)

    r = PdfFileReader(BytesIO(second), strict=False)
    assert r.embedded_signatures[0].docmdp_level == MDPPerm.FILL_FORMS

    reports = await verify_pdf(second, [demo_ca().cert_pem])
    assert [x.field_name for x in reports] == ["BanDanToc", "UBND"]
    cert_sig, approval = reports
    assert cert_sig.certified and not approval.certified
    for rep in reports:
        assert (rep.intact, rep.valid, rep.trusted) == (True, True, True), rep.summary_vi
    assert cert_sig.coverage == "entire_revision"
    assert cert_sig.modification_level == "form_filling"
    assert approval.coverage == "entire_file"
    assert approval.signer == PROVINCE
    # the reserved field kept its own default place (left of the first stamp)
    assert _widget_rect(second, "UBND")[2] < _widget_rect(second, "BanDanToc")[0]


async def test_new_field_after_certification_is_refused():
    certified = await _sign(simple_pdf(TEXT), BOARD, "A", certify=True)
    with pytest.raises(SigningFailed, match="reserved"):
        await _sign(certified, PROVINCE, "B")
    with pytest.raises(SigningFailed, match="already"):
        await _sign(certified, PROVINCE, "A")


async def test_person_signature_and_existing_signatures_stay_valid():
    pdf = await _sign(simple_pdf(TEXT), BOARD, "Org")
    head = person_signer("Hoàng Văn Thụ", BOARD)
    signed = await sign_pdf(
        pdf,
        head,
        field_name="ThuTruong",
        reason="Thủ trưởng đơn vị ký",
        location="Lạng Sơn",
        stamp_lines=["Ký bởi: Hoàng Văn Thụ", "Tỷ lệ hoàn thành: 100%"],
        box=(36, 36, 236, 106),
    )
    reports = await verify_pdf(signed, [demo_ca().cert_pem])
    assert [x.signer for x in reports] == [BOARD, "Hoàng Văn Thụ"]
    assert all(x.valid and x.trusted for x in reports)
    assert reports[0].coverage == "entire_revision"


async def test_stamp_text_with_diacritics_is_in_the_pdf_text(tmp_path):
    lines = _stamp(BOARD, "2026-11-20T09:15:00+07:00")
    signed = await _sign(simple_pdf(TEXT), BOARD, "S", stamp_lines=lines)
    text = _pdftotext(signed, tmp_path)
    for line in lines:
        assert line in text
    assert "Tờ trình đề nghị khen thưởng" in text


async def test_sign_hybrid_xref_pdf():
    signed = await _sign(hybrid_xref_pdf(), BOARD, "S")
    [rep] = await verify_pdf(signed, [demo_ca().cert_pem])
    assert rep.valid and rep.trusted and rep.coverage == "entire_file"


async def test_unreadable_input_raises_signing_failed():
    with pytest.raises(SigningFailed):
        await _sign(b"not a pdf", BOARD, "S")


async def test_key_that_does_not_match_the_certificate_is_refused():
    mixed = SignerMaterial(
        key_pem=org_signer(PROVINCE).key_pem,
        cert_pem=org_signer(BOARD).cert_pem,
        chain_pems=(demo_ca().cert_pem,),
    )
    with pytest.raises(SigningFailed, match="does not match"):
        await sign_pdf(
            simple_pdf(TEXT),
            mixed,
            field_name="S",
            reason="r",
            location="l",
            stamp_lines=["x"],
        )


async def test_pdfsig_accepts_both_signatures(tmp_path):
    first = await _sign(
        simple_pdf(TEXT), BOARD, "BanDanToc", certify=True, reserve_fields=[SignatureSlot("UBND")]
    )
    second = await _sign(first, PROVINCE, "UBND")
    path = tmp_path / "signed.pdf"
    path.write_bytes(second)
    out = pdfsig(path, nss_db(tmp_path / "nss", demo_ca().cert_pem))
    assert out.count("Signature #") == 2
    assert out.count(PDFSIG_VALID) == 2, out
    assert out.count(PDFSIG_TRUSTED) == 2, out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert f"Signer Certificate Common Name: {BOARD}" in out
    assert f"Signer Certificate Common Name: {PROVINCE}" in out
    assert "Total document signed" in out  # the last signature covers the whole file


def _dark_pixels(pdf: bytes, box: tuple[int, int, int, int], tmp_path: Path) -> int:
    """Dark pixels inside ``box`` (pt, first page, border excluded), rendered by poppler."""
    from PIL import Image

    (tmp_path / "p.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile", "p.pdf", "p"],
        cwd=tmp_path,
        check=True,
    )
    page = Image.open(tmp_path / "p.png").convert("L")
    x0, y0, x1, y1 = box
    inner = page.crop((x0 + 4, page.height - y1 + 4, x1 - 4, page.height - y0 - 4))
    return sum(inner.point(lambda v: 1 if v < 128 else 0).histogram()[1:])


async def test_stamp_with_letters_beyond_vietnamese_shows_them(tmp_path):
    # The stamp font is cut down to Latin and Vietnamese letters; letters the font has
    # beyond those (Greek, Cyrillic) are still drawn, not left blank.
    box = (50, 600, 350, 700)
    signed = await _sign(simple_pdf(TEXT), BOARD, "S", stamp_lines=["Ωμέγα Жук"], box=box, page=0)
    assert "Ωμέγα Жук" in _pdftotext(signed, tmp_path)
    assert _dark_pixels(signed, box, tmp_path) > 20


async def test_one_signer_with_a_longer_chain_gets_room_for_it():
    # The room for the signature is sized once per signer: the same certificate with
    # more certificates in its chain is another signer, and its signature still fits.
    short = org_signer(BOARD)
    first = await _sign(simple_pdf(TEXT), BOARD, "S")
    extra = [other_ca().cert_pem] + [create_ca(f"CA {i}", "Khác").cert_pem for i in range(3)]
    longer = SignerMaterial(short.key_pem, short.cert_pem, (*short.chain_pems, *extra))
    signed = await sign_pdf(
        first, longer, field_name="S2", reason="r", location="Lạng Sơn", stamp_lines=["Lần hai"]
    )
    reports = await verify_pdf(signed, [demo_ca().cert_pem])
    assert len(reports) == 2 and all(r.valid and r.intact for r in reports)
