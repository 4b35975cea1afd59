"""What the cluster's Báo cáo sơ kết / tổng kết reports, from the year's data.

THE HOOK: `report_facts(s, ctx, period)` is the one place the report reads the year's
results. Today it gives the members, the plan's goals and criteria, the awards of the
period (the registry) and the members' dossiers of the year by status. Registrations
and scores are recorded by their own part (migration 0024): where their data exists,
fill `registrations` and `scores` here (the DOCX prints "(chưa có dữ liệu)" while they
are empty) — nothing else needs to change:

- ``registrations``: list of {unit_name, text} (what each member registered);
- ``scores``: list of {rank, unit_name, total, note} in ranking order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.clusters.service import YearContext
from domain.awards import AWARDS
from domain.cluster_reviews import NO_DATA, Period, period_span
from domain.process import STATUS_LABELS, Status
from storage import cluster_reviews as store


def _points(value: object) -> str:
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def cluster_title(name: str) -> str:
    """«Cụm I – Các cơ quan …» as the heading says it: «Cụm thi đua I – Các cơ quan …»."""
    if name.casefold().startswith("cụm thi đua"):
        return name
    if name.casefold().startswith("cụm "):
        return "Cụm thi đua " + name[4:]
    return name


def report_facts(s: Session, ctx: YearContext, period: Period) -> dict[str, Any]:
    """The facts of the period, ready for the DOCX (doc_templates/catalogue.py «facts»)."""
    ids = [u.id for u in ctx.members]
    names = {u.id: u.name for u in ctx.members}
    first, last = period_span(ctx.year, period)
    plan = store.plan_of(s, ctx.row.id if ctx.row else None)
    criteria = [
        {
            "code": c.code,
            "group": c.group_name,
            "title": c.title,
            "max_points": _points(c.max_points),
            "mandatory": c.mandatory,
        }
        for c in (plan.criteria if plan else [])
    ]
    awards = [
        {
            "name": a.holder_name,
            "unit_name": names.get(a.unit_id or 0, ""),
            "award_name": AWARDS[a.award].name if a.award in AWARDS else a.award,
            "decision": f" (Quyết định số {a.decision_number} ngày "
            f"{a.decision_date.strftime('%d/%m/%Y')})",
        }
        for a in store.awards_between(s, ids, first, last)
    ]
    counts = store.dossier_counts(s, ids, ctx.year)
    dossiers = [
        {"label": label, "count": counts[str(status)]}
        for status, label in STATUS_LABELS.items()
        if counts.get(str(status))
    ]
    dossiers += [
        {"label": raw, "count": n}
        for raw, n in sorted(counts.items())
        if raw not in {str(x) for x in Status}
    ]

    def post(unit_id: int) -> str:
        if unit_id == ctx.head_unit_id:
            return "Trưởng cụm"
        if unit_id == ctx.deputy_unit_id:
            return "Phó trưởng cụm"
        return "Thành viên"

    return {
        "cluster_name": cluster_title(ctx.cluster.name),
        "head_name": names.get(ctx.head_unit_id or 0, NO_DATA),
        "deputy_name": names.get(ctx.deputy_unit_id or 0, NO_DATA),
        "no_data": NO_DATA,
        "goals": plan.goals.strip() if plan else "",
        "members": [
            {"index": i, "name": u.name, "post": post(u.id)} for i, u in enumerate(ctx.members, 1)
        ],
        "criteria": criteria,
        # Registrations and scores: their part's data feeds these (see the module's doc).
        "registrations": [],
        "scores": [],
        "awards": awards,
        "dossiers": dossiers,
    }
