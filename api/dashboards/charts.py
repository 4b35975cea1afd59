"""A dashboard table drawn as an SVG bar chart on the server (matplotlib, its SVG backend
without pyplot: no display, no global figure state, safe in worker threads). The text
stays text in the SVG (a font with Vietnamese letters, DejaVu Sans, named for the browser
and the printer), so the labels are searchable, sharp in print and read by a screen
reader; no script, nothing fetched."""

from __future__ import annotations

import io
import math
import textwrap
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from api.dashboards.tables import Cell, Table

FONT = ["DejaVu Sans", "Liberation Sans", "sans-serif"]
COLOURS = ["#1f4e79", "#c55a11", "#548235", "#7f6000"]
STACK_COLOURS = [
    "#1f4e79",
    "#c55a11",
    "#548235",
    "#7f6000",
    "#6a3d9a",
    "#2e8b8b",
    "#b03060",
    "#5a5a5a",
]
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": FONT,
    "font.size": 9,
    "svg.hashsalt": "tdkt",
}
MAX_BARS = 30


def _number(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    return None


def chart_svg(table: Table) -> str | None:
    """The table's chart as an SVG document (no XML declaration: it goes inline in a page
    as well as into a file), or None when the table has no chart or nothing to draw."""
    spec = table.chart
    if spec is None:
        return None
    rows = [r for r in table.rows if r and r[0] != "Tổng"]
    title = table.title
    if spec.stack is not None:
        return _stacked(table, rows, spec.labels, spec.stack, spec.values[0], spec.unit)
    if len(rows) > MAX_BARS:
        title += f" ({MAX_BARS} dòng đầu, đủ trong bảng)"
        rows = rows[:MAX_BARS]
    labels = [" — ".join(str(r[i]) for i in spec.labels if r[i] not in ("", None)) for r in rows]
    series = [[_number(r[c]) or 0.0 for r in rows] for c in spec.values]
    if not rows or not any(any(s) for s in series):
        return None
    import matplotlib

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        return _draw(table, title, labels, series, spec.horizontal, spec.unit, spec.values)


def _stacked(
    table: Table, rows: list[list[Cell]], labels: list[int], stack: int, value: int, unit: str
) -> str | None:
    bars: list[str] = []
    parts: list[str] = []
    cells: dict[tuple[str, str], float] = {}
    for r in rows:
        bar = " — ".join(str(r[i]) for i in labels if r[i] not in ("", None))
        part = str(r[stack])
        v = _number(r[value])
        if v is None:
            continue
        bars += [bar] if bar not in bars else []
        parts += [part] if part not in parts else []
        cells[bar, part] = v
    title = table.title
    if len(bars) > MAX_BARS:
        title += f" ({MAX_BARS} dòng đầu, đủ trong bảng)"
        bars = bars[:MAX_BARS]
    if not bars or not any(cells.values()):
        return None
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        legend_rows = math.ceil(len(parts) / 2)
        height = max(2.6, 0.34 * len(bars) + 1.4 + 0.22 * legend_rows)
        fig = Figure(figsize=(7.0, height))
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        left = [0.0] * len(bars)
        for j, part in enumerate(parts):
            values = [cells.get((b, part), 0.0) for b in bars]
            ax.barh(range(len(bars)), values, left=left, color=STACK_COLOURS[j % 8], label=part)
            left = [a + b for a, b in zip(left, values, strict=True)]
        for i, total in enumerate(left):
            ax.text(total, i, " " + _fmt(total), va="center", fontsize=8)
        ax.set_yticks(range(len(bars)), [_short(b, 40) for b in bars])
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        ax.margins(x=0.1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title("\n".join(textwrap.wrap(title, 70)), fontsize=10, loc="left")
        fig.legend(loc="lower center", ncol=2, fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, (0.22 * legend_rows + 0.1) / height, 1, 1))
        return _svg(fig, title)


def _draw(
    table: Table,
    title: str,
    labels: list[str],
    series: list[list[float]],
    horizontal: bool,
    unit: str,
    columns: list[int],
) -> str:
    # matplotlib is imported when a chart is drawn, not with the app (1–2 s of start-up
    # for every process, most of which never draw one).
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    n, k = len(labels), len(series)
    height = max(2.4, 0.32 * n * (k if horizontal else 1) + 1.2) if horizontal else 3.2
    fig = Figure(figsize=(7.0, height))
    FigureCanvasSVG(fig)
    ax = fig.add_subplot()
    width = 0.8 / k
    for j, values in enumerate(series):
        pos = [i + (j - (k - 1) / 2) * width for i in range(n)]
        name = table.columns[columns[j]]
        if horizontal:
            bars = ax.barh(pos, values, height=width, color=COLOURS[j % 4], label=name)
        else:
            bars = ax.bar(pos, values, width=width, color=COLOURS[j % 4], label=name)
        ax.bar_label(bars, labels=[_fmt(v) for v in values], padding=2, fontsize=8)
    if horizontal:
        ax.set_yticks(range(n), [_short(x) for x in labels])
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        ax.margins(x=0.12)
    else:
        ax.set_xticks(range(n), [_short(x) for x in labels])
        ax.set_ylabel(unit)
        ax.margins(y=0.15)
    if k > 1:
        ax.legend(loc="best", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.set_title("\n".join(textwrap.wrap(title, 70)), fontsize=10, loc="left")
    fig.tight_layout()
    return _svg(fig, title)


def _svg(fig: Figure, title: str) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    # Inline in a page: no XML declaration or DOCTYPE; a title for screen readers.
    body = text[text.index("<svg") :]
    close = body.index(">") + 1
    return body[:close] + f"<title>{escape(title)}</title>" + body[close:]


def _fmt(v: float) -> str:
    return f"{v:g}".replace(".", ",")


def _short(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
