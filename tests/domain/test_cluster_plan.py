"""The cluster's plan of the year: what keeps a draft from being issued, last year's plan
copied a year on, the cluster's short name in its documents' ký hiệu."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.cluster_plan import (
    Criterion,
    PlanDraft,
    cluster_short_name,
    copied,
    points_text,
    problems,
    total_points,
)

CRITERIA = (
    Criterion("Nhiệm vụ chuyên môn", "1.1", "Hoàn thành chỉ tiêu", Decimal("40"), True, "Báo cáo"),
    Criterion("Nhiệm vụ chuyên môn", "1.2", "Hồ sơ đúng hạn ≥ 98%", Decimal("20.5")),
    Criterion("Thi đua, khen thưởng", "2.1", "Tổ chức phong trào", Decimal("39.5")),
)


def good(year: int = 2026, **changes: object) -> PlanDraft:
    base = {
        "year": year,
        "goals": f"Đẩy mạnh phong trào thi đua năm {year}.",
        "covenant_signing_on": date(year, 2, 20),
        "registration_deadline": date(year, 3, 15),
        "midyear_review_on": date(year, 7, 15),
        "yearend_review_on": date(year, 12, 10),
        "criteria": CRITERIA,
    }
    base.update(changes)
    return PlanDraft(**base)  # type: ignore[arg-type]


def test_a_complete_plan_has_no_problems_and_totals_its_points() -> None:
    assert problems(good()) == []
    assert total_points(CRITERIA) == Decimal("100")
    assert points_text(Decimal("20.50")) == "20,5" and points_text(Decimal("40.00")) == "40"


def test_dates_must_be_in_the_year_and_in_order() -> None:
    found = problems(good(midyear_review_on=date(2026, 12, 20)))
    assert "Ngày hội nghị sơ kết phải trước ngày hội nghị tổng kết." in found
    found = problems(good(registration_deadline=date(2026, 8, 1)))
    assert found == ["Hạn đăng ký thi đua phải trước ngày hội nghị sơ kết."]
    found = problems(good(covenant_signing_on=date(2025, 12, 30)))
    assert "Ngày ký kết giao ước thi đua phải trong năm 2026." in found
    found = problems(good(yearend_review_on=None))
    assert found == ["Chưa có ngày hội nghị tổng kết."]


def test_criteria_need_unique_codes_positive_points_and_at_least_one() -> None:
    assert "Kế hoạch cần ít nhất một tiêu chí chấm điểm." in problems(good(criteria=()))
    twice = (*CRITERIA, Criterion("Khác", "1.1", "Lặp mã", Decimal("5")))
    assert problems(good(criteria=twice)) == ["Mã tiêu chí «1.1» bị trùng."]
    zero = (Criterion("Khác", "3.1", "Không điểm", Decimal("0")),)
    assert problems(good(criteria=zero)) == ["Tiêu chí 3.1: điểm tối đa phải lớn hơn 0."]
    blank = (Criterion("", "", "", Decimal("1")),)
    assert problems(good(criteria=blank)) == [
        "Tiêu chí thứ 1 chưa có mã số.",
        "Tiêu chí thứ 1 chưa có nội dung.",
        "Tiêu chí thứ 1 chưa thuộc nhóm tiêu chí nào.",
    ]


def test_an_empty_draft_lists_everything_missing() -> None:
    found = problems(PlanDraft(year=2026))
    assert found[0] == "Chưa nêu mục đích, yêu cầu (mục tiêu) của kế hoạch."
    assert len(found) == 6


def test_last_years_plan_is_copied_a_year_on() -> None:
    last = good(2025, covenant_signing_on=date(2024, 2, 29))  # a leap day, out of its year
    new = copied(last)
    assert new.year == 2026
    assert new.goals == "Đẩy mạnh phong trào thi đua năm 2026."
    assert new.covenant_signing_on == date(2025, 2, 28)
    assert new.registration_deadline == date(2026, 3, 15)
    assert new.midyear_review_on == date(2026, 7, 15)
    assert new.yearend_review_on == date(2026, 12, 10)
    assert new.criteria == CRITERIA
    assert problems(copied(good(2025))) == []


def test_the_clusters_short_name() -> None:
    assert cluster_short_name("Cụm I – Các cơ quan Quản lý chuyên ngành", "CUM1-QLCN") == "CỤM I"
    assert cluster_short_name("Khối Kinh tế – Kỹ thuật") == "KHỐI KINH TẾ"
    assert cluster_short_name("Cụm thi đua 5 huyện biên giới", "CUM-5HBG") == "CUM-5HBG"
