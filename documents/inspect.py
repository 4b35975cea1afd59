"""What an uploaded file really is, and whether it is safe to keep: checked by content,
never by its name. PDF (no JavaScript, no encryption), DOCX (documents/docx_package.py:
no macros, no external references, no zip bomb), PNG and JPEG (decodable, not a
decompression bomb)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from documents.docx_package import package_problems

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_IMAGE_PIXELS = 100_000_000


@dataclass(frozen=True)
class Refusal(Exception):
    code: str
    message: str


_MAGIC = {
    b"%PDF-": (PDF, ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"PK\x03\x04": (DOCX, ".docx"),
}


def kind_of(data: bytes) -> tuple[str, str]:
    """(media type, extension) from the first bytes, or a refusal."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    raise Refusal(
        "unsupported_file_type",
        "Chỉ nhận tệp PDF, DOCX, PNG hoặc JPEG (nhận diện theo nội dung tệp).",
    )


def has_javascript(reader: PdfFileReader, limit: int = 200_000) -> bool:
    """Whether any object reachable from the document catalog is or names JavaScript."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.root]
    while stack and len(seen) < limit:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, generic.DictionaryObject):
            if "/JS" in obj or "/JavaScript" in obj or obj.get("/S") == "/JavaScript":
                return True
            stack.extend(obj.raw_get(k) for k in obj)
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(obj)
    return False


def check_pdf(data: bytes) -> PdfFileReader:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        encrypted = reader.security_handler is not None or "/Encrypt" in reader.trailer
    except Exception as e:
        raise Refusal("invalid_pdf", "Tệp PDF không đọc được.") from e
    if encrypted:
        raise Refusal("pdf_encrypted", "Tệp PDF đã bị mã hóa: không chấp nhận.")
    try:
        scripted = has_javascript(reader)
    except Exception as e:
        raise Refusal("invalid_pdf", "Tệp PDF không đọc được.") from e
    if scripted:
        raise Refusal("pdf_javascript", "Tệp PDF có chứa JavaScript: không chấp nhận.")
    return reader


def check_upload(data: bytes) -> tuple[str, str]:
    """The media type and extension of a safe upload, or a `Refusal` saying why not."""
    media_type, ext = kind_of(data)
    if media_type == PDF:
        check_pdf(data)
    elif media_type == DOCX:
        problems = package_problems(data)
        if problems:
            raise Refusal("docx_unsafe", " ".join(problems))
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
                with Image.open(BytesIO(data)) as img:
                    img.verify()
        except Exception as e:
            raise Refusal("invalid_image", "Ảnh không đọc được hoặc quá lớn.") from e
    return media_type, ext
