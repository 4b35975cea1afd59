"""The eligibility rules (domain/eligibility.py): each rule's pass and fail with its
evidence, the chains that skip đột xuất, revoked and pre-discipline titles, and the rule
set chosen by the dossier's date."""

from __future__ import annotations

from datetime import date

import pytest

from domain import eligibility as el
from domain.awards import NomineeKind
from domain.eligibility import Holding, Initiative, NomineeFacts, Outcome, Restriction

IND, C = NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE
AUG_2026 = date(2026, 8, 1)
CSTDCS, HTXSNV = el.CSTDCS, el.HTXSNV


def facts(award: str, holder: NomineeKind = IND, year: int = 2026, **kw) -> NomineeFacts:
    return NomineeFacts(holder=holder, award=award, year=year, linked=True, **kw)


def judged(f: NomineeFacts, on: date = AUG_2026, rules=el.RULES) -> dict[str, el.Judgement]:
    return {j.rule.code: j for j in el.evaluate(f, on, rules)}


def yearly(award: str, *years: int, **kw) -> tuple[Holding, ...]:
    return tuple(Holding(award, y, **kw) for y in years)


PROVINCE_INITIATIVE = Initiative("Số hóa hồ sơ", "tinh", certificate=True, title_key="so hoa")


def test_cstd_tinh_fails_listing_the_years_found_then_passes_with_the_third():
    two = facts(
        el.CSTD_TINH, holdings=yearly(CSTDCS, 2023, 2024), initiatives=(PROVINCE_INITIATIVE,)
    )
    j = judged(two)["cstd_tinh_chuoi_cstdcs"]
    assert j.outcome is Outcome.FAIL
    assert j.evidence == "Chiến sĩ thi đua cơ sở: 2023, 2024 — thiếu 2025"
    three = facts(
        el.CSTD_TINH, holdings=yearly(CSTDCS, 2023, 2024, 2025), initiatives=(PROVINCE_INITIATIVE,)
    )
    j = judged(three)["cstd_tinh_chuoi_cstdcs"]
    assert (j.outcome, j.evidence) == (Outcome.PASS, "Chiến sĩ thi đua cơ sở: 2023, 2024, 2025")
    assert judged(three)["cstd_tinh_sang_kien"].outcome is Outcome.PASS


def test_dot_xuat_and_revoked_titles_do_not_count_in_a_chain():
    holdings = (
        *yearly(CSTDCS, 2023, 2025),
        Holding(CSTDCS, 2024, occasion="dot_xuat"),
    )
    j = judged(facts(el.CSTD_TINH, holdings=holdings))["cstd_tinh_chuoi_cstdcs"]
    assert j.outcome is Outcome.FAIL
    assert "thiếu 2024" in j.evidence and "2024 là khen đột xuất" in j.evidence
    revoked = (*yearly(CSTDCS, 2023, 2025), Holding(CSTDCS, 2024, revoked=True))
    j = judged(facts(el.CSTD_TINH, holdings=revoked))["cstd_tinh_chuoi_cstdcs"]
    assert j.outcome is Outcome.FAIL and "2024 đã bị thu hồi" in j.evidence


def test_a_discipline_ending_mid_chain_drops_the_years_before_its_end():
    ended = Restriction("discipline", date(2023, 6, 1), date(2024, 5, 31), "khiển trách")
    f = facts(el.CSTD_TINH, holdings=yearly(CSTDCS, 2023, 2024, 2025), restrictions=(ended,))
    j = judged(f)
    assert j["cstd_tinh_chuoi_cstdcs"].outcome is Outcome.FAIL
    assert "Chiến sĩ thi đua cơ sở: 2025 — thiếu 2023, 2024" in j["cstd_tinh_chuoi_cstdcs"].evidence
    assert "trước khi hết kỷ luật (31/05/2024)" in j["cstd_tinh_chuoi_cstdcs"].evidence
    assert j["khong_dang_bi_ky_luat"].outcome is Outcome.PASS  # it has ended


def test_a_restriction_in_force_on_the_dossier_date_fails():
    running = Restriction("investigation", date(2026, 3, 1), None)
    j = judged(facts(el.BANG_KHEN, restrictions=(running,)))["khong_dang_bi_ky_luat"]
    assert j.outcome is Outcome.FAIL
    assert j.evidence == "Đang bị điều tra từ 01/03/2026 (ngày của hồ sơ: 01/08/2026)"


def test_province_initiative_needs_its_certificate():
    no_cert = Initiative("Số hóa hồ sơ", "tinh")
    j = judged(facts(el.CSTD_TINH, initiatives=(no_cert,)))["cstd_tinh_sang_kien"]
    assert j.outcome is Outcome.FAIL and "chưa đính kèm giấy chứng nhận" in j.evidence
    local = Initiative("Sắp xếp kho", "co_so", certificate=True)
    j = judged(facts(el.CSTD_TINH, initiatives=(local,)))["cstd_tinh_sang_kien"]
    assert j.outcome is Outcome.FAIL and "Không có sáng kiến" in j.evidence


def test_bang_khen_individual_either_way():
    by_cstdcs = facts(el.BANG_KHEN, holdings=yearly(CSTDCS, 2024, 2025))
    assert judged(by_cstdcs)["bang_khen_ca_nhan"].outcome is Outcome.PASS
    applied = tuple(
        Initiative(f"SK {i}", "co_so", applied=True, title_key=f"sk {i}") for i in (1, 2)
    )
    by_htxsnv = facts(el.BANG_KHEN, holdings=yearly(HTXSNV, 2024, 2025), initiatives=applied)
    assert judged(by_htxsnv)["bang_khen_ca_nhan"].outcome is Outcome.PASS
    one = facts(el.BANG_KHEN, holdings=yearly(HTXSNV, 2024, 2025), initiatives=applied[:1])
    j = judged(one)["bang_khen_ca_nhan"]
    assert j.outcome is Outcome.FAIL
    assert "sáng kiến được áp dụng: 1/2" in j.evidence
    assert "Chiến sĩ thi đua cơ sở: không có năm nào — thiếu 2024, 2025" in j.evidence


def test_bang_khen_collective_counts_htxsnv_or_ttldxs():
    f = facts(el.BANG_KHEN, C, holdings=(Holding(HTXSNV, 2024), Holding(el.TTLDXS, 2025)))
    assert judged(f)["bang_khen_tap_the"].outcome is Outcome.PASS
    f = facts(el.BANG_KHEN, C, holdings=(Holding(HTXSNV, 2023), Holding(el.TTLDXS, 2025)))
    j = judged(f)["bang_khen_tap_the"]
    assert j.outcome is Outcome.FAIL and "thiếu 2024" in j.evidence
    assert judged(f)["bang_khen_ca_nhan"].outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("counts", "outcome", "text"),
    [
        ((20, 20, 14, 1, 0), Outcome.PASS, "20 thành viên; 20 hoàn thành nhiệm vụ"),
        ((20, 19, 14, 1, 0), Outcome.FAIL, "19/20 thành viên hoàn thành nhiệm vụ (cần 100%)"),
        ((20, 20, 13, 1, 0), Outcome.FAIL, "13/20 đạt Lao động tiên tiến (cần ≥ 70%)"),
        ((20, 20, 14, 0, 0), Outcome.FAIL, "0 Chiến sĩ thi đua cơ sở (cần ≥ 1)"),
        ((20, 20, 14, 1, 1), Outcome.FAIL, "1 người bị kỷ luật từ cảnh cáo trở lên"),
    ],
)
def test_ttldxs_counts(counts, outcome, text):
    f = facts(el.TTLDXS, C, counts=el.CollectiveCounts(*counts))
    j = judged(f)["ttldxs_dieu_kien"]
    assert j.outcome is outcome and text in j.evidence


def test_co_thi_dua_needs_the_boards_confirmation_and_blocks_until_then():
    j = judged(facts(el.CO_THI_DUA, C))["co_thi_dua_dan_dau_cum"]
    assert j.outcome is Outcome.NEEDS_CONFIRMATION and j.needs_override


def test_one_achievement_rewarded_once():
    f = facts(el.BANG_KHEN, holdings=(Holding(el.BANG_KHEN, 2026), *yearly(CSTDCS, 2024, 2025)))
    j = judged(f)["mot_thanh_tich_mot_lan"]
    assert (j.outcome, j.code) == (Outcome.FAIL, el.ALREADY_AWARDED) and j.always_refused
    revoked = facts(el.BANG_KHEN, holdings=(Holding(el.BANG_KHEN, 2026, revoked=True),))
    assert judged(revoked)["mot_thanh_tich_mot_lan"].outcome is Outcome.PASS
    twice = facts(el.BANG_KHEN, same_proposals=(el.OtherProposal(41),))
    j = judged(twice)["mot_thanh_tich_mot_lan"]
    assert (j.outcome, j.code) == (Outcome.FAIL, el.DUPLICATE_PROPOSAL)
    assert "hồ sơ số 41" in j.evidence


def test_an_initiative_backs_one_proposal():
    sk = Initiative("Số hóa hồ sơ", "tinh", True, True, "so hoa ho so")
    f = facts(
        el.BANG_KHEN, initiatives=(sk,), initiative_reuse={"so hoa ho so": (el.OtherProposal(7),)}
    )
    j = judged(f)["sang_kien_mot_de_nghi"]
    assert j.outcome is Outcome.FAIL and "«Số hóa hồ sơ» đã dùng cho hồ sơ số 7" in j.evidence


def test_an_unlinked_nominee_needs_confirmation_not_a_failure():
    f = NomineeFacts(holder=IND, award=el.BANG_KHEN, year=2026, linked=False)
    j = judged(f)
    assert j["bang_khen_ca_nhan"].outcome is Outcome.NEEDS_CONFIRMATION
    assert not any(x.failed for x in j.values())


def test_june_and_august_2025_are_judged_by_different_rule_sets():
    f = facts(el.CSTD_TINH, year=2025, holdings=yearly(CSTDCS, 2022, 2023, 2024))
    june = judged(f, date(2025, 6, 30))["cstd_tinh_chuoi_cstdcs"]
    august = judged(f, date(2025, 8, 1))["cstd_tinh_chuoi_cstdcs"]
    assert june.rule.rule_set is el.ND98 and august.rule.rule_set is el.ND152
    assert "98/2023" in june.rule.legal_basis and "152/2025" in august.rule.legal_basis
    assert (june.rule.effective_to, august.rule.effective_from) == (
        date(2025, 6, 30),
        date(2025, 7, 1),
    )
    # Unconfirmed for the old period (DOMAIN.md confirms the 2025 text only).
    assert (june.rule.confirmed, august.rule.confirmed) == (False, True)
    # A province's parameter for one period only: four years from 01/07/2025.
    rules = el.configured("nd152_2025:cstd_tinh_chuoi_cstdcs.years=4")
    june = judged(f, date(2025, 6, 30), rules)["cstd_tinh_chuoi_cstdcs"]
    august = judged(f, date(2025, 8, 1), rules)["cstd_tinh_chuoi_cstdcs"]
    assert june.outcome is Outcome.PASS
    assert august.outcome is Outcome.FAIL and "thiếu 2021" in august.evidence
    assert "cấu hình của tỉnh" in august.rule.legal_basis and not august.rule.confirmed


@pytest.mark.parametrize(
    "bad",
    [
        "nd152_2025:cstd_tinh_chuoi_cstdcs.years=-1",
        "nd99:x.years=3",
        "nd152_2025:ttldxs_dieu_kien.lao_dong_tien_tien_share=120%",
    ],
)
def test_a_bad_parameter_is_refused(bad):
    with pytest.raises(ValueError, match="bad eligibility parameter"):
        el.configured(bad)


def test_a_share_can_be_configured_as_a_percent():
    rules = el.configured("nd98_2023:ttldxs_dieu_kien.lao_dong_tien_tien_share=75%")
    f = facts(el.TTLDXS, C, counts=el.CollectiveCounts(20, 20, 14, 1, 0))
    assert judged(f, date(2025, 1, 10), rules)["ttldxs_dieu_kien"].outcome is Outcome.FAIL
    assert judged(f, date(2025, 8, 10), rules)["ttldxs_dieu_kien"].outcome is Outcome.PASS
