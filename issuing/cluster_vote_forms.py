"""A cluster's year-end secret vote (domain/cluster_vote.py) as a meeting the engine
issues its Biên bản for: the Biên bản họp bình xét, suy tôn, filled only from the tally
stored at the close (`meetings.tally`) and the meeting's rows (its members, the units
they represent, its rules); signed by the secretary the chair designated (first, in a
request of theirs) and by the chair who closed the vote (on top); numbered in the
cluster's own series ("…/BB-CỤM I") and sealed with the seal of the year's head unit,
the cluster as issuer (as its Kế hoạch, issuing/cluster_plan_forms.py). Reads the
database only.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from documents.vn import date_text, upper_vi
from domain import cluster_vote as rules
from domain.cluster_plan import cluster_short_name
from domain.meetings import MemberRole, percent
from domain.subjects import Subject, SubjectKind
from storage import clusters as clusters_store
from storage.cluster_vote import units_of
from storage.models import ClusterYear, Meeting, Unit, User
from storage.repositories import steps
from storage.repositories import users as users_repo

from .jobs import Issuer


def year_and_head(s: Session, m: Meeting) -> tuple[ClusterYear, Unit]:
    """The cluster year the vote is about and its head unit of that year (who chairs,
    whose seal the Biên bản carries)."""
    year = s.get(ClusterYear, m.about_id)
    assert year is not None
    term = clusters_store.term(s, year.cluster_id, year.year)
    if term is None:
        raise LookupError(f"no cluster term for cluster {year.cluster_id} in {year.year}")
    unit = s.get(Unit, term.head_unit_id)
    assert unit is not None
    return year, unit


def vote_issuer(s: Session, m: Meeting) -> Issuer:
    """The cluster as the Biên bản's issuer: its own series, its short name in the ký
    hiệu, the seal of its head unit of the year."""
    year, head = year_and_head(s, m)
    c = year.cluster
    return Issuer(
        f"cluster:{c.code}", cluster_short_name(c.name, c.code), c.name, head.name, head.id, None
    )


def secretary_of(m: Meeting) -> User | None:
    """The secretary the chair designated: a member row with no unit (no voting seat)."""
    return next((x.user for x in m.members if x.role == MemberRole.SECRETARY), None)


def chair_of(s: Session, m: Meeting, close_seq: int) -> User | None:
    """The chair who closed the vote (the close's transition): they sign the Biên bản."""
    t = steps.transition(s, Subject(SubjectKind.MEETING, m.id), close_seq)
    return users_repo.user_by_id(s, t.actor_id) if t is not None else None


def _counts_text(r: dict[str, Any]) -> str:
    return "; ".join(f"{c['label']}: {c['votes']}" for c in r["counts"])


def _result_text(r: dict[str, Any], base: int) -> str:
    if r["kind"] == rules.Kind.AWARD:
        agree = next((c["votes"] for c in r["counts"] if c["value"] == rules.AGREE), 0)
        share = percent(Fraction(agree, base)) if base else "0%"
        return ("Đạt" if r["passed"] else "Không đạt") + f" (đồng ý {agree}/{base}, {share})"
    if r["passed"] and r["winner_label"]:
        return f"Trúng: {r['winner_label']}"
    return "Không có lựa chọn đạt"


def vote_context(s: Session, m: Meeting) -> dict[str, Any]:
    """What the Biên bản prints besides the heading, the number, the date and the chair's
    name: everything from the stored tally and the meeting's rows."""
    year, head = year_and_head(s, m)
    c = year.cluster
    tally = m.tally or {}
    units = units_of(s, m.id)
    names = {u.id: u.name for u in s.query(Unit).filter(Unit.id.in_(list(units.values())))}
    seats = [(x, units[x.id]) for x in m.members if x.id in units]
    members_total = int(tally.get("members", len(seats)))
    present = int(tally.get("present", sum(1 for x, _u in seats if x.present)))
    of_present = {str(r.get("kind")): bool(r.get("of_present")) for r in m.rules or []}
    results = []
    outcome: dict[str, str] = {}
    for i, r in enumerate(tally.get("results", []), 1):
        base = present if of_present.get(r["kind"]) else members_total
        kind = rules.kind_of(r["kind"])
        if kind != rules.Kind.AWARD:
            outcome[str(kind)] = (r["winner_label"] or "") if r["passed"] else ""
        results.append(
            {
                "index": i,
                "kind_label": rules.KIND_LABELS[kind],
                "text": r["text"],
                "voters": r["voters"],
                "counts_text": _counts_text(r),
                "rule": r["rule"],
                "basis": r["basis"],
                "confirmed_text": ""
                if r["confirmed"]
                else "quy tắc là cấu hình, chưa xác nhận theo văn bản của tỉnh",
                "result": _result_text(r, base),
            }
        )
    nobody = "không có đơn vị đạt số phiếu cần thiết"
    absent = list(tally.get("absent", []))
    secretary = secretary_of(m)
    short = cluster_short_name(c.name, c.code)
    return {
        "issuer": {"parent_name": "", "name": upper_vi(c.name), "code": short},
        "subject": f"Họp bình xét, suy tôn năm {year.year} của {c.name}",
        "year": year.year,
        "cluster_name": c.name,
        "vote": {
            "cluster_name": c.name,
            "year": year.year,
            "next_year": year.year + 1,
            "head_unit_name": head.name,
            "held_on_text": date_text(m.held_on),
            "place": m.place or c.name,
            "members_total": members_total,
            "present": present,
            "absent": len(absent),
            "absent_names": ", ".join(absent),
            "quorum_text": tally.get("quorum_text", ""),
            "quorum_basis": tally.get("quorum_basis", ""),
            "members": [
                {
                    "index": i,
                    "unit_name": names.get(u, ""),
                    "representative": x.user.full_name,
                    "present_label": "Có mặt" if x.present else "Vắng mặt",
                }
                for i, (x, u) in enumerate(seats, 1)
            ],
            "leader": outcome.get(rules.Kind.LEADER) or nobody,
            "next_head": outcome.get(rules.Kind.HEAD) or nobody,
            "next_deputy": outcome.get(rules.Kind.DEPUTY) or nobody,
            "ballots": tally.get("ballots", 0),
            "ballots_digest": tally.get("ballots_digest", ""),
        },
        "vote_results": results,
        "secretary": {
            "position": "Thư ký",
            "full_name": secretary.full_name if secretary else "",
        },
        "recipients": [
            "Các đơn vị thành viên Cụm;",
            "Phòng Thi đua – Khen thưởng;",
            "Lưu: VT.",
        ],
    }
