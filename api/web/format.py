"""How the pages write dates, times, numbers, sizes and durations: the Vietnamese way
(dd/mm/yyyy, Vietnam time, "1.234,5", "3 ngày 4 giờ")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from documents.vn import short_date
from storage.audit import VIETNAM


def _vn(t: datetime | str) -> datetime:
    if isinstance(t, str):  # ISO 8601, as in signature reports
        t = datetime.fromisoformat(t.replace("Z", "+00:00"))
    if t.tzinfo is None:  # SQLite gives naive datetimes back: they were stored as UTC
        t = t.replace(tzinfo=UTC)
    return t.astimezone(VIETNAM)


def date_vn(t: datetime | str | None) -> str:
    """02/07/2026"""
    return _vn(t).strftime("%d/%m/%Y") if t else ""


def capitalize_first(s: str) -> str:
    """A sentence from a phrase: only its first letter up ("còn thiếu Biên bản …")."""
    return s[:1].upper() + s[1:]


def day_vn(d: date | None) -> str:
    """A calendar date (a date of birth): 02/07/1980, no time zone involved."""
    return short_date(d) if d else ""


def datetime_vn(t: datetime | str | None) -> str:
    """02/07/2026 14:05"""
    return _vn(t).strftime("%d/%m/%Y %H:%M") if t else ""


def iso(t: datetime | None) -> str:
    """For the `datetime` attribute of <time>."""
    return _vn(t).isoformat(timespec="seconds") if t else ""


def number_vn(n: int | float | None, decimals: int = 0) -> str:
    """1.234.567 and 1.234,5: dots group thousands, a comma marks decimals."""
    if n is None:
        return ""
    text = f"{n:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def size_vn(n: int | None) -> str:
    """A file size: 812 byte, 12,4 KB, 3,1 MB."""
    if n is None:
        return ""
    if n < 1024:
        return f"{number_vn(n)} byte"
    if n < 1024 * 1024:
        return f"{number_vn(n / 1024, 1)} KB"
    return f"{number_vn(n / (1024 * 1024), 1)} MB"


def waited(since: datetime | None, now: datetime | None = None) -> str:
    """How long something has waited: "dưới 1 phút", "5 giờ", "3 ngày 4 giờ"."""
    if since is None:
        return ""
    now = now or datetime.now(UTC)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    span = max(now - since, timedelta(0))
    days, hours = span.days, span.seconds // 3600
    if days == 0 and hours == 0:
        minutes = span.seconds // 60
        return "dưới 1 phút" if minutes < 1 else f"{minutes} phút"
    if days == 0:
        return f"{hours} giờ"
    return f"{number_vn(days)} ngày" + (f" {hours} giờ" if hours else "")


def waited_days(since: datetime | None, now: datetime | None = None) -> int:
    if since is None:
        return 0
    now = now or datetime.now(UTC)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return max((now - since).days, 0)


FILTERS = {
    "date_vn": date_vn,
    "capitalize_first": capitalize_first,
    "day_vn": day_vn,
    "datetime_vn": datetime_vn,
    "iso": iso,
    "number_vn": number_vn,
    "size_vn": size_vn,
    "waited": waited,
}
