"""The pictures inside visible signatures (Nghị định 30/2020, Phụ lục I): the signer's
signature image in blue, and the organisation's seal in red at real size.

Both are drawn as small vector PDFs (the stamp background pyHanko embeds); they are
made once per name and kept in a cache folder. The demo draws the signer's name in an
italic hand; a real deployment stores each signer's scanned signature image instead.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from documents.vn import upper_vi

FONTS = Path("/usr/share/fonts/truetype/liberation2")
BLUE = Color(0.05, 0.2, 0.65)
RED = Color(0.82, 0.05, 0.08)
SEAL_SIZE = 110.0
"""About 39 mm across: a seal at real size."""

_CACHE = Path(tempfile.gettempdir()) / "tdkt-stamp-images"


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont("TdktSerifBold", str(FONTS / "LiberationSerif-Bold.ttf")))
    pdfmetrics.registerFont(TTFont("TdktSerifItalic", str(FONTS / "LiberationSerif-Italic.ttf")))
    return "TdktSerifBold", "TdktSerifItalic"


def _path(kind: str, name: str) -> Path:
    _CACHE.mkdir(parents=True, exist_ok=True)
    return _CACHE / f"{kind}-{hashlib.sha256(name.encode()).hexdigest()[:16]}.pdf"


def _tmp(path: Path) -> Path:
    """A private name to draw into before the atomic rename (threads and processes
    may draw the same image at once)."""
    return path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")


def _write(path: Path, c: canvas.Canvas) -> Path:
    c.showPage()
    c.save()
    return path


@lru_cache(maxsize=512)
def seal_image(organisation: str) -> Path:
    """A round red seal: two rings, the organisation's name along the ring, a star."""
    path = _path("seal", organisation)
    if path.exists():
        return path
    bold, _ = _fonts()
    tmp = _tmp(path)
    c = canvas.Canvas(str(tmp), pagesize=(SEAL_SIZE, SEAL_SIZE))
    c.setStrokeColor(RED)
    c.setFillColor(RED)
    r = SEAL_SIZE / 2
    c.setLineWidth(2.2)
    c.circle(r, r, r - 2, stroke=1, fill=0)
    c.setLineWidth(0.9)
    c.circle(r, r, r * 0.62, stroke=1, fill=0)
    text = upper_vi(organisation)
    size = 7.2 if len(text) < 40 else max(4.6, 7.2 * 40 / len(text))
    c.setFont(bold, size)
    ring = r * 0.80
    widths = [pdfmetrics.stringWidth(ch, bold, size) for ch in text]
    span = min(1.9 * math.pi, (sum(widths) + 0.6 * len(text)) / ring)
    angle = math.pi / 2 + span / 2  # start at the left, run clockwise over the top
    for ch, w in zip(text, widths, strict=True):
        step = (w + 0.6) / ring
        mid = angle - step / 2
        c.saveState()
        c.translate(r + ring * math.cos(mid), r + ring * math.sin(mid))
        c.rotate(math.degrees(mid) - 90)
        c.drawCentredString(0, -size / 3, ch)
        c.restoreState()
        angle -= step
    star = [
        (
            r + r * 0.3 * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
            r + r * 0.3 * math.sin(math.pi / 2 + k * 4 * math.pi / 5),
        )
        for k in range(5)
    ]
    p = c.beginPath()
    p.moveTo(*star[0])
    for pt in star[1:]:
        p.lineTo(*pt)
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    _write(tmp, c)
    tmp.replace(path)
    return path


@lru_cache(maxsize=512)
def signature_image(full_name: str) -> Path:
    """The signer's handwritten-looking signature in blue."""
    path = _path("sig", full_name)
    if path.exists():
        return path
    _, italic = _fonts()
    given = full_name.split()[-1] if full_name.split() else full_name
    width, height = 160.0, 56.0
    tmp = _tmp(path)
    c = canvas.Canvas(str(tmp), pagesize=(width, height))
    c.setFillColor(BLUE)
    c.setStrokeColor(BLUE)
    c.setFont(italic, 26)
    c.drawString(18, 22, given)
    c.setLineWidth(1.1)
    p = c.beginPath()
    p.moveTo(10, 16)
    p.curveTo(50, 6, 110, 30, 150, 12)
    c.drawPath(p, stroke=1, fill=0)
    _write(tmp, c)
    tmp.replace(path)
    return path
