"""Hiệp y: which nominees need the opinion of which agencies before the council, and
what their answers mean for the round's list. Configuration as data, and pure rules.

A nominee can be marked with a category (an enterprise, an enterprise's leader, …);
for each category the configuration names the agencies whose opinion the board asks
(tax, social insurance, environment, police). None of this is confirmed in
/work/shared/DOMAIN.md: it is the common provincial practice (the board asks these
agencies about an enterprise's compliance before proposing it), so every entry carries
its basis in words, effective dates and `confirmed=False`, and the page says
"chưa xác nhận". No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class NomineeCategory(StrEnum):
    ENTERPRISE = "enterprise"
    ENTERPRISE_LEADER = "enterprise_leader"
    COOPERATIVE = "cooperative"


CATEGORY_LABELS: Mapping[str, str] = {
    NomineeCategory.ENTERPRISE: "Doanh nghiệp",
    NomineeCategory.ENTERPRISE_LEADER: "Người đứng đầu doanh nghiệp",
    NomineeCategory.COOPERATIVE: "Hợp tác xã",
}


class AgencyCode(StrEnum):
    """The demo agencies (tdkt/seed.py creates them with these codes)."""

    TAX = "THUE"
    SOCIAL_INSURANCE = "BHXH"
    ENVIRONMENT = "SNNMT"
    POLICE = "CA"


class Opinion(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"


OPINION_LABELS: Mapping[str, str] = {
    Opinion.AGREE: "Đồng ý",
    Opinion.DISAGREE: "Không đồng ý",
}

_PRACTICE = (
    "Thực tiễn phổ biến của các tỉnh khi xét khen thưởng doanh nghiệp (lấy ý kiến cơ quan "
    "thuế, bảo hiểm xã hội, môi trường, công an về việc chấp hành pháp luật) — chưa xác "
    "nhận trong văn bản pháp luật"
)


@dataclass(frozen=True)
class ConsultationRule:
    category: str
    agencies: tuple[str, ...]
    """Agency codes, in the order the page lists them."""
    legal_basis: str
    effective_from: date
    effective_to: date | None = None
    confirmed: bool = False
    """Whether /work/shared/DOMAIN.md confirms it; the page says "chưa xác nhận" if not."""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


_ALL = (AgencyCode.TAX, AgencyCode.SOCIAL_INSURANCE, AgencyCode.ENVIRONMENT, AgencyCode.POLICE)

RULES: tuple[ConsultationRule, ...] = (
    ConsultationRule(NomineeCategory.ENTERPRISE, tuple(_ALL), _PRACTICE, date(2024, 1, 1)),
    ConsultationRule(NomineeCategory.ENTERPRISE_LEADER, tuple(_ALL), _PRACTICE, date(2024, 1, 1)),
    ConsultationRule(
        NomineeCategory.COOPERATIVE,
        (AgencyCode.TAX, AgencyCode.SOCIAL_INSURANCE),
        _PRACTICE,
        date(2024, 1, 1),
    ),
)


def rule_for(
    category: str | None, on: date, rules: Iterable[ConsultationRule] = RULES
) -> ConsultationRule | None:
    """The rule in force on `on` for a category; None when the nominee needs no opinion."""
    if not category:
        return None
    for r in rules:
        if r.category == category and r.in_force(on):
            return r
    return None


def agencies_for(
    category: str | None, on: date, rules: Iterable[ConsultationRule] = RULES
) -> tuple[str, ...]:
    r = rule_for(category, on, rules)
    return r.agencies if r is not None else ()


def check_category(value: str | None) -> str | None:
    """A category the configuration knows, or None; raises ValueError otherwise."""
    if value in (None, ""):
        return None
    if value not in CATEGORY_LABELS:
        raise ValueError(value)
    return value


@dataclass(frozen=True)
class Reply:
    agency_code: str
    agency_name: str
    opinion: str | None
    """None while the agency has not answered."""
    note: str = ""


def blocking_replies(replies: Iterable[Reply], overridden: bool) -> list[Reply]:
    """The negative replies that keep a nominee off the round's list: none once the
    board has overridden them."""
    if overridden:
        return []
    return [r for r in replies if r.opinion == Opinion.DISAGREE]


def held_back_reason(blocking: Iterable[Reply]) -> str:
    names = ", ".join(r.agency_name for r in blocking)
    return f"Không đủ điều kiện: ý kiến hiệp y không đồng ý của {names}"


def missing(required: Iterable[str], answered: Iterable[str]) -> list[str]:
    """The required agencies (codes, in the configured order) that have not answered."""
    done = set(answered)
    return [a for a in required if a not in done]
