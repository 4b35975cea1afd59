"""The demo's past for the dashboards (/thong-ke): the 2025 year-end dossiers of most units,
each taken through every step on recorded dates (some late), their individual nominees
(invented names, gender and ethnicity; no date of birth, no identity number), and the
registry's awards of 2021–2025 of those units' collectives and people. Written into the
database as history, as an import of past years would: no documents, no audit events of
their own (the chain stays intact). The dossiers end approved (no inbox waits on them).

Idempotent: nothing is written when the demo's 2025 dossiers are already there. `make run`
runs it after `tdkt seed --demo` (`tdkt demo stats`)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.calendar import WorkCalendar
from domain.search import fold
from storage.models import (
    Collective,
    Dossier,
    DossierTransition,
    Nominee,
    Person,
    RegistryAward,
    Unit,
    User,
)

YEAR = 2025
TITLE = "Đề nghị khen thưởng năm 2025 (dữ liệu mẫu cho thống kê)"
AWARDS = ("bang_khen_ubnd_tinh", "tap_the_lao_dong_xuat_sac", "chien_si_thi_dua_cap_tinh")
STEPS = (
    ("draft", "unit_review", "submit", (1, 4)),
    ("unit_review", "cluster_review", "approve", (1, 6)),
    ("cluster_review", "board_appraisal", "approve", (2, 12)),
    ("board_appraisal", "board_decision", "approve", (5, 28)),
    ("board_decision", "leadership_review", "approve", (1, 5)),
    ("leadership_review", "approved", "approve", (1, 8)),
)
"""Each step: from, to, action, and how many working days it may take in the demo."""
FAMILY = ("Hoàng", "Nông", "Lương", "Vi", "Lục", "Triệu", "Đinh", "Lăng", "Hà", "Chu")
WOMEN = ("Thị Mai", "Thị Hoa", "Thị Lan", "Thị Thu", "Thị Hằng", "Thị Ngọc")
MEN = ("Văn Tùng", "Văn Hải", "Văn Đức", "Văn Minh", "Đức Anh", "Văn Thắng")
ETHNICITIES = ("Tày", "Nùng", "Kinh", "Kinh", "Dao", "Kinh", "Tày", "Sán Chay")
LEFT_OUT = 4
"""Units (the last of each cluster's list, up to this many) with no 2025 proposal: the
dashboard lists them."""


def _working_after(cal: WorkCalendar, day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


def seed_stats_demo(s: Session) -> bool:
    """Write the demo's 2025 history once. Returns False when it is already there."""
    if s.scalar(select(Dossier.id).where(Dossier.year == YEAR, Dossier.title == TITLE).limit(1)):
        return False
    rnd = random.Random(2025)
    cal = WorkCalendar()
    actor = s.scalar(select(User).where(User.username == "ptdkt.chuyenvien")) or s.scalar(
        select(User).order_by(User.id)
    )
    if actor is None:
        return False
    units = [u for u in s.scalars(select(Unit).order_by(Unit.id)) if u.cluster_id is not None]
    skipped: set[int] = set()
    by_cluster: dict[int, list[Unit]] = {}
    for u in units:
        by_cluster.setdefault(u.cluster_id or 0, []).append(u)
    for members in by_cluster.values():
        if len(skipped) < LEFT_OUT and len(members) > 2:
            skipped.add(members[-1].id)
    for k, u in enumerate(units):
        if u.id in skipped:
            continue
        for n in range(1 + k % 3):
            _dossier(s, rnd, cal, u, actor.id, AWARDS[(k + n) % len(AWARDS)])
    _registry(s, rnd, units)
    return True


def _dossier(
    s: Session, rnd: random.Random, cal: WorkCalendar, u: Unit, actor_id: int, award: str
) -> None:
    start = _working_after(cal, date(YEAR, 10, 1), rnd.randint(0, 25))
    created = datetime(start.year, start.month, start.day, 2, 0, tzinfo=UTC)
    d = Dossier(
        process="commendation_proposal",
        award=award,
        year=YEAR,
        title=TITLE,
        unit_id=u.id,
        cluster_id=u.cluster_id,
        authority_id=u.authority_id,
        status="approved",
        furthest_stage="done",
        transition_seq=len(STEPS),
        created_by=actor_id,
        created_at=created,
        updated_at=created,
    )
    s.add(d)
    s.flush()
    day = start
    for seq, (frm, to, action, (low, high)) in enumerate(STEPS, start=1):
        day = _working_after(cal, day, rnd.randint(low, high))
        s.add(
            DossierTransition(
                subject_kind="dossier",
                subject_id=d.id,
                dossier_id=d.id,
                seq=seq,
                action=action,
                from_status=frm,
                to_status=to,
                actor_id=actor_id,
                actor_role="board_specialist",
                created_at=datetime(day.year, day.month, day.day, 3, 30, tzinfo=UTC),
            )
        )
    d.updated_at = datetime(day.year, day.month, day.day, 3, 30, tzinfo=UTC)
    kind = "collective" if award == "tap_the_lao_dong_xuat_sac" else "individual"
    for i in range(rnd.randint(2, 6) if kind == "individual" else 1):
        if kind == "collective":
            s.add(Nominee(dossier_id=d.id, position_no=1, kind=kind, name=f"Tập thể {u.name}"))
            continue
        woman = rnd.random() < 0.5
        name = f"{rnd.choice(FAMILY)} {rnd.choice(WOMEN if woman else MEN)}"
        s.add(
            Nominee(
                dossier_id=d.id,
                position_no=i + 1,
                kind=kind,
                name=name,
                gender="nu" if woman else "nam",
                ethnicity=rnd.choice(ETHNICITIES),
                achievements="Hoàn thành xuất sắc nhiệm vụ (dữ liệu mẫu).",
            )
        )


def _registry(s: Session, rnd: random.Random, units: list[Unit]) -> None:
    for k, u in enumerate(units):
        collective = s.scalar(
            select(Collective).where(Collective.unit_id == u.id, Collective.kind == "unit")
        )
        for year in range(YEAR - 4, YEAR + 1):
            if collective is not None and (k + year) % 3 == 0:
                _award(s, u, year, "tap_the_lao_dong_xuat_sac", collective=collective)
            for _ in range(rnd.randint(1, 5)):
                woman = rnd.random() < 0.45
                name = f"{rnd.choice(FAMILY)} {rnd.choice(WOMEN if woman else MEN)}"
                p = Person(
                    full_name=name,
                    search_name=fold(name),
                    gender="nu" if woman else "nam",
                    ethnicity=rnd.choice(ETHNICITIES),
                    unit_id=u.id,
                )
                s.add(p)
                s.flush()
                award = "bang_khen_ubnd_tinh" if rnd.random() < 0.6 else "chien_si_thi_dua_cap_tinh"
                _award(s, u, year, award, person=p)


def _award(
    s: Session,
    u: Unit,
    year: int,
    award: str,
    *,
    person: Person | None = None,
    collective: Collective | None = None,
) -> None:
    holder = person.full_name if person else (collective.name if collective else "")
    s.add(
        RegistryAward(
            person_id=person.id if person else None,
            collective_id=collective.id if collective else None,
            award=award,
            year=year,
            decision_number=f"{100 + year % 100}/QĐ-UBND (mẫu)",
            decision_date=date(year, 12, 28),
            issuer="UBND tỉnh Lạng Sơn (dữ liệu mẫu)",
            source="import",
            holder_name=holder,
            unit_id=u.id,
            search_text=fold(holder),
        )
    )
