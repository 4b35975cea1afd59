"""The cluster's reviews (hội nghị sơ kết, tổng kết) and their report. No I/O.

Twice a year the cluster meets: the mid-year review (sơ kết), hosted by the head or the
deputy unit of the year, and the year-end review (tổng kết). The host records the
conference (date, place, each member unit's representative or its absence, the board's
representative, the agenda) and the system drafts the Báo cáo sơ kết / tổng kết from
the year's data; the host edits it in Word, uploads it back, its leader signs it with
their PIN, it is sealed with the host unit's seal, numbered in the cluster's series and
sent to the board (Luật Thi đua, khen thưởng 2022; the province's guidance on clusters).

The report goes draft → uploaded (an edited DOCX is in, converted to PDF) → signed
(signed, sealed, numbered and sent). A new upload replaces the previous one until it is
signed; a signed report is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import Conflict, InvalidInput


class Period(StrEnum):
    MIDYEAR = "midyear"
    YEAREND = "yearend"


PERIOD_LABELS = {Period.MIDYEAR: "sơ kết", Period.YEAREND: "tổng kết"}
"""As a sentence says it: «Hội nghị sơ kết»."""


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    UPLOADED = "uploaded"
    SIGNED = "signed"


STATUS_LABELS = {
    ReviewStatus.DRAFT: "Dự thảo",
    ReviewStatus.UPLOADED: "Đã tải lên",
    ReviewStatus.SIGNED: "Đã ký, gửi Phòng TĐKT",
}

NO_DATA = "(chưa có dữ liệu)"
"""What the report prints where the year has no such facts yet."""


def period_span(year: int, period: Period) -> tuple[date, date]:
    """The days a review looks back on: the first half year for sơ kết, the whole year
    for tổng kết."""
    end = date(year, 6, 30) if period == Period.MIDYEAR else date(year, 12, 31)
    return date(year, 1, 1), end


def parse_period(raw: str) -> Period:
    try:
        return Period(raw)
    except ValueError as e:
        raise InvalidInput(
            "Kỳ hội nghị phải là sơ kết (midyear) hoặc tổng kết (yearend).", code="invalid_period"
        ) from e


@dataclass(frozen=True)
class Attendee:
    unit_id: int
    name: str
    position: str
    present: bool


def check_record(
    *,
    year: int,
    held_on: date,
    host_unit_id: int,
    leader_unit_ids: set[int],
    member_unit_ids: set[int],
    attendees: list[Attendee],
) -> None:
    """A conference record the host may keep: in its year, hosted by the head or the
    deputy unit, attendees only of member units, once each, a present one named."""
    if held_on.year != year:
        raise InvalidInput(
            f"Ngày hội nghị phải trong năm thi đua {year}.", code="review_date_outside_year"
        )
    if host_unit_id not in leader_unit_ids:
        raise InvalidInput(
            "Đơn vị đăng cai phải là đơn vị Trưởng cụm hoặc Phó trưởng cụm của năm.",
            code="host_not_leader",
        )
    seen: set[int] = set()
    for a in attendees:
        if a.unit_id not in member_unit_ids:
            raise InvalidInput(
                "Thành phần dự chỉ gồm các đơn vị thành viên của cụm.", code="attendee_not_member"
            )
        if a.unit_id in seen:
            raise InvalidInput("Mỗi đơn vị thành viên chỉ ghi một lần.", code="attendee_duplicate")
        seen.add(a.unit_id)
        if a.present and not a.name.strip():
            raise InvalidInput(
                "Đơn vị có mặt phải ghi họ tên người đại diện.", code="attendee_name_required"
            )


def check_editable(status: str) -> None:
    if status == ReviewStatus.SIGNED:
        raise Conflict(
            "Báo cáo đã ký và gửi Phòng Thi đua – Khen thưởng; không sửa được nữa.",
            code="review_signed",
        )


def check_signable(status: str) -> None:
    if status == ReviewStatus.SIGNED:
        raise Conflict("Báo cáo đã được ký và gửi.", code="review_signed")
    if status != ReviewStatus.UPLOADED:
        raise Conflict(
            "Hãy tải lên báo cáo đã chỉnh sửa (tệp .docx) trước khi ký.",
            code="report_not_uploaded",
        )
