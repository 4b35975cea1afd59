"""The two files a list is exported as, written row by row: CSV in UTF-8 with a BOM (so
Excel opens the Vietnamese letters as they are) and XLSX (Office Open XML written here as
it streams, the sheet's rows compressed and sent a few hundred at a time; Times New Roman,
the header bold). Both are generators of byte pieces fed by a generator of rows, so a list
of any length is never held in memory: what a StreamingResponse sends.

Cell values are text, numbers, dates and datetimes (times are shown in Vietnam time).
Text is kept as typed, with one exception in each format: a CSV cell beginning with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe (spreadsheet
programs would otherwise run it as a formula: OWASP «CSV injection»), and an XLSX cell
beginning with `=` is written as a text cell, never a formula; control characters that
XLSX cannot hold are dropped."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from storage.audit import VIETNAM

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
CSV_ROWS_PER_PIECE = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"

Value = str | int | float | date | datetime | None


@dataclass(frozen=True)
class Column:
    """One column of an exported list, declared as data: its key in a row, its header
    (Vietnamese), its width in the XLSX, and whether it holds personal data (NĐ 13/2023:
    an identity number, a date of birth), which only a caller who may read it gets."""

    key: str
    header: str
    width: int = 18
    personal: bool = False


def _vn_time(t: datetime) -> datetime:
    if t.tzinfo is None:  # SQLite gives naive datetimes back: they were stored as UTC
        t = t.replace(tzinfo=UTC)
    return t.astimezone(VIETNAM)


def csv_text(v: Value) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return _vn_time(v).strftime("%d/%m/%Y %H:%M")
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, bool):
        return "Có" if v else "Không"
    text = str(v)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_pieces(columns: Sequence[Column], rows: Iterable[dict[str, Value]]) -> Iterator[bytes]:
    """The BOM and the header, then the rows, a few hundred to a piece."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    out.writerow([c.header for c in columns])
    for n, row in enumerate(rows, start=1):
        out.writerow([csv_text(row.get(c.key)) for c in columns])
        if n % CSV_ROWS_PER_PIECE == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _col(n: int) -> str:
    """1 → A, 27 → AA."""
    name = ""
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


_EPOCH = datetime(1899, 12, 30)
_STYLE_DATE, _STYLE_DATETIME, _STYLE_HEADER = 1, 2, 3


def _serial(v: date | datetime) -> str:
    """Excel's day number (dates after 1900-03-01, which every date here is)."""
    if isinstance(v, datetime):
        local = _vn_time(v).replace(tzinfo=None)
        return repr(round((local - _EPOCH).total_seconds() / 86400, 8))
    return str((v - _EPOCH.date()).days)


def _text(v: str) -> str:
    return escape(ILLEGAL_CHARACTERS_RE.sub("", v), {'"': "&quot;"})


def _xlsx_cell(ref: str, v: Value, style: int = 0) -> str:
    """One cell of the sheet's XML. Text goes inline, as text even when it begins with
    `=` (never a formula); booleans as «Có» / «Không»; dates as day numbers shown with
    a date format."""
    s = f' s="{style}"' if style else ""
    if v is None:
        return ""
    if isinstance(v, bool):
        v = "Có" if v else "Không"
    if isinstance(v, int | float):
        return f'<c r="{ref}"{s}><v>{v!r}</v></c>'
    if isinstance(v, datetime):
        return f'<c r="{ref}" s="{_STYLE_DATETIME}"><v>{_serial(v)}</v></c>'
    if isinstance(v, date):
        return f'<c r="{ref}" s="{_STYLE_DATE}"><v>{_serial(v)}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(str(v))}</t></is></c>'


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
# Times New Roman throughout; style 1 a date, 2 a date and time, 3 the bold header.
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
    f'<numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATETIME_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="12"/><name val="Times New Roman"/></font>'
    '<font><b/><sz val="12"/><name val="Times New Roman"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
XLSX_ROWS_PER_PIECE = 500


class _Sink(io.RawIOBase):
    """Where the zip is written: what it holds so far is taken and sent."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self._parts.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _sheet_name(title: str) -> str:
    return _text(re.sub(r"[\\/*?:\[\]]", " ", title)[:31].strip() or "Danh sách")


def xlsx_pieces(
    columns: Sequence[Column], rows: Iterable[dict[str, Value]], sheet: str
) -> Iterator[bytes]:
    """The workbook as it is written: the zip's parts are small and fixed but the sheet,
    whose rows are compressed and sent a few hundred at a time, so the first bytes leave
    at once and nothing but the piece under way is held in memory (openpyxl writes its
    zip only after the last row: 69 s of silence for 100 000 rows). Read back by openpyxl
    and LibreOffice in tests/api/test_exports_api.py."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr(
            "xl/workbook.xml",
            _HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{_sheet_name(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        yield sink.take()
        refs = [_col(i) for i in range(1, len(columns) + 1)]
        widths = "".join(
            f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
            for i, c in enumerate(columns, start=1)
        )
        header = "".join(
            _xlsx_cell(f"{ref}1", c.header, _STYLE_HEADER)
            for ref, c in zip(refs, columns, strict=True)
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as w:
            w.write(
                (
                    _HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
                    '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                    f'<cols>{widths}</cols><sheetData><row r="1">{header}</row>'
                ).encode("utf-8")
            )
            buf: list[str] = []
            for n, row in enumerate(rows, start=2):
                cells = "".join(
                    _xlsx_cell(f"{ref}{n}", row.get(c.key))
                    for ref, c in zip(refs, columns, strict=True)
                )
                buf.append(f'<row r="{n}">{cells}</row>')
                if len(buf) == XLSX_ROWS_PER_PIECE:
                    w.write("".join(buf).encode("utf-8"))
                    buf.clear()
                    yield sink.take()
            w.write(("".join(buf) + "</sheetData></worksheet>").encode("utf-8"))
    yield sink.take()
