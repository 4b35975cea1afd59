"""The form catalogue agrees with the DOCX files, and the forms follow NĐ 30/2020."""

import dataclasses
import hashlib
import io
import re
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from doc_templates.build_templates import build_bytes
from doc_templates.catalogue import FORMS, LEGAL_BASIS, template_path, template_sha256
from documents.render import render_docx, template_variables
from storage.db import Database
from storage.repositories import documents as documents_repo
from tests.fixtures.forms import sample_context

CODES = sorted(FORMS)


def test_catalogue_has_the_eight_forms_with_their_type_codes():
    assert {code: spec.doc_type_code for code, spec in FORMS.items()} == {
        "bao_cao_thanh_tich": "BC",
        "to_trinh_don_vi": "TTr",
        "to_trinh_cum": "TTr",
        "to_trinh_cum_tong_hop": "TTr",
        "phieu_tham_dinh": "BC",
        "to_trinh_ban": "TTr",
        "to_trinh_dot": "TTr",
        "thong_bao": "TB",
        "bien_ban_hoi_dong": "BB",
        "bien_ban_binh_xet_cum": "BB",
        "quyet_dinh_khen_thuong": "QĐ",
        "ke_hoach_thi_dua_cum": "KH",
        "giao_uoc_thi_dua": "GƯTĐ",
        "bao_cao_so_ket_cum": "BC",
    }
    for code, spec in FORMS.items():
        assert spec.code == code
        # A form may add its own basis (the council's Biên bản: the council's rules).
        assert spec.legal_basis.startswith(LEGAL_BASIS)
        assert "06/2022/QH15" in spec.legal_basis and "152/2025/NĐ-CP" in spec.legal_basis
        assert spec.effective_from == date(2025, 7, 1)
        assert spec.in_force(date(2026, 1, 1)) and not spec.in_force(date(2025, 6, 30))
        assert len({f.name for f in spec.fields}) == len(spec.fields)


@pytest.mark.parametrize("code", CODES)
def test_template_reads_only_declared_fields_and_uses_every_required_one(code):
    spec = FORMS[code]
    used = template_variables(template_path(code))
    assert used <= spec.field_names, f"undeclared: {used - spec.field_names}"
    assert spec.required_fields <= used, (
        f"declared required but unused: {spec.required_fields - used}"
    )


@pytest.mark.parametrize("code", CODES)
def test_the_flow_context_provides_every_declared_field(code):
    assert FORMS[code].field_names <= set(sample_context())


@pytest.mark.parametrize("code", CODES)
def test_committed_form_is_what_the_build_script_makes(code):
    data = template_path(code).read_bytes()
    assert template_sha256(code) == hashlib.sha256(data).hexdigest()
    assert build_bytes(code) == data, "run: uv run python -m doc_templates.build_templates"


def test_a_councils_documents_are_numbered_in_a_series_of_their_own(db: Database):
    # Every form of the route is numbered by its issuing body; a form the Hội đồng Thi
    # đua - Khen thưởng issues says so, and its numbers do not use up the body's.
    assert {spec.series for spec in FORMS.values()} == {"issuer"}
    body_form = FORMS["to_trinh_don_vi"]
    council_form = dataclasses.replace(body_form, series="council")
    body = body_form.number_series("unit:BDT")
    council = council_form.number_series("unit:BDT")
    assert body == "unit:BDT" and council != body
    with db.write() as s:
        taken = [
            (documents_repo.next_number(s, series, "TTr", 2026), series)
            for series in (body, body, council, body, council)
        ]
    assert taken == [(1, body), (2, body), (1, council), (3, body), (2, council)]


@pytest.mark.parametrize("code", CODES)
def test_template_tags_sit_in_text_only_so_word_opens_the_form_for_editing(code):
    # An admin downloads a version, edits it in Word and uploads it: Word refuses a file
    # whose attributes (indents, sizes) hold a template tag instead of a number.
    with zipfile.ZipFile(template_path(code)) as z:
        for name in (n for n in z.namelist() if n.endswith(".xml")):
            xml = z.read(name).decode()
            assert not re.search(r'="[^"]*(\{\{|\{%)', xml), name


def test_unknown_form_code_is_refused():
    with pytest.raises(KeyError, match="unknown form"):
        template_path("quyet_dinh")


@pytest.mark.parametrize("code", CODES)
def test_form_layout_follows_decree_30(code):
    doc = Document(io.BytesIO(render_docx(template_path(code), sample_context())))
    section = doc.sections[0]

    def mm(length) -> float:
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [mm(m) for m in margins] == [20, 20, 30, 15]

    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert fonts.get(qn(slot)) == "Times New Roman"
    assert 13 <= doc.styles["Normal"].font.size.pt <= 14

    # Page numbers from page 2: an empty first-page header, a PAGE field on the others.
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == ""
    instr = "".join(t.text for t in section.header._element.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"

    heading = doc.tables[0]
    left, right = heading.rows[0].cells
    assert [p.text for p in left.paragraphs][:2] == [
        "UBND TỈNH LẠNG SƠN",
        "BAN QUẢN LÝ KHU KINH TẾ CỬA KHẨU ĐỒNG ĐĂNG - LẠNG SƠN",
    ]
    assert left.paragraphs[1].runs[0].bold
    national, motto = right.paragraphs[:2]
    assert national.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and national.runs[0].bold
    assert motto.text == "Độc lập - Tự do - Hạnh phúc"
    assert motto.runs[0].bold and motto.runs[0].underline
    place = heading.rows[1].cells[1].paragraphs[0]
    assert place.text == "Lạng Sơn, ngày 02 tháng 7 năm 2026" and place.runs[0].italic

    # Heading tables are borderless; lists are ruled.
    assert heading._tbl.tblPr.find(qn("w:tblStyle")) is None
