"""The approver's visible signature as a reader sees it: the blue signature image between
the position and the name, and the "Ký bởi / Thời gian" caption beside it, never under
its flourish. Measured on the page poppler renders."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from documents.appearance import signature_image
from documents.sign import sign_pdf
from documents.stamp import caption_height
from tests.fixtures.pki import person_signer, simple_pdf

SCALE = 4  # pixels per point (288 dpi)


def blue_pixels(page: Image.Image, box: tuple[float, float, float, float]) -> int:
    """Pixels of the signature image's blue inside ``box`` (pt, origin top left)."""
    x1, y1, x2, y2 = (round(v * SCALE) for v in box)
    raw = page.crop((x1, y1, x2, y2)).tobytes()  # RGB, three bytes a pixel
    pixels = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
    return sum(b > 110 and b - r > 60 and b - g > 40 for r, g, b in pixels)


def caption_box(pdf: Path) -> tuple[float, float, float, float]:
    """The caption's words, as pdftotext finds them: "Ký bởi: …" and "Thời gian: …"."""
    import xml.etree.ElementTree as ET

    out = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox-layout", str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout
    ns = "{http://www.w3.org/1999/xhtml}"
    found = [
        w
        for w in ET.fromstring(out).iter(f"{ns}word")
        if (w.text or "").startswith(("Ký", "bởi:", "Thời", "gian:"))
    ]
    assert found, "no caption in the page's text"
    return (
        min(float(w.get("xMin", 0)) for w in found),
        min(float(w.get("yMin", 0)) for w in found),
        max(float(w.get("xMax", 0)) for w in found),
        max(float(w.get("yMax", 0)) for w in found),
    )


@pytest.mark.parametrize("height", [50, 64, 90])
async def test_the_signature_image_never_crosses_its_caption(tmp_path, height):
    # The box of the approver's field between the position and the name (its height is
    # what the template leaves there: documents/fields.py).
    who = "Lương Văn Minh"
    box = (300, 500, 460, 500 + height)
    signed = await sign_pdf(
        simple_pdf("TỜ TRÌNH\nPHÓ TRƯỞNG BAN\n"),
        person_signer(who, "Ban Dân tộc tỉnh Lạng Sơn"),
        field_name="NguoiKy",
        reason="Duyệt",
        location="Lạng Sơn",
        stamp_lines=[f"Ký bởi: {who}", "Thời gian: 2026-12-03T10:20:30+07:00"],
        page=0,
        box=box,
        certify=True,
        background=signature_image(who),
    )
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(72 * SCALE),
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            path,
            path,
        ],
        check=True,
    )
    page = Image.open(f"{path}.png").convert("RGB")
    page_height = page.height / SCALE
    top = page_height - box[3]  # the field, origin top left
    caption = caption_box(path)

    assert blue_pixels(page, caption) == 0  # no stroke of the image over the text
    # The image is there, whole, in the band above the caption and inside the field.
    above = (box[0], top, box[2], caption[1])
    assert blue_pixels(page, above) > 300
    assert blue_pixels(page, (0, 0, page.width / SCALE, page_height)) == blue_pixels(page, above)
    # The caption sits at the bottom of the field, in the room the stamp keeps for it.
    assert page_height - box[1] - caption[3] < caption_height(2, 6)
