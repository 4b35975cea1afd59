"""What a dossier must hold (Luật Thi đua, khen thưởng Điều 84) as dated data, its
documents by submission, the nominee's details and who may read them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.awards import AWARDS, NomineeFacts, NomineeKind, dossier_problems
from domain.nominee_details import ETHNICITIES, OTHER_ETHNICITY, birth_date_problem
from domain.personal_data import sees_personal_data
from domain.required_documents import (
    REQUIREMENTS,
    AttachmentKind,
    missing_documents,
    requirements_in_force,
)
from domain.roles import Actor, DossierScope, Role, RoleGrant
from domain.submissions import DocFacts, StepFacts, place

ON = date(2026, 11, 22)
PERSON = [NomineeFacts(NomineeKind.INDIVIDUAL, "Lò Thị Mai", "Hoàn thành xuất sắc nhiệm vụ")]


def test_bang_khen_without_the_minutes_is_refused_with_its_legal_basis():
    problems = dossier_problems(AWARDS["bang_khen_ubnd_tinh"], PERSON, {"khac"}, ON)
    assert problems == [
        "còn thiếu Biên bản bình xét — Điều 84 Luật Thi đua, khen thưởng số 06/2022/QH15"
    ]
    assert dossier_problems(AWARDS["bang_khen_ubnd_tinh"], PERSON, {"bien_ban_binh_xet"}, ON) == []


def test_chien_si_thi_dua_also_needs_the_initiative_or_the_topic():
    award = AWARDS["chien_si_thi_dua_cap_tinh"]
    only_minutes = dossier_problems(award, PERSON, {"bien_ban_binh_xet"}, ON)
    assert len(only_minutes) == 1 and "Giấy chứng nhận sáng kiến" in only_minutes[0]
    assert "Điều 84" in only_minutes[0]
    for proof in ("giay_chung_nhan_sang_kien", "quyet_dinh_cong_nhan_de_tai"):
        assert dossier_problems(award, PERSON, {"bien_ban_binh_xet", proof}, ON) == []


def test_the_flag_waits_for_the_clusters_minutes_not_the_units():
    flag = [r for r in requirements_in_force("co_thi_dua_ubnd_tinh", ON)]
    assert flag and not flag[0].checked_at_submit and not flag[0].confirmed
    assert missing_documents("co_thi_dua_ubnd_tinh", ON, set()) == []


def test_a_dossier_is_judged_by_the_rules_in_force_on_its_date():
    # The Law of 2022 is in force from 01/01/2024; tdkt records no older rule.
    assert requirements_in_force("bang_khen_ubnd_tinh", date(2023, 12, 31)) == []
    assert requirements_in_force("bang_khen_ubnd_tinh", date(2024, 1, 1))
    assert all(r.legal_basis and r.effective_from for r in REQUIREMENTS)
    assert {r.mark for r in REQUIREMENTS} == {"✓", "?"}  # both kinds are marked


def test_every_requirement_names_a_kind_a_clerk_can_pick():
    assert all(set(r.kinds) <= set(AttachmentKind) for r in REQUIREMENTS)
    assert all(r.award in AWARDS for r in REQUIREMENTS)


def test_fifty_four_ethnic_groups_and_other():
    assert len(ETHNICITIES) == 55 and len(set(ETHNICITIES)) == 55
    assert ETHNICITIES[0] == "Kinh" and ETHNICITIES[-1] == OTHER_ETHNICITY
    assert {"Tày", "Nùng", "Dao", "Mông", "Ơ Đu", "Brâu", "Rơ Măm"} <= set(ETHNICITIES)


@pytest.mark.parametrize(
    ("born", "problem"),
    [
        (date(1982, 3, 12), None),
        (ON, "quá khứ"),
        (date(2030, 1, 1), "quá khứ"),
        (date(2015, 1, 1), "chưa đủ 15 tuổi"),
        (date(1900, 1, 1), "hơn 100 tuổi"),
    ],
)
def test_a_date_of_birth_must_be_in_the_past_and_plausible(born: date, problem: str | None):
    found = birth_date_problem(born, ON)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_personal_data_reaches_the_unit_the_board_and_auditors_only():
    scope = DossierScope(
        unit_id=10,
        authority_id=1,
        cluster_id=5,
        cluster_term_id=50,
        cluster_leader_unit_ids=frozenset({12}),
        reached_cluster=True,
        reached_board=True,
    )

    def who(role: Role, **where: int) -> Actor:
        return Actor(1, (RoleGrant(role, **where),))

    assert sees_personal_data(who(Role.UNIT_CLERK, unit_id=10), scope)
    assert sees_personal_data(who(Role.UNIT_HEAD, unit_id=10), scope)
    assert sees_personal_data(who(Role.BOARD_SPECIALIST, authority_id=1), scope)
    assert sees_personal_data(who(Role.AUDITOR), scope)
    assert not sees_personal_data(who(Role.UNIT_CLERK, unit_id=11), scope)
    assert not sees_personal_data(who(Role.CLUSTER_APPROVER, unit_id=12), scope)
    assert not sees_personal_data(who(Role.ADMIN), scope)
    early = DossierScope(unit_id=10, authority_id=1, reached_cluster=True)
    assert not sees_personal_data(who(Role.BOARD_HEAD, authority_id=1), early)


T0 = datetime(2026, 11, 1, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_resubmission_replaces_the_earlier_forms_and_refiles_the_attachments():
    steps = [
        StepFacts(1, "submit", at(10)),
        StepFacts(2, "approve", at(20)),
        StepFacts(3, "return", at(30)),
        StepFacts(4, "submit", at(50)),
        StepFacts(5, "approve", at(60)),
    ]
    docs = [
        DocFacts(1, "attachment", 1, 0, False),  # uploaded in the draft, kept
        DocFacts(2, "bao_cao_thanh_tich", 1, 1, True),
        DocFacts(3, "to_trinh_don_vi", 0, 2, True),
        DocFacts(4, "thong_bao", 0, 3, True),
        DocFacts(5, "to_trinh_cum", 0, 3, False),  # prepared, never signed
        DocFacts(6, "attachment", 2, 0, False, removed_at=at(40)),  # removed after the return
        DocFacts(7, "attachment", 3, 3, False),  # uploaded after the return
        DocFacts(8, "bao_cao_thanh_tich", 1, 4, True),
        DocFacts(9, "to_trinh_don_vi", 0, 5, True),
    ]
    p = place(docs, steps)
    assert p[1].submissions == (1, 2) and p[1].superseded_by is None
    assert p[2].submissions == (1,) and p[2].replaced_by == 8 and p[2].superseded_by == 2
    assert p[3].replaced_by == 9
    assert p[4].submission == 1 and p[4].replaced_by is None and p[4].superseded_by == 2
    assert p[5].submission == 1 and p[5].replaced_by is None
    assert p[6].submissions == (1,) and p[6].superseded_by == 2
    assert p[7].submissions == (2,)
    assert p[8].submission == 2 and p[8].replaced_by is None and p[8].superseded_by is None


def test_an_attachment_not_yet_submitted_belongs_to_no_submission():
    p = place([DocFacts(1, "attachment", 1, 0, False)], [])
    assert p[1].submissions == () and p[1].submission is None
