"""The visible stamp of a signature: its font and its layout (pyHanko stamp styles).

The stamp writes Vietnamese in Liberation Serif (fonts-liberation2), falling back to a
font that has every character of the text. The font program is prepared once per
process (rescaled to 1000 units per em, cut to Latin and Vietnamese) because preparing it
for every signature cost about a tenth of the signature's CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils.content import ImportedPdfPage
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import StaticStampStyle, TextStampStyle

__all__ = [
    "FALLBACK_FONT_PATHS",
    "STAMP_FONT_PATH",
    "STAMP_FONT_SIZE",
    "font_program",
    "stamp_font_path",
    "stamp_style",
    "warm_stamp_font",
]

# Liberation Serif 2.x (Debian: fonts-liberation2) covers Vietnamese; the 1.x files in
# .../truetype/liberation/ (fonts-liberation) lack ở, ạ, ơ… so they only serve as a
# fallback for text they do cover. DejaVu is the last resort.
STAMP_FONT_PATH = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
FALLBACK_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)
STAMP_FONT_SIZE = 9


@lru_cache(maxsize=8)
def _font_coverage(path: Path) -> frozenset[int]:
    from fontTools import ttLib

    with ttLib.TTFont(str(path), lazy=True) as tt:
        return frozenset(tt.getBestCmap() or ())


def stamp_font_path(text: str = "") -> Path:
    """The first installed stamp font that has a glyph for every character of ``text``
    (:data:`STAMP_FONT_PATH` first), else the first installed one."""
    installed = [p for p in (STAMP_FONT_PATH, *FALLBACK_FONT_PATHS) if p.exists()]
    if not installed:
        raise FileNotFoundError(f"no TrueType font for the stamp: {STAMP_FONT_PATH}")
    needed = {ord(c) for c in text if not c.isspace()}
    for path in installed:
        if needed <= _font_coverage(path):
            return path
    return installed[0]


# What stamps write: Latin letters with Vietnamese ones, digits, punctuation, ₫.
_STAMP_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
)
_STAMP_CODEPOINTS = frozenset(c for lo, hi in _STAMP_RANGES for c in range(lo, hi + 1))


@lru_cache(maxsize=8)
def font_program(path: Path, latin_only: bool = True) -> bytes:
    """The font file, rescaled to 1000 units per em if needed, and with ``latin_only``
    cut down to the characters of :data:`_STAMP_RANGES`.

    pyHanko 0.38's GlyphAccumulator writes glyph advances in font units into the
    CIDFont's /W array and the TJ adjustments, but PDF glyph space is 1/1000 em; with
    2048-unit fonts (Liberation, DejaVu) the stamp text is spread to twice its width and
    clipped. Rescaling the font program once per process avoids that.

    Every signature parses the whole font program again and subsets it for embedding;
    with Liberation Serif's 2,600 glyphs that was about a tenth of a signature's CPU. The
    Latin cut keeps the glyphs and layout rules of those characters, so a stamp in it
    looks the same; a stamp with other characters gets the whole font."""
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    raw = path.read_bytes()
    tt = ttLib.TTFont(BytesIO(raw))
    if tt["head"].unitsPerEm == 1000 and "FFTM" not in tt and not latin_only:
        return raw
    if "FFTM" in tt:  # FontForge timestamps: fontTools' subsetter warns about them
        del tt["FFTM"]
    if tt["head"].unitsPerEm != 1000:
        scale_upem(tt, 1000)
    if latin_only:
        options = subset.Options(layout_features=["*"], notdef_outline=True)
        cut = subset.Subsetter(options)
        cut.populate(unicodes=_STAMP_CODEPOINTS)
        cut.subset(tt)
    out = BytesIO()
    tt.save(out)
    return out.getvalue()


def warm_stamp_font() -> None:
    """Load and cut the stamp font now (the first signature of a process would)."""
    font_program(stamp_font_path(), True)


@dataclass(frozen=True)
class _StampFontFactory(FontEngineFactory):
    """Like pyHanko's GlyphAccumulatorFactory, but with the 1000-upem font program."""

    font_path: Path
    font_size: int = STAMP_FONT_SIZE
    latin_only: bool = True

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=BytesIO(font_program(self.font_path, self.latin_only)),
            font_size=self.font_size,
            bcp47_lang_code="vi",
            obj_stream=obj_stream,
        )


def stamp_style(
    lines: Sequence[str], background: Path | None = None, font_size: int | None = None
) -> TextStampStyle | StaticStampStyle:
    """The stamp: text lines, over a picture (the signer's image or the seal) if given;
    the picture alone when there is no text (a seal shows only itself)."""
    if background is not None and not any(line.strip() for line in lines):
        return StaticStampStyle(
            background=ImportedPdfPage(str(background)), background_opacity=1.0, border_width=0
        )
    text = "\n".join(lines)
    # Over a picture the text is a small caption at the bottom (who and when).
    size = font_size or (STAMP_FONT_SIZE if background is None else 6)
    # Same size for the font engine and the text box (pyHanko issue #733: lines drift
    # sideways otherwise).
    latin_only = {ord(c) for c in text if not c.isspace()} <= _STAMP_CODEPOINTS
    font = _StampFontFactory(stamp_font_path(text), font_size=size, latin_only=latin_only)
    style = TextStampStyle(
        # pyHanko interpolates the stamp text with "%" formatting: escape literal "%".
        stamp_text=text.replace("%", "%%"),
        text_box_style=TextBoxStyle(font=font, font_size=size, leading=size + 2),
        border_width=0 if background else 1,
        border_color=(0.75, 0.0, 0.0),
        background_opacity=1.0,
    )
    if background is None:
        return style
    # The caption at the bottom right (the seal covers the left third), the picture in
    # the band above it, scaled to fit: the flourish of a signature never crosses the
    # text (Nghị định 30/2020: the picture between the position and the full name).
    return replace(
        style,
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MAX,
            y_align=AxisAlignment.ALIGN_MIN,
            margins=Margins(0, 0, 0, 0),
        ),
        background=ImportedPdfPage(str(background)),
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MAX,
            margins=Margins(left=0, right=0, top=0, bottom=caption_height(len(lines), size)),
        ),
    )


CAPTION_GAP = 2


def caption_height(lines: int, size: int) -> int:
    """The height of a stamp's caption of ``lines`` lines at ``size`` (pyHanko's text box:
    one leading of ``size + 2`` per line), with a small gap above it."""
    return lines * (size + 2) + CAPTION_GAP
