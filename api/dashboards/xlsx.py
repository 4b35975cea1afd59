"""A dashboard's tables as an XLSX workbook (openpyxl): one sheet per table, its header
row bold on the first row, the numbers as numbers, Times New Roman, columns as wide as
their text, the header row frozen; under the table, its note and whose numbers these are."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from api.dashboards.tables import Dashboard, Table

FONT = "Times New Roman"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(dashboard: Dashboard, tables: list[Table]) -> bytes:
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    used: set[str] = set()
    for table in tables:
        ws = wb.create_sheet(_sheet_name(table.title, used))
        ws.append(table.columns)
        for row in table.rows:
            ws.append(list(row))
        ws.append([])
        if table.note:
            ws.append([table.note])
        ws.append(
            [
                f"{dashboard.title} — năm {dashboard.year} — {dashboard.scope_label} — "
                f"lập ngày {dashboard.generated_on:%d/%m/%Y}"
            ]
        )
        plain, bold = Font(name=FONT, size=12), Font(name=FONT, size=12, bold=True)
        for r in ws.iter_rows():
            for c in r:
                c.font = plain
        for c in ws[1]:
            c.font = bold
            c.alignment = Alignment(wrap_text=True, vertical="center")
        for i, name in enumerate(table.columns, start=1):
            longest = max(
                [len(str(name))] + [len(str(r[i - 1])) for r in table.rows if i - 1 < len(r)]
            )
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\\/*?:\[\]]", " ", title)[:28].strip() or "Bang"
    name, k = base, 2
    while name in used:
        name, k = f"{base[:26]} {k}", k + 1
    used.add(name)
    return name


def file_name(dashboard: Dashboard, table: str | None) -> str:
    return f"thong-ke-{dashboard.key}-{table or 'tat-ca'}-{dashboard.year}.xlsx"
