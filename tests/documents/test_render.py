"""Filling the DOCX forms: what the user reads in the rendered document."""

import io
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from markupsafe import Markup

from doc_templates.catalogue import FORMS, template_path, template_sha256
from doc_templates.samples import PLAIN_NAME
from documents.render import RenderError, render_docx, template_variables
from tests.fixtures.forms import TRICKY_ACHIEVEMENT, TRICKY_NAME, docx_paragraphs, sample_context

TAG = re.compile(r"\{\{|\{%|%\}|\}\}|\{#|#\}")


def tiny_template(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xml_parts(docx: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.endswith(".xml")}


@pytest.mark.parametrize("code", sorted(FORMS))
def test_every_form_renders_with_no_template_tag_left(code):
    context = sample_context(tricky=False)
    context["reason"] = "Hồ sơ thiếu biên bản họp Hội đồng Thi đua - Khen thưởng."
    docx = render_docx(template_path(code), context)

    text = "\n".join(docx_paragraphs(docx))
    assert not TAG.search(text), TAG.search(text)
    for name, xml in xml_parts(docx).items():
        assert not TAG.search(xml), f"template tag left in {name}"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BAN QUẢN LÝ KHU KINH TẾ CỬA KHẨU ĐỒNG ĐĂNG - LẠNG SƠN" in text
    assert "Lạng Sơn, ngày 02 tháng 7 năm 2026" in text
    assert "Lương Văn Minh" in text
    # Unnumbered: the reports, and the covenant (its members sign it, nobody numbers it).
    if code not in ("bao_cao_thanh_tich", "phieu_tham_dinh", "giao_uoc_thi_dua"):
        assert "Số: 05/TTr-BQLKKT" in text
    if "recipients" in FORMS[code].required_fields:  # a Biên bản is sent to nobody
        assert "- Lưu: VT, TH." in text
    if code == "thong_bao":
        assert "Lý do: Hồ sơ thiếu biên bản họp Hội đồng Thi đua - Khen thưởng." in text


def test_user_text_with_markup_characters_and_braces_appears_literally():
    context = sample_context()
    paragraphs = docx_paragraphs(render_docx(template_path("to_trinh_don_vi"), context))
    assert TRICKY_NAME in paragraphs
    assert TRICKY_ACHIEVEMENT in paragraphs

    paragraphs = docx_paragraphs(render_docx(template_path("bao_cao_thanh_tich"), context))
    assert f"- Họ và tên: {TRICKY_NAME}." in paragraphs
    assert TRICKY_ACHIEVEMENT in paragraphs


def test_danh_sach_lists_every_nominee_with_a_repeating_header_row():
    context = sample_context(tricky=False)
    doc = Document(io.BytesIO(render_docx(template_path("to_trinh_ban"), context)))
    by_header = {t.rows[0].cells[1].text: t for t in doc.tables if len(t.columns) >= 3}

    people = by_header["Họ và tên"]
    assert len(people.rows) == 1 + 40
    assert [r.cells[1].text for r in people.rows[1:]] == [p["name"] for p in context["individuals"]]
    assert people.rows[1].cells[3].text == context["individuals"][0]["unit_name"]
    assert people.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    groups = by_header["Tên tập thể"]
    assert [r.cells[0].text for r in groups.rows[1:]] == ["1", "2", "3"]
    assert groups.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    text = "\n".join(docx_paragraphs(render_docx(template_path("to_trinh_ban"), context)))
    assert "cho 03 tập thể và 40 cá nhân" in text
    # No-break spaces keep the number with "số" and the date (documents/fields.py).
    assert "(Kèm theo Tờ trình số 05/TTr-BQLKKT ngày 02 tháng 7 năm 2026)" in text.replace(
        "\u00a0", " "
    )


def test_without_collectives_the_individuals_become_section_one():
    context = sample_context(tricky=False)
    context["collectives"] = []
    context["counts"]["collectives"] = 0
    paragraphs = docx_paragraphs(render_docx(template_path("to_trinh_don_vi"), context))
    assert "I. CÁ NHÂN (40 cá nhân)" in paragraphs
    assert not any(p.startswith("I. TẬP THỂ") for p in paragraphs)


@pytest.mark.parametrize("code", ["to_trinh_don_vi", "to_trinh_cum", "to_trinh_ban"])
def test_a_kind_nobody_is_proposed_for_is_not_counted(code):
    context = sample_context(tricky=False)
    context["collectives"] = []
    context["counts"]["collectives"] = 0
    text = " ".join(docx_paragraphs(render_docx(template_path(code), context)))
    assert "40 cá nhân" in text
    assert "tập thể và" not in text and "00 " not in text
    context = sample_context(tricky=False)
    context["individuals"] = []
    context["counts"]["individuals"] = 0
    text = " ".join(docx_paragraphs(render_docx(template_path(code), context)))
    assert re.search(r"\d\d tập thể", text) and "và 00" not in text and "00 cá nhân" not in text


def test_achievement_report_wording_follows_the_nominee_kind():
    context = sample_context(tricky=False)
    individual = docx_paragraphs(render_docx(template_path("bao_cao_thanh_tich"), context))
    assert "I. SƠ LƯỢC LÝ LỊCH" in individual
    assert "NGƯỜI BÁO CÁO THÀNH TÍCH" in individual

    context["nominee"] = {
        "kind": "collective",
        "kind_label": "Tập thể",
        "name": "Trung tâm Quản lý cửa khẩu Hữu Nghị",
        "position": "",
        "unit_name": "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn",
        "achievements": "Bảo đảm thông quan hàng hóa thông suốt.",
    }
    collective = docx_paragraphs(render_docx(template_path("bao_cao_thanh_tich"), context))
    assert "I. ĐẶC ĐIỂM, TÌNH HÌNH" in collective
    assert "Tên tập thể: Trung tâm Quản lý cửa khẩu Hữu Nghị" in collective
    assert "NGƯỜI BÁO CÁO THÀNH TÍCH" not in collective
    assert "I. SƠ LƯỢC LÝ LỊCH" not in collective


def test_achievement_report_signature_blocks_follow_the_decree_appendix():
    # Nghị định 152/2025: an individual's report is confirmed and proposed by the unit
    # head (signed, sealed) and signed by the person with their name; a collective's by
    # its head.
    context = sample_context(tricky=False)
    doc = Document(io.BytesIO(render_docx(template_path("bao_cao_thanh_tich"), context)))
    left, right = signature_columns(doc)
    assert left == ["THỦ TRƯỞNG ĐƠN VỊ XÁC NHẬN, ĐỀ NGHỊ", "(Ký, đóng dấu)", "Lương Văn Minh"]
    assert right == ["NGƯỜI BÁO CÁO THÀNH TÍCH", "(Ký, ghi rõ họ và tên)", PLAIN_NAME]

    context["nominee"] = {**context["nominee"], "kind": "collective", "name": "Văn phòng Ban"}
    doc = Document(io.BytesIO(render_docx(template_path("bao_cao_thanh_tich"), context)))
    left, right = signature_columns(doc)
    assert left == []
    assert right == ["THỦ TRƯỞNG ĐƠN VỊ", "(Ký, đóng dấu)", "Lương Văn Minh"]


def signature_columns(doc) -> tuple[list[str], list[str]]:
    """The non-empty lines of the last table's left and right column, top to bottom."""
    rows = doc.tables[-1].rows
    return tuple(  # type: ignore[return-value]
        [p.text for r in rows for p in r.cells[i].paragraphs if p.text.strip()] for i in (0, 1)
    )


def test_board_submission_names_whom_the_appraisal_proposed_for_another_form():
    context = sample_context(tricky=True)
    context["other_forms"] = [
        {"name": TRICKY_NAME, "award": "Giấy khen của Giám đốc Sở"},
        {"name": "Hoàng Văn Sơn", "award": "Chiến sĩ thi đua cấp tỉnh"},
    ]
    text = "\n".join(docx_paragraphs(render_docx(template_path("to_trinh_ban"), context)))
    assert (
        f"xem xét hình thức khen thưởng khác: {TRICKY_NAME} (Giấy khen của Giám đốc Sở); "
        "Hoàng Văn Sơn (Chiến sĩ thi đua cấp tỉnh)." in text
    )
    context["other_forms"] = []
    text = "\n".join(docx_paragraphs(render_docx(template_path("to_trinh_ban"), context)))
    assert "hình thức khen thưởng khác" not in text


def test_heading_without_parent_body_or_marker_leaves_no_empty_line():
    context = sample_context(tricky=False)
    context["issuer"] = {"parent_name": "", "name": "Sở Nội vụ tỉnh Lạng Sơn", "code": "SNV"}
    context["signer"] = {"marker": "", "position": "Giám đốc", "full_name": "Hà Thu Trang"}
    doc = Document(io.BytesIO(render_docx(template_path("thong_bao"), context)))
    issuer_cell = doc.tables[0].rows[0].cells[0]
    assert issuer_cell.paragraphs[0].text == "SỞ NỘI VỤ TỈNH LẠNG SƠN"
    signer_cell = doc.tables[-1].rows[0].cells[1]
    assert signer_cell.paragraphs[0].text == "GIÁM ĐỐC"


def test_missing_required_value_is_a_render_error_naming_it():
    context = sample_context()
    del context["signer"]
    with pytest.raises(RenderError) as caught:
        render_docx(template_path("to_trinh_don_vi"), context)
    assert caught.value.variable == "signer"
    assert "signer" in str(caught.value)


def test_missing_nested_value_is_a_render_error_naming_it():
    context = sample_context()
    del context["signer"]["full_name"]
    with pytest.raises(RenderError) as caught:
        render_docx(template_path("thong_bao"), context)
    assert caught.value.variable == "full_name"


def test_a_tag_the_template_prints_literally_is_refused():
    template = tiny_template("Số: {{ number }}", "{{ '{{' }} lộ thẻ")
    with pytest.raises(RenderError, match="template tag"):
        render_docx(template, {"number": "01/TB-SNV"})


def test_template_cannot_reach_python_internals():
    template = tiny_template("{{ number.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(RenderError):
        render_docx(template, {"number": "01"})


def test_control_characters_and_markup_in_user_text_stay_plain_text():
    template = tiny_template("Tên: {{ name }}", "Ghi chú: {{ note }}", "Nội dung: {{ body }}")
    context = {
        "name": "Lê\x0b Văn\x07 Bình\x00",
        "note": Markup('</w:t></w:r></w:p><w:p><w:r><w:t>chèn"'),
        "body": "Dòng một\r\nDòng hai",
    }
    paragraphs = docx_paragraphs(render_docx(template, context))
    assert paragraphs == [
        "Tên: Lê Văn Bình",
        'Ghi chú: </w:t></w:r></w:p><w:p><w:r><w:t>chèn"',
        "Nội dung: Dòng một\nDòng hai",
    ]


def test_template_variables_are_the_top_level_names():
    template = tiny_template(
        "{{ issuer.name }} {{ year }}",
        "{% for item in individuals %}{{ item.name }}{% endfor %}",
    )
    assert template_variables(template) == {"issuer", "year", "individuals"}


def test_rendering_does_not_touch_the_template_file():
    before = template_sha256("bao_cao_thanh_tich")
    path = template_path("bao_cao_thanh_tich")
    first = render_docx(path, sample_context())
    second = render_docx(path.read_bytes(), sample_context(tricky=False))
    assert template_sha256("bao_cao_thanh_tich") == before
    assert TRICKY_NAME in "\n".join(docx_paragraphs(first))
    assert TRICKY_NAME not in "\n".join(docx_paragraphs(second))


def test_a_file_that_is_not_a_docx_is_a_render_error():
    with pytest.raises(RenderError):
        render_docx(b"not a zip", {})


def test_the_same_form_filled_twice_shows_each_dossiers_own_values():
    # Compiled forms are kept between renders: nothing of one render may stay in it.
    template = tiny_template("Kính gửi: {{ to }}", "{% for n in names %}{{ n }}; {% endfor %}")
    first = docx_paragraphs(render_docx(template, {"to": "Sở Nội vụ", "names": ["An", "Bình"]}))
    second = docx_paragraphs(render_docx(template, {"to": "UBND tỉnh", "names": ["Chi"]}))
    assert first[:2] == ["Kính gửi: Sở Nội vụ", "An; Bình; "]
    assert second[:2] == ["Kính gửi: UBND tỉnh", "Chi; "]
    with pytest.raises(RenderError) as missing:
        render_docx(template, {"names": []})
    assert missing.value.variable == "to"
