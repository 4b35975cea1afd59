"""Generate the DOCX forms in ``doc_templates/forms/`` (docxtpl/Jinja tags inside).

Run ``uv run python -m doc_templates.build_templates`` after changing a form here; the
generated files are committed, and the catalogue records their SHA-256. The output is
byte-for-byte reproducible (fixed dates inside the package), so an unchanged form keeps
its hash.

Layout follows Nghị định 30/2020/NĐ-CP, Phụ lục I: A4, margins 20/20/30/15 mm, Times New
Roman (LibreOffice substitutes the metric-compatible Liberation Serif), a two-column
heading (issuing body | Quốc hiệu and Tiêu ngữ), document type and subject centred,
căn cứ lines in italics, the signature block on the right and "Nơi nhận" on the left,
page numbers centred at the top from page 2.

Every Jinja tag is written into a single run so that docxtpl sees it whole.
``{%p … %}`` / ``{%tr … %}`` tags stand alone in their paragraph / table row, which
docxtpl removes when rendering.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FORMS_DIR = Path(__file__).resolve().parent / "forms"
FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
TEXT_WIDTH_MM = 165  # 210 mm − 30 mm left − 15 mm right
# Fixed timestamps keep the generated files reproducible.
FIXED_TIME = datetime(2025, 7, 1, 0, 0, 0)
ZIP_TIME = (2025, 7, 1, 0, 0, 0)

Container = DocumentObject | _Cell

CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
LEFT = WD_ALIGN_PARAGRAPH.LEFT


@dataclass(frozen=True)
class R:
    """A run: text with its own formatting (None = inherit the paragraph's)."""

    text: str
    bold: bool | None = None
    italic: bool | None = None
    underline: bool | None = None
    size: float | None = None


RunLike = str | R


# ---------------------------------------------------------------------------
# low-level helpers


def para(
    container: Container,
    *runs: RunLike,
    align: int | None = None,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    indent: float | None = None,
    before: float = 0,
    after: float = 0,
    keep_next: bool = False,
    page_break_before: bool = False,
) -> Paragraph:
    p = container.add_paragraph()
    pf = p.paragraph_format
    if page_break_before:
        pf.page_break_before = True
    if keep_next:
        pf.keep_with_next = True
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if indent is not None:
        pf.first_line_indent = Mm(indent)
    if align is not None:
        p.alignment = align
    for item in runs:
        run_spec = item if isinstance(item, R) else R(item)
        run = p.add_run(run_spec.text)
        run.font.size = Pt(run_spec.size or size)
        run.bold = bold if run_spec.bold is None else run_spec.bold
        run.italic = italic if run_spec.italic is None else run_spec.italic
        if run_spec.underline:
            run.underline = True
    _mark_size(p, size)
    return p


def tag(container: Container, jinja: str) -> Paragraph:
    """A paragraph holding only a ``{%p … %}`` tag (removed by docxtpl when rendering)."""
    return para(container, jinja, size=2)


def body(container: Container, *runs: RunLike, **kw) -> Paragraph:
    """A justified content paragraph with the first line indented 10 mm."""
    kw.setdefault("align", JUSTIFY)
    kw.setdefault("indent", 10)
    kw.setdefault("after", 6)
    return para(container, *runs, **kw)


TWIPS_PER_MM = 1440 / 25.4
RULE_RATIO = 0.4  # NĐ 30/2020: the rule is 1/3 to 1/2 as long as the line above it


def fitted_rule(
    container: Container, length_expr: str, mm_per_char: float, column_mm: float
) -> Paragraph:
    """A centred rule about 0.4 times as long as the line it underlines (the body name,
    the trích yếu), as NĐ 30/2020 asks (1/3 to 1/2 of the line).

    The line's width is only known once the text is filled in, so the rule is a run of
    underlined no-break spaces whose count is a Jinja expression: the text's length in
    characters times the average width of a character in that font and size, capped at
    the column width (a longer text wraps). Text keeps the file a valid DOCX that Word
    opens for an admin to edit (a computed indent or border width would not). A word
    joiner ends the run: spaces at the end of a line are not underlined (Word's rule,
    which LibreOffice follows in table cells), and the joiner makes them not the end.
    """
    column = round(column_mm * TWIPS_PER_MM)
    per_char = round(mm_per_char * TWIPS_PER_MM)
    percent = round(RULE_RATIO * 100)
    width = f"[{length_expr} * {per_char}, {column}] | min"
    count = f"({width}) * {percent} // 100 // {RULE_SPACE_TWIPS}"
    p = para(
        container,
        R(f"{{{{ '{NBSP}' * ({count}) }}}}{WORD_JOINER}", underline=True, size=RULE_PT),
        align=CENTER,
        size=RULE_PT,
    )
    pf = p.paragraph_format
    pf.line_spacing = Pt(RULE_LINE_PT)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    return p


NBSP = "\u00a0"
WORD_JOINER = "\u2060"  # zero width, no break, prints nothing
RULE_PT = 10
RULE_SPACE_TWIPS = RULE_PT * 20 // 4  # a no-break space is a quarter of an em wide
RULE_LINE_PT = 7  # puts the rule about 2 mm under the descenders of the line above


def _mark_size(p: Paragraph, size: float) -> None:
    """Size of the paragraph mark, which sets the height of an empty paragraph."""
    ppr = p._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    for name in ("w:sz", "w:szCs"):
        el = OxmlElement(name)
        el.set(qn("w:val"), str(int(size * 2)))
        rpr.append(el)
    ppr.append(rpr)


def _on(parent, name: str) -> None:
    el = OxmlElement(name)
    parent.append(el)


def table(container: Container, widths_mm: Iterable[float], *, grid: bool) -> Table:
    widths = list(widths_mm)
    t = container.add_table(rows=0, cols=len(widths))
    if grid:
        t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    tbl_pr = t._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(sum(widths) * 1440 / 25.4)))
    for column, width in zip(t.columns, widths, strict=True):
        column.width = Mm(width)
    return t


def row(t: Table, *, header: bool = False, cant_split: bool = False):
    r = t.add_row()
    tr_pr = r._tr.get_or_add_trPr()
    # Schema order inside w:trPr: cantSplit comes before tblHeader.
    if cant_split or header:
        _on(tr_pr, "w:cantSplit")
    if header:
        _on(tr_pr, "w:tblHeader")
    for cell, column in zip(r.cells, t.columns, strict=True):
        cell.width = column.width
    return r


def fill(cell: _Cell, build: Callable[[_Cell], object]) -> None:
    """Fill a cell, then drop the empty paragraph python-docx put in it."""
    build(cell)
    first = cell.paragraphs[0]
    if len(cell.paragraphs) > 1 and not first.text:
        first._p.getparent().remove(first._p)


def cell_text(
    cell: _Cell, text: str, *, bold: bool = False, align: int | None = LEFT, size: float = TABLE_PT
) -> None:
    fill(cell, lambda c: para(c, text, bold=bold, align=align, size=size, before=2, after=2))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER if bold else None


def loop_row(t: Table, jinja: str) -> None:
    """A table row holding a ``{%tr … %}`` tag (removed by docxtpl when rendering)."""
    r = row(t)
    fill(r.cells[0], lambda c: tag(c, jinja))


# ---------------------------------------------------------------------------
# document skeleton


def new_document(title: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    _set_fonts(doc)
    _page_numbers(doc)
    props = doc.core_properties
    props.title = title
    props.author = "tdkt"
    props.last_modified_by = "tdkt"
    props.language = "vi-VN"
    props.subject = ""
    props.comments = ""
    props.keywords = ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return doc


def _rfonts() -> BaseOxmlElement:
    fonts = OxmlElement("w:rFonts")
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), FONT)
    return fonts


def _set_fonts(doc: DocumentObject) -> None:
    """Times New Roman everywhere: defaults, Normal, all four script slots."""
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    old = rpr_default.find(qn("w:rFonts"))
    rpr_default.replace(old, _rfonts())
    for name in ("w:sz", "w:szCs"):
        rpr_default.find(qn(name)).set(qn("w:val"), str(BODY_PT * 2))
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    normal.paragraph_format.widow_control = True


def _page_numbers(doc: DocumentObject) -> None:
    """PAGE field centred at the top, from page 2 on (page 1 has an empty header)."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].text = ""
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = CENTER

    def run_with(child: BaseOxmlElement) -> None:
        run = p.add_run()
        run.font.size = Pt(BODY_PT)
        run._r.append(child)

    def fld_char(kind: str) -> BaseOxmlElement:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run_with(fld_char("begin"))
    run_with(instr)
    run_with(fld_char("separate"))
    shown = p.add_run("2")
    shown.font.size = Pt(BODY_PT)
    run_with(fld_char("end"))


# ---------------------------------------------------------------------------
# the parts every form shares

HEAD_LEFT_MM = 68
HEAD_RIGHT_MM = TEXT_WIDTH_MM - HEAD_LEFT_MM
# Average width of a character, measured on LibreOffice's PDFs of the sample dossier:
# issuing body in capitals, bold 12.5 pt; trích yếu in sentence case, bold 14 pt.
ISSUER_MM_PER_CHAR = 2.65
SUBJECT_MM_PER_CHAR = 2.2


def heading(doc: DocumentObject, *, with_number: bool = True) -> None:
    """Issuing body | Quốc hiệu, Tiêu ngữ; then Số | place and date."""
    t = table(doc, (HEAD_LEFT_MM, HEAD_RIGHT_MM), grid=False)
    top = row(t)

    def issuer(c: _Cell) -> None:
        tag(c, "{%p if issuer.parent_name %}")
        para(c, "{{ issuer.parent_name | upper }}", align=CENTER, size=12.5)
        tag(c, "{%p endif %}")
        para(c, "{{ issuer.name | upper }}", align=CENTER, size=12.5, bold=True)
        fitted_rule(c, "issuer.name | length", ISSUER_MM_PER_CHAR, HEAD_LEFT_MM - 4)

    def nation(c: _Cell) -> None:
        para(c, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align=CENTER, size=12.5, bold=True)
        para(
            c, R("Độc lập - Tự do - Hạnh phúc", underline=True), align=CENTER, size=13.5, bold=True
        )

    fill(top.cells[0], issuer)
    fill(top.cells[1], nation)

    bottom = row(t)
    if with_number:
        fill(
            bottom.cells[0], lambda c: para(c, "Số: {{ number }}", align=CENTER, size=13, before=6)
        )
    fill(
        bottom.cells[1],
        lambda c: para(
            c, "{{ place }}, {{ date_text }}", align=CENTER, size=14, italic=True, before=6
        ),
    )


def title(
    doc: DocumentObject, doc_type: str, subject: str, subject_length: str = "subject | length"
) -> None:
    """Document type and trích yếu, bold and centred, the rule below them.

    ``subject_length`` is the Jinja expression for the trích yếu's length in characters.
    """
    para(doc, doc_type, align=CENTER, bold=True, before=18, keep_next=True)
    para(doc, subject, align=CENTER, bold=True, keep_next=True)
    fitted_rule(doc, subject_length, SUBJECT_MM_PER_CHAR, TEXT_WIDTH_MM)


def kinh_gui(doc: DocumentObject) -> None:
    para(doc, "Kính gửi: {{ recipient }}", align=CENTER, before=12, after=12)


def legal_bases(doc: DocumentObject) -> None:
    tag(doc, "{%p for basis in legal_bases %}")
    body(doc, "{{ basis }}", italic=True)
    tag(doc, "{%p endfor %}")


def counts_phrase() -> str:
    """ "02 tập thể và 05 cá nhân"; a kind nobody is proposed for is not named ("05 cá
    nhân", never "00 tập thể và 05 cá nhân")."""
    return (
        "{% if counts.collectives %}{{ '%02d' | format(counts.collectives) }} tập thể"
        "{% endif %}{% if counts.collectives and counts.individuals %} và {% endif %}"
        "{% if counts.individuals %}{{ '%02d' | format(counts.individuals) }} cá nhân"
        "{% endif %}"
    )


def signer_block(c: _Cell, *, heading_text: str | None = None) -> None:
    if heading_text:
        para(c, heading_text, align=CENTER, bold=True)
    tag(c, "{%p if signer.marker %}")
    para(c, "{{ signer.marker | upper }}", align=CENTER, bold=True)
    tag(c, "{%p endif %}")
    para(c, "{{ signer.position | upper }}", align=CENTER, bold=True)
    for _ in range(4):  # room for the signature and seal images
        para(c, "", align=CENTER)
    para(c, "{{ signer.full_name }}", align=CENTER, bold=True)


def recipients_block(c: _Cell) -> None:
    para(c, "Nơi nhận:", bold=True, italic=True, size=12)
    tag(c, "{%p for line in recipients %}")
    para(c, "- {{ line }}", size=11)
    tag(c, "{%p endfor %}")


def signature(doc: DocumentObject, *, with_recipients: bool = True) -> None:
    para(doc, "", after=6, keep_next=True)
    t = table(doc, (75, TEXT_WIDTH_MM - 75), grid=False)
    r = row(t, cant_split=True)
    if with_recipients:
        fill(r.cells[0], recipients_block)
    fill(r.cells[1], signer_block)


def nominee_lists(doc: DocumentObject, *, attached_to: str) -> None:
    """The danh sách on its own page: collectives, then individuals."""
    para(
        doc,
        "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ TẶNG {{ award_name | upper }}",
        align=CENTER,
        bold=True,
        page_break_before=True,
        keep_next=True,
    )
    # No-break spaces keep "số", the number and the date on one line: the fields that
    # show the number and the date once issued are laid by these labels (documents/fields.py).
    para(
        doc,
        f"(Kèm theo {attached_to}"
        f"{{% if number %}} số{NBSP}{{{{ number }}}}{NBSP}{{% else %}} {{% endif %}}"
        "{{ date_text }})",
        align=CENTER,
        italic=True,
        after=12,
        keep_next=True,
    )

    tag(doc, "{%p if collectives %}")
    para(doc, "I. TẬP THỂ ({{ counts.collectives }} tập thể)", bold=True, after=6, keep_next=True)
    t = table(doc, (14, 62, TEXT_WIDTH_MM - 76), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Tên tập thể", "Thành tích tóm tắt"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in collectives %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.achievements }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if individuals %}")
    para(
        doc,
        "{% if collectives %}II{% else %}I{% endif %}. CÁ NHÂN ({{ counts.individuals }} cá nhân)",
        bold=True,
        before=12,
        after=6,
        keep_next=True,
    )
    widths = (12, 38, 28, 36, TEXT_WIDTH_MM - 114)
    t = table(doc, widths, grid=True)
    head = row(t, header=True)
    labels = ("STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành tích tóm tắt")
    for cell, text in zip(head.cells, labels, strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in individuals %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.position }}")
    cell_text(data.cells[3], "{{ item.unit_name }}")
    cell_text(data.cells[4], "{{ item.achievements }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")


def closing(doc: DocumentObject, text: str) -> None:
    """The last sentence, kept on the page of the signature (never a signature alone)."""
    body(doc, text, keep_next=True)


# ---------------------------------------------------------------------------
# the forms


def bao_cao_thanh_tich() -> DocumentObject:
    doc = new_document("Báo cáo thành tích")
    heading(doc, with_number=False)
    title(
        doc,
        "BÁO CÁO THÀNH TÍCH",
        "Đề nghị tặng {{ award_name }}",
        subject_length="(award_name | length + 13)",
    )
    tag(doc, "{%p if nominee.kind == 'collective' %}")
    para(doc, "Tên tập thể: {{ nominee.name }}", align=CENTER, bold=True, before=12, after=12)
    tag(doc, "{%p else %}")
    para(
        doc,
        "Họ và tên, chức vụ và đơn vị công tác: {{ nominee.name }}, "
        "{{ nominee.position }}, {{ nominee.unit_name }}",
        align=CENTER,
        bold=True,
        before=12,
        after=12,
    )
    tag(doc, "{%p endif %}")

    para(
        doc,
        "{% if nominee.kind == 'collective' %}I. ĐẶC ĐIỂM, TÌNH HÌNH"
        "{% else %}I. SƠ LƯỢC LÝ LỊCH{% endif %}",
        bold=True,
        after=6,
        keep_next=True,
    )
    tag(doc, "{%p if nominee.kind == 'collective' %}")
    body(doc, "- Tên tập thể: {{ nominee.name }}.")
    body(doc, "- Đối tượng đề nghị: {{ nominee.kind_label }}.")
    body(doc, "- Cơ quan, đơn vị chủ quản: {{ nominee.unit_name }}.")
    tag(doc, "{%p else %}")
    body(doc, "- Họ và tên: {{ nominee.name }}.")
    body(
        doc,
        "- Sinh ngày, tháng, năm: {{ nominee.birth_date or '…………' }}."
        " Giới tính: {{ nominee.gender or '…………' }}.",
    )
    body(doc, "- Dân tộc: {{ nominee.ethnicity or '…………' }}.")
    body(doc, "- Đối tượng đề nghị: {{ nominee.kind_label }}.")
    body(doc, "- Chức vụ: {{ nominee.position }}.")
    body(doc, "- Đơn vị công tác: {{ nominee.unit_name }}.")
    tag(doc, "{%p endif %}")

    para(doc, "II. THÀNH TÍCH ĐẠT ĐƯỢC", bold=True, before=6, after=6, keep_next=True)
    body(doc, "{{ nominee.achievements }}")

    para(
        doc, "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG", bold=True, before=6, after=6, keep_next=True
    )
    body(
        doc,
        "Các danh hiệu thi đua và hình thức khen thưởng đã được ghi nhận trong hồ sơ "
        "kèm theo (số, ngày quyết định, cơ quan ban hành)./.",
        keep_next=True,
    )

    report_signatures(doc)
    return doc


def report_signatures(doc: DocumentObject) -> None:
    """The signature blocks of the Nghị định 152/2025 appendix's achievement reports. An
    individual's: the unit head confirms and proposes on the left ("THỦ TRƯỞNG ĐƠN VỊ XÁC
    NHẬN, ĐỀ NGHỊ", signed and sealed), the person reports on the right ("NGƯỜI BÁO CÁO
    THÀNH TÍCH", signed with their name). A collective's: its head on the right
    ("THỦ TRƯỞNG ĐƠN VỊ", signed and sealed). Titles and names sit in two rows of one
    table, so that the names line up however many lines each title takes; the signature
    fields are laid over the names (documents/fields.py)."""
    para(doc, "", after=6, keep_next=True)
    t = table(doc, (75, TEXT_WIDTH_MM - 75), grid=False)
    titles, names = row(t, cant_split=True), row(t, cant_split=True)
    individual, collective = "{%p if nominee.kind != 'collective' %}", "{%p else %}"

    def title_lines(c: _Cell, title: str, how: str) -> None:
        para(c, title, align=CENTER, bold=True, keep_next=True)
        para(c, how, align=CENTER, italic=True, keep_next=True)

    def certifier_titles(c: _Cell) -> None:
        tag(c, individual)
        title_lines(c, "THỦ TRƯỞNG ĐƠN VỊ XÁC NHẬN, ĐỀ NGHỊ", "(Ký, đóng dấu)")
        tag(c, "{%p endif %}")
        para(c, "", keep_next=True)  # a table cell must keep at least one paragraph

    def reporter_titles(c: _Cell) -> None:
        tag(c, individual)
        title_lines(c, "NGƯỜI BÁO CÁO THÀNH TÍCH", "(Ký, ghi rõ họ và tên)")
        tag(c, collective)
        title_lines(c, "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, đóng dấu)")
        tag(c, "{%p endif %}")
        para(c, "", keep_next=True)  # the same room above the name as on the left

    def signed_name(c: _Cell, name: str, *, only_individual: bool) -> None:
        for _ in range(3):  # room for the signature and seal images
            para(c, "", align=CENTER)
        if only_individual:
            tag(c, individual)
        para(c, name, align=CENTER, bold=True)
        if only_individual:
            tag(c, "{%p endif %}")

    fill(titles.cells[0], certifier_titles)
    fill(titles.cells[1], reporter_titles)
    fill(names.cells[0], lambda c: signed_name(c, "{{ signer.full_name }}", only_individual=True))
    fill(
        names.cells[1],
        lambda c: signed_name(
            c,
            "{% if nominee.kind != 'collective' %}{{ nominee.name }}"
            "{% else %}{{ signer.full_name }}{% endif %}",
            only_individual=False,
        ),
    )


def to_trinh_don_vi() -> DocumentObject:
    doc = new_document("Tờ trình đề nghị khen thưởng của đơn vị")
    heading(doc)
    title(doc, "TỜ TRÌNH", "{{ subject }}")
    kinh_gui(doc)
    legal_bases(doc)
    body(
        doc,
        "Căn cứ kết quả thực hiện nhiệm vụ chính trị và phong trào thi đua năm {{ year }}, "
        "trên cơ sở đề nghị của Hội đồng Thi đua - Khen thưởng, {{ unit_name }} kính đề nghị "
        "{{ recipient }} xem xét, tặng {{ award_name }} cho " + counts_phrase() + " đã có "
        "thành tích xuất sắc (có danh sách kèm theo).",
    )
    body(
        doc,
        "Hồ sơ kèm theo gồm: danh sách và báo cáo thành tích của các tập thể, cá nhân được "
        "đề nghị khen thưởng; biên bản họp Hội đồng Thi đua - Khen thưởng của đơn vị.",
    )
    closing(doc, "Kính đề nghị {{ recipient }} xem xét, quyết định./.")
    signature(doc)
    nominee_lists(doc, attached_to="Tờ trình")
    return doc


def to_trinh_cum() -> DocumentObject:
    doc = new_document("Tờ trình đề nghị khen thưởng của cụm thi đua")
    heading(doc)
    title(doc, "TỜ TRÌNH", "{{ subject }}")
    kinh_gui(doc)
    legal_bases(doc)
    body(
        doc,
        "Thực hiện kế hoạch tổ chức phong trào thi đua năm {{ year }}, {{ cluster_name }} "
        "đã tổ chức tổng kết, bình xét, suy tôn các tập thể, cá nhân có thành tích xuất sắc. "
        "Trên cơ sở kết quả bình xét, suy tôn, đơn vị Trưởng cụm thay mặt {{ cluster_name }} "
        "kính đề nghị {{ recipient }} xem xét, tặng {{ award_name }} cho "
        + counts_phrase()
        + " (có danh sách kèm theo).",
    )
    body(
        doc,
        "Hồ sơ kèm theo gồm: danh sách và báo cáo thành tích của các tập thể, cá nhân được "
        "đề nghị khen thưởng; biên bản họp bình xét, suy tôn của {{ cluster_name }}.",
    )
    closing(doc, "Kính đề nghị {{ recipient }} xem xét, quyết định./.")
    signature(doc)
    nominee_lists(doc, attached_to="Tờ trình")
    return doc


def to_trinh_cum_tong_hop() -> DocumentObject:
    """The cluster's ONE Tờ trình after its year-end vote (bình xét, suy tôn): one
    sentence per award, then the list of every nominee that passed the vote, grouped by
    award, collectives before individuals; it cites the vote's Biên bản. Signed for the
    cluster (TM. CỤM THI ĐUA) by the head unit's leader, sealed with the head unit's seal."""
    doc = new_document("Tờ trình của Cụm thi đua đề nghị khen thưởng sau bình xét, suy tôn")
    heading(doc)
    title(doc, "TỜ TRÌNH", "{{ subject }}")
    kinh_gui(doc)
    legal_bases(doc)
    body(
        doc,
        "Thực hiện kế hoạch tổ chức phong trào thi đua năm {{ year }}, {{ cluster_name }} "
        "đã tổ chức tổng kết, bình xét, suy tôn bằng hình thức bỏ phiếu kín "
        "{{ proposal.held_on_text }}. Căn cứ kết quả bình xét, suy tôn ({{ proposal.minutes }}),"
        " {{ proposal.head_unit_name }}, đơn vị Trưởng cụm, thay mặt {{ cluster_name }} kính "
        "đề nghị {{ recipient }} thẩm định, trình cấp có thẩm quyền khen thưởng cho "
        + counts_phrase()
        + " ({{ '%02d' | format(proposal.dossiers) }} hồ sơ, có danh sách kèm theo), cụ thể:",
    )
    tag(doc, "{%p for group in groups %}")
    body(
        doc,
        "- {{ group.award_name }}: "
        "{% if group.counts.collectives %}{{ '%02d' | format(group.counts.collectives) }} tập "
        "thể{% endif %}{% if group.counts.collectives and group.counts.individuals %} và "
        "{% endif %}{% if group.counts.individuals %}{{ '%02d' | "
        "format(group.counts.individuals) }} cá nhân{% endif %}"
        "{% if loop.last %}.{% else %};{% endif %}",
    )
    tag(doc, "{%p endfor %}")
    body(
        doc,
        "Hồ sơ kèm theo gồm: {{ proposal.minutes }}; hồ sơ đề nghị khen thưởng của các đơn vị "
        "thành viên (tờ trình, báo cáo thành tích của các tập thể, cá nhân được đề nghị).",
    )
    closing(doc, "Kính đề nghị {{ recipient }} xem xét, thẩm định./.")
    para(doc, "", after=6, keep_next=True)
    t = table(doc, (75, TEXT_WIDTH_MM - 75), grid=False)
    r = row(t, cant_split=True)
    fill(r.cells[0], recipients_block)

    def signer(c: _Cell) -> None:
        para(c, "TM. CỤM THI ĐUA", align=CENTER, bold=True)
        para(c, "TRƯỞNG CỤM", align=CENTER, bold=True)
        para(c, "{{ signer_unit }}", align=CENTER, bold=True, size=12)
        for _ in range(4):  # room for the signature and seal images
            para(c, "", align=CENTER)
        para(c, "{{ signer.full_name }}", align=CENTER, bold=True)

    fill(r.cells[1], signer)

    para(
        doc,
        "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ KHEN THƯỞNG",
        align=CENTER,
        bold=True,
        page_break_before=True,
        keep_next=True,
    )
    para(
        doc,
        "(Kèm theo Tờ trình"
        f"{{% if number %}} số{NBSP}{{{{ number }}}}{NBSP}{{% else %}} {{% endif %}}"
        "{{ date_text }})",
        align=CENTER,
        italic=True,
        after=12,
        keep_next=True,
    )
    tag(doc, "{%p for group in groups %}")
    para(
        doc,
        "{{ group.numeral }}. {{ group.award_name | upper }}",
        bold=True,
        before=12,
        after=6,
        keep_next=True,
    )
    tag(doc, "{%p if group.collectives %}")
    para(
        doc,
        "{{ group.collective_heading }}. Tập thể ({{ group.counts.collectives }} tập thể)",
        bold=True,
        after=6,
        keep_next=True,
    )
    t = table(doc, (12, 80, TEXT_WIDTH_MM - 92), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Tên tập thể", "Đơn vị"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in group.collectives %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.unit_name }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if group.individuals %}")
    para(
        doc,
        "{{ group.individual_heading }}. Cá nhân ({{ group.counts.individuals }} cá nhân)",
        bold=True,
        before=6,
        after=6,
        keep_next=True,
    )
    t = table(doc, (12, 44, 40, TEXT_WIDTH_MM - 96), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Họ và tên", "Chức vụ", "Đơn vị"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in group.individuals %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.position }}")
    cell_text(data.cells[3], "{{ item.unit_name }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    para(doc, "./.", align=CENTER, before=6)
    return doc


def phieu_tham_dinh() -> DocumentObject:
    doc = new_document("Báo cáo thẩm định hồ sơ đề nghị khen thưởng")
    heading(doc, with_number=False)  # the specialist's own report: dated, not numbered
    title(doc, "BÁO CÁO", "{{ subject }}")
    para(doc, "", after=6)
    legal_bases(doc)
    body(
        doc,
        "Trên cơ sở hồ sơ đề nghị khen thưởng của {{ unit_name }}"
        "{% if cluster_name %} ({{ cluster_name }}){% endif %} đề nghị tặng {{ award_name }} "
        "năm {{ year }} cho " + counts_phrase() + ", kết quả thẩm định như sau:",
    )
    para(doc, "1. Kết quả thẩm định", bold=True, after=6, keep_next=True, indent=10)
    tag(doc, "{%p if checks %}")
    t = table(doc, (12, 70, 38, TEXT_WIDTH_MM - 120), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Tên", "Kết quả", "Ghi chú"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in checks %}")
    data = row(t)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.result }}", align=CENTER)
    cell_text(data.cells[3], "{{ item.note }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p else %}")
    body(doc, "Không có nội dung thẩm định.")
    tag(doc, "{%p endif %}")
    para(doc, "2. Đề xuất", bold=True, before=12, after=6, keep_next=True, indent=10)
    closing(
        doc,
        "Trên cơ sở kết quả thẩm định, kính trình {{ recipient }} xem xét, quyết định tặng "
        "{{ award_name }} cho các tập thể, cá nhân đủ điều kiện, tiêu chuẩn theo quy định./.",
    )
    signature(doc)
    return doc


def to_trinh_ban() -> DocumentObject:
    doc = new_document("Tờ trình đề nghị khen thưởng của cơ quan thi đua, khen thưởng")
    heading(doc)
    title(doc, "TỜ TRÌNH", "{{ subject }}")
    kinh_gui(doc)
    legal_bases(doc)
    body(
        doc,
        "Trên cơ sở hồ sơ đề nghị khen thưởng của {{ unit_name }}"
        "{% if cluster_name %} ({{ cluster_name }}){% endif %} và kết quả thẩm định, kính "
        "trình {{ recipient }} xem xét, quyết định tặng {{ award_name }} cho "
        + counts_phrase()
        + " đã có thành tích xuất sắc trong thực hiện nhiệm vụ năm {{ year }} "
        "(có danh sách kèm theo).",
    )
    body(
        doc,
        "Các tập thể, cá nhân được đề nghị đã đáp ứng điều kiện, tiêu chuẩn theo quy định "
        "của Luật Thi đua, khen thưởng và các văn bản quy định chi tiết thi hành; hồ sơ đã "
        "được thẩm định theo quy định.",
    )
    # Whom the appraisal proposed for another form of award: named, not in the list.
    tag(doc, "{%p if other_forms %}")
    body(
        doc,
        "Đối với các trường hợp không đủ tiêu chuẩn {{ award_name }}, qua thẩm định đề nghị "
        "xem xét hình thức khen thưởng khác: "
        "{% for item in other_forms %}{{ item.name }} ({{ item.award }})"
        "{% if not loop.last %}; {% endif %}{% endfor %}.",
    )
    tag(doc, "{%p endif %}")
    closing(doc, "Kính trình {{ recipient }} xem xét, quyết định./.")
    signature(doc)
    nominee_lists(doc, attached_to="Tờ trình")
    return doc


def to_trinh_dot() -> DocumentObject:
    """The Sở's Tờ trình of a round (đợt xét khen thưởng) to the Chủ tịch UBND tỉnh: one
    sentence per award, then the list of every nominee of every dossier in the round,
    grouped by award, collectives before individuals. A round holds hundreds of
    nominees: no achievements column (each dossier's own Tờ trình carries them), header
    rows repeated on every page."""
    doc = new_document("Tờ trình đề nghị khen thưởng theo đợt của cơ quan thi đua, khen thưởng")
    heading(doc)
    title(doc, "TỜ TRÌNH", "{{ subject }}")
    kinh_gui(doc)
    legal_bases(doc)
    body(
        doc,
        "Thực hiện {{ round.name }} ({{ round.kind_label }}){% if (year | string) not in "
        "round.name %} năm {{ year }}{% endif %}, trên cơ sở hồ sơ "
        "đề nghị khen thưởng của {{ '%02d' | format(round.dossiers) }} hồ sơ đã được thẩm "
        "định theo quy định, kính trình {{ recipient }} xem xét, quyết định khen thưởng cho "
        + counts_phrase()
        + " (có danh sách kèm theo), cụ thể:",
    )
    tag(doc, "{%p for group in groups %}")
    body(
        doc,
        "- {{ group.award_name }}: "
        "{% if group.counts.collectives %}{{ '%02d' | format(group.counts.collectives) }} tập "
        "thể{% endif %}{% if group.counts.collectives and group.counts.individuals %} và "
        "{% endif %}{% if group.counts.individuals %}{{ '%02d' | "
        "format(group.counts.individuals) }} cá nhân{% endif %}"
        "{% if loop.last %}.{% else %};{% endif %}",
    )
    tag(doc, "{%p endfor %}")
    body(
        doc,
        "Các tập thể, cá nhân được đề nghị đã đáp ứng điều kiện, tiêu chuẩn theo quy định "
        "của Luật Thi đua, khen thưởng và các văn bản quy định chi tiết thi hành.",
    )
    closing(doc, "Kính trình {{ recipient }} xem xét, quyết định./.")
    signature(doc)

    para(
        doc,
        "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ KHEN THƯỞNG",
        align=CENTER,
        bold=True,
        page_break_before=True,
        keep_next=True,
    )
    # The same annex line as a dossier's Tờ trình: documents/fields.py lays the number
    # and date fields by its labels.
    para(
        doc,
        "(Kèm theo Tờ trình"
        f"{{% if number %}} số{NBSP}{{{{ number }}}}{NBSP}{{% else %}} {{% endif %}}"
        "{{ date_text }})",
        align=CENTER,
        italic=True,
        after=12,
        keep_next=True,
    )
    tag(doc, "{%p for group in groups %}")
    para(
        doc,
        "{{ group.numeral }}. {{ group.award_name | upper }}",
        bold=True,
        before=12,
        after=6,
        keep_next=True,
    )
    tag(doc, "{%p if group.collectives %}")
    para(
        doc,
        "{{ group.collective_heading }}. Tập thể ({{ group.counts.collectives }} tập thể)",
        bold=True,
        after=6,
        keep_next=True,
    )
    # A collective is a part of its unit ("Phòng Chính sách"): the unit names it.
    t = table(doc, (12, 58, 50, TEXT_WIDTH_MM - 120), grid=True)
    head = row(t, header=True)
    labels = ("STT", "Tên tập thể", "Đơn vị", "Cụm, khối thi đua")
    for cell, text in zip(head.cells, labels, strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in group.collectives %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.unit_name }}")
    cell_text(data.cells[3], "{{ item.cluster_name }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if group.individuals %}")
    para(
        doc,
        "{{ group.individual_heading }}. Cá nhân ({{ group.counts.individuals }} cá nhân)",
        bold=True,
        before=6,
        after=6,
        keep_next=True,
    )
    widths = (12, 44, 40, TEXT_WIDTH_MM - 96)
    t = table(doc, widths, grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Họ và tên", "Chức vụ", "Đơn vị"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in group.individuals %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.position }}")
    cell_text(data.cells[3], "{{ item.unit_name }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    return doc


def bien_ban_hoi_dong() -> DocumentObject:
    """The council's Biên bản: who met, who was present, each nominee's votes (for,
    against, not voting), the share of the whole membership and the result; signed by
    the secretary (left, first) and the chair (right, on top), sealed."""
    doc = new_document("Biên bản họp Hội đồng Thi đua – Khen thưởng")
    heading(doc)
    title(doc, "BIÊN BẢN", "{{ subject }}")
    para(doc, "", after=6)
    body(
        doc,
        "Hôm nay, {{ meeting.held_on_text }}, tại {{ meeting.place }}, Hội đồng Thi đua – "
        "Khen thưởng họp xét {{ meeting.about }}.",
    )
    body(
        doc,
        "Thành phần: {{ meeting.members_total }} thành viên Hội đồng; có mặt "
        "{{ meeting.present }} thành viên{% if meeting.absent %}, vắng mặt "
        "{{ meeting.absent }} ({{ meeting.absent_names }}){% endif %}. "
        "{{ meeting.quorum_text }}",
    )
    t = table(doc, (12, 58, 50, TEXT_WIDTH_MM - 120), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Họ và tên", "Chức danh", "Điểm danh"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in meeting.members %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(
        data.cells[2], "{{ item.role_label }}{% if item.position %}, {{ item.position }}{% endif %}"
    )
    cell_text(data.cells[3], "{{ item.present_label }}", align=CENTER)
    loop_row(t, "{%tr endfor %}")
    para(
        doc,
        "Kết quả biểu quyết (phiếu biểu quyết công khai, ghi tên):",
        bold=True,
        before=12,
        after=6,
        keep_next=True,
    )
    widths = (10, 48, 16, 18, 18, 20, TEXT_WIDTH_MM - 130)
    t = table(doc, widths, grid=True)
    head = row(t, header=True)
    labels = (
        "STT",
        "Tập thể, cá nhân",
        "Đồng ý",
        "Không đồng ý",
        "Không biểu quyết",
        "Tỷ lệ đồng ý",
        "Kết quả",
    )
    for cell, text in zip(head.cells, labels, strict=True):
        cell_text(cell, text, bold=True, align=CENTER, size=12)
    loop_row(t, "{%tr for item in results %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER, size=12)
    cell_text(data.cells[1], "{{ item.name }} ({{ item.award_name }})", size=12)
    cell_text(data.cells[2], "{{ item.agree }}", align=CENTER, size=12)
    cell_text(data.cells[3], "{{ item.disagree }}", align=CENTER, size=12)
    cell_text(data.cells[4], "{{ item.abstain }}", align=CENTER, size=12)
    cell_text(data.cells[5], "{{ item.share }}", align=CENTER, size=12)
    cell_text(data.cells[6], "{{ item.result }} (cần {{ item.threshold }})", align=CENTER, size=12)
    loop_row(t, "{%tr endfor %}")
    body(
        doc,
        "Tỷ lệ đồng ý tính trên tổng số thành viên Hội đồng. Biên bản được lập từ các phiếu "
        "biểu quyết đã ghi nhận, thông qua tại cuộc họp./.",
    )
    para(doc, "", after=6, keep_next=True)
    t = table(doc, (TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2), grid=False)
    titles, names = row(t, cant_split=True), row(t, cant_split=True)
    fill(titles.cells[0], lambda c: para(c, "THƯ KÝ", align=CENTER, bold=True))
    fill(titles.cells[1], lambda c: para(c, "CHỦ TỊCH HỘI ĐỒNG", align=CENTER, bold=True))

    def signed_name(c: _Cell, name: str) -> None:
        for _ in range(4):  # room for the signature and seal images
            para(c, "", align=CENTER)
        para(c, name, align=CENTER, bold=True)

    fill(names.cells[0], lambda c: signed_name(c, "{{ secretary.full_name }}"))
    fill(names.cells[1], lambda c: signed_name(c, "{{ signer.full_name }}"))
    return doc


def bien_ban_binh_xet_cum() -> DocumentObject:
    """The cluster's Biên bản họp bình xét, suy tôn, from the tally stored at the close of
    its secret vote: the member units and their representatives, present and absent, the
    quorum and its basis, each question's counts, rule (configuration where unconfirmed)
    and result, the leading member, next year's head and deputy, the ballots' digest;
    signed by the secretary (left, first) and the chair (right, on top), sealed with the
    head unit's seal."""
    doc = new_document("Biên bản họp bình xét, suy tôn của Cụm thi đua")
    heading(doc)
    title(doc, "BIÊN BẢN", "{{ subject }}")
    para(doc, "", after=6)
    # A Biên bản records a meeting: it cites no căn cứ (NĐ 30/2020), as the council's.
    body(
        doc,
        "Hôm nay, {{ vote.held_on_text }}, tại {{ vote.place }}, {{ vote.cluster_name }} họp "
        "bình xét, suy tôn năm {{ vote.year }}; {{ vote.head_unit_name }}, đơn vị Trưởng cụm, "
        "chủ trì. Hình thức: bỏ phiếu kín.",
    )
    body(
        doc,
        "Thành phần: {{ vote.members_total }} đơn vị thành viên; có mặt {{ vote.present }} "
        "đơn vị{% if vote.absent %}, vắng mặt {{ vote.absent }} ({{ vote.absent_names }})"
        "{% endif %}. {{ vote.quorum_text }} (Căn cứ: {{ vote.quorum_basis }}.)",
    )
    t = table(doc, (12, 78, 52, TEXT_WIDTH_MM - 142), grid=True)
    head = row(t, header=True)
    labels = ("STT", "Đơn vị thành viên", "Người đại diện", "Điểm danh")
    for cell, text in zip(head.cells, labels, strict=True):
        cell_text(cell, text, bold=True, align=CENTER, size=12)
    loop_row(t, "{%tr for item in vote.members %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER, size=12)
    cell_text(data.cells[1], "{{ item.unit_name }}", size=12)
    cell_text(data.cells[2], "{{ item.representative }}", size=12)
    cell_text(data.cells[3], "{{ item.present_label }}", align=CENTER, size=12)
    loop_row(t, "{%tr endfor %}")
    para(
        doc,
        "Kết quả kiểm phiếu (bỏ phiếu kín, mỗi đơn vị có mặt một phiếu):",
        bold=True,
        before=12,
        after=6,
        keep_next=True,
    )
    widths = (12, 62, 46, TEXT_WIDTH_MM - 120)
    t = table(doc, widths, grid=True)
    head = row(t, header=True)
    for cell, text in zip(
        head.cells, ("STT", "Nội dung", "Số phiếu", "Kết quả, quy tắc áp dụng"), strict=True
    ):
        cell_text(cell, text, bold=True, align=CENTER, size=12)
    loop_row(t, "{%tr for item in vote_results %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER, size=12)
    cell_text(data.cells[1], "{{ item.kind_label }}: {{ item.text }}", size=12)
    cell_text(data.cells[2], "{{ item.voters }} phiếu. {{ item.counts_text }}", size=12)
    cell_text(
        data.cells[3],
        "{{ item.result }}. Quy tắc: {{ item.rule }} ({{ item.basis }})"
        "{% if item.confirmed_text %}; {{ item.confirmed_text }}{% endif %}.",
        size=12,
    )
    loop_row(t, "{%tr endfor %}")
    body(
        doc,
        R("Kết luận: ", bold=True),
        "đơn vị dẫn đầu {{ vote.cluster_name }} năm {{ vote.year }} (đề nghị Cờ thi đua của "
        "Ủy ban nhân dân tỉnh): {{ vote.leader }}. Đơn vị Trưởng cụm năm {{ vote.next_year }}: "
        "{{ vote.next_head }}; đơn vị Phó trưởng cụm năm {{ vote.next_year }}: "
        "{{ vote.next_deputy }}.",
        before=6,
    )
    body(
        doc,
        "Biên bản được lập từ kết quả kiểm phiếu đã lưu khi kết thúc bỏ phiếu: "
        "{{ vote.ballots }} phiếu; mã kiểm tra (SHA-256) của toàn bộ phiếu: "
        "{{ vote.ballots_digest }}. Mỗi đơn vị kiểm tra phiếu của mình bằng mã biên nhận "
        "đã nhận khi bỏ phiếu./.",
        keep_next=True,
    )
    para(doc, "", after=6, keep_next=True)
    # One row that does not split: a page never breaks between a title and its name.
    t = table(doc, (TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2), grid=False)
    signatures = row(t, cant_split=True)

    def signed(c: _Cell, title_text: str, name: str) -> None:
        para(c, title_text, align=CENTER, bold=True)
        for _ in range(4):  # room for the signature and seal images
            para(c, "", align=CENTER)
        para(c, name, align=CENTER, bold=True)

    fill(signatures.cells[0], lambda c: signed(c, "THƯ KÝ", "{{ secretary.full_name }}"))
    fill(signatures.cells[1], lambda c: signed(c, "CHỦ TRÌ", "{{ signer.full_name }}"))
    return doc


def bao_cao_so_ket_cum() -> DocumentObject:
    """The cluster's Báo cáo sơ kết / tổng kết, drafted from the year's data for the host
    unit to edit in Word: the members, the plan and its criteria, registrations and
    scores (or "(chưa có dữ liệu)"), the awards and dossiers of the period, the
    conference; signed by the host unit's leader for the cluster, sealed."""
    doc = new_document("Báo cáo sơ kết, tổng kết của Cụm thi đua")
    heading(doc)
    title(doc, "BÁO CÁO", "{{ subject }}")
    para(doc, "", after=6)
    body(doc, "I. ĐẶC ĐIỂM TÌNH HÌNH", bold=True, indent=0, keep_next=True)
    body(
        doc,
        "{{ facts.cluster_name }} năm {{ review.year }} gồm {{ facts.members | length }} đơn vị"
        " thành viên; {{ facts.head_name }} là đơn vị Trưởng cụm, {{ facts.deputy_name }} là"
        " đơn vị Phó trưởng cụm.",
    )
    t = table(doc, (12, 113, TEXT_WIDTH_MM - 125), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Đơn vị thành viên", "Vị trí"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in facts.members %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.post }}", align=CENTER)
    loop_row(t, "{%tr endfor %}")
    body(doc, "II. KẾT QUẢ THỰC HIỆN", bold=True, indent=0, before=6, keep_next=True)
    body(doc, "1. Kế hoạch thi đua và tiêu chí chấm điểm", bold=True, indent=0, keep_next=True)
    tag(doc, "{%p if facts.goals %}")
    body(doc, "Mục tiêu của Kế hoạch: {{ facts.goals }}")
    tag(doc, "{%p else %}")
    body(doc, "Mục tiêu của Kế hoạch: {{ facts.no_data }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if facts.criteria %}")
    body(doc, "Bảng tiêu chí chấm điểm gồm {{ facts.criteria | length }} tiêu chí:")
    tag(doc, "{%p for c in facts.criteria %}")
    body(
        doc,
        "- {{ c.code }}. {{ c.title }} ({{ c.group }}; tối đa {{ c.max_points }} điểm"
        "{% if c.mandatory %}; bắt buộc{% endif %}).",
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    body(doc, "Tiêu chí chấm điểm: {{ facts.no_data }}")
    tag(doc, "{%p endif %}")
    body(doc, "2. Đăng ký thi đua", bold=True, indent=0, keep_next=True)
    tag(doc, "{%p if facts.registrations %}")
    tag(doc, "{%p for r in facts.registrations %}")
    body(doc, "- {{ r.unit_name }}: {{ r.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    body(doc, "{{ facts.no_data }}")
    tag(doc, "{%p endif %}")
    body(doc, "3. Chấm điểm, xếp hạng", bold=True, indent=0, keep_next=True)
    tag(doc, "{%p if facts.scores %}")
    tag(doc, "{%p for r in facts.scores %}")
    body(doc, "- {{ r.rank }}. {{ r.unit_name }}: {{ r.total }} điểm{{ r.note }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if facts.unscored %}")
    body(doc, "Chưa gửi bảng điểm: {{ facts.unscored }}.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    body(doc, "{{ facts.no_data }}")
    tag(doc, "{%p endif %}")
    body(doc, "4. Khen thưởng trong kỳ", bold=True, indent=0, keep_next=True)
    tag(doc, "{%p if facts.awards %}")
    tag(doc, "{%p for a in facts.awards %}")
    body(doc, "- {{ a.name }} ({{ a.unit_name }}): {{ a.award_name }}{{ a.decision }}.")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    body(doc, "Chưa có tập thể, cá nhân của các đơn vị thành viên được khen thưởng trong kỳ.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if facts.dossiers %}")
    body(doc, "Hồ sơ đề nghị khen thưởng của các đơn vị thành viên trong năm:")
    tag(doc, "{%p for d in facts.dossiers %}")
    body(doc, "- {{ d.label }}: {{ d.count }} hồ sơ.")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    body(doc, "III. HỘI NGHỊ {{ review.period_title }}", bold=True, indent=0, keep_next=True)
    body(
        doc,
        "Hội nghị {{ review.period_label }} của Cụm họp {{ review.held_on_text }} tại"
        " {{ review.place }}, do {{ review.host_name }} đăng cai."
        "{% if review.board_rep %} Đại diện Phòng Thi đua – Khen thưởng: {{ review.board_rep }}."
        "{% endif %}",
    )
    t = table(doc, (12, 58, 50, TEXT_WIDTH_MM - 120), grid=True)
    head = row(t, header=True)
    labels = ("STT", "Đơn vị", "Người đại diện, chức vụ", "Điểm danh")
    for cell, text in zip(head.cells, labels, strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in review.attendees %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.unit_name }}")
    cell_text(data.cells[2], "{{ item.person }}")
    cell_text(data.cells[3], "{{ item.present_label }}", align=CENTER)
    loop_row(t, "{%tr endfor %}")
    body(doc, "Nội dung hội nghị:", before=6)
    tag(doc, "{%p for line in review.agenda_lines %}")
    body(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    body(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", bold=True, indent=0, keep_next=True)
    # The content ends with "./." (Nghị định 30/2020), whether or not the text ends a sentence.
    body(doc, "{{ review.outlook }}{{ '/.' if review.outlook.endswith('.') else './.' }}")
    signature(doc)
    return doc


def quyet_dinh_khen_thuong() -> DocumentObject:
    """The Chủ tịch UBND tỉnh's award decision on a round (Nghị định 30/2020, mẫu quyết
    định cá biệt): căn cứ, the proposal it answers, Điều 1 the awards with their counts,
    Điều 2 the prize money, Điều 3 execution; then the danh sách kèm theo grouped by
    award, collectives before individuals, header rows repeated on every page (a
    decision may list hundreds)."""
    doc = new_document("Quyết định khen thưởng của Chủ tịch Ủy ban nhân dân tỉnh")
    heading(doc)
    title(doc, "QUYẾT ĐỊNH", "{{ subject }}")
    para(doc, "{{ decision.decider | upper }}", align=CENTER, bold=True, before=12, after=12)
    legal_bases(doc)
    body(doc, "Theo đề nghị của {{ decision.proposer }} tại {{ decision.proposal }}.", italic=True)
    para(doc, "QUYẾT ĐỊNH:", align=CENTER, bold=True, before=12, after=12, keep_next=True)
    body(
        doc,
        R("Điều 1. ", bold=True),
        "Tặng thưởng cho " + counts_phrase() + " đã có thành tích trong {{ decision.round_name }}"
        "{% if (year | string) not in decision.round_name %} năm {{ year }}{% endif %}"
        " (có danh sách kèm theo), gồm:",
    )
    tag(doc, "{%p for group in groups %}")
    body(
        doc,
        "- {{ group.award_name }}: "
        "{% if group.counts.collectives %}{{ '%02d' | format(group.counts.collectives) }} tập "
        "thể{% endif %}{% if group.counts.collectives and group.counts.individuals %} và "
        "{% endif %}{% if group.counts.individuals %}{{ '%02d' | "
        "format(group.counts.individuals) }} cá nhân{% endif %}"
        "{% if loop.last %}.{% else %};{% endif %}",
    )
    tag(doc, "{%p endfor %}")
    body(
        doc,
        R("Điều 2. ", bold=True),
        "Tiền thưởng theo quy định của Luật Thi đua, khen thưởng và Nghị định số "
        "152/2025/NĐ-CP, tính theo mức lương cơ sở {{ prize.base_salary }} tại ngày ký "
        "Quyết định, làm tròn lên hàng chục nghìn đồng:",
    )
    tag(doc, "{%p for line in prize.lines %}")
    body(doc, "- {{ line }}")
    tag(doc, "{%p endfor %}")
    body(doc, "Tổng số tiền thưởng: {{ prize.total }}, chi từ {{ prize.source }}.")
    body(
        doc,
        R("Điều 3. ", bold=True),
        "Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh, "
        "{{ decision.proposer }}, Thủ trưởng các cơ quan, đơn vị có liên quan và các tập "
        "thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
        keep_next=True,
    )
    signature(doc)

    para(
        doc,
        "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC KHEN THƯỞNG",
        align=CENTER,
        bold=True,
        page_break_before=True,
        keep_next=True,
    )
    # The annex line as the Tờ trình's: documents/fields.py lays the number and date
    # fields by its labels.
    para(
        doc,
        "(Kèm theo Quyết định"
        f"{{% if number %}} số{NBSP}{{{{ number }}}}{NBSP}{{% else %}} {{% endif %}}"
        "{{ date_text }})",
        align=CENTER,
        italic=True,
        after=12,
        keep_next=True,
    )
    tag(doc, "{%p for group in groups %}")
    para(
        doc,
        "{{ group.numeral }}. {{ group.award_name | upper }}",
        bold=True,
        before=12,
        after=6,
        keep_next=True,
    )
    tag(doc, "{%p if group.collectives %}")
    para(
        doc,
        "{{ group.collective_heading }}. Tập thể ({{ group.counts.collectives }} tập thể)",
        bold=True,
        after=6,
        keep_next=True,
    )
    t = table(doc, (12, 70, TEXT_WIDTH_MM - 82), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Tên tập thể", "Đơn vị"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in group.collectives %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.unit_name }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if group.individuals %}")
    para(
        doc,
        "{{ group.individual_heading }}. Cá nhân ({{ group.counts.individuals }} cá nhân)",
        bold=True,
        before=6,
        after=6,
        keep_next=True,
    )
    t = table(doc, (12, 44, 40, TEXT_WIDTH_MM - 96), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Họ và tên", "Chức vụ", "Đơn vị"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in group.individuals %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.name }}")
    cell_text(data.cells[2], "{{ item.position }}")
    cell_text(data.cells[3], "{{ item.unit_name }}")
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    return doc


def ke_hoach_thi_dua_cum() -> DocumentObject:
    """The cluster's plan of the year, issued by its head unit as Trưởng cụm: goals, the
    members, the year's calendar and the scoring criteria by group (mandatory ones
    marked), signed by the head unit's leader and sealed with the head unit's seal."""
    doc = new_document("Kế hoạch thi đua của Cụm thi đua")
    heading(doc)
    title(doc, "KẾ HOẠCH", "{{ subject }}")
    para(doc, "", after=6)
    legal_bases(doc)
    body(
        doc,
        "{{ plan.head_unit_name }}, đơn vị Trưởng cụm năm {{ plan.year }}, ban hành Kế hoạch "
        "tổ chức phong trào thi đua năm {{ plan.year }} của {{ plan.cluster_name }} như sau:",
    )
    para(doc, "I. MỤC ĐÍCH, YÊU CẦU", bold=True, before=6, after=6, keep_next=True)
    tag(doc, "{%p for line in plan.goals %}")
    body(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    para(doc, "II. ĐƠN VỊ THAM GIA", bold=True, before=6, after=6, keep_next=True)
    tag(doc, "{%p for name in plan.members %}")
    body(doc, "- {{ name }};")
    tag(doc, "{%p endfor %}")
    para(doc, "III. LỊCH THỰC HIỆN", bold=True, before=6, after=6, keep_next=True)
    t = table(doc, (14, 95, TEXT_WIDTH_MM - 109), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Nội dung", "Thời gian"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for item in plan.calendar %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER)
    cell_text(data.cells[1], "{{ item.label }}")
    cell_text(data.cells[2], "{{ item.date_text }}", align=CENTER)
    loop_row(t, "{%tr endfor %}")
    para(doc, "IV. TIÊU CHÍ CHẤM ĐIỂM", bold=True, before=12, after=6, keep_next=True)
    body(
        doc,
        "Các đơn vị thành viên tự chấm điểm theo các tiêu chí dưới đây vào dịp sơ kết và "
        "tổng kết; tiêu chí ghi «Bắt buộc» là tiêu chí đơn vị phải đạt.",
    )
    widths = (16, 70, 20, 22, TEXT_WIDTH_MM - 128)
    t = table(doc, widths, grid=True)
    head = row(t, header=True)
    labels = ("Mã", "Nội dung tiêu chí", "Điểm tối đa", "Bắt buộc", "Minh chứng")
    for cell, text in zip(head.cells, labels, strict=True):
        cell_text(cell, text, bold=True, align=CENTER, size=12)
    loop_row(t, "{%tr for g in plan.groups %}")
    group = row(t, cant_split=True)
    cell_text(group.cells[0], "{{ g.numeral }}", bold=True, align=CENTER, size=12)
    cell_text(group.cells[1], "{{ g.name }}", bold=True, size=12)
    cell_text(group.cells[2], "{{ g.subtotal }}", bold=True, align=CENTER, size=12)
    for cell in group.cells:  # a group's heading never alone at the foot of a page
        for p in cell.paragraphs:
            p.paragraph_format.keep_with_next = True
    loop_row(t, "{%tr for item in g.criteria %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.code }}", align=CENTER, size=12)
    cell_text(data.cells[1], "{{ item.title }}", size=12)
    cell_text(data.cells[2], "{{ item.max_points }}", align=CENTER, size=12)
    cell_text(data.cells[3], "{{ item.mandatory }}", align=CENTER, size=12)
    cell_text(data.cells[4], "{{ item.evidence }}", size=12)
    loop_row(t, "{%tr endfor %}")
    loop_row(t, "{%tr endfor %}")
    total = row(t, cant_split=True)
    cell_text(total.cells[1], "Tổng cộng", bold=True, size=12)
    cell_text(total.cells[2], "{{ plan.total }}", bold=True, align=CENTER, size=12)
    para(doc, "V. TỔ CHỨC THỰC HIỆN", bold=True, before=12, after=6, keep_next=True)
    body(
        doc,
        "Các đơn vị thành viên ký kết giao ước thi đua, đăng ký danh hiệu thi đua đúng thời "
        "hạn; tự chấm điểm theo tiêu chí, kèm minh chứng, gửi đơn vị Trưởng cụm trước các "
        "hội nghị sơ kết, tổng kết. Đơn vị Trưởng cụm, Phó trưởng cụm tổng hợp, thẩm định "
        "điểm và báo cáo Hội đồng Thi đua – Khen thưởng tỉnh theo quy định./.",
        keep_next=True,
    )
    para(doc, "", after=6, keep_next=True)
    t = table(doc, (75, TEXT_WIDTH_MM - 75), grid=False)
    r = row(t, cant_split=True)
    fill(r.cells[0], recipients_block)

    def signer(c: _Cell) -> None:
        para(c, "TRƯỞNG CỤM", align=CENTER, bold=True)
        para(c, "{{ signer_unit }}", align=CENTER, bold=True, size=12)
        for _ in range(4):  # room for the signature and seal images
            para(c, "", align=CENTER)
        para(c, "{{ signer.full_name }}", align=CENTER, bold=True)

    fill(r.cells[1], signer)
    return doc


def thong_bao() -> DocumentObject:
    doc = new_document("Thông báo về hồ sơ đề nghị khen thưởng")
    heading(doc)
    title(doc, "THÔNG BÁO", "{{ subject }}")
    kinh_gui(doc)
    body(
        doc,
        "Qua xem xét hồ sơ đề nghị tặng {{ award_name }} năm {{ year }} của {{ unit_name }}, "
        "xin thông báo như sau:",
    )
    body(doc, R("Lý do: ", bold=True), "{{ reason }}")
    closing(
        doc,
        "Đề nghị {{ unit_name }} nghiên cứu nội dung Thông báo này và thực hiện theo quy định./.",
    )
    signature(doc)
    return doc


def lich_su_ho_so() -> DocumentObject:
    """One dossier's history for an auditor: every event with its hash, every stored file
    with its SHA-256, and the result of the chain check; sealed by the authority."""
    doc = new_document("Lịch sử hồ sơ")
    heading(doc, with_number=False)
    title(doc, "LỊCH SỬ HỒ SƠ", "{{ subject }}")
    para(doc, "", after=6)
    body(
        doc,
        "Đơn vị đề nghị: {{ dossier.unit_name }}"
        "{% if dossier.cluster_name %} ({{ dossier.cluster_name }}){% endif %}.",
    )
    body(
        doc,
        "Hình thức khen thưởng: {{ dossier.award_name }}, năm {{ dossier.year }}. "
        "Trạng thái hiện tại: {{ dossier.status_label }}.",
    )

    para(
        doc,
        "I. CÁC SỰ KIỆN ({{ events | length }} sự kiện)",
        bold=True,
        before=6,
        after=6,
        keep_next=True,
    )
    t = table(doc, (12, 26, 40, 47, TEXT_WIDTH_MM - 125), grid=True)
    head = row(t, header=True)
    labels = ("STT", "Thời gian (giờ Việt Nam)", "Người thực hiện", "Nội dung", "Mã băm SHA-256")
    for cell, text in zip(head.cells, labels, strict=True):
        cell_text(cell, text, bold=True, align=CENTER, size=10)
    loop_row(t, "{%tr for item in events %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER, size=10)
    cell_text(data.cells[1], "{{ item.at }}", size=10)
    cell_text(data.cells[2], "{{ item.actor }}", size=10)

    def content(c: _Cell) -> None:
        para(c, "{{ item.action }}", size=10, before=2)
        tag(c, "{%p if item.reason %}")
        para(c, "Lý do: {{ item.reason }}", size=10, italic=True)
        tag(c, "{%p endif %}")
        tag(c, "{%p for line in item.documents %}")
        para(c, "- {{ line }}", size=9)
        tag(c, "{%p endfor %}")

    fill(data.cells[3], content)
    cell_text(data.cells[4], "{{ item.hash }}", size=8)
    loop_row(t, "{%tr endfor %}")

    para(
        doc,
        "II. TỆP LƯU TRỮ ({{ documents | length }} tệp)",
        bold=True,
        before=12,
        after=6,
        keep_next=True,
    )
    tag(doc, "{%p if documents %}")
    t = table(doc, (12, 60, TEXT_WIDTH_MM - 72), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Văn bản, tệp", "Mã băm SHA-256"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER, size=10)
    loop_row(t, "{%tr for item in documents %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ item.index }}", align=CENTER, size=10)

    def file_cell(c: _Cell) -> None:
        para(c, "{{ item.title }}", size=10, before=2)
        para(c, "{{ item.object_key }}", size=8, after=2)

    fill(data.cells[1], file_cell)
    cell_text(data.cells[2], "{{ item.sha256 }}", size=9)
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p else %}")
    body(doc, "Hồ sơ chưa có tệp lưu trữ.")
    tag(doc, "{%p endif %}")

    para(doc, "III. KIỂM TRA TOÀN VẸN", bold=True, before=12, after=6, keep_next=True)
    body(doc, "{{ chain.result }}")
    body(doc, "{{ chain.checkpoint }}")
    body(doc, "{{ chain.method }}")
    body(doc, "Người xuất: {{ exported_by }}, lúc {{ exported_at }}.", italic=True)
    return doc


def giao_uoc_thi_dua() -> DocumentObject:
    """The cluster's emulation covenant (Giao ước thi đua): the members agree on the
    year's goals (from the cluster's plan, where one is issued) and each member's
    measurable commitments; every member's head signs it, the head unit seals it. The
    signature blocks sit two to a row, titles and names in rows of their own so that the
    names line up; the signature fields are laid over the names (documents/fields.py)."""
    doc = new_document("Giao ước thi đua của Cụm")
    heading(doc, with_number=False)
    title(doc, "GIAO ƯỚC THI ĐUA", "{{ subject }}")
    para(doc, "", after=6)
    legal_bases(doc)
    body(
        doc,
        "Các đơn vị thành viên {{ covenant.cluster_name }} gồm: {{ covenant.member_names }} "
        "cùng thống nhất ký kết giao ước thi đua năm {{ covenant.year }} với các nội dung sau:",
    )
    para(doc, "I. MỤC TIÊU CHUNG", bold=True, before=6, after=6, keep_next=True)
    tag(doc, "{%p for line in covenant.goals %}")
    body(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    para(
        doc,
        "II. CHỈ TIÊU GIAO ƯỚC CỦA TỪNG ĐƠN VỊ",
        bold=True,
        before=6,
        after=6,
        keep_next=True,
    )
    tag(doc, "{%p for m in covenant.members %}")
    para(doc, "{{ m.index }}. {{ m.name }}", bold=True, before=6, after=4, keep_next=True)
    t = table(doc, (12, 98, TEXT_WIDTH_MM - 110), grid=True)
    head = row(t, header=True)
    for cell, text in zip(head.cells, ("STT", "Chỉ tiêu", "Mức cam kết"), strict=True):
        cell_text(cell, text, bold=True, align=CENTER)
    loop_row(t, "{%tr for c in m.commitments %}")
    data = row(t, cant_split=True)
    cell_text(data.cells[0], "{{ c.index }}", align=CENTER)
    cell_text(
        data.cells[1],
        "{{ c.indicator }}{% if c.criterion %} (tiêu chí {{ c.criterion }}){% endif %}",
    )
    cell_text(data.cells[2], "{{ c.target }}", align=CENTER)
    loop_row(t, "{%tr endfor %}")
    tag(doc, "{%p endfor %}")
    para(doc, "III. TỔ CHỨC THỰC HIỆN", bold=True, before=6, after=6, keep_next=True)
    closing(
        doc,
        "Thủ trưởng các đơn vị thành viên chịu trách nhiệm tổ chức thực hiện các chỉ tiêu đã "
        "giao ước; kết quả thực hiện là căn cứ để Cụm chấm điểm, bình xét thi đua khi sơ kết, "
        "tổng kết năm {{ covenant.year }}. Giao ước có hiệu lực kể từ ngày ký./.",
    )
    para(doc, "ĐẠI DIỆN CÁC ĐƠN VỊ THÀNH VIÊN", align=CENTER, bold=True, before=12, keep_next=True)
    para(doc, "", after=6, keep_next=True)
    t = table(doc, (TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2), grid=False)
    loop_row(t, "{%tr for pair in covenant.signer_rows %}")
    titles, names = row(t, cant_split=True), row(t, cant_split=True)

    def title_lines(c: _Cell, who: str) -> None:
        para(c, f"{{{{ {who}.unit_name | upper }}}}", align=CENTER, bold=True, size=12)
        para(c, f"{{{{ {who}.position | upper }}}}", align=CENTER, bold=True, size=13)

    def signed_name(c: _Cell, who: str) -> None:
        for _ in range(4):  # room for the signature (and, for the head unit, the seal)
            para(c, "", align=CENTER)
        para(c, f"{{{{ {who}.full_name }}}}", align=CENTER, bold=True, after=12)

    fill(titles.cells[0], lambda c: title_lines(c, "pair.left"))
    fill(titles.cells[1], lambda c: title_lines(c, "pair.right"))
    fill(names.cells[0], lambda c: signed_name(c, "pair.left"))
    fill(names.cells[1], lambda c: signed_name(c, "pair.right"))
    loop_row(t, "{%tr endfor %}")
    return doc


BUILDERS: dict[str, Callable[[], DocumentObject]] = {
    "bao_cao_thanh_tich": bao_cao_thanh_tich,
    "to_trinh_don_vi": to_trinh_don_vi,
    "to_trinh_cum": to_trinh_cum,
    "to_trinh_cum_tong_hop": to_trinh_cum_tong_hop,
    "phieu_tham_dinh": phieu_tham_dinh,
    "to_trinh_ban": to_trinh_ban,
    "to_trinh_dot": to_trinh_dot,
    "bien_ban_hoi_dong": bien_ban_hoi_dong,
    "bien_ban_binh_xet_cum": bien_ban_binh_xet_cum,
    "bao_cao_so_ket_cum": bao_cao_so_ket_cum,
    "thong_bao": thong_bao,
    "lich_su_ho_so": lich_su_ho_so,
    "quyet_dinh_khen_thuong": quyet_dinh_khen_thuong,
    "ke_hoach_thi_dua_cum": ke_hoach_thi_dua_cum,
    "giao_uoc_thi_dua": giao_uoc_thi_dua,
}


def build_bytes(code: str) -> bytes:
    doc = BUILDERS[code]()
    raw = io.BytesIO()
    doc.save(raw)
    return _reproducible(raw.getvalue())


def _reproducible(docx: bytes) -> bytes:
    """Same input, same bytes: fixed timestamps on every zip entry."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info))
    return out.getvalue()


def build_all(target: Path = FORMS_DIR) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for code in BUILDERS:
        path = target / f"{code}.docx"
        path.write_bytes(build_bytes(code))
        written.append(path)
    return written


def main() -> None:
    for path in build_all():
        print(path)


if __name__ == "__main__":
    main()
