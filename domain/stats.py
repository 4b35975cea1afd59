"""The dashboards' rules (thống kê): who sees which units' numbers, how a step's waiting
time is measured, the median and 90th percentile, and when a count of people is too small
to show. No I/O: the recorded steps and the working calendar are passed in.

- Scope: the board (Phòng TĐKT roles, the Sở's leaders) and auditors see the province; a
  cluster approver sees the member units of the clusters its unit leads (or its cluster
  term names); a unit's clerk or head sees its own unit. Nobody else sees a dashboard.
- A step's waiting time: from the dossier's arrival in a state (its previous transition,
  or its creation) to the transition that took it out, in calendar days and in working
  days (the working days after the arrival day up to and including the leaving day, on
  the calendar with the administrator's entries) — the way the deadlines count.
- Median: the middle value (the mean of the two middle ones for an even count). 90th
  percentile: nearest rank (the value at rank ⌈0,9·n⌉ of the sorted values), so it is a
  waiting time that really happened.
- Small groups: a count of women or ethnic-minority people in a group of fewer than
  `min_group` people is shown as "—" (a count that small points at someone).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain import calendar
from domain.calendar import WorkCalendar
from domain.errors import Forbidden
from domain.nominee_details import Gender
from domain.roles import AUTHORITY_ROLES, UNIT_ROLES, Actor, Role

HIDDEN = "—"
"""What a suppressed count reads."""

MAJORITY_ETHNICITY = "Kinh"


class Level(StrEnum):
    PROVINCE = "province"
    CLUSTER = "cluster"
    UNIT = "unit"


LEVEL_LABELS = {
    Level.PROVINCE: "Toàn tỉnh",
    Level.CLUSTER: "Cụm thi đua",
    Level.UNIT: "Đơn vị",
}

PROVINCE_ROLES = AUTHORITY_ROLES | {Role.AUDITOR}
DASHBOARD_ROLES = PROVINCE_ROLES | UNIT_ROLES | {Role.CLUSTER_APPROVER}


@dataclass(frozen=True)
class DashboardScope:
    """Which units' numbers a reader sees. `all_units`: every unit (an auditor);
    otherwise the units of `authority_ids`, of `cluster_ids` and `unit_ids` together."""

    level: Level
    all_units: bool = False
    authority_ids: frozenset[int] = frozenset()
    cluster_ids: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = frozenset()


def may_see_dashboards(actor: Actor) -> bool:
    return bool(actor.roles() & DASHBOARD_ROLES)


def dashboard_scope(actor: Actor, led_cluster_ids: frozenset[int]) -> DashboardScope:
    """The widest view the actor's grants give. `led_cluster_ids`: the clusters the
    actor's cluster-approver grants lead in the year asked for (storage resolves the
    yearly head and deputy units)."""
    roles = actor.roles()
    if Role.AUDITOR in roles:
        return DashboardScope(Level.PROVINCE, all_units=True)
    authorities = frozenset(
        g.authority_id
        for g in actor.grants
        if g.role in AUTHORITY_ROLES and g.authority_id is not None
    )
    if authorities:
        return DashboardScope(Level.PROVINCE, authority_ids=authorities)
    if Role.CLUSTER_APPROVER in roles and led_cluster_ids:
        return DashboardScope(Level.CLUSTER, cluster_ids=led_cluster_ids)
    units = frozenset(
        g.unit_id for g in actor.grants if g.role in UNIT_ROLES and g.unit_id is not None
    )
    if units:
        return DashboardScope(Level.UNIT, unit_ids=units)
    raise Forbidden(
        "Chỉ Phòng TĐKT, lãnh đạo Sở, thanh tra, Trưởng/Phó trưởng cụm và đơn vị "
        "được xem thống kê.",
        code="dashboard_forbidden",
    )


# ------------------------------------------------------------------ measures


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    mid = len(v) // 2
    return float(v[mid]) if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the value at rank ⌈p/100·n⌉ (1-based) of the sorted values."""
    if not values:
        return None
    v = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(v)))
    return float(v[rank - 1])


def working_days_between(cal: WorkCalendar, start: date, end: date) -> int:
    """Working days after `start` up to and including `end` on `cal` (0 when end <= start):
    domain/calendar.py's count, with the administrator's entries."""
    if end <= start:
        return 0
    return calendar.working_days_between(start, end, cal.days_off, cal.make_up_days)


@dataclass
class StepWait:
    """One step as waited: the state, when the dossier arrived and left (Vietnam days),
    and, where the step has a deadline, its last day."""

    state: str
    arrived: date
    left: date | None
    """None: still waiting."""
    due: date | None = None


@dataclass
class WaitSummary:
    steps: int = 0
    """Steps taken (left)."""
    median_working: float | None = None
    p90_working: float | None = None
    median_calendar: float | None = None
    p90_calendar: float | None = None
    late: int = 0
    """Steps taken after their last day."""
    waiting: int = 0
    """Dossiers waiting in the step now."""
    overdue: int = 0
    """Of those, past their last day today."""
    working: list[int] = field(default_factory=list)
    calendar: list[int] = field(default_factory=list)


def summarise(
    cal: WorkCalendar,
    waits: Sequence[StepWait],
    today: date,
    working_days: Callable[[date, date], int] | None = None,
) -> WaitSummary:
    """`working_days`: the count between two days on `cal`, when the caller keeps one
    that remembers (the same pairs of days recur across a dashboard's tables)."""
    count = working_days or (lambda a, b: working_days_between(cal, a, b))
    out = WaitSummary()
    for w in waits:
        if w.left is None:
            out.waiting += 1
            if w.due is not None and today > w.due:
                out.overdue += 1
            continue
        out.steps += 1
        out.working.append(count(w.arrived, w.left))
        out.calendar.append((w.left - w.arrived).days)
        if w.due is not None and w.left > w.due:
            out.late += 1
    out.median_working = median(out.working)
    out.p90_working = percentile(out.working, 90)
    out.median_calendar = median(out.calendar)
    out.p90_calendar = percentile(out.calendar, 90)
    return out


# ------------------------------------------------------------------ people


@dataclass(frozen=True)
class PeopleShare:
    """Individuals in a group: how many, women, ethnic minorities. `women` and
    `minorities` are None where the group is smaller than the configured minimum."""

    total: int
    women: int | None
    minorities: int | None

    def share(self, n: int | None) -> str:
        if n is None:
            return HIDDEN
        if self.total == 0:
            return "0%"
        return f"{100 * n / self.total:.1f}%".replace(".", ",")


def is_minority(ethnicity: str | None) -> bool:
    return bool(ethnicity) and ethnicity != MAJORITY_ETHNICITY


def people_share(people: Sequence[tuple[str | None, str | None]], min_group: int) -> PeopleShare:
    """`people`: (gender, ethnicity) of each individual of the group."""
    total = len(people)
    if total < min_group:
        return PeopleShare(total, None, None)
    women = sum(1 for g, _ in people if g == Gender.FEMALE)
    minorities = sum(1 for _, e in people if is_minority(e))
    return PeopleShare(total, women, minorities)
