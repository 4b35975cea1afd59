"""The cluster's plan of the year as a subject the engine issues forms for: the Kế hoạch
thi đua của Cụm, signed personally by the head unit's leader (its cluster approver),
numbered in the cluster's own series ("01/KH-CỤM I") and sealed with the head unit's
seal; once out, its number on the plan and every member and the board told. Reads the
database only (the notifications are written in the flow's transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from documents.vn import date_text, upper_vi
from domain.cluster_plan import PlanStatus, cluster_short_name, points_text
from domain.policy import SubjectScope
from domain.process import CLUSTER_PLAN, FormStep, ProcessDefinition, Stage, Transition
from domain.roles import Role
from domain.subjects import Subject, SubjectKind
from storage import cluster_plans as store
from storage import clusters as clusters_store
from storage.models import (
    ClusterPlan,
    ClusterYear,
    Document,
    DossierTransition,
    RoleAssignment,
    Unit,
    User,
)
from storage.repositories import notifications as notifications_repo
from storage.repositories import org as org_repo

from .jobs import LEGAL_BASES, VIETNAM, Copy, FormJob, Issuer, issued_at

PLAN_BASES = (
    *LEGAL_BASES[:-1],
    LEGAL_BASES[-1].rstrip(".") + ";",
    "Căn cứ hướng dẫn của Ủy ban nhân dân tỉnh về tổ chức hoạt động của các cụm, khối thi đua.",
)


@dataclass(frozen=True)
class ClusterYearScope:
    """Where a cluster's year sits, as far as the engine asks (nobody acts on an issued
    plan, so the rules are never asked who holds a role over it)."""

    kind: ClassVar[str] = "cluster_year"
    authority_id: int
    cluster_term_id: int | None = None
    cluster_leader_unit_ids: frozenset[int] = frozenset()
    unit_id: int | None = None


def today_vn() -> date:
    return datetime.now(VIETNAM).date()


def head_unit(s: Session, row: ClusterPlan) -> tuple[ClusterYear, Unit]:
    year = s.get(ClusterYear, row.cluster_year_id)
    assert year is not None
    term = clusters_store.term(s, year.cluster_id, year.year)
    if term is None:
        raise LookupError(f"no cluster term for cluster {year.cluster_id} in {year.year}")
    unit = s.get(Unit, term.head_unit_id)
    assert unit is not None
    return year, unit


def plan_issuer(s: Session, row: ClusterPlan) -> Issuer:
    """The cluster as the plan's issuer: its own series, its short name in the ký hiệu,
    the seal of its head unit of the year."""
    year, head = head_unit(s, row)
    c = year.cluster
    return Issuer(
        f"cluster:{c.code}",
        cluster_short_name(c.name, c.code),
        c.name,
        head.name,
        head.id,
        None,
    )


class ClusterPlanForms:
    """The engine's view of a cluster year's plan: one Kế hoạch, the head unit's."""

    def load(self, s: Session, subject_id: int) -> ClusterPlan | None:
        return store.plan_of(s, subject_id)

    def process(self, row: ClusterPlan) -> ProcessDefinition:
        return CLUSTER_PLAN

    def scope(self, s: Session, row: ClusterPlan) -> SubjectScope:
        year, _ = head_unit(s, row)
        return ClusterYearScope(year.cluster.authority_id)

    def issuer(self, s: Session, row: ClusterPlan, stage: Stage) -> Issuer:
        return plan_issuer(s, row)

    def describe(self, row: ClusterPlan) -> str:
        return "Kế hoạch thi đua của Cụm"

    def copies(
        self, row: ClusterPlan, process: ProcessDefinition, step: Transition, f: FormStep
    ) -> list[Copy]:
        return [Copy(0, None, FORMS[f.form].title)]

    def default_signer(self, s: Session, row: ClusterPlan, job: FormJob) -> User | None:
        """The head unit's cluster approver (its leader in charge of the cluster)."""
        _, head = head_unit(s, row)
        return s.scalar(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.role == Role.CLUSTER_APPROVER.value,
                RoleAssignment.unit_id == head.id,
                User.is_active.is_(True),
            )
            .order_by(User.id)
            .limit(1)
        )

    def context(
        self, s: Session, job: FormJob, row: ClusterPlan, t: DossierTransition | None
    ) -> dict[str, Any]:
        on = issued_at(t).date() if t is not None else today_vn()
        return plan_context(s, row, on)

    def after_step(
        self, s: Session, row: ClusterPlan, t: DossierTransition, doc_ids: Sequence[int]
    ) -> None:
        """Once the Kế hoạch is numbered, sealed and stored: its number and date on the
        plan, and every member unit's clerks and heads and the board's specialists told."""
        if t.to_status != PlanStatus.ISSUED or not doc_ids:
            return
        doc = s.get(Document, doc_ids[0])
        assert doc is not None
        row.number, row.issued_at = doc.number, issued_at(t)
        year, _ = head_unit(s, row)
        members = clusters_store.members_on(s, year.cluster_id, issued_at(t).date())
        subject = Subject(SubjectKind.CLUSTER_YEAR, year.id)
        message = (
            f"{year.cluster.name}: Kế hoạch thi đua năm {year.year} đã ban hành"
            + (f" (số {doc.number})" if doc.number else "")
            + "."
        )
        for user_id in store.plan_recipients(s, [u.id for u in members], year.cluster.authority_id):
            notifications_repo.notify_once(s, user_id, subject, t.seq, message)
        s.flush()


def plan_context(s: Session, row: ClusterPlan, on: date) -> dict[str, Any]:
    """What the Kế hoạch prints besides the heading and the signature."""
    year, head = head_unit(s, row)
    c = year.cluster
    a = org_repo.authority(s, c.authority_id)
    day = min(max(on, date(year.year, 1, 1)), date(year.year, 12, 31))
    members = clusters_store.members_on(s, c.id, day)
    groups: list[dict[str, Any]] = []
    sums: list[Decimal] = []
    for crit in row.criteria:
        if not groups or groups[-1]["name"] != crit.group_name:
            groups.append(
                {"numeral": _roman(len(groups) + 1), "name": crit.group_name, "criteria": []}
            )
            sums.append(Decimal(0))
        groups[-1]["criteria"].append(
            {
                "code": crit.code,
                "title": crit.title,
                "max_points": points_text(crit.max_points),
                "mandatory": "Bắt buộc" if crit.mandatory else "",
                "evidence": crit.evidence,
            }
        )
        sums[-1] += crit.max_points
    for g, subtotal in zip(groups, sums, strict=True):
        g["subtotal"] = points_text(subtotal)
    calendar = [
        ("Ký kết giao ước thi đua", row.covenant_signing_on),
        ("Hạn đăng ký danh hiệu thi đua", row.registration_deadline),
        ("Hội nghị sơ kết 6 tháng đầu năm", row.midyear_review_on),
        ("Hội nghị tổng kết năm", row.yearend_review_on),
    ]
    short = cluster_short_name(c.name, c.code)
    return {
        "issuer": {
            "parent_name": upper_vi(c.name),
            "name": "TRƯỞNG CỤM",
            "code": short,
        },
        "subject": f"Tổ chức phong trào thi đua năm {year.year} của {c.name}",
        "legal_bases": list(PLAN_BASES),
        "plan": {
            "year": year.year,
            "cluster_name": c.name,
            "head_unit_name": head.name,
            "goals": [line.strip() for line in row.goals.splitlines() if line.strip()],
            "calendar": [
                {"index": i, "label": label, "date_text": date_text(day) if day else "…"}
                for i, (label, day) in enumerate(calendar, 1)
            ],
            "groups": groups,
            "total": points_text(sum(sums, Decimal(0))),
            "members": [u.name for u in members],
        },
        "signer_unit": upper_vi(head.name),
        "recipients": [
            "Các đơn vị thành viên Cụm;",
            f"{a.board_name or 'Phòng Thi đua – Khen thưởng'}, {a.name};",
            "Lưu: VT.",
        ],
    }


def _roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, mark in numerals:
        while n >= value:
            out, n = out + mark, n - value
    return out
