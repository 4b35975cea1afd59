"""Bằng khen certificates: one landscape A4 page per awardee, drawn with Vietnamese fonts
(Liberation Serif), for printing either on plain paper (the whole certificate: border,
title, seal) or on the province's pre-printed blanks (phôi bằng: only the variable text,
moved by the configured offsets so that it falls on the blank's lines), and a test page
that shows where each text goes so the offsets can be set once per printer.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from documents.appearance import BLUE, FONTS, RED
from documents.vn import upper_vi

PAGE = landscape(A4)
GOLD = Color(0.72, 0.53, 0.04)


@dataclass(frozen=True)
class Offsets:
    """Where the printer puts the text relative to the page, in millimetres (+x right,
    +y up): measured once with the test page on a blank."""

    x_mm: float = 0.0
    y_mm: float = 0.0


@dataclass(frozen=True)
class Certificate:
    decider: str  # "Chủ tịch Ủy ban nhân dân tỉnh Lạng Sơn"
    award_title: str  # "BẰNG KHEN"
    name: str
    detail: str  # position and unit, or the collective's unit
    reason: str
    decision_number: str
    decision_date: str  # "04/12/2026"
    place_date: str  # "Lạng Sơn, ngày 04 tháng 12 năm 2026"
    signer_marker: str  # "KT. CHỦ TỊCH" or ""
    signer_position: str  # "PHÓ CHỦ TỊCH"
    signer_name: str
    seal_name: str
    book_no: str  # "Số vào sổ: 12/2026"


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str, str]:
    faces = (
        ("TdktCertRegular", "LiberationSerif-Regular.ttf"),
        ("TdktCertBold", "LiberationSerif-Bold.ttf"),
        ("TdktCertItalic", "LiberationSerif-Italic.ttf"),
    )
    for name, file in faces:
        pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))
    return faces[0][0], faces[1][0], faces[2][0]


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The size at which `text` fits `width` (never larger than `size`)."""
    w = pdfmetrics.stringWidth(text, font, size)
    return size if w <= width else max(8.0, size * width / w)


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        trial = f"{line} {w}".strip()
        if pdfmetrics.stringWidth(trial, font, size) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = w
    return [*lines, line] if line else lines


def _seal(c: canvas.Canvas, cx: float, cy: float, organisation: str, r: float = 55.0) -> None:
    bold = _fonts()[1]
    c.saveState()
    c.setStrokeColor(RED)
    c.setFillColor(RED)
    c.setLineWidth(2.2)
    c.circle(cx, cy, r - 2, stroke=1, fill=0)
    c.setLineWidth(0.9)
    c.circle(cx, cy, r * 0.62, stroke=1, fill=0)
    text = upper_vi(organisation)
    size = 7.2 if len(text) < 40 else max(4.6, 7.2 * 40 / len(text))
    c.setFont(bold, size)
    ring = r * 0.80
    widths = [pdfmetrics.stringWidth(ch, bold, size) for ch in text]
    span = min(1.9 * math.pi, (sum(widths) + 0.6 * len(text)) / ring)
    angle = math.pi / 2 + span / 2
    for ch, w in zip(text, widths, strict=True):
        step = (w + 0.6) / ring
        mid = angle - step / 2
        c.saveState()
        c.translate(cx + ring * math.cos(mid), cy + ring * math.sin(mid))
        c.rotate(math.degrees(mid) - 90)
        c.drawCentredString(0, -size / 3, ch)
        c.restoreState()
        angle -= step
    pts = [
        (
            cx + r * 0.3 * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
            cy + r * 0.3 * math.sin(math.pi / 2 + k * 4 * math.pi / 5),
        )
        for k in range(5)
    ]
    p = c.beginPath()
    p.moveTo(*pts[0])
    for pt in pts[1:]:
        p.lineTo(*pt)
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


# The frames the variable text is laid in (points, origin bottom left, before offsets).
W, H = PAGE
NAME_Y = H - 250
REASON_TOP = H - 318
FOOT_Y = 150
SIGN_X = W - 215


def _page(c: canvas.Canvas, x: Certificate, *, blank: bool) -> None:
    regular, bold, italic = _fonts()
    if not blank:
        # What a phôi bằng has printed already: the border, the heading and the title.
        c.setStrokeColor(GOLD)
        c.setLineWidth(6)
        c.rect(18, 18, W - 36, H - 36)
        c.setLineWidth(1.5)
        c.rect(30, 30, W - 60, H - 60)
        c.setFillColor(black)
        c.setFont(bold, 15)
        c.drawCentredString(W / 2, H - 80, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        c.setFont(bold, 14)
        c.drawCentredString(W / 2, H - 100, "Độc lập - Tự do - Hạnh phúc")
        c.setFont(bold, 17)
        c.drawCentredString(W / 2, H - 140, upper_vi(x.decider))
        c.setFont(regular, 16)
        c.drawCentredString(W / 2, H - 165, "TẶNG")
        c.setFillColor(RED)
        c.setFont(bold, 40)
        c.drawCentredString(W / 2, H - 212, x.award_title)
    c.setFillColor(RED)
    size = _fit(x.name, bold, 26, W - 160)
    c.setFont(bold, size)
    c.drawCentredString(W / 2, NAME_Y, x.name)
    c.setFillColor(black)
    c.setFont(italic, 15)
    for i, line in enumerate(_lines(x.detail, italic, 15, W - 200)[:2]):
        c.drawCentredString(W / 2, NAME_Y - 28 - 19 * i, line)
    c.setFont(regular, 16)
    for i, line in enumerate(_lines(x.reason, regular, 16, W - 200)[:3]):
        c.drawCentredString(W / 2, REASON_TOP - 21 * i, line)
    c.setFont(italic, 12)
    c.drawString(70, FOOT_Y, f"Quyết định số {x.decision_number} ngày {x.decision_date}")
    c.drawString(70, FOOT_Y - 17, x.book_no)
    c.setFont(italic, 14)
    c.drawCentredString(SIGN_X, FOOT_Y + 40, x.place_date)
    c.setFont(bold, 13)
    y = FOOT_Y + 20
    if x.signer_marker:
        c.drawCentredString(SIGN_X, y, x.signer_marker)
        y -= 16
    c.drawCentredString(SIGN_X, y, x.signer_position)
    _seal(c, SIGN_X - 55, y - 52, x.seal_name)
    c.setFillColor(BLUE)
    c.setFont(italic, 22)
    c.drawCentredString(SIGN_X + 10, y - 60, x.signer_name.split()[-1] if x.signer_name else "")
    c.setFillColor(black)
    c.setFont(bold, 14)
    c.drawCentredString(SIGN_X, 55, x.signer_name)


def certificates_pdf(
    items: Sequence[Certificate], offsets: Offsets = Offsets(), *, blank: bool = False
) -> bytes:
    """One page per certificate; `blank`: only what the phôi bằng does not print."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=PAGE, pageCompression=1)
    c.setTitle("Bằng khen")
    for x in items:
        c.saveState()
        c.translate(offsets.x_mm * mm, offsets.y_mm * mm)
        _page(c, x, blank=blank)
        c.restoreState()
        c.showPage()
    c.save()
    return out.getvalue()


def alignment_page(offsets: Offsets = Offsets()) -> bytes:
    """The alignment page: each text frame outlined and named, a ruler in millimetres
    along the edges; printed on a blank, it shows how far to move the offsets."""
    regular, bold, _ = _fonts()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=PAGE)
    c.setTitle("Trang in thử căn lề bằng khen")
    c.setFont(regular, 7)
    for k in range(0, int(W / mm), 10):
        c.line(k * mm, 0, k * mm, 4 * mm)
        c.drawString(k * mm + 1, 5 * mm, str(k))
    for k in range(0, int(H / mm), 10):
        c.line(0, k * mm, 4 * mm, k * mm)
        c.drawString(5 * mm, k * mm + 1, str(k))
    c.translate(offsets.x_mm * mm, offsets.y_mm * mm)
    c.setFont(bold, 12)
    c.drawCentredString(W / 2, H - 60, "TRANG IN THỬ CĂN LỀ (phôi bằng)")
    c.setFont(regular, 10)
    c.drawCentredString(
        W / 2, H - 76, f"Độ lệch hiện tại: ngang {offsets.x_mm:g} mm, dọc {offsets.y_mm:g} mm"
    )
    frames = (
        ("Họ tên / tên tập thể", 80, NAME_Y - 8, W - 160, 34),
        ("Chức vụ, đơn vị", 100, NAME_Y - 52, W - 200, 40),
        ("Thành tích", 100, REASON_TOP - 48, W - 200, 66),
        ("Số, ngày quyết định; số vào sổ", 65, FOOT_Y - 24, 300, 40),
        ("Người ký, dấu", SIGN_X - 130, 45, 260, FOOT_Y + 10),
    )
    c.setStrokeColor(RED)
    for label, x, y, w, h in frames:
        c.rect(x, y, w, h)
        c.drawString(x + 3, y + h - 11, label)
    c.showPage()
    c.save()
    return out.getvalue()
