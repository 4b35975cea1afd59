"""What a step issues, and the data each form is filled with.

`plan_step` turns a committed transition into form jobs (which form, which copy, which
issuer); `plan_next` gives the jobs of the approval that the new state waits for, so that
their PDFs are prepared before the approver comes to sign. `form_context` builds the
render context the templates in doc_templates/ expect: always with blank room where the
number and the date go, because those are filled in after the signature
(documents/fields.py).
All read the database only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from documents import fields
from documents.vn import document_number, short_date, upper_vi
from domain import appraisal
from domain.awards import AWARDS, NOMINEE_KIND_LABELS, NomineeKind
from domain.nominee_details import GENDER_LABELS, Gender
from domain.process import PROCESSES, Action, Stage, Status, Transition
from domain.roles import Role
from storage.models import Dossier, DossierTransition, Nominee, User
from storage.repositories import appraisal as appraisal_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

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
    action: Action
    signer_role: Role
    """The role of the person whose name the form prints under the signature."""
    personal: bool
    """The approver signs it personally, in the request, before it is numbered and sealed."""
    seals_attachments: bool = False
    sealed: bool = True
    """False: the personal signature only, then number and date; no organisation seal."""
    reporter_id: int | None = None
    """An individual's own account: they sign their report first (their printed name is
    `reporter_name`), in a request of theirs, before the approver."""
    reporter_name: str = ""


def issuer_for(s: Session, d: Dossier, stage: Stage) -> Issuer:
    if stage == Stage.UNIT:
        u = d.unit
        return Issuer(f"unit:{u.code}", u.code, u.name, u.parent_name, u.id, None)
    if stage == Stage.CLUSTER:
        term = org_repo.cluster_term(s, d.cluster_id, d.year)
        c = org_repo.cluster(s, d.cluster_id)
        if term is None or c is None:
            raise LookupError(f"cluster term missing for dossier {d.id} in {d.year}")
        head = org_repo.unit(s, term.head_unit_id)
        return Issuer(f"cluster:{c.code}", c.code, c.name, head.parent_name, head.id, None)
    a = org_repo.authority(s, d.authority_id)
    return Issuer(f"authority:{a.code}", a.code, a.name, a.parent_name, None, a.id)


def _jobs(s: Session, d: Dossier, step: Transition, seq: int) -> list[FormJob]:
    personal = step.action == Action.APPROVE
    own = PROCESSES[d.process].own_signature(step.source) if personal else None
    issuers: dict[Stage, Issuer] = {}
    jobs = []
    for f in step.forms:
        spec = FORMS[f.form]
        # Who issues and who signs are the form's, as the process declares them.
        stage = step.issuer_of(f)
        issuer = issuers.setdefault(stage, issuer_for(s, d, stage))
        role = step.signer_of(f)
        copies: list[tuple[int, Nominee | None, str]] = [
            (n.position_no, n, f"{spec.title} – {n.name}") for n in d.nominees
        ]
        for copy_no, nominee, title in copies if f.per_nominee else [(0, None, spec.title)]:
            reporter = (
                nominee
                if own is not None
                and own.form == f.form
                and nominee is not None
                and nominee.kind == NomineeKind.INDIVIDUAL
                and nominee.user_id is not None
                else None
            )
            jobs.append(
                FormJob(
                    d.id,
                    seq,
                    f.form,
                    copy_no,
                    nominee.id if nominee else None,
                    f.numbered,
                    issuer,
                    title,
                    step.action,
                    role,
                    personal,
                    f.seals_attachments,
                    f.sealed,
                    reporter.user_id if reporter else None,
                    reporter.name if reporter else "",
                )
            )
    return jobs


def plan_step(s: Session, dossier_id: int, seq: int) -> list[FormJob]:
    """The forms the committed transition `seq` issues."""
    d = dossiers_repo.dossier(s, dossier_id)
    t = dossiers_repo.transition(s, dossier_id, seq)
    if d is None or t is None:
        raise LookupError(f"no transition {seq} for dossier {dossier_id}")
    step = PROCESSES[d.process].find(Action(t.action), Status(t.from_status))
    if step is None:
        raise LookupError(f"transition {t.action} from {t.from_status} is not in the process")
    return _jobs(s, d, step, seq)


def plan_next(s: Session, dossier_id: int, seq: int) -> list[FormJob]:
    """The forms the approval after transition `seq` will issue (to prepare them now)."""
    d = dossiers_repo.dossier(s, dossier_id)
    t = dossiers_repo.transition(s, dossier_id, seq)
    if d is None or t is None:
        raise LookupError(f"no transition {seq} for dossier {dossier_id}")
    step = PROCESSES[d.process].find(Action.APPROVE, Status(t.to_status))
    return _jobs(s, d, step, seq + 1) if step is not None and step.forms else []


def default_signer(s: Session, job: FormJob) -> User:
    """Whose name a form is prepared with. For an approval: the holder of the approving
    role (a cluster's head unit before its deputy unit); if someone else who may approve
    signs instead, the form is prepared again with their name (issuing/issue.py)."""
    d = dossiers_repo.dossier(s, job.dossier_id)
    assert d is not None
    if not job.personal and job.signer_role != Role.UNIT_HEAD:
        t = dossiers_repo.transition(s, job.dossier_id, job.seq)
        actor = users_repo.user_by_id(s, t.actor_id) if t else None
        if actor is not None:
            return actor
    scope = dossiers_repo.scope_of(s, d)
    candidates = users_repo.users_holding(s, job.signer_role, scope)
    if not candidates:
        raise LookupError(f"nobody holds {job.signer_role} for dossier {d.id}")
    head_unit = job.issuer.key_unit_id
    return min(candidates, key=lambda u: (not _acts_at(u, head_unit), u.id))


def _acts_at(user: User, unit_id: int | None) -> bool:
    return any(g.unit_id == unit_id for g in user.grants)


def leader_titles(position: str) -> tuple[str, str]:
    """The authority marker and the position a leader signs with (Nghị định 30/2020): the
    head signs in their own name ("GIÁM ĐỐC"); a deputy signs for the head ("KT. GIÁM ĐỐC"
    over "PHÓ GIÁM ĐỐC"). The person's recorded position decides."""
    words = position.split()
    if len(words) > 1 and words[0].casefold() == "phó":
        return f"KT. {upper_vi(' '.join(words[1:]))}", upper_vi(position)
    return "", upper_vi(position)


def _signer(job: FormJob, person: User) -> dict[str, str]:
    marker = ""
    position = person.position
    if job.form == "bao_cao_thanh_tich":
        position = "Thủ trưởng đơn vị"
    elif job.signer_role == Role.CLUSTER_APPROVER:
        marker, position = f"TM. {upper_vi(job.issuer.name)}", "Trưởng cụm"
    elif job.signer_role == Role.AUTHORITY_LEADER:
        marker, position = leader_titles(person.position)
    elif job.signer_role == Role.BOARD_HEAD:
        marker = f"TL. GIÁM ĐỐC {upper_vi(job.issuer.name)}"
    elif job.form == "phieu_tham_dinh":
        position = "Chuyên viên"  # the specialist's own report, in their own name
    elif job.signer_role == Role.BOARD_SPECIALIST:
        position = "Người thẩm định"
    return {"marker": marker, "position": upper_vi(position), "full_name": person.full_name}


def _recipient(s: Session, d: Dossier, form: str) -> str:
    a = org_repo.authority(s, d.authority_id)
    c = org_repo.cluster(s, d.cluster_id)
    return {
        "to_trinh_don_vi": f"Trưởng {c.name}" if c else f"{a.name} ({a.board_name})",
        "to_trinh_cum": f"{a.name} ({a.board_name})",
        "phieu_tham_dinh": f"Hội đồng Thi đua – Khen thưởng tỉnh {a.province}",
        "to_trinh_ban": f"Chủ tịch Ủy ban nhân dân tỉnh {a.province}",
        "thong_bao": d.unit.name,
    }.get(form, "")


def _subject(d: Dossier, action: Action) -> str:
    if action == Action.RETURN:
        return "Về việc trả lại hồ sơ đề nghị khen thưởng"
    if action == Action.REJECT:
        return "Về việc không đề nghị khen thưởng"
    return f"Về việc đề nghị tặng {AWARDS[d.award].name} năm {d.year}"


def nominee_details(n: Nominee | None) -> dict[str, str]:
    """An individual's date of birth, gender and ethnicity as the report prints them."""
    individual = n is not None and n.kind == NomineeKind.INDIVIDUAL
    return {
        "birth_date": short_date(n.birth_date) if individual and n and n.birth_date else "",
        "gender": GENDER_LABELS[Gender(n.gender)] if individual and n and n.gender else "",
        "ethnicity": (n.ethnicity or "") if individual and n else "",
    }


def issued_at(t: DossierTransition) -> datetime:
    at = t.created_at if t.created_at.tzinfo else t.created_at.replace(tzinfo=UTC)
    return at.astimezone(VIETNAM)


def form_context(s: Session, job: FormJob, signer: User, place: str) -> dict[str, Any]:
    d = dossiers_repo.dossier(s, job.dossier_id)
    t = dossiers_repo.transition(s, job.dossier_id, job.seq)  # None while an approval is prepared
    assert d is not None
    award = AWARDS[d.award]
    c = org_repo.cluster(s, d.cluster_id)
    results = {
        n.id: appraisal_repo.appraisal_of(n.appraisal)
        for n in d.nominees
        if n.appraisal is not None
    }
    listed = list(d.nominees)
    other_forms: list[dict[str, str]] = []
    if job.form == "to_trinh_ban" and results:
        # The board proposes only whom the appraisal found đạt; those proposed for
        # another form are named apart (a dossier appraised before the results were
        # recorded, none of them, lists everyone).
        listed = [n for n in d.nominees if (a := results.get(n.id)) is not None and a.passed]
        other_forms = [
            {"name": n.name, "award": appraisal.award_label(a.other_award)}
            for n in d.nominees
            if (a := results.get(n.id)) is not None
            and not a.struck
            and a.result == appraisal.Result.OTHER_FORM
        ]
    people = [
        {
            "index": i,
            "name": n.name,
            "position": n.job_title,
            "unit_name": n.unit_name or d.unit.name,
            "achievements": n.achievements,
        }
        for i, n in enumerate((n for n in listed if n.kind == NomineeKind.INDIVIDUAL), 1)
    ]
    groups = [
        {"index": i, "name": n.name, "achievements": n.achievements}
        for i, n in enumerate((n for n in listed if n.kind == NomineeKind.COLLECTIVE), 1)
    ]
    checks = []
    for i, n in enumerate(d.nominees, 1):
        result, note = appraisal.printed(results.get(n.id))
        checks.append({"index": i, "name": n.name, "result": result, "note": note})
    nominee = next((n for n in d.nominees if n.id == job.nominee_id), None)
    return {
        "issuer": {
            "parent_name": upper_vi(job.issuer.parent_name),
            "name": upper_vi(job.issuer.name),
            "code": job.issuer.code,
        },
        # Blank room sized for this issuer's numbers, where the number and the date are
        # filled in after the signature (documents/fields.py).
        "number": fields.number_placeholder(
            document_number(1, FORMS[job.form].doc_type_code, job.issuer.code)
        )
        if job.numbered
        else "",
        "place": place,
        "date_text": fields.date_placeholder(),
        "recipient": _recipient(s, d, job.form),
        "subject": _subject(d, job.action),
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
            # Only the nominee's own report prints these (personal data, NĐ 13/2023):
            # never the lists of the Tờ trình that the cluster and others sign.
            **nominee_details(nominee),
        },
        "checks": checks,
        "other_forms": other_forms,
        "legal_bases": list(LEGAL_BASES),
        "reason": (t.reason or "") if t else "",
        "signer": _signer(job, signer),
        "recipients": ["Như trên;", "Lưu: VT, TĐKT."],
    }
