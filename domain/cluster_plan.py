"""The cluster's plan of the year (Kế hoạch thi đua của Cụm): its states, what makes a
draft fit to issue, and last year's plan copied into a new draft. No I/O.

The head unit's cluster approver drafts the plan (goals, the year's calendar, the scoring
criteria) and issues it with the signature of the head unit's leader: numbered in the
cluster's own series ("01/KH-CỤM I"), sealed with the head unit's seal. The criteria are
what the members score themselves by later in the year; an issued plan is not edited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


PLAN_STATUS_LABELS = {
    PlanStatus.DRAFT: "Dự thảo",
    PlanStatus.ISSUED: "Đã ban hành",
}

MAX_CRITERIA = 200
MAX_POINTS = Decimal("1000")


@dataclass(frozen=True)
class Criterion:
    group_name: str
    code: str
    title: str
    max_points: Decimal
    mandatory: bool = False
    evidence: str = ""


@dataclass(frozen=True)
class PlanDraft:
    """What a plan holds, as its editor sends it."""

    year: int
    goals: str = ""
    covenant_signing_on: date | None = None
    registration_deadline: date | None = None
    midyear_review_on: date | None = None
    yearend_review_on: date | None = None
    criteria: tuple[Criterion, ...] = ()


CALENDAR_LABELS = {
    "covenant_signing_on": "Ngày ký kết giao ước thi đua",
    "registration_deadline": "Hạn đăng ký thi đua",
    "midyear_review_on": "Ngày hội nghị sơ kết",
    "yearend_review_on": "Ngày hội nghị tổng kết",
}


def total_points(criteria: Sequence[Criterion]) -> Decimal:
    return sum((c.max_points for c in criteria), Decimal(0))


def points_text(value: Decimal) -> str:
    """Points as a Vietnamese reader writes them: "10", "2,5"."""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return text.rstrip(".").replace(".", ",")


def problems(plan: PlanDraft) -> list[str]:
    """Why the plan may not be issued yet (empty: it may). Each problem a sentence."""
    out: list[str] = []
    if not plan.goals.strip():
        out.append("Chưa nêu mục đích, yêu cầu (mục tiêu) của kế hoạch.")
    first, last = date(plan.year, 1, 1), date(plan.year, 12, 31)
    days = {
        "covenant_signing_on": plan.covenant_signing_on,
        "registration_deadline": plan.registration_deadline,
        "midyear_review_on": plan.midyear_review_on,
        "yearend_review_on": plan.yearend_review_on,
    }
    for name, day in days.items():
        if day is None:
            out.append(f"Chưa có {CALENDAR_LABELS[name].lower()}.")
        elif not first <= day <= last:
            out.append(f"{CALENDAR_LABELS[name]} phải trong năm {plan.year}.")
    mid, end = plan.midyear_review_on, plan.yearend_review_on
    for name in ("covenant_signing_on", "registration_deadline"):
        day = days[name]
        if day is not None and mid is not None and day >= mid:
            out.append(f"{CALENDAR_LABELS[name]} phải trước ngày hội nghị sơ kết.")
    if mid is not None and end is not None and mid >= end:
        out.append("Ngày hội nghị sơ kết phải trước ngày hội nghị tổng kết.")
    if not plan.criteria:
        out.append("Kế hoạch cần ít nhất một tiêu chí chấm điểm.")
    seen: set[str] = set()
    for i, c in enumerate(plan.criteria, 1):
        label = f"Tiêu chí {c.code or f'thứ {i}'}"
        if not c.code.strip():
            out.append(f"Tiêu chí thứ {i} chưa có mã số.")
        elif c.code.strip().casefold() in seen:
            out.append(f"Mã tiêu chí «{c.code}» bị trùng.")
        seen.add(c.code.strip().casefold())
        if not c.title.strip():
            out.append(f"{label} chưa có nội dung.")
        if not c.group_name.strip():
            out.append(f"{label} chưa thuộc nhóm tiêu chí nào.")
        if not c.max_points > 0:
            out.append(f"{label}: điểm tối đa phải lớn hơn 0.")
        elif c.max_points > MAX_POINTS:
            out.append(f"{label}: điểm tối đa không quá {points_text(MAX_POINTS)}.")
    if len(plan.criteria) > MAX_CRITERIA:
        out.append(f"Kế hoạch có tối đa {MAX_CRITERIA} tiêu chí.")
    return out


def _next_year(day: date | None) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def copied(last_year: PlanDraft) -> PlanDraft:
    """Last year's plan as this year's draft: the same goals and criteria, each date a
    year later, the year's number in the goals moved on."""
    year = last_year.year + 1
    goals = re.sub(rf"\b{last_year.year}\b", str(year), last_year.goals)
    return replace(
        last_year,
        year=year,
        goals=goals,
        covenant_signing_on=_next_year(last_year.covenant_signing_on),
        registration_deadline=_next_year(last_year.registration_deadline),
        midyear_review_on=_next_year(last_year.midyear_review_on),
        yearend_review_on=_next_year(last_year.yearend_review_on),
    )


def cluster_short_name(name: str, code: str = "") -> str:
    """The cluster's short name as its documents' ký hiệu print it: "CỤM I" from
    "Cụm I – Các cơ quan Quản lý chuyên ngành" (the part before the dash); a name of
    another shape gives the cluster's code."""
    head = re.split(r"\s+[–—-]\s+", name.strip(), maxsplit=1)[0].strip()
    words = head.split()
    if 2 <= len(words) <= 3 and words[0].casefold() in ("cụm", "khối") and len(head) <= 16:
        return head.upper().replace("/", "-")
    return (code or head).upper().replace(" ", "-").replace("/", "-")[:24]
