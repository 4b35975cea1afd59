"""Checks an uploaded DOCX must pass before it becomes a version of a form.

A new template version is used by the flows without anyone looking at it again, so it is
checked here first, against the catalogue and the layout rules of NĐ 30/2020:

1. the file is a plain Word document (.docx): not a macro-enabled .docm, not a .dotx,
   no VBA project, ActiveX control or embedded OLE object, and no reference to anything
   outside the file (linked templates, images or objects, INCLUDE/DDE fields), which a
   reader's Word would fetch;
2. the page is A4 portrait, the margins are within the decree's ranges and the default
   font is Times New Roman;
3. the template reads only the fields the catalogue declares for the form, and every
   required field is used;
4. it renders with the sample dossiers of `doc_templates.samples`, which together take
   every branch a form has, and leaves no ``{{``, ``{%`` or ``}}`` behind.

:func:`template_problems` returns the problems as Vietnamese sentences for the admin;
an empty list means the file is accepted.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length

from doc_templates.catalogue import FormSpec
from doc_templates.samples import validation_contexts
from documents.docx_package import DOCX_MAIN, package_problems
from documents.render import RenderError, render_docx, template_variables

__all__ = ["DOCX_MAIN", "template_problems"]


# NĐ 30/2020, Phụ lục I: A4; margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
_PAGE_MM = (210.0, 297.0)
_MARGINS_MM = {
    "top_margin": ("trên", 20.0, 25.0),
    "bottom_margin": ("dưới", 20.0, 25.0),
    "left_margin": ("trái", 30.0, 35.0),
    "right_margin": ("phải", 15.0, 20.0),
}
_FONT = "Times New Roman"


def template_problems(spec: FormSpec, data: bytes) -> list[str]:
    """What is wrong with ``data`` as a template of the form ``spec``; empty if nothing."""
    problems = package_problems(data)
    if problems:
        return problems  # the rest would only repeat that the file cannot be read
    problems += _layout_problems(data)
    try:
        used = template_variables(data)
    except RenderError as exc:
        return [*problems, _render_problem(exc, None)]
    except Exception as exc:  # a malformed part python-docx or docxtpl trips over
        return [*problems, f"Không đọc được nội dung tệp Word ({type(exc).__name__})."]
    undeclared = sorted(used - spec.field_names)
    if undeclared:
        problems.append(
            f"Mẫu dùng trường không có trong danh mục của biểu mẫu «{spec.title}»: "
            f"{', '.join(undeclared)}. Các trường được phép: {', '.join(sorted(spec.field_names))}."
        )
    unused = sorted(spec.required_fields - used)
    if unused:
        problems.append(f"Mẫu thiếu trường bắt buộc: {', '.join(unused)}.")
    if undeclared:
        return problems  # rendering would only fail on the same names
    for label, context in validation_contexts():
        try:
            render_docx(data, context)
        except RenderError as exc:
            problems.append(_render_problem(exc, label))
            break
        except Exception as exc:
            problems.append(f"Không điền được mẫu với {label} ({type(exc).__name__}).")
            break
    return problems


# -- the page -------------------------------------------------------------------------


def _layout_problems(data: bytes) -> list[str]:
    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:
        return [f"Không đọc được nội dung tệp Word ({type(exc).__name__})."]
    problems: list[str] = []
    for n, section in enumerate(doc.sections, 1):
        where = "" if len(doc.sections) == 1 else f" (phần {n})"
        width, height = _mm(section.page_width), _mm(section.page_height)
        if width is None or height is None or not _near((width, height), _PAGE_MM):
            shown = f"{width or 0:.0f} × {height or 0:.0f} mm"
            problems.append(f"Khổ giấy{where} phải là A4 dọc (210 × 297 mm), mẫu đang là {shown}.")
        for attr, (label, low, high) in _MARGINS_MM.items():
            value = _mm(getattr(section, attr))
            if value is None or not low - 0.1 <= value <= high + 0.1:
                shown = "không đặt" if value is None else f"{value:.1f} mm"
                problems.append(
                    f"Lề {label}{where} phải từ {low:.0f} đến {high:.0f} mm (Nghị định "
                    f"30/2020/NĐ-CP), mẫu đang là {shown}."
                )
    font = _default_font(doc)
    if (font or "").strip().lower() != _FONT.lower():
        problems.append(
            f"Phông chữ mặc định (kiểu Normal) phải là {_FONT}, mẫu đang là "
            f"{font or 'phông theo chủ đề (theme)'}."
        )
    return problems


def _mm(length: Length | None) -> float | None:
    return None if length is None else length.mm


def _near(size: tuple[float, float], expected: tuple[float, float]) -> bool:
    return all(abs(a - b) <= 1.0 for a, b in zip(size, expected, strict=True))


def _default_font(doc: Any) -> str | None:
    """The Latin font of the Normal style, or of the document defaults under it."""
    candidates: list[Callable[[], Any]] = [
        lambda: doc.styles["Normal"].element.rPr,
        lambda: doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).rPr,
    ]
    for rpr_of in candidates:
        try:
            rpr = rpr_of()
        except (AttributeError, KeyError):
            continue
        fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if fonts is None:
            continue
        if fonts.get(qn("w:ascii")):
            return str(fonts.get(qn("w:ascii")))
        if fonts.get(qn("w:asciiTheme")):
            return None
    return None


# -- rendering ------------------------------------------------------------------------


def _render_problem(exc: RenderError, label: str | None) -> str:
    detail = str(exc).split(": ", 1)[-1][:300]
    if exc.kind == "syntax":
        return f"Mẫu có thẻ Jinja viết sai cú pháp: {detail}"
    if exc.kind == "open":
        return "Không mở được tệp Word."
    if exc.kind == "missing":
        return (
            f"Không điền được mẫu với {label}: mẫu đọc «{exc.variable}», là thuộc tính không "
            "có trong dữ liệu của biểu mẫu (kiểm tra lại tên thuộc tính)."
        )
    if exc.kind == "leftover":
        return (
            f"Sau khi điền mẫu với {label} vẫn còn thẻ mẫu ({{{{, {{%, }}}}) trong văn bản: "
            "có thẻ bị tách hoặc viết sai."
        )
    return f"Không điền được mẫu với {label}: {detail}"
