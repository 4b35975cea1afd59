"""Form fields of a prepared document: where the number, the date and the signatures go.

A văn thư numbers and dates a document after the competent person signed it. A prepared
PDF therefore carries dots where the number and the date will be, and this module lays
text fields over them and empty signature fields over the signature block, before any
signature. The approver's certifying signature allows form filling; the flow then fills
the number and the date (an allowed change) and applies the seal in its reserved field.

Positions come from poppler's `pdftotext -bbox-layout` (points, origin top left).
"""

from __future__ import annotations

import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, NameObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sig_fields

DOTS = "....."
"""What the templates print where the number and the date parts will be filled in."""
NUMBER_FIELD, DAY_FIELD, MONTH_FIELD, YEAR_FIELD = "SoKyHieu", "Ngay", "Thang", "Nam"
PERSON_FIELD, SEAL_FIELD = "NguoiKy", "ToChucKy"
REPORTER_FIELD = "NguoiBaoCao"
"""An individual's own signature on their achievement report, before the head's."""
FONT_SIZE = 13

Box = tuple[float, float, float, float]  # PDF user space: x1, y1, x2, y2 (origin bottom left)


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x1: float
    y1: float  # top
    x2: float
    y2: float  # bottom


@dataclass(frozen=True)
class Layout:
    page_heights: tuple[float, ...]
    text_fields: dict[str, tuple[int, Box]]
    person_box: tuple[int, Box] | None
    seal_box: tuple[int, Box] | None
    other_persons: dict[str, tuple[int, Box]] = field(default_factory=dict)
    """Further personal signature fields by name (the reporter's own, next to the head's),
    each over its signer's printed name."""


def words(pdf: bytes) -> tuple[list[Word], list[float]]:
    with tempfile.TemporaryDirectory(prefix="tdkt-bbox-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-bbox-layout", str(src), "-"],
            check=True,
            capture_output=True,
            timeout=60,
        ).stdout
    root = ET.fromstring(out)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    found: list[Word] = []
    heights: list[float] = []
    for i, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page")):
        heights.append(float(page.get("height", "842")))
        for w in page.iterfind(".//h:word", ns):
            found.append(
                Word(
                    i,
                    w.text or "",
                    float(w.get("xMin", 0)),
                    float(w.get("yMin", 0)),
                    float(w.get("xMax", 0)),
                    float(w.get("yMax", 0)),
                )
            )
    return found, heights


def _pdf_box(w: Word, h: float, x1: float, x2: float, pad: float = 1.5) -> Box:
    return (x1, h - w.y2 - pad, x2, h - w.y1 + pad)


def _same_line(a: Word, b: Word) -> bool:
    return a.page == b.page and abs((a.y1 + a.y2) / 2 - (b.y1 + b.y2) / 2) < 3


def locate(
    pdf: bytes, signer_name: str | None, other_signers: Mapping[str, str] | None = None
) -> Layout:
    """Where the fields go: number and date over their dots; the approver's signature
    over `signer_name` printed in the signature block, the seal over its left third; and
    a field per `other_signers` (field name → printed name)."""
    ws, heights = words(pdf)
    text_fields: dict[str, tuple[int, Box]] = {}
    for i, w in enumerate(ws):
        if w.text == "Số:" and NUMBER_FIELD not in text_fields:
            nxt = ws[i + 1] if i + 1 < len(ws) else None
            if nxt is not None and nxt.text.startswith(DOTS) and _same_line(w, nxt):
                h = heights[w.page]
                text_fields[NUMBER_FIELD] = (w.page, _pdf_box(nxt, h, nxt.x1, nxt.x1 + 120))
        if w.text == "ngày" and DAY_FIELD not in text_fields and i + 5 < len(ws):
            day, thang, month, nam, year = ws[i + 1 : i + 6]
            if (
                day.text.startswith(DOTS)
                and thang.text == "tháng"
                and month.text.startswith(DOTS)
                and nam.text == "năm"
                and year.text.startswith(DOTS)
                and _same_line(w, year)
            ):
                h = heights[w.page]
                text_fields[DAY_FIELD] = (
                    w.page,
                    _pdf_box(day, h, day.x1, max(day.x2, day.x1 + 16)),
                )
                text_fields[MONTH_FIELD] = (
                    w.page,
                    _pdf_box(month, h, month.x1, max(month.x2, month.x1 + 16)),
                )
                text_fields[YEAR_FIELD] = (w.page, _pdf_box(year, h, year.x1, year.x1 + 30))
    person = seal = None
    found = _signature_box(ws, heights, signer_name) if signer_name else None
    if found is not None:
        person, seal = found
    elif heights:
        # No printed name found: the bottom right of the last page, as on a typed letter.
        last_page = len(heights) - 1
        person = (last_page, (360.0, 70.0, 520.0, 130.0))
        seal = (last_page, (303.3, 45.0, 413.3, 155.0))
    others = {}
    for field_name, name in (other_signers or {}).items():
        other = _signature_box(ws, heights, name)
        if other is not None:
            others[field_name] = other[0]
    return Layout(tuple(heights), text_fields, person, seal, others)


def _signature_box(
    ws: list[Word], heights: list[float], signer_name: str
) -> tuple[tuple[int, Box], tuple[int, Box]] | None:
    """The signature box above a signer's printed full name, and the seal's box over its
    left third (Nghị định 30/2020): the last place where the words of the name follow
    each other on one line."""
    name = signer_name.split()
    if not name:
        return None
    for i in range(len(ws) - len(name), -1, -1):
        run = ws[i : i + len(name)]
        if [w.text for w in run] != name or not all(_same_line(run[0], w) for w in run):
            continue
        first, last = run[0], run[-1]
        above = [
            w
            for w in ws[:i]
            if w.page == first.page
            and w.y2 < first.y1 - 4
            and w.x2 > first.x1 - 60
            and w.x1 < last.x2 + 60
        ]
        h = heights[first.page]
        top = max(w.y2 for w in above) if above else first.y1 - 80
        centre = (first.x1 + last.x2) / 2
        y1, y2 = h - first.y1 + 2, h - top - 2
        if y2 - y1 < 40:  # no room left by the template: use a fixed height
            y2 = y1 + 60
        size = min(110.0, y2 - y1 + 30)
        seal_x2 = centre - 80 + 160 / 3
        mid = (y1 + y2) / 2
        return (
            (first.page, (centre - 80, y1, centre + 80, y2)),
            (first.page, (seal_x2 - size, mid - size / 2, seal_x2, mid + size / 2)),
        )
    return None


def add_fields(pdf: bytes, layout: Layout, *, personal: bool, sealed: bool = True) -> bytes:
    """Add the text fields and the empty signature fields (before any signature): the
    other persons' and the approver's when the approval is `personal`, and the seal's
    when the document is `sealed`."""
    w = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    font = w.add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Times-Roman"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for name, (page_ix, box) in layout.text_fields.items():
        page_ref = w.find_page_for_modification(page_ix)[0]
        field = w.add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Widget"),
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/T"): generic.TextStringObject(name),
                    NameObject("/V"): generic.TextStringObject(""),
                    NameObject("/Rect"): ArrayObject([generic.FloatObject(v) for v in box]),
                    NameObject("/F"): generic.NumberObject(4),
                    NameObject("/P"): page_ref,
                    NameObject("/DA"): generic.TextStringObject(f"/TiRo {FONT_SIZE} Tf 0 g"),
                    NameObject("/Ff"): generic.NumberObject(1),  # read-only for viewers
                }
            )
        )
        page = page_ref.get_object()
        if "/Annots" in page:
            page["/Annots"].get_object().append(field)
            annots = page.raw_get("/Annots")
            if isinstance(annots, generic.IndirectObject):
                w.mark_update(annots)
        else:
            page[NameObject("/Annots")] = ArrayObject([field])
        w.mark_update(page_ref)
        form = _acroform(w)
        form["/Fields"].append(field)
        form[NameObject("/DR")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/TiRo"): font})}
        )
        form[NameObject("/DA")] = generic.TextStringObject(f"/TiRo {FONT_SIZE} Tf 0 g")
    specs = []
    if personal:
        for other, (page_ix, box) in layout.other_persons.items():
            specs.append(sig_fields.SigFieldSpec(other, on_page=page_ix, box=_int_box(box)))
    if personal and layout.person_box is not None:
        page_ix, box = layout.person_box
        specs.append(sig_fields.SigFieldSpec(PERSON_FIELD, on_page=page_ix, box=_int_box(box)))
    if sealed and layout.seal_box is not None:
        page_ix, box = layout.seal_box
        specs.append(sig_fields.SigFieldSpec(SEAL_FIELD, on_page=page_ix, box=_int_box(box)))
    for spec in specs:
        sig_fields.append_signature_field(w, spec)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def _int_box(box: Box) -> tuple[int, int, int, int]:
    return round(box[0]), round(box[1]), round(box[2]), round(box[3])


def _acroform(w: IncrementalPdfFileWriter) -> DictionaryObject:
    root = w.root
    if "/AcroForm" not in root:
        root[NameObject("/AcroForm")] = w.add_object(
            DictionaryObject({NameObject("/Fields"): ArrayObject()})
        )
        w.update_root()
    ref = root.raw_get("/AcroForm")
    if isinstance(ref, generic.IndirectObject):
        w.mark_update(ref)
    else:
        w.update_root()
    form: DictionaryObject = root["/AcroForm"]
    return form


def _resolve(obj: object) -> DictionaryObject:
    value = obj.get_object() if isinstance(obj, generic.IndirectObject) else obj
    assert isinstance(value, DictionaryObject)
    return value


def fill_fields(pdf: bytes, values: dict[str, str]) -> bytes:
    """Fill text fields (ASCII: numbers, codes, digits) with an appearance of their own:
    white behind, the value in Times at the body size, so it reads like typed text."""
    w = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    if "/AcroForm" not in w.root:
        return pdf
    form = _resolve(w.root["/AcroForm"])
    fonts = _resolve(_resolve(form["/DR"])["/Font"])
    font = fonts.raw_get("/TiRo")
    for ref in form["/Fields"]:
        f = ref.get_object()
        name = str(f.get("/T", ""))
        if name not in values or f.get("/FT") != "/Tx":
            continue
        value = values[name]
        value.encode("latin-1")  # the field font is a standard Type 1 font
        x1, y1, x2, y2 = (float(v) for v in f["/Rect"])
        width, height = x2 - x1, y2 - y1
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_w = 0.5 * FONT_SIZE * len(value)  # digits in Times are half an em
        x = 1.0 if name == NUMBER_FIELD else max(1.0, (width - text_w) / 2)
        y = (height - FONT_SIZE) / 2 + 2.6
        content = (
            f"/Tx BMC q 1 1 1 rg 0 0 {width:.2f} {height:.2f} re f "
            f"BT /TiRo {FONT_SIZE} Tf 0 g {x:.2f} {y:.2f} Td ({escaped}) Tj ET Q EMC"
        )
        ap = generic.StreamObject(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/XObject"),
                    NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/BBox"): ArrayObject(
                        [generic.FloatObject(v) for v in (0, 0, width, height)]
                    ),
                    NameObject("/Resources"): DictionaryObject(
                        {NameObject("/Font"): DictionaryObject({NameObject("/TiRo"): font})}
                    ),
                }
            ),
            stream_data=content.encode("latin-1"),
        )
        f[NameObject("/V")] = generic.TextStringObject(value)
        f[NameObject("/AP")] = DictionaryObject({NameObject("/N"): w.add_object(ap)})
        w.mark_update(ref)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def field_values(pdf: bytes) -> dict[str, str]:
    """The values of the text fields (what an auditor reads as number and date)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    r = PdfFileReader(BytesIO(pdf), strict=False)
    if "/AcroForm" not in r.root:
        return {}
    form = _resolve(r.root["/AcroForm"])
    return {
        str(f.get_object().get("/T")): str(f.get_object().get("/V", ""))
        for f in form["/Fields"]
        if f.get_object().get("/FT") == "/Tx"
    }
