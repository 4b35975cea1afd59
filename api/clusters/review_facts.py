"""What the cluster's Báo cáo sơ kết / tổng kết reports, from the year's data.

`report_facts(s, ctx, period)` is the one place the report reads the year's results:
the members, the plan's goals and criteria, what each member registered (late ones
marked), the period's ranking computed from the sheets (ties, reviewed points and failed
mandatory criteria noted; members that sent no sheet named), the awards of the period
(the registry) and the members' dossiers of the year by status. The DOCX prints
"(chưa có dữ liệu)" where a part has nothing yet.

- ``registrations``: list of {unit_name, text} (what each member registered);
- ``scores``: list of {rank, unit_name, total, note} in ranking order, sent sheets only;
- ``unscored``: the names of the members that sent no sheet for the period.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.clusters.progress import post_of
from api.clusters.score_service import period_scores
from api.clusters.service import YearContext
from domain import cluster_scores as score_rules
from domain.awards import AWARDS, NomineeKind
from domain.cluster_reviews import NO_DATA, Period, period_span
from domain.process import STATUS_LABELS, Status
from domain.registry import award_name
from storage import cluster_reviews as store
from storage import cluster_scores as score_store
from storage.models import ClusterRegistration


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


def registration_text(reg: ClusterRegistration) -> str:
    """«Tập thể: …; cá nhân: … (Nguyễn Văn A), … (25 người)», «(đăng ký muộn)» if late."""
    collective = [award_name(i.award) for i in reg.items if i.kind == NomineeKind.COLLECTIVE]
    individual = [
        f"{award_name(i.award)} ({i.person_name or f'{i.count} người'})"
        for i in reg.items
        if i.kind != NomineeKind.COLLECTIVE
    ]
    parts = []
    if collective:
        parts.append("tập thể: " + ", ".join(collective))
    if individual:
        parts.append("cá nhân: " + ", ".join(individual))
    text = "; ".join(parts) or "không đăng ký danh hiệu nào"
    text = text[0].upper() + text[1:]
    return text + (" (đăng ký muộn)" if reg.late else "") + "."


def score_note(r: score_rules.Ranked) -> str:
    notes = []
    if r.tied:
        notes.append("đồng hạng")
    if r.adjusted:
        notes.append(f"tự chấm {_points(r.self_total)} điểm, điều chỉnh khi thẩm định")
    if r.failed_mandatory:
        notes.append("không đạt tiêu chí bắt buộc " + ", ".join(r.failed_mandatory))
    return f" ({'; '.join(notes)})" if notes else ""


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
    ranking = period_scores(s, ctx, score_rules.Period(period.value)).ranking
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

    return {
        "cluster_name": cluster_title(ctx.cluster.name),
        "head_name": names.get(ctx.head_unit_id or 0, NO_DATA),
        "deputy_name": names.get(ctx.deputy_unit_id or 0, NO_DATA),
        "no_data": NO_DATA,
        "goals": plan.goals.strip() if plan else "",
        "members": [
            {"index": i, "name": u.name, "post": post_of(ctx, u.id)}
            for i, u in enumerate(ctx.members, 1)
        ],
        "criteria": criteria,
        "registrations": [
            {"unit_name": names[r.unit_id], "text": registration_text(r)}
            for r in score_store.registrations(s, ctx.row.id if ctx.row else None)
            if r.unit_id in names
        ],
        "scores": [
            {
                "rank": r.rank,
                "unit_name": r.name,
                "total": _points(r.total),
                "note": score_note(r),
            }
            for r in ranking
            if r.submitted
        ],
        "unscored": ", ".join(r.name for r in ranking if not r.submitted)
        if any(r.submitted for r in ranking)
        else "",
        "awards": awards,
        "dossiers": dossiers,
    }
