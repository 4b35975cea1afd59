"""A report form as an XLSX workbook (openpyxl): the form's number and basis, the
reporting and receiving bodies, the title and year, the header with its merged cells,
the column numbers (A, B, C, 1, 2…), the rows with their codes and units, and the
signer's block; Times New Roman, thin borders, A4 landscape, a print area."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.report_forms import CellKind, Cells, FormVersion, cell_kind

FONT = "Times New Roman"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Heading:
    """Who reports what, and who signs."""

    reporting_body: str
    receiving_body: str
    year: int
    scope_label: str
    place: str
    day: date
    signer_title: str
    signer_name: str
    preparer_name: str


def _font(size: float = 12, *, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def header_depth(form: FormVersion) -> int:
    return max(len(c.path) for c in form.columns)


def _put(ws: Worksheet, row: int, col: int, value: object, font: Font, align: Alignment) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = font
    cell.alignment = align


def _merge(
    ws: Worksheet, *, start_row: int, start_column: int, end_row: int, end_column: int
) -> None:
    """Merge a range; a single cell is left alone (a 1×1 merge is not a merge)."""
    if (start_row, start_column) != (end_row, end_column):
        ws.merge_cells(
            start_row=start_row, start_column=start_column, end_row=end_row, end_column=end_column
        )


def _box(ws: Worksheet, r1: int, c1: int, r2: int, c2: int) -> None:
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            ws.cell(row=r, column=c).border = _BOX


def workbook(form: FormVersion, cells: Cells, h: Heading) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = form.form
    fixed = 3 if form.unit_column else 2
    """A (label), B (Mã số) and, when the form has it, C (Đơn vị tính)."""
    ncols = fixed + len(form.columns)
    last = get_column_letter(ncols)
    half = max(3, ncols // 2 + 1)

    # The form's own heading: number and basis on the left, the bodies on the right.
    top = [
        (form.number, f"Đơn vị báo cáo: {h.reporting_body}"),
        (f"Ban hành theo {form.legal_basis}", f"Đơn vị nhận báo cáo: {h.receiving_body}"),
        (f"Ngày nhận báo cáo: {form.due}", ""),
    ]
    for i, (left, right) in enumerate(top, start=1):
        _merge(ws, start_row=i, start_column=1, end_row=i, end_column=half - 1)
        _put(ws, i, 1, left, _font(11, bold=i == 1), _LEFT)
        _merge(ws, start_row=i, start_column=half, end_row=i, end_column=ncols)
        _put(ws, i, half, right, _font(11), _LEFT)
    r = len(top) + 2
    _merge(ws, start_row=r, start_column=1, end_row=r, end_column=ncols)
    _put(ws, r, 1, form.title, _font(14, bold=True), _CENTER)
    ws.row_dimensions[r].height = 36
    r += 1
    _merge(ws, start_row=r, start_column=1, end_row=r, end_column=ncols)
    _put(ws, r, 1, f"Năm {h.year} – {h.scope_label}", _font(12, italic=True), _CENTER)
    r += 1
    if form.unit_note:
        _merge(ws, start_row=r, start_column=1, end_row=r, end_column=ncols)
        _put(ws, r, 1, form.unit_note, _font(11, italic=True), Alignment(horizontal="right"))
    r += 1

    # The table's header: A (blank), B Mã số, [C Đơn vị tính], then the columns' paths.
    depth = header_depth(form)
    h0 = r
    width = max(8.0, min(20.0 if len(form.columns) > 2 else 28.0, 150 / max(1, len(form.columns))))
    heights: dict[int, float] = {}
    for c, text in ((1, ""), (2, "Mã số"), (3, "Đơn vị tính"))[:fixed]:
        _merge(ws, start_row=h0, start_column=c, end_row=h0 + depth - 1, end_column=c)
        _put(ws, h0, c, text, _font(11, bold=True), _CENTER)
    cols = form.columns
    for level in range(depth):
        i = 0
        while i < len(cols):
            path = cols[i].path
            if level >= len(path):
                i += 1
                continue
            j = i
            while (
                j + 1 < len(cols)
                and len(cols[j + 1].path) > level
                and cols[j + 1].path[: level + 1] == path[: level + 1]
            ):
                j += 1
            bottom = h0 + (depth - 1 if level == len(path) - 1 else level)
            # A path's last text reaches down to the header's last row unless the
            # neighbours sharing it go deeper (then it spans across only).
            if any(len(cols[k].path) > level + 1 for k in range(i, j + 1)):
                bottom = h0 + level
            c1, c2 = fixed + 1 + i, fixed + 1 + j
            if bottom == h0 + level:
                lines = math.ceil(len(path[level]) / (width * (j - i + 1) * 0.95))
                heights[level] = max(heights.get(level, 30.0), 15.0 * lines + 4)
            if bottom > h0 + level or c2 > c1:
                _merge(ws, start_row=h0 + level, start_column=c1, end_row=bottom, end_column=c2)
            _put(ws, h0 + level, c1, path[level], _font(11, bold=True), _CENTER)
            i = j + 1
    nr = h0 + depth
    for c, text in enumerate([*"ABC"[:fixed], *(col.key for col in cols)], start=1):
        _put(ws, nr, c, text, _font(11, bold=True), _CENTER)
    _box(ws, h0, 1, nr, ncols)

    # The rows.
    r = nr + 1
    first = r
    for row in form.rows:
        _put(ws, r, 1, row.label, _font(12, bold=row.bold), _LEFT)
        ws.row_dimensions[r].height = 17.0 * math.ceil(len(row.label) / 44) + 2
        _put(ws, r, 2, row.code, _font(12), _CENTER)
        if form.unit_column:
            _put(ws, r, 3, row.unit, _font(12), _CENTER)
        for c, col in enumerate(cols, start=fixed + 1):
            v = None if not row.code else cells.get((row.code, col.key))
            kind = cell_kind(row, col)
            _put(
                ws,
                r,
                c,
                v if kind is not CellKind.HEADING else None,
                _font(12, bold=row.bold),
                _CENTER,
            )
        r += 1
    _box(ws, first, 1, r - 1, ncols)

    # The signer's block: the preparer on the left, place, date and the head on the right.
    r += 1
    d = h.day
    _merge(ws, start_row=r, start_column=half, end_row=r, end_column=ncols)
    _put(
        ws,
        r,
        half,
        f"{h.place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}",
        _font(12, italic=True),
        _CENTER,
    )
    r += 1
    left_end = min(3, half - 1)
    for left, right, font in (
        ("NGƯỜI LẬP BIỂU", h.signer_title.upper(), _font(12, bold=True)),
        ("(Ký, họ tên)", "(Ký, họ tên, đóng dấu)", _font(11, italic=True)),
    ):
        _merge(ws, start_row=r, start_column=1, end_row=r, end_column=left_end)
        _put(ws, r, 1, left, font, _CENTER)
        _merge(ws, start_row=r, start_column=half, end_row=r, end_column=ncols)
        _put(ws, r, half, right, font, _CENTER)
        r += 1
    r += 3
    _merge(ws, start_row=r, start_column=1, end_row=r, end_column=left_end)
    _put(ws, r, 1, h.preparer_name, _font(12, bold=True), _CENTER)
    _merge(ws, start_row=r, start_column=half, end_row=r, end_column=ncols)
    _put(ws, r, half, h.signer_name, _font(12, bold=True), _CENTER)

    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 7
    if form.unit_column:
        ws.column_dimensions["C"].width = 11
    for c in range(fixed + 1, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    for level, height in heights.items():
        ws.row_dimensions[h0 + level].height = height
    ws.print_area = f"A1:{last}{r}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{h0}:{nr}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
