"""Prize money: a coefficient × the lương cơ sở in force on the decision's date, rounded up
to 10.000 đ; both values chosen by their effective dates, and the values the law as
quoted does not confirm labelled so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import prize_money
from domain.prize_money import BaseSalary, Coefficient, NoValueInForce, prize, round_up, vnd


def test_the_provincial_awards_pay_their_multiples_of_the_base_salary():
    on = date(2026, 12, 4)
    assert prize("co_thi_dua_ubnd_tinh", "collective", on).amount == 18_720_000  # 8.0
    assert prize("chien_si_thi_dua_cap_tinh", "individual", on).amount == 7_020_000  # 3.0
    assert prize("tap_the_lao_dong_xuat_sac", "collective", on).amount == 3_510_000  # 1.5
    assert prize("bang_khen_ubnd_tinh", "individual", on).amount == 2_340_000
    assert prize("bang_khen_ubnd_tinh", "collective", on).amount == 4_680_000


def test_the_base_salary_is_the_one_in_force_on_the_decisions_date():
    assert prize_money.base_salary_on(date(2024, 6, 30)).amount == 1_800_000
    assert prize_money.base_salary_on(date(2024, 7, 1)).amount == 2_340_000
    with pytest.raises(NoValueInForce):
        prize_money.base_salary_on(date(2020, 1, 1))


def test_a_coefficient_applies_only_between_its_dates():
    table = (
        Coefficient(
            "x", "individual", Decimal("1.0"), date(2025, 7, 1), "A", True, date(2026, 6, 30)
        ),
        Coefficient("x", "individual", Decimal("1.2"), date(2026, 7, 1), "B"),
    )
    salaries = (BaseSalary(2_340_000, date(2024, 7, 1), "NĐ 73/2024"),)
    before = prize("x", "individual", date(2026, 6, 30), coefficients=table, salaries=salaries)
    after = prize("x", "individual", date(2026, 7, 1), coefficients=table, salaries=salaries)
    assert (before.amount, before.coefficient.legal_basis) == (2_340_000, "A")
    # 1.2 × 2.340.000 = 2.808.000 → 2.810.000 (up to the next 10.000 đ).
    assert (after.amount, after.coefficient.legal_basis) == (2_810_000, "B")
    with pytest.raises(NoValueInForce):
        prize("x", "individual", date(2025, 6, 30), coefficients=table, salaries=salaries)
    with pytest.raises(NoValueInForce):
        prize("x", "collective", date(2026, 1, 1), coefficients=table, salaries=salaries)


def test_amounts_are_rounded_up_to_ten_thousand_dong():
    assert round_up(2_340_000) == 2_340_000  # an exact multiple stays
    assert round_up(2_340_001) == 2_350_000
    assert round_up(Decimal("351.0")) == 10_000
    assert round_up(Decimal("1.5") * 1_800_000) == 2_700_000
    assert round_up(Decimal("0.3") * 2_340_000) == 710_000  # 702.000 → 710.000


def test_an_unconfirmed_value_says_so_where_the_amount_is_explained():
    bk = prize("bang_khen_ubnd_tinh", "individual", date(2026, 12, 4))
    assert not bk.confirmed and "chưa xác nhận" in bk.basis_text
    assert bk.basis_text.startswith("2.340.000 đồng = 1.0 × lương cơ sở 2.340.000 đồng")
    flag = prize("co_thi_dua_ubnd_tinh", "collective", date(2026, 12, 4))
    assert flag.confirmed and "chưa xác nhận" not in flag.basis_text
    assert "152/2025" in flag.basis_text and "73/2024" in flag.basis_text
    assert vnd(18_720_000) == "18.720.000 đồng"


def test_a_draft_prepared_before_a_new_lương_cơ_sở_cannot_be_signed_after_it():
    from domain.decisions import check_prize_values
    from domain.errors import Conflict

    awards = ["co_thi_dua_ubnd_tinh", "bang_khen_ubnd_tinh"]
    # A new lương cơ sở from 01/7/2027 (invented for the test) over the configured ones.
    later = BaseSalary(2_600_000, date(2027, 7, 1), "Nghị định giả định", confirmed=False)
    salaries = (*prize_money.BASE_SALARIES, later)
    prepared, signed = date(2027, 6, 28), date(2027, 7, 2)
    changed = prize_money.values_changed(awards, prepared, signed, salaries=salaries)
    assert changed
    with pytest.raises(Conflict) as refused:
        check_prize_values(changed)
    assert refused.value.code == "prize_values_changed"
    assert "lương cơ sở" in str(refused.value)
    # Prepared and signed under the same values: nothing to prepare again.
    assert not prize_money.values_changed(awards, date(2025, 7, 1), date(2026, 12, 3))
    assert not prize_money.values_changed(awards, prepared, signed)
    check_prize_values(False)
