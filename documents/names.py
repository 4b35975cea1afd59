"""The names people see for a dossier's files: an upload keeps the name it was uploaded
with (made safe, Vietnamese kept); an issued form is named by its number and title
("01-TTr-BDT Tờ trình đề nghị khen thưởng của đơn vị.pdf"); and an ASCII fallback for
the `filename=` of a Content-Disposition header (RFC 6266), next to the UTF-8
`filename*=` of RFC 5987. Storage keys are for the archive, never shown as names."""

from __future__ import annotations

import re
import unicodedata

# Characters Windows, macOS or a shell would trip on in a file name; "/" also separates
# the parts of a document number (01/TTr-BDT), which becomes "01-TTr-BDT".
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
MAX_STEM = 150

RENDITION_SUFFIX = {
    "pdf-prepared": " (bản chờ ký)",
    "pdf-personal": " (đã ký duyệt, chờ đóng dấu)",
}


def clean(name: str) -> str:
    """NFC, no control characters, no characters file systems refuse, single spaces."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _FORBIDDEN.sub(lambda m: "-" if m.group() == "/" else "", name)
    return re.sub(r"\s+", " ", name).strip(" .")


def upload_name(name: str | None, ext: str) -> str:
    """An uploaded file's own name, safe, with the extension its content has."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{clean(stem)[:MAX_STEM].strip(' .') or 'tep'}{ext}"


def form_file_name(title: str, number: str | None, rendition: str) -> str:
    """A filled form's file: "<number> <title>.pdf" once issued, else "<title> (…).pdf"."""
    ext = ".docx" if rendition == "docx" else ".pdf"
    stem = f"{number} {title}" if number and rendition == "pdf-signed" else title
    stem = clean(stem + RENDITION_SUFFIX.get(rendition, ""))
    return f"{stem[:MAX_STEM].strip(' .') or 'van-ban'}{ext}"


def display_name(form: str, title: str, number: str | None, rendition: str, stored: str) -> str:
    """The name of a stored file as people see it: an attachment's is the one recorded
    (the upload's own), a form's is made from its number and title whatever the name
    recorded (files recorded before names were kept carry their storage key)."""
    return stored if form == "attachment" else form_file_name(title, number, rendition)


def sealed_copy_name(uploaded: str, number: str | None) -> str:
    """An attachment's sealed copy: its own name, and the Tờ trình it was filed with."""
    stem = uploaded.rsplit(".", 1)[0] if "." in uploaded else uploaded
    with_number = f"{stem} (kèm {number})" if number else f"{stem} (đã đóng dấu)"
    return f"{clean(with_number)[: MAX_STEM + 30]}.pdf"


def ascii_name(name: str) -> str:
    """The name without diacritics (đ → d), other non-ASCII and quotes as "_": for
    clients that do not read RFC 5987's `filename*`."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;%' else "_" for c in plain)
    return re.sub(r"\s+", " ", plain).strip() or "tep"
