"""Reading an import file row by row (XLSX with openpyxl in read-only mode, CSV in UTF-8
with or without BOM), never the whole table in memory as objects; and the template
(XLSX with a guide sheet, CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from domain.errors import InvalidInput, UnsupportedMediaType
from domain.registry import CATALOGUE, LEVEL_LABELS
from domain.registry_import import COLUMNS, HEADERS, header_problem

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
MAX_ROWS = 200_000


class FileBroken(Exception):
    """The file stopped being readable part way (a broken CSV line, a damaged sheet):
    the whole import fails, with this Vietnamese message (no cell's content)."""


def kind_of(filename: str, data: bytes) -> str:
    """ "xlsx" or "csv" by the name and the content; anything else: 415."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK\x03\x04"):
            raise UnsupportedMediaType(
                "Tệp không phải XLSX (Excel 2007 trở lên) dù có đuôi .xlsx.", code="import_not_xlsx"
            )
        return "xlsx"
    if name.endswith(".csv"):
        if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
            raise UnsupportedMediaType("Tệp không phải CSV dạng văn bản.", code="import_not_csv")
        return "csv"
    raise UnsupportedMediaType(
        "Chỉ nhận tệp .xlsx hoặc .csv theo tệp mẫu.", code="import_file_type"
    )


def _csv_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(
            "Tệp CSV phải mã hoá UTF-8 (có hoặc không có BOM): hãy lưu lại bằng «CSV UTF-8».",
            code="import_csv_encoding",
        ) from e


def _csv_rows(text: str) -> Iterator[list[Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        yield from reader
    except csv.Error as e:
        raise FileBroken(
            f"Tệp CSV hỏng ở dòng {reader.line_num} (dấu ngoặc kép không khớp …)."
        ) from e


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as e:
        raise FileBroken("Không đọc được tệp XLSX (tệp hỏng hoặc không phải Excel).") from e
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    except (KeyError, OSError, ValueError) as e:
        raise FileBroken("Tệp XLSX hỏng giữa chừng.") from e
    finally:
        wb.close()


def rows(kind: str, data: bytes) -> Iterator[list[Any]]:
    """Every row of the file, the header first."""
    return _csv_rows(_csv_text(data)) if kind == "csv" else _xlsx_rows(data)


def opening_check(kind: str, data: bytes) -> int:
    """Refuse a file whose first row is not the template's header (422 with the code);
    returns about how many data rows it has (the progress bar's total)."""
    it = rows(kind, data)
    try:
        header = next(it, None)
    except FileBroken as e:
        raise InvalidInput(str(e), code="import_file_unreadable") from e
    if header is None:
        raise InvalidInput("Tệp rỗng.", code="import_empty")
    problem = header_problem(header)
    if problem:
        raise InvalidInput(problem, code="import_header_invalid")
    if kind == "csv":
        estimate = max(data.count(b"\n") - 1, 0) + (0 if data.endswith(b"\n") else 1)
    else:
        estimate = 0
        wb = load_workbook(io.BytesIO(data), read_only=True)
        try:
            ws = wb.worksheets[0]
            estimate = max((ws.max_row or 1) - 1, 0)
        finally:
            wb.close()
    if estimate > MAX_ROWS:
        raise InvalidInput(
            f"Tệp có hơn {MAX_ROWS:,} dòng: hãy chia thành nhiều tệp.".replace(",", "."),
            code="import_too_many_rows",
        )
    return estimate


GUIDE = (
    "Mỗi dòng là một khen thưởng (danh hiệu thi đua hoặc hình thức khen thưởng) của một cá "
    "nhân hoặc tập thể. Giữ nguyên dòng tiêu đề và thứ tự cột. Cá nhân được nhận diện bằng số "
    "định danh (CCCD); tập thể bằng tên trong đơn vị. Dòng trùng (cùng người/tập thể, khen "
    "thưởng, năm, số quyết định) trong tệp hoặc đã có trong sổ sẽ bị báo lỗi."
)


def template_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Khen thưởng"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, (_, header, _) in enumerate(COLUMNS):
        ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = max(14, len(header) + 4)
    guide = wb.create_sheet("Hướng dẫn")
    guide.append(["Hướng dẫn"])
    guide.append([GUIDE])
    guide.append([])
    guide.append(["Cột", "Ghi chú"])
    for _, header, note in COLUMNS:
        guide.append([header, note])
    guide.append([])
    guide.append(["Mã khen thưởng", "Tên", "Cấp", "Dành cho"])
    for entry in CATALOGUE.values():
        holders = ", ".join(
            sorted("cá nhân" if h == "individual" else "tập thể" for h in entry.holders)
        )
        guide.append([entry.code, entry.name, LEVEL_LABELS[entry.level], holders])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_csv() -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerow(HEADERS)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
