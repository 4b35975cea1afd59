"""The specialist's appraisal as rules: what a result may say, how the report prints it,
and when it is complete enough to approve."""

from __future__ import annotations

import pytest

from domain.appraisal import (
    Appraisal,
    Result,
    award_code_or_text,
    check_complete,
    printed,
    problems,
)
from domain.errors import AppraisalIncomplete, NobodyPasses

AWARD = "bang_khen_ubnd_tinh"


def test_each_result_prints_what_was_recorded():
    assert printed(Appraisal(Result.PASSED, "Đủ hồ sơ")) == ("Đạt", "Đủ hồ sơ")
    assert printed(Appraisal(Result.FAILED, 'Thiếu <02 năm> & "HTXSNV"')) == (
        "Không đạt",
        'Thiếu <02 năm> & "HTXSNV"',
    )
    assert printed(Appraisal(Result.OTHER_FORM, "", other_award="chien_si_thi_dua_cap_tinh")) == (
        "Đề nghị hình thức khác: Chiến sĩ thi đua cấp tỉnh",
        "",
    )
    assert printed(Appraisal(Result.OTHER_FORM, other_award="Giấy khen của Giám đốc Sở"))[0] == (
        "Đề nghị hình thức khác: Giấy khen của Giám đốc Sở"
    )
    struck = Appraisal(None, "Đã báo cáo lãnh đạo.", struck=True, strike_reason="Đang bị kỷ luật")
    assert printed(struck) == ("Loại khỏi danh sách", "Lý do: Đang bị kỷ luật Đã báo cáo lãnh đạo.")
    assert printed(None) == ("Chưa có kết quả", "")


def test_an_award_is_stored_by_its_code_whichever_way_it_is_typed():
    assert award_code_or_text("  chiến sĩ thi đua   cấp tỉnh ") == "chien_si_thi_dua_cap_tinh"
    assert award_code_or_text("tap_the_lao_dong_xuat_sac") == "tap_the_lao_dong_xuat_sac"
    assert award_code_or_text("Giấy khen") == "Giấy khen"


def test_a_result_that_cannot_stand_says_why_by_field():
    assert problems(Appraisal(Result.PASSED), AWARD) == {}
    assert set(problems(Appraisal(struck=True, strike_reason="  "), AWARD)) == {"strike_reason"}
    assert set(problems(Appraisal(Result.OTHER_FORM), AWARD)) == {"other_award"}
    same = problems(Appraisal(Result.OTHER_FORM, other_award=AWARD), AWARD)
    assert same == {
        "other_award": "Hình thức khác phải khác «Bằng khen của Chủ tịch UBND tỉnh» đang xét."
    }


def test_approving_needs_a_result_for_everyone_and_someone_who_passes():
    with pytest.raises(AppraisalIncomplete, match="«Phòng B», «Nguyễn Văn C»"):
        check_complete(
            [
                ("Phòng A", Appraisal(Result.PASSED)),
                ("Phòng B", None),
                ("Nguyễn Văn C", Appraisal()),
            ]
        )
    with pytest.raises(NobodyPasses):
        check_complete(
            [
                ("Phòng A", Appraisal(Result.FAILED)),
                ("Phòng B", Appraisal(Result.PASSED, struck=True, strike_reason="Trùng")),
            ]
        )
    check_complete(  # a strike counts as decided; one who passes is enough
        [
            ("Phòng A", Appraisal(Result.PASSED)),
            ("Phòng B", Appraisal(struck=True, strike_reason="Trùng hồ sơ khác")),
        ]
    )
