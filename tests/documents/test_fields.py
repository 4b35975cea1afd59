"""The number and the date of a form, filled in after the approver's signature: every
place the form prints them gets them, a reader copies them without the dots that marked
their place, a long number keeps to its column, and the signatures around them stay
valid to pyHanko and to poppler's pdfsig.

Real LibreOffice PDFs of the shipped forms (and of an admin's form that prints the
number more often), real signatures under the test CA.
"""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from doc_templates.catalogue import FORMS, template_path
from doc_templates.samples import sample_context
from doc_templates.validation import template_problems
from documents import fields
from documents.appearance import seal_image, signature_image
from documents.pdf import PdfConverter
from documents.render import render_docx
from documents.sign import sign_pdf
from documents.verify import verify_pdf
from documents.vn import document_number
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.pki import demo_ca, org_signer, person_signer, simple_pdf

CLUSTER = "CUM1-QLCN"  # the longest issuer code of the demo: Cụm I – Quản lý chuyên ngành
SIGNER = "Lương Văn Minh"
UNIT = "Ban Dân tộc tỉnh Lạng Sơn"
DATE = {fields.DAY_FIELD: "03", fields.MONTH_FIELD: "12", fields.YEAR_FIELD: "2026"}
DATE_TEXT = "ngày 03 tháng 12 năm 2026"
HEAD_SPLIT = (30 + 68) * 72 / 25.4  # pt: the heading's issuing body | Quốc hiệu columns
ADMIN_LINES = ("Số: {{ number }}", "Văn bản này thay Thông báo số {{ number }} {{ date_text }}.")


def numbered(code: str) -> bool:
    return "number" in FORMS[code].required_fields


def expected_number(code: str, n: int = 1) -> str:
    return document_number(n, FORMS[code].doc_type_code, CLUSTER)


def prepared_context(code: str) -> dict:
    """The context as the flow fills it before the signature (issuing/forms.py)."""
    ctx = sample_context(tricky=False, form=code)
    ctx["individuals"] = ctx["individuals"][:3]
    ctx["counts"]["individuals"] = 3
    ctx["issuer"]["code"] = CLUSTER
    ctx["number"] = fields.number_placeholder(expected_number(code)) if numbered(code) else ""
    ctx["date_text"] = fields.date_placeholder()
    ctx["signer"]["full_name"] = SIGNER
    return ctx


def admin_template() -> bytes:
    """The shipped Thông báo with the number printed twice more, as an admin might."""
    doc = Document(str(template_path("thong_bao")))
    for text in ADMIN_LINES:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    """Every shipped form, and the admin's, filled as the flow prepares them (DOCX)."""
    sources = {code: template_path(code).read_bytes() for code in sorted(FORMS)}
    sources["admin"] = admin_template()
    return {
        code: render_docx(data, prepared_context(code if code in FORMS else "thong_bao"))
        for code, data in sources.items()
    }


@pytest.fixture(scope="module")
async def converted(tmp_path_factory, rendered) -> dict[str, bytes]:
    """Every shipped form, and the admin's, converted once as the flow prepares them."""
    converter = PdfConverter(tmp_path_factory.mktemp("fields") / "profiles", workers=2)
    try:
        pdfs = await asyncio.gather(*(converter.convert(docx) for docx in rendered.values()))
    finally:
        converter.close()
    return dict(zip(rendered, pdfs, strict=True))


def prepare(pdf: bytes) -> tuple[fields.Layout, bytes]:
    layout = fields.locate(pdf, SIGNER)
    return layout, fields.add_fields(pdf, layout, personal=True)


def text_of(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    """What pdftotext extracts (what a reader copies), whitespace made single spaces."""
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


@pytest.mark.parametrize("code", sorted(FORMS))
def test_every_place_that_prints_the_number_and_date_gets_them(converted, code, tmp_path):
    layout, prepared = prepare(converted[code])
    # A Tờ trình's annex and a Quyết định's quote them too.
    places = 2 if code.startswith("to_trinh") or code == "quyet_dinh_khen_thuong" else 1
    assert len(layout.text_fields.get(fields.NUMBER_FIELD, [])) == (places if numbered(code) else 0)
    for part in (fields.DAY_FIELD, fields.MONTH_FIELD, fields.YEAR_FIELD):
        assert len(layout.text_fields[part]) == places

    # Before issuing, the approver sees where the number and the date will go.
    before = text_of(prepared, tmp_path)
    assert re.search(r"ngày \.{4} tháng \.{4} năm \.{8}", before), before[:400]
    if numbered(code):
        assert re.search(r"Số: \.{20,}", before), before[:400]

    number = expected_number(code, 7)
    values = {**DATE, fields.NUMBER_FIELD: number if numbered(code) else ""}
    issued = fields.fill_fields(prepared, values)
    page_one = text_of(issued, tmp_path, 1)
    assert f"Lạng Sơn, {DATE_TEXT}" in page_one
    if numbered(code):
        assert f"Số: {number} " in page_one
    if code.startswith("to_trinh"):
        assert f"(Kèm theo Tờ trình số {number} {DATE_TEXT})" in text_of(issued, tmp_path, 2)
    whole = text_of(issued, tmp_path)
    assert "....." not in whole and "\u00a0" not in whole
    assert fields.field_values(issued) == (values if numbered(code) else DATE)


def word_boxes(pdf: bytes) -> list[fields.Word]:
    return fields.words(pdf)[0]


def overlaps(a: fields.Word, b: fields.Word) -> bool:
    return a.page == b.page and a.x1 < b.x2 and b.x1 < a.x2 and a.y1 < b.y2 and b.y1 < a.y2


@pytest.mark.parametrize("n", [1, 123, 12345])
def test_a_long_number_keeps_to_its_column_and_off_the_date(converted, n):
    # The cluster's code is the longest; 123 has a digit more than the room was sized
    # for, 12345 three more: the number widens to its column's edge, then shrinks.
    number = expected_number("to_trinh_cum", n)
    _, prepared = prepare(converted["to_trinh_cum"])
    ws = word_boxes(fields.fill_fields(prepared, {**DATE, fields.NUMBER_FIELD: number}))
    shown = [w for w in ws if w.text == number]
    assert [w.page for w in shown] == [0, 1]
    heading, annex = shown
    assert heading.x2 <= HEAD_SPLIT  # never into the column of the place and date
    line = [w for w in ws if w.page == 0 and fields._same_line(w, heading) and w is not heading]
    assert [w.text for w in line][:4] == ["Số:", "Lạng", "Sơn,", "ngày"]
    date_line = line[1:]
    assert not any(overlaps(heading, w) for w in date_line)
    neighbours = [w for w in ws if w.page == 1 and fields._same_line(w, annex) and w is not annex]
    assert "số" in [w.text for w in neighbours] and "ngày" in [w.text for w in neighbours]
    assert not any(overlaps(annex, w) for w in neighbours)


@pytest.mark.parametrize("vietnamese", [False, True], ids=["latin", "vietnamese"])
async def test_filling_after_the_certifying_signature_keeps_every_signature_valid(
    converted, tmp_path, vietnamese
):
    # Each value shows in two places of the Tờ trình: a field with two widgets, filled
    # after the approver's certifying signature, then sealed. A ký hiệu with letters the
    # standard fonts lack («CỤM») is drawn with the embedded font and copies as typed.
    _, prepared = prepare(converted["to_trinh_cum"])
    approver = person_signer(SIGNER, UNIT)
    personal = await sign_pdf(
        prepared,
        approver,
        field_name=fields.PERSON_FIELD,
        reason="Duyệt",
        location="Lạng Sơn",
        stamp_lines=[f"Ký bởi: {SIGNER}"],
        certify=True,
        background=signature_image(SIGNER),
    )
    number = expected_number("to_trinh_cum")  # «01/TTr-CUM1-QLCN»
    if vietnamese:  # as wide, so that it sits in its room as the Latin one does
        number = number.replace("CUM", "CỤM")
    filled = fields.fill_fields(personal, {**DATE, fields.NUMBER_FIELD: number})
    seal = org_signer(UNIT)
    issued = await sign_pdf(
        filled,
        seal,
        field_name=fields.SEAL_FIELD,
        reason="Phát hành",
        location="Lạng Sơn",
        stamp_lines=[],
        background=seal_image(UNIT),
    )
    reports = await verify_pdf(issued, [demo_ca().cert_pem])
    assert [(r.intact, r.valid, r.trusted) for r in reports] == [(True, True, True)] * 2
    assert reports[0].certified and reports[0].modification_level == "form_filling"
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    report = pdfsig(path, nss_db(tmp_path / "nss", demo_ca().cert_pem))
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert f"(Kèm theo Tờ trình số {number} {DATE_TEXT})" in text_of(issued, tmp_path, 2)
    assert f"Số: {number} " in text_of(issued, tmp_path, 1)


def test_an_admin_form_that_prints_the_number_more_often_is_accepted_and_filled(
    converted, tmp_path
):
    assert template_problems(FORMS["thong_bao"], admin_template()) == []
    layout, prepared = prepare(converted["admin"])
    assert len(layout.text_fields[fields.NUMBER_FIELD]) == 3
    assert len(layout.text_fields[fields.DAY_FIELD]) == 2
    number = expected_number("thong_bao", 4)
    whole = text_of(fields.fill_fields(prepared, {**DATE, fields.NUMBER_FIELD: number}), tmp_path)
    assert whole.count(f"Số: {number}") == 2
    assert f"Văn bản này thay Thông báo số {number} {DATE_TEXT}." in whole
    assert "....." not in whole


def decision_of(awardees: int, *, signer_listed: bool) -> dict:
    """A Quyết định listing `awardees` individuals (one of them, if `signer_listed`, named
    as the signer is)."""
    ctx = prepared_context("quyet_dinh_khen_thuong")
    people = [
        {"index": i + 1, "name": f"Nguyễn Văn Thành {i + 1}", "position": "Chuyên viên"}
        | {"unit_name": UNIT}
        for i in range(awardees)
    ]
    if signer_listed:
        people[-100]["name"] = SIGNER
    ctx["groups"] = [
        {
            "numeral": "I",
            "award_name": "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
            "counts": {"collectives": 0, "individuals": awardees},
            "collective_heading": "",
            "collectives": [],
            "individual_heading": "1",
            "individuals": people,
        }
    ]
    return ctx


def layout_places(layout: fields.Layout) -> tuple[object, ...]:
    return layout.text_fields, layout.person_box, layout.seal_box, layout.other_persons


async def test_fields_laid_from_the_pages_the_docx_points_to_are_those_of_the_whole_pdf(
    converted, rendered, tmp_path
):
    # Every shipped form (and the admin's) gets the same fields either way.
    for code, docx in rendered.items():
        whole = fields.locate(converted[code], SIGNER)
        led = fields.locate(converted[code], SIGNER, docx=docx)
        assert layout_places(led) == layout_places(whole), code
    # A decision of 500: its heading, signature block and annex heading are on its first
    # pages, and only those are read; the same fields as from all its pages.
    template = template_path("quyet_dinh_khen_thuong").read_bytes()
    converter = PdfConverter(tmp_path / "profiles", workers=1)
    try:
        plain, listed = [
            (docx, await converter.convert(docx))
            for docx in (
                render_docx(template, decision_of(500, signer_listed=flag))
                for flag in (False, True)
            )
        ]
    finally:
        converter.close()
    docx, pdf = plain
    whole, led = fields.locate(pdf, SIGNER), fields.locate(pdf, SIGNER, docx=docx)
    assert layout_places(led) == layout_places(whole)
    assert len(whole.page_heights) > 15 and len(led.page_heights) == fields.FIRST_PAGES
    assert len(led.text_fields[fields.NUMBER_FIELD]) == len(led.text_fields[fields.DAY_FIELD]) == 2
    assert led.person_box is not None and led.person_box[0] < fields.FIRST_PAGES
    # An awardee named as the signer is: the DOCX prints the name twice, so every page is
    # read, as before.
    docx, pdf = listed
    whole, led = fields.locate(pdf, SIGNER), fields.locate(pdf, SIGNER, docx=docx)
    assert layout_places(led) == layout_places(whole)
    assert len(led.page_heights) == len(whole.page_heights)
    # The signature and the seal stay in the signature block on the first pages, not over
    # the awardee's row in the list.
    assert led.person_box == fields.locate(plain[1], SIGNER).person_box
    assert led.seal_box is not None and led.seal_box[0] < fields.FIRST_PAGES


def test_a_form_prepared_over_printed_dots_is_filled_over_them(tmp_path):
    # Forms prepared before the forms left blank room carry dots in their text and one
    # field that is its own widget over them: the value covers the dots.
    pdf = simple_pdf("Số: .....................\n")
    ws, heights = fields.words(pdf)
    dots = next(w for w in ws if w.text.startswith("....."))  # the old field's place
    height, y1, y2 = heights[0], dots.y1, dots.y2
    w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    font = w.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Times-Roman"),
            }
        )
    )
    page_ref = w.find_page_for_modification(0)[0]
    field = w.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
                generic.NameObject("/FT"): generic.NameObject("/Tx"),
                generic.NameObject("/T"): generic.TextStringObject(fields.NUMBER_FIELD),
                generic.NameObject("/V"): generic.TextStringObject(""),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (dots.x1, height - y2, dots.x2, height - y1)]
                ),
                generic.NameObject("/P"): page_ref,
                generic.NameObject("/DA"): generic.TextStringObject("/TiRo 13 Tf 0 g"),
            }
        )
    )
    page_ref.get_object()[generic.NameObject("/Annots")] = generic.ArrayObject([field])
    w.mark_update(page_ref)
    w.root[generic.NameObject("/AcroForm")] = generic.DictionaryObject(
        {
            generic.NameObject("/Fields"): generic.ArrayObject([field]),
            generic.NameObject("/DR"): generic.DictionaryObject(
                {
                    generic.NameObject("/Font"): generic.DictionaryObject(
                        {generic.NameObject("/TiRo"): font}
                    )
                }
            ),
        }
    )
    w.update_root()
    out = io.BytesIO()
    w.write(out)

    filled = fields.fill_fields(out.getvalue(), {fields.NUMBER_FIELD: "05/TTr-BDT"})
    assert fields.field_values(filled) == {fields.NUMBER_FIELD: "05/TTr-BDT"}
    shown = PdfFileReader(io.BytesIO(filled)).root["/AcroForm"]["/Fields"][0]["/AP"]["/N"]
    assert shown.data.startswith(b"/Tx BMC q 1 1 1 rg ")  # a white ground over the dots
    assert "05/TTr-BDT" in text_of(filled, tmp_path)
