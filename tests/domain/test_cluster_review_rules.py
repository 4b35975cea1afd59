"""The rules of a cluster's review record and report (domain/cluster_reviews.py)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.cluster_reviews import (
    Attendee,
    Period,
    ReviewStatus,
    check_editable,
    check_record,
    check_signable,
    parse_period,
    period_span,
)
from domain.errors import Conflict, InvalidInput

HEAD, DEPUTY, MEMBER, OUTSIDER = 1, 2, 3, 9


def record(**kw: object) -> None:
    args: dict[str, object] = {
        "year": 2026,
        "held_on": date(2026, 7, 10),
        "host_unit_id": HEAD,
        "leader_unit_ids": {HEAD, DEPUTY},
        "member_unit_ids": {HEAD, DEPUTY, MEMBER},
        "attendees": [Attendee(HEAD, "Nông Văn Hùng", "Phó Trưởng ban", True)],
    }
    check_record(**(args | kw))  # type: ignore[arg-type]


def test_a_record_of_the_head_or_deputy_unit_in_its_year_is_kept() -> None:
    record()
    record(host_unit_id=DEPUTY, attendees=[Attendee(MEMBER, "", "", False)])


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"held_on": date(2027, 1, 5)}, "review_date_outside_year"),
        ({"host_unit_id": MEMBER}, "host_not_leader"),
        ({"attendees": [Attendee(OUTSIDER, "Ai đó", "", True)]}, "attendee_not_member"),
        (
            {"attendees": [Attendee(MEMBER, "A", "", True), Attendee(MEMBER, "B", "", True)]},
            "attendee_duplicate",
        ),
        (
            {"attendees": [Attendee(MEMBER, "  ", "Chánh Văn phòng", True)]},
            "attendee_name_required",
        ),
    ],
)
def test_a_wrong_record_is_refused_with_its_code(change: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as e:
        record(**change)
    assert e.value.code == code


def test_periods_and_their_spans() -> None:
    assert parse_period("midyear") is Period.MIDYEAR
    assert period_span(2026, Period.MIDYEAR) == (date(2026, 1, 1), date(2026, 6, 30))
    assert period_span(2026, Period.YEAREND) == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(InvalidInput) as e:
        parse_period("quarter")
    assert e.value.code == "invalid_period"


def test_a_report_is_signed_once_after_its_upload_and_then_final() -> None:
    with pytest.raises(Conflict) as e:
        check_signable(ReviewStatus.DRAFT)
    assert e.value.code == "report_not_uploaded"
    check_signable(ReviewStatus.UPLOADED)
    check_editable(ReviewStatus.UPLOADED)
    for check in (check_signable, check_editable):
        with pytest.raises(Conflict) as e:
            check(ReviewStatus.SIGNED)
        assert e.value.code == "review_signed"
