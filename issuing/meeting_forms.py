"""A council meeting (domain/meetings.py) as a subject the engine issues forms for: the
Biên bản họp Hội đồng Thi đua – Khen thưởng, built from the tally stored at the close,
signed by the secretary first (their own request) then by the chair, numbered in the
council's own series and sealed with the Sở's seal (the council's standing body). Reads
the database only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from documents.vn import date_text
from domain.awards import AWARDS
from domain.cluster_vote import PROCESS as CLUSTER_VOTE
from domain.meetings import MEMBER_ROLE_LABELS, MeetingScope, MeetingStatus, MemberRole
from domain.policy import SubjectScope
from domain.process import PROCESSES, FormStep, ProcessDefinition, Stage, Transition
from domain.subjects import Subject, SubjectKind
from storage import meetings as meetings_store
from storage.models import DossierTransition, Meeting, User
from storage.repositories import notifications as notifications_repo
from storage.repositories import org as org_repo

from . import cluster_vote_forms as vote_forms
from .jobs import Copy, FormJob, Issuer

COUNCIL_CODE = "HĐTĐKT"
"""The council's own series (Hội đồng Thi đua – Khen thưởng): its Đ prints in the
number field (documents/fields.py encodes it, as for "QĐ-UBND")."""


def council_issuer(s: Session, authority_id: int) -> Issuer:
    """The provincial council as the Biên bản's issuer: its own series (NĐ 30/2020: an
    advisory council numbers its documents apart), the Sở's seal."""
    a = org_repo.authority(s, authority_id)
    return Issuer(
        f"council:{a.code}",
        COUNCIL_CODE,
        f"Hội đồng Thi đua – Khen thưởng tỉnh {a.province}",
        f"Ủy ban nhân dân tỉnh {a.province}",
        None,
        a.id,
    )


def member_with(m: Meeting, role: MemberRole) -> User | None:
    return next((x.user for x in m.members if x.role == role), None)


class MeetingForms:
    """The engine's view of a meeting: one Biên bản, the secretary signing it first. A
    cluster's secret vote (`process = cluster_vote`) is the cluster's: its issuer, its
    chair and its Biên bản are issuing/cluster_vote_forms.py's."""

    def load(self, s: Session, subject_id: int) -> Meeting | None:
        return meetings_store.meeting(s, subject_id)

    def process(self, row: Meeting) -> ProcessDefinition:
        return PROCESSES[row.process]

    def scope(self, s: Session, row: Meeting) -> SubjectScope:
        return MeetingScope(row.authority_id)

    def issuer(self, s: Session, row: Meeting, stage: Stage) -> Issuer:
        if row.process == CLUSTER_VOTE:
            return vote_forms.vote_issuer(s, row)
        return council_issuer(s, row.authority_id)

    def describe(self, row: Meeting) -> str:
        return f"Cuộc họp «{row.title}»"

    def copies(
        self, row: Meeting, process: ProcessDefinition, step: Transition, f: FormStep
    ) -> list[Copy]:
        secretary = member_with(row, MemberRole.SECRETARY)
        return [
            Copy(
                0,
                None,
                f"{FORMS[f.form].title} – {row.title}",
                secretary.id if secretary else None,
                secretary.full_name if secretary else "",
            )
        ]

    def default_signer(self, s: Session, row: Meeting, job: FormJob) -> User | None:
        """The chair signs the Biên bản (whoever else leads the Sở); a cluster's vote: the
        chair who closed it (the transition before the approval)."""
        if row.process == CLUSTER_VOTE:
            return vote_forms.chair_of(s, row, job.seq - 1)
        return member_with(row, MemberRole.CHAIR)

    def after_step(
        self, s: Session, row: Meeting, t: DossierTransition, doc_ids: Sequence[int]
    ) -> None:
        """A cluster's vote closed: its secretary told the Biên bản waits for them (the
        chairs hold no role over a meeting in the policy, so the engine tells nobody)."""
        if row.process != CLUSTER_VOTE or t.to_status != MeetingStatus.CLOSED:
            return
        secretary = member_with(row, MemberRole.SECRETARY)
        if secretary is not None:
            notifications_repo.notify_once(
                s,
                secretary.id,
                Subject(SubjectKind.MEETING, row.id),
                t.seq,
                f"Cuộc họp «{row.title}»: Biên bản họp bình xét, suy tôn chờ thư ký ký.",
            )
            s.flush()

    def context(
        self, s: Session, job: FormJob, row: Meeting, t: DossierTransition | None
    ) -> dict[str, Any]:
        if row.process == CLUSTER_VOTE:
            return vote_forms.vote_context(s, row)
        return meeting_context(s, row)


def meeting_context(s: Session, m: Meeting) -> dict[str, Any]:
    a = org_repo.authority(s, m.authority_id)
    tally = m.tally or {}
    members = [
        {
            "index": i,
            "name": x.user.full_name,
            "position": x.user.position or "",
            "role_label": MEMBER_ROLE_LABELS[MemberRole(x.role)],
            "present_label": "Có mặt" if x.present else "Vắng mặt",
        }
        for i, x in enumerate(m.members, 1)
    ]
    absent = [x.user.full_name for x in m.members if not x.present]
    secretary = member_with(m, MemberRole.SECRETARY)
    results = [
        {
            "index": i,
            "name": r["name"],
            "award_name": AWARDS[r["award"]].name if r["award"] in AWARDS else r["award"],
            "agree": r["agree"],
            "disagree": r["disagree"],
            "abstain": r["abstain"],
            "share": r["share_text"],
            "threshold": r["threshold_text"],
            "result": "Đạt" if r["passed"] else "Không đạt",
        }
        for i, r in enumerate(tally.get("results", []), 1)
    ]
    return {
        "issuer": {
            "parent_name": f"ỦY BAN NHÂN DÂN TỈNH {a.province}".upper(),
            "name": f"HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG TỈNH {a.province}".upper(),
            "code": COUNCIL_CODE,
        },
        "subject": f"Họp Hội đồng Thi đua – Khen thưởng: {m.title}",
        "meeting": {
            "title": m.title,
            "about": tally.get("about", m.title),
            "held_on_text": date_text(m.held_on),
            "place": m.place or f"tỉnh {a.province}",
            "members_total": len(m.members),
            "present": len(m.members) - len(absent),
            "absent": len(absent),
            "absent_names": ", ".join(absent),
            "quorum_text": tally.get("quorum_text", ""),
            "members": members,
        },
        "results": results,
        "secretary": {
            "position": "Thư ký",
            "full_name": secretary.full_name if secretary else "",
        },
        "recipients": ["Chủ tịch UBND tỉnh;", "Thành viên Hội đồng;", "Lưu: VT, TĐKT."],
    }
