"""A dashboard's table as the API sends it, the pages show it, the chart draws it and the
XLSX export writes it: one shape for all four, so the four always agree."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

Cell = str | int | float | None


class ChartSpec(BaseModel):
    """How the table is drawn: bars labelled by the `labels` columns (joined), one series
    per column of `values`; `horizontal` for long labels. A last row «Tổng» is not drawn."""

    labels: list[int] = [0]
    values: list[int]
    horizontal: bool = True
    unit: str = ""
    """What the values measure (the axis' title)."""
    stack: int | None = None
    """Stacked bars: one bar per label, one segment per distinct value of this column
    (the first of `values` is the segment's length), e.g. each unit's median time in each
    step laid end to end."""


class Table(BaseModel):
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""
    chart: ChartSpec | None = None


class Dashboard(BaseModel):
    key: str
    """`overview` (thống kê chung) or `waiting-times` (thời gian xử lý)."""
    title: str
    year: int
    scope_level: str
    scope_label: str
    """Whose numbers: «Toàn tỉnh», «Cụm thi đua: …», «Đơn vị: …»."""
    generated_on: date
    min_group: int
    """Groups smaller than this show «—» for women and ethnic minorities."""
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)
