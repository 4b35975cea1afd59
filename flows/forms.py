"""What a committed step issues, and the data each form is filled with.

`plan_step` turns a transition into form jobs (which form, which copy, which issuer);
`form_context` builds the render context the templates in doc_templates/ expect. Both
read the database only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from documents.vn import date_text, upper_vi
from domain.awards import AWARDS, NOMINEE_KIND_LABELS, NomineeKind
from domain.process import PROCESSES, Action, Stage, Status
from domain.roles import Role
from storage import repositories as repo
from storage.models import Document, Dossier, DossierTransition, User

VIETNAM = timezone(timedelta(hours=7), "ICT")

LEGAL_BASES = (
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết thi hành "
    "Luật Thi đua, khen thưởng.",
)


@dataclass(frozen=True)
class Issuer:
    """The body a document is issued by, and whose seal (organisation key) signs it."""

    series: str
    code: str
    name: str
    parent_name: str
    key_unit_id: int | None
    key_authority_id: int | None


@dataclass(frozen=True)
class FormJob:
    dossier_id: int
    seq: int
    form: str
    copy_no: int
    nominee_id: int | None
    numbered: bool
    issuer: Issuer
    title: str


def issuer_for(s: Session, d: Dossier, stage: Stage) -> Issuer:
    if stage == Stage.UNIT:
        u = d.unit
        return Issuer(f"unit:{u.code}", u.code, u.name, u.parent_name, u.id, None)
    if stage == Stage.CLUSTER:
        term = repo.cluster_term(s, d.cluster_id, d.year)
        c = repo.cluster(s, d.cluster_id)
        if term is None or c is None:
            raise LookupError(f"cluster term missing for dossier {d.id} in {d.year}")
        head = repo.unit(s, term.head_unit_id)
        return Issuer(f"cluster:{c.code}", c.code, c.name, head.parent_name, head.id, None)
    a = repo.authority(s, d.authority_id)
    return Issuer(f"authority:{a.code}", a.code, a.name, a.parent_name, None, a.id)


def plan_step(s: Session, dossier_id: int, seq: int) -> list[FormJob]:
    d = repo.dossier(s, dossier_id)
    t = repo.transition(s, dossier_id, seq)
    if d is None or t is None:
        raise LookupError(f"no transition {seq} for dossier {dossier_id}")
    step = PROCESSES[d.process].find(Action(t.action), Status(t.from_status))
    if step is None:
        raise LookupError(f"transition {t.action} from {t.from_status} is not in the process")
    issuer = issuer_for(s, d, step.issuer_stage)
    jobs = []
    for f in step.forms:
        spec = FORMS[f.form]
        if f.per_nominee:
            jobs += [
                FormJob(
                    d.id,
                    seq,
                    f.form,
                    n.position_no,
                    n.id,
                    f.numbered,
                    issuer,
                    f"{spec.title} – {n.name}",
                )
                for n in d.nominees
            ]
        else:
            jobs.append(FormJob(d.id, seq, f.form, 0, None, f.numbered, issuer, spec.title))
    return jobs


def _signer(s: Session, d: Dossier, t: DossierTransition, job: FormJob) -> dict[str, str]:
    actor = repo.user_by_id(s, t.actor_id)
    assert actor is not None
    person: User = actor
    role = Role(t.actor_role)
    marker = ""
    position = person.position
    if job.form == "bao_cao_thanh_tich":
        heads = repo.users_holding(s, Role.UNIT_HEAD, repo.scope_of(s, d))
        person = heads[0] if heads else actor
        position = "Thủ trưởng đơn vị"
    elif role == Role.CLUSTER_APPROVER:
        marker, position = f"TM. {upper_vi(job.issuer.name)}", "Trưởng cụm"
    elif role == Role.BOARD_HEAD:
        marker = f"TL. GIÁM ĐỐC {upper_vi(job.issuer.name)}"
    elif role == Role.BOARD_SPECIALIST:
        position = "Người thẩm định"
    return {"marker": marker, "position": upper_vi(position), "full_name": person.full_name}


def _recipient(s: Session, d: Dossier, form: str) -> str:
    a = repo.authority(s, d.authority_id)
    c = repo.cluster(s, d.cluster_id)
    return {
        "to_trinh_don_vi": f"Trưởng {c.name}" if c else f"{a.name} ({a.board_name})",
        "to_trinh_cum": f"{a.name} ({a.board_name})",
        "phieu_tham_dinh": f"Hội đồng Thi đua – Khen thưởng tỉnh {a.province}",
        "to_trinh_ban": f"Chủ tịch Ủy ban nhân dân tỉnh {a.province}",
        "thong_bao": d.unit.name,
    }.get(form, "")


def _subject(d: Dossier, t: DossierTransition) -> str:
    if t.action == Action.RETURN:
        return "Về việc trả lại hồ sơ đề nghị khen thưởng"
    if t.action == Action.REJECT:
        return "Về việc không đề nghị khen thưởng"
    return f"Về việc đề nghị tặng {AWARDS[d.award].name} năm {d.year}"


def issued_at(t: DossierTransition) -> datetime:
    at = t.created_at if t.created_at.tzinfo else t.created_at.replace(tzinfo=UTC)
    return at.astimezone(VIETNAM)


def form_context(s: Session, job: FormJob, doc: Document, place: str) -> dict[str, Any]:
    d = repo.dossier(s, job.dossier_id)
    t = repo.transition(s, job.dossier_id, job.seq)
    assert d is not None and t is not None
    award = AWARDS[d.award]
    c = repo.cluster(s, d.cluster_id)
    people = [
        {
            "index": i,
            "name": n.name,
            "position": n.job_title,
            "unit_name": n.unit_name or d.unit.name,
            "achievements": n.achievements,
        }
        for i, n in enumerate((n for n in d.nominees if n.kind == NomineeKind.INDIVIDUAL), 1)
    ]
    groups = [
        {"index": i, "name": n.name, "achievements": n.achievements}
        for i, n in enumerate((n for n in d.nominees if n.kind == NomineeKind.COLLECTIVE), 1)
    ]
    nominee = next((n for n in d.nominees if n.id == job.nominee_id), None)
    return {
        "issuer": {
            "parent_name": upper_vi(job.issuer.parent_name),
            "name": upper_vi(job.issuer.name),
            "code": job.issuer.code,
        },
        "number": doc.number or "",
        "place": place,
        "date_text": date_text(issued_at(t).date()),
        "recipient": _recipient(s, d, job.form),
        "subject": _subject(d, t),
        "award_name": award.name,
        "year": d.year,
        "unit_name": d.unit.name,
        "cluster_name": c.name if c else "",
        "collectives": groups,
        "individuals": people,
        "counts": {"collectives": len(groups), "individuals": len(people)},
        "nominee": {
            "kind": nominee.kind if nominee else "",
            "kind_label": NOMINEE_KIND_LABELS[NomineeKind(nominee.kind)] if nominee else "",
            "name": nominee.name if nominee else "",
            "position": nominee.job_title if nominee else "",
            "unit_name": (nominee.unit_name or d.unit.name) if nominee else "",
            "achievements": nominee.achievements if nominee else "",
        },
        "checks": [
            {
                "index": i,
                "name": n.name,
                "result": "Đạt",
                "note": "Hồ sơ đủ thành phần, thành tích phù hợp tiêu chuẩn.",
            }
            for i, n in enumerate(d.nominees, 1)
        ],
        "legal_bases": list(LEGAL_BASES),
        "reason": t.reason or "",
        "signer": _signer(s, d, t, job),
        "recipients": ["Như trên;", "Lưu: VT, TĐKT."],
    }
