"""The two files a list is exported as, written row by row: CSV in UTF-8 with a BOM (so
Excel opens the Vietnamese letters as they are) and XLSX with openpyxl in write-only
mode (each row goes to a temporary file on disk as it comes; the header in Times New
Roman, bold). Both are generators of byte pieces fed by a generator of rows, so a list
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
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from storage.audit import VIETNAM

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
PIECE = 256 * 1024
"""Bytes per piece sent (as a document download's)."""
CSV_ROWS_PER_PIECE = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(name="Times New Roman", bold=True, size=12)
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


def _xlsx_cell(ws: WriteOnlyWorksheet, v: Value) -> object:
    if v is None or isinstance(v, bool | int | float):
        return ("Có" if v else "Không") if isinstance(v, bool) else v
    if isinstance(v, datetime):
        cell = WriteOnlyCell(ws, _vn_time(v).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(v, date):
        cell = WriteOnlyCell(ws, v)
        cell.number_format = DATE_FORMAT
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(v))
    if text.startswith("="):
        cell = WriteOnlyCell(ws, None)
        cell._value, cell.data_type = text, "s"  # text, not a formula
        return cell
    return text


def xlsx_pieces(
    columns: Sequence[Column], rows: Iterable[dict[str, Value]], sheet: str
) -> Iterator[bytes]:
    """The workbook: each row appended to the write-only sheet (openpyxl keeps it in a
    temporary file, not in memory), then the zip written to a temporary file and sent
    from it in pieces."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet[:31])
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, c.header)
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([_xlsx_cell(ws, row.get(c.key)) for c in columns])
    with tempfile.TemporaryFile(prefix="tdkt-export-") as f:
        wb.save(f)
        f.seek(0)
        while piece := f.read(PIECE):
            yield piece
