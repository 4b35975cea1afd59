"""Vietnamese formatting rules for administrative documents (Nghị định 30/2020/NĐ-CP).

Dates, document numbers (số/ký hiệu) and the capitalisation of names are written the
same way on every form, so they are built here and handed to the templates as text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "date_text",
    "document_number",
    "name_title",
    "place_date",
    "short_date",
    "today_vn",
    "upper_vi",
]


def date_text(d: date) -> str:
    """``ngày 02 tháng 7 năm 2019``: day below 10 and months 1–2 carry a leading zero.

    NĐ 30/2020 (Phụ lục I, mục II.5) pads the day and the months 1 and 2 only, so that
    nobody can turn "tháng 1" into "tháng 11" or "tháng 12" after signing.
    """
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def place_date(place: str, d: date) -> str:
    """``Lạng Sơn, ngày 02 tháng 7 năm 2019`` (the địa danh line of the heading)."""
    place = _nfc(" ".join(place.split()))
    if not place:
        raise ValueError("place must not be empty")
    return f"{place}, {date_text(d)}"


def document_number(n: int, type_code: str, issuer_code: str) -> str:
    """Số/ký hiệu such as ``05/TTr-BDT``: numbers below 10 padded to two digits."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"document number must be a positive integer, got {n!r}")
    type_code = type_code.strip()
    issuer_code = issuer_code.strip()
    if not issuer_code:
        raise ValueError("issuer_code must not be empty")
    # A cluster's ký hiệu may hold single spaces between words ("KH-CỤM I"); no other
    # whitespace, and never in the type code.
    if any(c.isspace() or c == "/" for c in type_code) or any(
        (c.isspace() and c != " ") or c == "/" for c in issuer_code
    ):
        raise ValueError("codes must not contain spaces or '/'")
    if "  " in issuer_code:
        raise ValueError("an issuer code holds single spaces only")
    symbol = f"{type_code}-{issuer_code}" if type_code else issuer_code
    return f"{n:02d}/{symbol}"


def upper_vi(s: str) -> str:
    """Capitals with diacritics kept: ``Ban Dân tộc`` → ``BAN DÂN TỘC``.

    The text is put in NFC first so that decomposed input (typed on some systems as a
    base letter plus combining marks) comes out as the precomposed capitals that
    Times New Roman / Liberation Serif render correctly.
    """
    return _nfc(_nfc(s).upper())


# A new word starts after whitespace, and for names of some ethnic groups after an
# apostrophe or a hyphen (H'Hen Niê, Y-Bih).
_WORD_START = re.compile(r"(^|[\s'’\-])(\w)")


def name_title(s: str) -> str:
    """A person's name with each word capitalised: ``nguyễn  thị ánh`` → ``Nguyễn Thị Ánh``."""
    s = " ".join(_nfc(s).split()).lower()
    return _nfc(_WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), s))


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


def today_vn() -> date:
    """Today in Việt Nam: the date rules in force and ages are judged on."""
    return datetime.now(VIETNAM_TZ).date()


def short_date(d: date) -> str:
    """02/07/1980: a date as forms and pages print a date of birth."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"
