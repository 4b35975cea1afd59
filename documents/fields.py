"""Form fields of a prepared document: where the number, the date and the signatures go.

A văn thư numbers and dates a document after the competent person signed it. A prepared
PDF therefore leaves room wherever it prints the number and the date, and this module
lays text fields there (showing dots until they are filled) and empty signature fields
over the signature block, before any signature. The approver's certifying signature
allows form filling; the flow then fills the number and the date (an allowed change)
and applies the seal in its reserved field.

Positions come from poppler's `pdftotext -bbox-layout` (points, origin top left).
"""

from __future__ import annotations

import html
import math
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, NameObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sig_fields
from reportlab.pdfbase.pdfmetrics import stringWidth

from documents.stamp import font_program

DOTS = "....."
"""What the prepared PDF shows (in its fields' appearance) where the number and date go."""
NBSP, WORD_JOINER = "\u00a0", "\u2060"
NUMBER_FIELD, DAY_FIELD, MONTH_FIELD, YEAR_FIELD = "SoKyHieu", "Ngay", "Thang", "Nam"
PERSON_FIELD, SEAL_FIELD = "NguoiKy", "ToChucKy"
REPORTER_FIELD = "NguoiBaoCao"
"""An individual's own signature on their achievement report, before the head's."""
FONT_SIZE = 13
"""The size of a number or date part when the text around it gives none."""

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
class Slot:
    """One place where the form prints a number or a date part: a widget of its field."""

    page: int
    box: Box
    size: float
    """The size of the text around it: the value is written at it (smaller if too long)."""
    italic: bool
    centred: bool
    """Centred in its room (a date part, a number inside a sentence), else from its left."""
    dots: float
    """How wide the dots of the prepared PDF are, from the left of the box."""


@dataclass(frozen=True)
class Layout:
    page_heights: tuple[float, ...]
    """Of the pages read, from the first."""
    text_fields: dict[str, list[Slot]]
    """Per field (number, day, month, year), every place the form prints it."""
    person_box: tuple[int, Box] | None
    seal_box: tuple[int, Box] | None
    other_persons: dict[str, tuple[int, Box]] = field(default_factory=dict)
    """Further personal signature fields by name (the reporter's own, next to the head's),
    each over its signer's printed name."""


_TOKENS = re.compile(
    r'<page width="[^"]*" height="([^"]*)">'
    r'|<word xMin="([^"]*)" yMin="([^"]*)" xMax="([^"]*)" yMax="([^"]*)">([^<]*)</word>'
)
"""The pages and words of `pdftotext -bbox-layout`'s XHTML, in document order. Read with
one expression rather than an XML tree: a list of hundreds of nominees is tens of
thousands of words, and building the tree and walking it cost three times the run of
pdftotext itself."""


def words(pdf: bytes, first: int = 1) -> tuple[list[Word], list[float]]:
    """The words of the pages from `first` (1-based) on and their heights, page indexes
    counted from the document's first page; nothing when it has fewer pages."""
    return _words_of(pdf, first)[0:2]


def _words_of(
    pdf: bytes, first: int = 1, last: int | None = None
) -> tuple[list[Word], list[float], bool]:
    """`words` of pages `first`..`last` (inclusive), and whether the document ended
    there (fewer pages than asked, or no `last`)."""
    span = ["-f", str(first)] + (["-l", str(last)] if last is not None else [])
    with tempfile.TemporaryDirectory(prefix="tdkt-bbox-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        done = subprocess.run(
            ["pdftotext", "-bbox-layout", *span, str(src), "-"],
            capture_output=True,
            timeout=60,
        )
    if done.returncode != 0:
        if first > 1 and b"Wrong page range" in done.stderr:
            return [], [], True  # the document ended before `first`
        raise subprocess.CalledProcessError(done.returncode, "pdftotext", done.stdout, done.stderr)
    out = done.stdout.decode("utf-8")
    found: list[Word] = []
    heights: list[float] = []
    offset = first - 1
    for m in _TOKENS.finditer(out):
        height, x0, y0, x1, y1, text = m.groups()
        if height is not None:
            heights.append(float(height))
        elif heights:
            found.append(
                Word(
                    offset + len(heights) - 1,
                    html.unescape(text),
                    float(x0),
                    float(y0),
                    float(x1),
                    float(y1),
                )
            )
    ended = last is None or len(heights) < last - first + 1
    return found, heights, ended


def _pdf_box(w: Word, h: float, x1: float, x2: float, pad: float = 1.5) -> Box:
    return (x1, h - w.y2 - pad, x2, h - w.y1 + pad)


def _same_line(a: Word, b: Word) -> bool:
    return a.page == b.page and abs((a.y1 + a.y2) / 2 - (b.y1 + b.y2) / 2) < 3


# -- number and date ------------------------------------------------------------------
#
# The form prints blank room where the number and the date go: no-break spaces, which
# leave nothing in the text layer (a reader copies "Số: 01/TTr-BDT", not dots), end in a
# word joiner so that a centred line counts them, and keep the date's parts with their
# labels on one line. `number_and_date_slots` finds that room in the converted PDF by the
# labels around it; the fields' appearance draws the dots of the prepared PDF there, and
# the value once the document is issued.

NBSP_EM = 0.25
"""Width of a no-break space (and of a dot) in Times / Liberation Serif, in ems."""
DAY_ROOM, YEAR_ROOM = 4, 8
"""No-break spaces as wide as a day or a month ("03", "12") and as a year ("2026")."""
NUMBER_SPARE = 2
"""No-break spaces beyond the expected number: room for a three-digit number."""
_HEIGHT_EM, _DESCENT_EM = 1.3, 0.35
"""pdftotext's word box of Liberation Serif, in ems: its height, and its bottom under
the baseline (measured on LibreOffice's PDFs)."""
_PAD = 1.5


def number_placeholder(expected: str) -> str:
    """Blank room for a number like ``expected`` (``01/TTr-BDT``), a digit more."""
    room = math.ceil(stringWidth(expected, "Times-Roman", 1000) / (NBSP_EM * 1000))
    return NBSP * (room + NUMBER_SPARE) + WORD_JOINER


def date_placeholder() -> str:
    """``ngày … tháng … năm …`` with blank room for the parts, all on one line."""
    day, year = NBSP * (DAY_ROOM + 2), NBSP * (YEAR_ROOM + 1)
    return f"ngày{day}tháng{day}năm{year}{WORD_JOINER}"


def _lines(ws: list[Word]) -> list[list[Word]]:
    """Words grouped by the line they are printed on, left to right."""
    lines: list[list[Word]] = []
    for w in sorted(ws, key=lambda w: (w.page, (w.y1 + w.y2) / 2, w.x1)):
        if lines and _same_line(lines[-1][0], w):
            lines[-1].append(w)
        else:
            lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w.x1)
    return lines


def _em(w: Word) -> float:
    return (w.y2 - w.y1) / _HEIGHT_EM if w.y2 > w.y1 else FONT_SIZE


def _slot(
    w: Word, h: float, x1: float, x2: float, *, italic: bool, centred: bool, dots: float
) -> Slot:
    size = round(_em(w) * 2) / 2
    return Slot(w.page, _pdf_box(w, h, x1, x2, _PAD), size, italic, centred, dots)


def _column_centre(ws: list[Word], label: Word, right: float) -> float | None:
    """The centre of the nearest line above ``label`` left of ``right``: the issuing
    body's name, centred in the column the number is centred in."""
    above = [
        w
        for w in ws
        if w.page == label.page and w.y2 <= label.y1 + 1 and w.x2 < right and w.text.strip()
    ]
    if not above:
        return None
    nearest = max(above, key=lambda w: w.y2)
    line = [w for w in above if _same_line(w, nearest)]
    return (min(w.x1 for w in line) + max(w.x2 for w in line)) / 2


def _number_slot(
    ws: list[Word], w: Word, nxt: Word | None, h: float, edges: tuple[float, float]
) -> Slot | None:
    """The room after "Số:" or "số", if ``w`` is one of them and room follows it."""
    if w.text not in ("Số:", "số"):
        return None
    em = _em(w)
    x1, left, right = w.x2 + NBSP_EM * em, *edges
    if nxt is not None and nxt.x1 - w.x2 < 3 * em:
        return None
    if w.text == "số":
        if nxt is not None:  # inside a line: the room is the gap, centred in it
            x2 = nxt.x1 - NBSP_EM * em
            return _slot(w, h, x1, x2, italic=True, centred=True, dots=x2 - x1)
        # At the end of a line, only short of the right edge: a justified line that
        # breaks after "số" (Nghị định số / 152/2025/NĐ-CP) ends at the edge.
        if w.x2 + 3 * em > right:
            return None
        return _slot(w, h, x1, right, italic=True, centred=False, dots=min(right - x1, 10 * em))
    if nxt is not None:
        right = nxt.x1 - em  # the place and date of the other column
    centre = _column_centre(ws, w, right) if w.x1 - left >= em else None
    if centre is not None and w.x2 < centre:
        # The heading's number, centred in its column: the room ends where the line's
        # centre says, and a longer number may go on to the column's edge.
        end = 2 * centre - w.x1
        x2 = min(right, max(end, 2 * centre - left))
        return _slot(w, h, x1, x2, italic=False, centred=False, dots=min(end, x2) - x1)
    return _slot(w, h, x1, right, italic=False, centred=False, dots=min(right - x1, 10 * em))


def number_and_date_slots(ws: list[Word], heights: list[float]) -> dict[str, list[Slot]]:
    """Every place the document prints its number and its date, found by their labels:
    "Số:" or "số" followed by blank room, "ngày" / "tháng" / "năm" each followed by it."""
    found: dict[str, list[Slot]] = {}
    left_edge = [min((w.x1 for w in ws if w.page == p), default=0.0) for p in range(len(heights))]
    right_edge = [max((w.x2 for w in ws if w.page == p), default=0.0) for p in range(len(heights))]
    for line in _lines(ws):
        for i, w in enumerate(line):
            nxt = line[i + 1] if i + 1 < len(line) else None
            em, h = _em(w), heights[w.page]
            space = NBSP_EM * em
            slot = _number_slot(ws, w, nxt, h, (left_edge[w.page], right_edge[w.page]))
            if slot is not None:
                found.setdefault(NUMBER_FIELD, []).append(slot)
            if w.text == "ngày" and i + 2 < len(line):
                thang, nam = line[i + 1], line[i + 2]
                after = line[i + 3] if i + 3 < len(line) else None
                if (
                    thang.text == "tháng"
                    and nam.text == "năm"
                    and thang.x1 - w.x2 >= em
                    and nam.x1 - thang.x2 >= em
                ):
                    year_end = nam.x2 + space + YEAR_ROOM * space
                    if after is not None:
                        year_end = min(year_end, after.x1)
                    for name, label, end in (
                        (DAY_FIELD, w, thang.x1 - space),
                        (MONTH_FIELD, thang, nam.x1 - space),
                        (YEAR_FIELD, nam, year_end),
                    ):
                        x1 = label.x2 + space
                        found.setdefault(name, []).append(
                            _slot(label, h, x1, end, italic=True, centred=True, dots=end - x1)
                        )
    return found


FIRST_PAGES = 4
"""Pages read first when the DOCX says what to look for: a decision's heading, signature
block and the head of its annex fit in them, its list of hundreds does not."""


@dataclass(frozen=True)
class Expected:
    """What the rendered DOCX prints that `locate` looks for: its blank room for numbers
    and dates, and how often each signer's full name occurs in its text."""

    placeholders: int
    names: dict[str, int]


_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>|<w:p/>", re.S)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:(?:tab|br|cr)/>")


def expected_in(docx: bytes, names: list[str]) -> Expected:
    """Count in the DOCX's body what `locate` must find in the PDF. Counting errs on the
    high side (then `locate` reads the whole PDF): every word joiner outside a line rule
    (a paragraph of blank room only) is a number or date placeholder, and a name counts
    wherever its words follow each other, in a list as in the signature block."""
    with zipfile.ZipFile(BytesIO(docx)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    placeholders = xml.count(WORD_JOINER)
    texts = []
    for para in _PARAGRAPH.findall(xml):
        text = html.unescape(
            "".join(m.group(1) if m.group(1) is not None else " " for m in _TEXT.finditer(para))
        )
        if WORD_JOINER in text and not text.replace(NBSP, "").replace(WORD_JOINER, ""):
            placeholders -= text.count(WORD_JOINER)  # a rule: no label, never a field
        texts.append(" ".join(text.replace(NBSP, " ").split()))
    body = "\n".join(texts)
    counts = {}
    for name in names:
        wanted = " ".join(name.split())
        pattern = r"(?<!\w)" + re.escape(wanted) + r"(?!\w)"
        counts[name] = len(re.findall(pattern, body)) if wanted else 0
    return Expected(placeholders, counts)


def _name_runs(ws: list[Word], name: str) -> int:
    """How often the words of `name` follow each other on one line."""
    words_of = name.split()
    if not words_of:
        return 0
    n, count = len(words_of), 0
    for i in range(len(ws) - n + 1):
        run = ws[i : i + n]
        if [w.text for w in run] == words_of and all(_same_line(run[0], w) for w in run):
            count += 1
    return count


def _read_enough(pdf: bytes, expected: Expected | None) -> tuple[list[Word], list[float]]:
    """The words `locate` needs: with `expected`, the first pages and, only when they do
    not hold every placeholder and every occurrence of the signers' names, the rest;
    without it, every page."""
    if expected is None:
        return words(pdf)
    ws, heights, ended = _words_of(pdf, 1, FIRST_PAGES)
    if ended:
        return ws, heights
    found = number_and_date_slots(ws, heights)
    # A placeholder is a number's room or a whole date (its day, month and year slots).
    slots = len(found.get(NUMBER_FIELD, [])) + len(found.get(DAY_FIELD, []))
    names_found = all(
        _name_runs(ws, name) >= max(count, 1) for name, count in expected.names.items()
    )
    if slots >= expected.placeholders and names_found:
        return ws, heights
    more, more_heights, _ = _words_of(pdf, FIRST_PAGES + 1)
    return ws + more, heights + more_heights


def locate(
    pdf: bytes,
    signer_name: str | None,
    other_signers: Mapping[str, str] | None = None,
    *,
    docx: bytes | None = None,
) -> Layout:
    """Where the fields go: number and date in the room the form left for them; the
    approver's signature over `signer_name` printed in the signature block, the seal over
    its left third; and a field per `other_signers` (field name → printed name).

    With the `docx` the PDF was converted from, only the pages that can hold them are
    read (`_read_enough`): the same fields as from the whole PDF, since it stops only
    once it has every number and date the DOCX leaves room for and every line that
    prints a signer's name."""
    names = [n for n in [signer_name, *(other_signers or {}).values()] if n]
    expected = expected_in(docx, names) if docx is not None else None
    ws, heights = _read_enough(pdf, expected)
    text_fields = number_and_date_slots(ws, heights)
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
    left third (Nghị định 30/2020): the last place where the name stands alone on its line
    (a signature block; a list's row holding the same name has its other cells on that
    line), else the last place where its words follow each other on one line."""
    name = signer_name.split()
    if not name:
        return None
    runs = [
        i
        for i in range(len(ws) - len(name), -1, -1)
        if [w.text for w in ws[i : i + len(name)]] == name
        and all(_same_line(ws[i], w) for w in ws[i : i + len(name)])
    ]
    if not runs:
        return None

    def alone(i: int) -> bool:
        run = ws[i : i + len(name)]
        return not any(w.page == run[0].page and _same_line(run[0], w) and w not in run for w in ws)

    i = next((i for i in runs if alone(i)), runs[0])
    first, last = ws[i], ws[i + len(name) - 1]
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


_FONTS = {"/TiRo": "/Times-Roman", "/TiIt": "/Times-Italic"}
_METRICS = {"/TiRo": "Times-Roman", "/TiIt": "Times-Italic"}


# Numbers carry Vietnamese letters in their codes ("05/QĐ-UBND"): the standard Times
# fonts have the glyphs Dcroat and dcroat, reached by putting them where WinAnsi has Eth
# and eth (which a number never holds). Their glyph names map back to Đ and đ, so the
# text a reader copies is the number as issued.
_DIFFERENCES = {"\u0110": (0xD0, "/Dcroat"), "\u0111": (0xF0, "/dcroat")}


def _encoding() -> DictionaryObject:
    diffs: list[generic.PdfObject] = []
    for code, glyph in _DIFFERENCES.values():
        diffs += [generic.NumberObject(code), NameObject(glyph)]
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Encoding"),
            NameObject("/BaseEncoding"): NameObject("/WinAnsiEncoding"),
            NameObject("/Differences"): ArrayObject(diffs),
        }
    )


def _encode(text: str) -> bytes:
    """A value in the field fonts' encoding (WinAnsi, with Đ and đ): raises
    UnicodeEncodeError for any other letter (the standard fonts have no glyph for it)."""
    return "".join(chr(_DIFFERENCES[c][0]) if c in _DIFFERENCES else c for c in text).encode(
        "latin-1"
    )


def _measured(text: str) -> str:
    """The text as the metrics know it: Đ is as wide as D in Times."""
    return text.replace("\u0110", "D").replace("\u0111", "d")


def _add_text_fields(w: IncrementalPdfFileWriter, layout: Layout) -> None:
    """One read-only text field per value (number, day, month, year), with a widget at
    every place the form prints it, each showing the prepared PDF's dots."""
    if not layout.text_fields:
        return
    fonts = {
        key: w.add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject(base),
                    NameObject("/Encoding"): _encoding(),
                }
            )
        )
        for key, base in _FONTS.items()
    }
    form = _acroform(w)
    form[NameObject("/DR")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject(k): ref for k, ref in fonts.items()})}
    )
    form[NameObject("/DA")] = generic.TextStringObject(f"/TiRo {FONT_SIZE} Tf 0 g")
    for name, slots in layout.text_fields.items():
        field = w.add_object(
            DictionaryObject(
                {
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/T"): generic.TextStringObject(name),
                    NameObject("/V"): generic.TextStringObject(""),
                    NameObject("/DA"): generic.TextStringObject(f"/TiRo {FONT_SIZE} Tf 0 g"),
                    NameObject("/Ff"): generic.NumberObject(1),  # read-only for viewers
                    NameObject("/Kids"): ArrayObject(),
                }
            )
        )
        for n, slot in enumerate(slots, 1):
            page_ref = w.find_page_for_modification(slot.page)[0]
            font = "/TiIt" if slot.italic else "/TiRo"
            widget = w.add_object(
                DictionaryObject(
                    {
                        NameObject("/Type"): NameObject("/Annot"),
                        NameObject("/Subtype"): NameObject("/Widget"),
                        NameObject("/Parent"): field,
                        NameObject("/T"): generic.TextStringObject(str(n)),
                        NameObject("/Rect"): ArrayObject(
                            [generic.FloatObject(round(v, 2)) for v in slot.box]
                        ),
                        NameObject("/F"): generic.NumberObject(4),
                        NameObject("/P"): page_ref,
                        NameObject("/DA"): generic.TextStringObject(f"{font} {slot.size:g} Tf 0 g"),
                        NameObject("/Q"): generic.NumberObject(1 if slot.centred else 0),
                    }
                )
            )
            dots = DOTS[0] * int(slot.dots / (NBSP_EM * slot.size) + 0.01)
            widget.get_object()[NameObject("/AP")] = DictionaryObject(
                {NameObject("/N"): w.add_object(_appearance(widget.get_object(), fonts, dots, 0))}
            )
            field.get_object()["/Kids"].append(widget)
            page = page_ref.get_object()
            if "/Annots" in page:
                page["/Annots"].get_object().append(widget)
                annots = page.raw_get("/Annots")
                if isinstance(annots, generic.IndirectObject):
                    w.mark_update(annots)
            else:
                page[NameObject("/Annots")] = ArrayObject([widget])
            w.mark_update(page_ref)
        form["/Fields"].append(field)


def _appearance(
    widget: DictionaryObject,
    fonts: Mapping[str, generic.PdfObject],
    text: str,
    quadding: int,
    *,
    white: bool = False,
) -> generic.StreamObject:
    """A widget's look: ``text`` on the baseline of the line it sits in, in the widget's
    font and size, made smaller if it would not fit its box; with ``white`` on a white
    ground (hiding what the page prints under it)."""
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    width, height = x2 - x1, y2 - y1
    font, size_text = str(widget["/DA"]).split()[:2]
    size = float(size_text)
    baseline = _PAD + _DESCENT_EM * size
    text_w = stringWidth(_measured(text), _METRICS[font], size)
    fitted = size if text_w <= width + 0.5 else size * width / text_w
    text_w = stringWidth(_measured(text), _METRICS[font], fitted)
    x = 0.0 if quadding == 0 else max(0.0, (width - text_w) / 2)
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    ground = f"1 1 1 rg 0 0 {width:.2f} {height:.2f} re f " if white else ""
    content = (
        f"/Tx BMC q {ground}BT {font} {fitted:.2f} Tf 0 g {x:.2f} {baseline:.2f} Td "
        f"({escaped}) Tj ET Q EMC"
    )
    return generic.StreamObject(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(
                    [generic.FloatObject(round(v, 2)) for v in (0, 0, width, height)]
                ),
                NameObject("/Resources"): DictionaryObject(
                    {NameObject("/Font"): DictionaryObject({NameObject(font): fonts[font]})}
                ),
            }
        ),
        stream_data=_encode(content),
    )


def add_fields(pdf: bytes, layout: Layout, *, personal: bool, sealed: bool = True) -> bytes:
    """Add the text fields and the empty signature fields (before any signature): the
    other persons' and the approver's when the approval is `personal`, and the seal's
    when the document is `sealed`."""
    w = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    _add_text_fields(w, layout)
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


# A value with Vietnamese letters the standard fonts lack («01/KH-CỤM I») is drawn with
# an embedded subset of the font the forms are set in (Liberation Serif, Times New
# Roman's metric twin, installed with LibreOffice; its program rescaled to 1000 units per
# em as the stamps' is, documents/stamp.py), its ToUnicode map making it copy as typed.
_TTF = {
    "/TiRo": Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
    "/TiIt": Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf"),
}
_EMBEDDED = "/VnF"


def _encodable(text: str) -> bool:
    try:
        _encode(text)
    except UnicodeEncodeError:
        return False
    return True


class _Embedded:
    """One embedded font per field font of a fill (/TiRo, /TiIt), shaped with HarfBuzz."""

    def __init__(self, w: IncrementalPdfFileWriter) -> None:
        self.w = w
        self.engines: dict[str, GlyphAccumulator] = {}

    def engine(self, font: str) -> GlyphAccumulator:
        if font not in self.engines:
            path = _TTF[font]
            if not path.is_file():
                raise FileNotFoundError(
                    f"Thiếu phông chữ {path} (gói fonts-liberation2) để điền số có dấu."
                )
            self.engines[font] = GlyphAccumulator(
                self.w, BytesIO(font_program(path, True)), 1, bcp47_lang_code="vi"
            )
        return self.engines[font]

    def finish(self) -> None:
        for engine in self.engines.values():
            engine.prepare_write()


def fill_fields(pdf: bytes, values: dict[str, str]) -> bytes:
    """Fill text fields (numbers, codes with Vietnamese letters, digits): the value, and at
    every place the form prints it an appearance in Times (or, for letters Times' standard
    font lacks, the embedded Liberation Serif) at the size of the text around it, in the
    room the template left, so that it reads (and copies) like typed text."""
    w = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    if "/AcroForm" not in w.root:
        return pdf
    form = _resolve(w.root["/AcroForm"])
    fonts = _resolve(_resolve(form["/DR"])["/Font"])
    embedded = _Embedded(w)
    for ref in form["/Fields"]:
        f = ref.get_object()
        name = str(f.get("/T", ""))
        if name not in values or f.get("/FT") != "/Tx":
            continue
        value = values[name]
        f[NameObject("/V")] = generic.TextStringObject(value)
        w.mark_update(ref)
        # A field that is its own widget was laid over printed dots (a form prepared
        # before the forms left blank room): its value covers them.
        kids = f.get("/Kids")
        for widget_ref in kids if kids else [ref]:
            widget = widget_ref.get_object()
            font = str(widget.get("/DA", f.get("/DA"))).split()[0]
            quadding = int(widget.get("/Q", 0))
            if _encodable(value):
                ap = _appearance(
                    widget, {font: fonts.raw_get(font)}, value, quadding, white=not kids
                )
            else:
                ap = _shaped_appearance(
                    widget, embedded.engine(font), value, quadding, white=not kids
                )
            widget[NameObject("/AP")] = DictionaryObject({NameObject("/N"): w.add_object(ap)})
            w.mark_update(widget_ref)
    embedded.finish()
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def _shaped_appearance(
    widget: DictionaryObject, engine: GlyphAccumulator, text: str, quadding: int, *, white: bool
) -> generic.StreamObject:
    """As `_appearance`, the glyphs shaped from the embedded font (`_Embedded`)."""
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    width, height = x2 - x1, y2 - y1
    size = float(str(widget["/DA"]).split()[1])
    shaped = engine.shape(text, with_actual_text=False)
    text_w = shaped.x_advance * size
    fitted = size if text_w <= width + 0.5 else size * width / text_w
    text_w = shaped.x_advance * fitted
    x = 0.0 if quadding == 0 else max(0.0, (width - text_w) / 2)
    baseline = _PAD + _DESCENT_EM * size
    ground = f"1 1 1 rg 0 0 {width:.2f} {height:.2f} re f " if white else ""
    # The glyphs' TJ adjustments are in thousandths of the font size, so the same shaped
    # line serves any size (its closing Td, sized for 1 pt, moves nothing drawn after).
    head = f"/Tx BMC q {ground}BT {_EMBEDDED} {fitted:.2f} Tf 0 g {x:.2f} {baseline:.2f} Td "
    content = head.encode("ascii") + shaped.graphics_ops + b" ET Q EMC"
    return generic.StreamObject(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(
                    [generic.FloatObject(round(v, 2)) for v in (0, 0, width, height)]
                ),
                NameObject("/Resources"): DictionaryObject(
                    {
                        NameObject("/Font"): DictionaryObject(
                            {NameObject(_EMBEDDED): engine.as_resource()}
                        )
                    }
                ),
            }
        ),
        stream_data=content,
    )


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
