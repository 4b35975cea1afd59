"""The hiệp y configuration: which agencies each nominee category needs, in force by date,
and what a negative reply does to a nominee."""

from __future__ import annotations

from datetime import date

import pytest

from domain import opinions as cfg
from domain.opinions import AgencyCode, ConsultationRule, NomineeCategory, Opinion, Reply

TODAY = date(2026, 12, 3)
TAX = Reply(AgencyCode.TAX, "Thuế tỉnh Lạng Sơn", Opinion.DISAGREE, "nợ thuế")
POLICE = Reply(AgencyCode.POLICE, "Công an tỉnh Lạng Sơn", Opinion.AGREE)


def test_an_enterprise_and_its_leader_need_the_four_agencies():
    for category in (NomineeCategory.ENTERPRISE, NomineeCategory.ENTERPRISE_LEADER):
        assert cfg.agencies_for(category, TODAY) == (
            AgencyCode.TAX,
            AgencyCode.SOCIAL_INSURANCE,
            AgencyCode.ENVIRONMENT,
            AgencyCode.POLICE,
        )
    assert cfg.agencies_for(NomineeCategory.COOPERATIVE, TODAY) == (
        AgencyCode.TAX,
        AgencyCode.SOCIAL_INSURANCE,
    )


def test_a_nominee_without_a_category_needs_no_opinion():
    assert cfg.agencies_for(None, TODAY) == ()
    assert cfg.agencies_for("", TODAY) == ()


def test_every_category_has_a_label_and_a_rule_with_its_basis_marked_unconfirmed():
    for category in NomineeCategory:
        rule = cfg.rule_for(category, TODAY)
        assert rule is not None and category in cfg.CATEGORY_LABELS
        # DOMAIN.md confirms none of it: the page must say so.
        assert not rule.confirmed and "chưa xác nhận" in rule.legal_basis


def test_a_rule_applies_only_between_its_effective_dates():
    rules = (
        ConsultationRule("enterprise", ("THUE",), "cũ", date(2024, 1, 1), date(2025, 6, 30)),
        ConsultationRule("enterprise", ("THUE", "CA"), "mới", date(2025, 7, 1)),
    )
    assert cfg.agencies_for("enterprise", date(2025, 6, 30), rules) == ("THUE",)
    assert cfg.agencies_for("enterprise", date(2025, 7, 1), rules) == ("THUE", "CA")
    assert cfg.agencies_for("enterprise", date(2023, 12, 31), rules) == ()


def test_an_unknown_category_is_refused():
    assert cfg.check_category("enterprise") == "enterprise"
    assert cfg.check_category("") is None
    with pytest.raises(ValueError):
        cfg.check_category("ngan_hang")


def test_a_negative_reply_blocks_until_overridden_and_names_the_agency():
    assert cfg.blocking_replies([TAX, POLICE], overridden=False) == [TAX]
    assert cfg.blocking_replies([TAX, POLICE], overridden=True) == []
    assert cfg.held_back_reason([TAX]) == (
        "Không đủ điều kiện: ý kiến hiệp y không đồng ý của Thuế tỉnh Lạng Sơn"
    )


def test_missing_lists_the_required_agencies_not_yet_answered_in_order():
    required = cfg.agencies_for(NomineeCategory.ENTERPRISE, TODAY)
    assert cfg.missing(required, [AgencyCode.POLICE, AgencyCode.TAX]) == [
        AgencyCode.SOCIAL_INSURANCE,
        AgencyCode.ENVIRONMENT,
    ]
