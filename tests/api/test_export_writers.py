"""The XLSX a list is exported as (api/exports/writers.py): written as it streams — the
first rows leave before the last is read — and opened as typed by openpyxl and by
LibreOffice (converted to PDF here, as a user's spreadsheet program would open it)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook

from api.exports.writers import XLSX_ROWS_PER_PIECE, Column, Value, xlsx_pieces

COLUMNS = [
    Column("no", "Số hồ sơ"),
    Column("name", "Tên tập thể, họ tên", width=40),
    Column("born", "Ngày sinh", personal=True),
    Column("at", "Thời điểm"),
    Column("ok", "Đã duyệt"),
]
TRICKY = 'Nguyễn Thị Ánh <Tuyết> & "Hoa" {{ name }}'


def test_the_first_rows_leave_before_the_last_is_read() -> None:
    total, read = 10 * XLSX_ROWS_PER_PIECE, 0

    def rows() -> Iterator[dict[str, Value]]:
        nonlocal read
        for i in range(total):
            read += 1
            yield {"no": i, "name": TRICKY}

    read_when_sent, pieces = [], []
    for piece in xlsx_pieces(COLUMNS, rows(), "Hồ sơ"):
        read_when_sent.append(read)
        pieces.append(piece)
    assert read_when_sent[0] == 0  # the workbook's fixed parts leave first
    assert len([r for r in read_when_sent if 0 < r < total]) >= 9  # then rows, as read
    ws = load_workbook(io.BytesIO(b"".join(pieces)), read_only=True).active
    assert sum(1 for _ in ws.iter_rows()) == total + 1


def test_openpyxl_and_libreoffice_read_the_cells_as_typed(tmp_path: Path) -> None:
    rows: list[dict[str, Value]] = [
        {
            "no": 1,
            "name": TRICKY,
            "born": date(1985, 3, 4),
            "at": datetime(2026, 12, 4, 3, 0, tzinfo=UTC),
            "ok": True,
        },
        {"no": 2, "name": '=HYPERLINK("http://x")', "born": None, "at": None, "ok": False},
    ]
    data = b"".join(xlsx_pieces(COLUMNS, rows, "Danh sách: đề nghị [2026]"))
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert ws["A1"].font.name == "Times New Roman" and ws["A1"].font.b
    assert ws["B2"].value == TRICKY
    assert ws["C2"].value == datetime(1985, 3, 4)
    assert ws["D2"].value == datetime(2026, 12, 4, 10, 0)  # Vietnam time
    assert (ws["E2"].value, ws["E3"].value) == ("Có", "Không")
    assert ws["B3"].value.startswith("=HYPERLINK") and ws["B3"].data_type == "s"  # text

    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(data)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "danh-sach.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for expected in ("Số hồ sơ", "Nguyễn Thị Ánh <Tuyết>", "04/03/1985", "04/12/2026 10:00"):
        assert expected in text, (expected, text)
