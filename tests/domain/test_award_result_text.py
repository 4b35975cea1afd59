"""What the dossier's page says a decision did for one nominee."""

from __future__ import annotations

from datetime import date

from domain.decisions import award_result_text


def test_awarded_with_the_decision_and_the_certificate_book_number():
    text = award_result_text(True, "", "11/QĐ-UBND", date(2026, 12, 1), "7/2026")
    assert text == "Được khen thưởng — Quyết định số 11/QĐ-UBND ngày 01/12/2026, số vào sổ 7/2026"
    assert award_result_text(True, "", "11/QĐ-UBND", date(2026, 12, 1), None) == (
        "Được khen thưởng — Quyết định số 11/QĐ-UBND ngày 01/12/2026"
    )


def test_not_awarded_says_why_when_a_reason_was_recorded():
    no = award_result_text(False, "Chưa đủ thời gian công tác", "11/QĐ-UBND", None, None)
    assert no == "Không được khen thưởng: Chưa đủ thời gian công tác"
    assert award_result_text(False, "", "11/QĐ-UBND", None, None) == "Không được khen thưởng"
