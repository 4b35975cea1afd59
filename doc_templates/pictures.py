"""Draw page 1 of some forms as PNG pictures for the README (``make form-pictures``).

Each form is filled with the sample dossier of `doc_templates.samples`, converted to PDF
by LibreOffice exactly as the flows do, and page 1 is drawn with poppler's ``pdftoppm``
into ``docs/forms/<form>-page1.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
from pathlib import Path

from doc_templates.catalogue import template_path
from doc_templates.samples import sample_context
from documents.pdf import PdfConverter
from documents.render import render_docx

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "docs" / "forms"
FORMS = ("to_trinh_don_vi", "bao_cao_thanh_tich")
RESOLUTION = 60  # dots per inch: a whole A4 page fits a README column


async def draw(codes: tuple[str, ...] = FORMS, out_dir: Path = OUT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="tdkt-pictures-") as tmp:
        work = Path(tmp)
        converter = PdfConverter(work / "profiles", workers=min(2, len(codes)), timeout=120)
        pdfs = await asyncio.gather(
            *(
                converter.convert(
                    render_docx(template_path(code), sample_context(tricky=False, form=code))
                )
                for code in codes
            )
        )
        for code, pdf in zip(codes, pdfs, strict=True):
            source = work / f"{code}.pdf"
            source.write_bytes(pdf)
            target = out_dir / f"{code}-page1"
            first_page = ["-f", "1", "-l", "1", "-singlefile"]
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(RESOLUTION), *first_page, str(source), str(target)],
                check=True,
            )
            written.append(target.with_suffix(".png"))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", nargs="*", default=list(FORMS), help="form codes")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    for path in asyncio.run(draw(tuple(args.forms), args.out)):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
