"""Use cases of the award decisions: draft one from a submitted round, read it with its
awardees, its history. Each runs inside the request's one transaction and never commits.
The rules are domain/decisions.py's; the queries storage/decisions.py's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from api.decisions.schemas import (
    AmendmentOut,
    AwardeeOut,
    DecisionCreate,
    DecisionEventOut,
    DecisionOut,
    DecisionSummary,
    PrizeValueOut,
    RecordChangeOut,
)
from api.rounds import service as rounds_service
from domain import decisions as rules
from domain import prize_money
from domain.awards import AWARDS
from domain.decisions import (
    AMENDMENT_KIND_LABELS,
    CORRECTABLE_FIELDS,
    DECISION_STATUS_LABELS,
    AmendmentKind,
    DecisionStatus,
)
from domain.errors import NotFound
from domain.process import DECISION_ISSUANCE, Action, allowed_actions
from domain.roles import Actor, Role
from domain.subjects import Subject, SubjectKind
from issuing.decision_forms import today_vn
from storage import audit, outbox
from storage import decisions as store
from storage import rounds as rounds_store
from storage.models import AuditEvent, AwardDecision, AwardRecord, User
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

NOT_FOUND = "Không tìm thấy quyết định khen thưởng."


def subject_of(d: AwardDecision) -> Subject:
    return Subject(SubjectKind.DECISION, d.id)


def scope_of(d: AwardDecision) -> rules.DecisionScope:
    return rules.DecisionScope(d.authority_id)


def actions_for(s: Session, actor: Actor, d: AwardDecision) -> list[Action]:
    if outbox.is_processing(s, subject_of(d)):
        return []
    return allowed_actions(DECISION_ISSUANCE, d.status, actor, scope_of(d))


def can_upload(s: Session, actor: Actor, d: AwardDecision) -> bool:
    return (
        d.status != DecisionStatus.ISSUED
        and not outbox.is_processing(s, subject_of(d))
        and actor.holds(rules.DRAFTER, scope_of(d))
    )


def can_amend(s: Session, actor: Actor, d: AwardDecision) -> bool:
    return d.status == DecisionStatus.ISSUED and actor.holds(rules.DRAFTER, scope_of(d))


@dataclass
class RecordView:
    """An award record as its amendments leave it: the record itself never changes."""

    values: dict[str, str]
    """The current text of each correctable field."""
    revoked: bool = False
    original: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _texts(n: store.RoundNominee) -> dict[str, str]:
    return {"name": n.name, "position": n.position, "unit_name": n.unit_name}


def record_views(
    s: Session, d: AwardDecision, nominees: list[store.RoundNominee]
) -> dict[int, RecordView]:
    """Per award record id of the decision, its texts and state after the amendments."""
    by_nominee = {n.nominee_id: n for n in nominees}
    views: dict[int, RecordView] = {}
    for rec in store.records_of(s, d.id):
        n = by_nominee.get(rec.nominee_id)
        views[rec.id] = RecordView(values=_texts(n) if n else dict.fromkeys(CORRECTABLE_FIELDS, ""))
    for change, amendment in store.record_amendments_of(s, d.id):
        view = views.get(change.record_id)
        if view is None:
            continue
        note = rules.amendment_note(amendment.kind, amendment.number, amendment.decided_on)
        if change.kind == AmendmentKind.REVOKE:
            view.revoked = True
            view.notes.append(note)
            continue
        if change.field is None:
            continue
        view.original.setdefault(change.field, change.old_value or "")
        view.values[change.field] = change.new_value or ""
        view.notes.append(
            f"{note}: {CORRECTABLE_FIELDS.get(change.field, change.field)} "
            f"«{change.old_value or ''}» → «{change.new_value or ''}»"
        )
    return views


def amendments_out(s: Session, d: AwardDecision) -> list[AmendmentOut]:
    records = {r.id: r for r in store.records_of(s, d.id)}
    changes: dict[int, list[RecordChangeOut]] = {}
    for change, _ in store.record_amendments_of(s, d.id):
        rec = records[change.record_id]
        changes.setdefault(change.amendment_id, []).append(
            RecordChangeOut(
                record_id=rec.id,
                nominee_id=rec.nominee_id,
                dossier_id=rec.dossier_id,
                kind=change.kind,
                field=change.field,
                field_label=CORRECTABLE_FIELDS.get(change.field or "", ""),
                old_value=change.old_value,
                new_value=change.new_value,
            )
        )
    out = []
    for a in store.amendments_of(s, d.id):
        user = users_repo.user_by_id(s, a.created_by)
        out.append(
            AmendmentOut(
                id=a.id,
                kind=a.kind,
                kind_label=AMENDMENT_KIND_LABELS[AmendmentKind(a.kind)],
                number=a.number,
                decided_on=a.decided_on,
                label=rules.decision_label(a.number, a.decided_on),
                reason=a.reason,
                document_id=a.document_id,
                created_by=user.full_name if user else "",
                created_at=a.created_at,
                changes=changes.get(a.id, []),
            )
        )
    return out


def ubnd_id(s: Session) -> int:
    for a in org_repo.all_authorities(s):
        if a.code == rules.UBND_CODE:
            return a.id
    raise NotFound("Chưa có Ủy ban nhân dân tỉnh trong danh mục cơ quan.", code="ubnd_missing")


def create(s: Session, user: User, actor: Actor, body: DecisionCreate) -> AwardDecision:
    """The board's specialist drafts the decision of a submitted round (409 when the round
    is not submitted or already has one)."""
    r = rounds_service.visible_round(s, actor, body.round_id, for_update=True)
    rules.check_drafter(actor, r.authority_id)
    rules.check_round_decidable(r.status, store.decision_of_round(s, r.id) is not None)
    d = AwardDecision(
        authority_id=r.authority_id,
        decider_authority_id=ubnd_id(s),
        round_id=r.id,
        status=str(DecisionStatus.DRAFT),
        source="tdkt",
        created_by=user.id,
    )
    s.add(d)
    s.flush()
    authority = org_repo.authority(s, r.authority_id).name
    who = audit.Who(user.id, user.full_name, str(Role.BOARD_SPECIALIST), authority, authority)
    audit.append(
        s,
        kind="decision_drafted",
        subject=subject_of(d),
        who=who,
        to_status=d.status,
        data={"decision_id": d.id, "round_id": r.id, "round_name": r.name},
    )
    audit.append(
        s,
        kind="decision_drafted",
        subject=Subject(SubjectKind.ROUND, r.id),
        who=who,
        data={"decision_id": d.id},
    )
    return d


def visible_decision(
    s: Session, actor: Actor, decision_id: int, *, for_update: bool = False
) -> AwardDecision:
    d = store.decision(s, decision_id, for_update=for_update)
    if d is None or not rules.can_view(actor, d.authority_id):
        raise NotFound(NOT_FOUND, code="decision_not_found")
    return d


def round_awards(s: Session, d: AwardDecision) -> tuple[str, ...]:
    """The awards of the decision's round (what its prize money is computed for)."""
    r = rounds_store.award_round(s, d.round_id)
    assert r is not None
    return tuple(r.award_codes)


def summary(s: Session, d: AwardDecision) -> DecisionSummary:
    r = rounds_store.award_round(s, d.round_id)
    assert r is not None
    status = DecisionStatus(d.status)
    return DecisionSummary(
        id=d.id,
        round_id=d.round_id,
        round_name=r.name,
        status=status,
        status_label=DECISION_STATUS_LABELS[status],
        number=d.number,
        decided_on=d.decided_on,
        source=d.source,
        updated_at=d.updated_at,
    )


def list_decisions(s: Session, actor: Actor, *, waiting: bool = False) -> list[DecisionSummary]:
    rows = store.waiting_decisions(s, actor) if waiting else store.visible_decisions(s, actor)
    return [summary(s, d) for d in rows]


def _award_name(code: str) -> str:
    return AWARDS[code].name if code in AWARDS else code


def _values(on: date, pairs: set[tuple[str, str]]) -> list[PrizeValueOut]:
    base = prize_money.base_salary_on(on)
    out = [
        PrizeValueOut(
            label="Lương cơ sở",
            value=prize_money.vnd(base.amount),
            legal_basis=f"{base.legal_basis}, áp dụng từ {base.effective_from:%d/%m/%Y}",
            confirmed=base.confirmed,
        )
    ]
    for award, kind in sorted(pairs):
        c = prize_money.coefficient_on(award, kind, on)
        who = "tập thể" if kind == "collective" else "cá nhân"
        out.append(
            PrizeValueOut(
                label=f"Hệ số {_award_name(award)} ({who})",
                value=str(c.value),
                legal_basis=c.legal_basis,
                confirmed=c.confirmed,
            )
        )
    return out


def decision_out(s: Session, actor: Actor, d: AwardDecision) -> DecisionOut:
    base = summary(s, d)
    on = d.decided_on or today_vn()
    records = {r.nominee_id: r for r in store.records_of(s, d.id)}
    nominees = store.round_nominees(s, d.round_id)
    views = record_views(s, d, nominees) if records else {}
    awardees = []
    for n in nominees:
        rec: AwardRecord | None = records.get(n.nominee_id)
        if rec is not None:
            amount, basis = rec.prize_amount, rec.prize_basis
            awarded, reason = rec.awarded, rec.reason
        elif n.passed:
            p = prize_money.prize(n.award, n.kind, on)
            amount, basis, awarded, reason = p.amount, p.basis_text, True, ""
        else:
            amount, basis, awarded, reason = None, "", False, n.reason
        view = views.get(rec.id) if rec is not None else None
        texts = view.values if view is not None else _texts(n)
        awardees.append(
            AwardeeOut(
                nominee_id=n.nominee_id,
                dossier_id=n.dossier_id,
                award=n.award,
                award_name=_award_name(n.award),
                kind=n.kind,
                name=texts["name"],
                position=texts["position"],
                unit_name=texts["unit_name"],
                awarded=awarded,
                reason=reason,
                prize_amount=amount,
                prize_text=prize_money.vnd(amount) if amount else "",
                prize_basis=basis,
                certificate_no=rec.certificate_no if rec else None,
                certificate_year=rec.certificate_year if rec else None,
                record_id=rec.id if rec else None,
                revoked=view.revoked if view else False,
                original=view.original if view else {},
                notes=view.notes if view else [],
            )
        )
    given = [a for a in awardees if a.awarded and not a.revoked]
    return DecisionOut(
        **base.model_dump(),
        version=d.version,
        processing=outbox.is_processing(s, subject_of(d)),
        allowed_actions=[str(a) for a in actions_for(s, actor, d)],
        can_upload=can_upload(s, actor, d),
        label=rules.decision_label(d.number, d.decided_on),
        awardees=awardees,
        counts={
            "collectives": sum(1 for a in given if a.kind == "collective"),
            "individuals": sum(1 for a in given if a.kind != "collective"),
            "not_awarded": sum(1 for a in awardees if not a.awarded),
        },
        revoked=sum(1 for a in awardees if a.revoked),
        prize_total=sum(a.prize_amount or 0 for a in given),
        prize_on=on,
        prize_values=_values(on, {(a.award, a.kind) for a in given}),
        created_at=d.created_at,
        can_amend=can_amend(s, actor, d),
        amendments=amendments_out(s, d) if records else [],
    )


EVENT_LABELS = {
    "decision_drafted": "Lập dự thảo quyết định khen thưởng",
    "submit": "Trình ký quyết định",
    "withdraw": "Rút dự thảo quyết định về",
    "approve": "Ký quyết định",
    "return": "Trả lại dự thảo quyết định",
    "documents_issued": "Ban hành Quyết định (cấp số, ký số, đóng dấu, lưu trữ)",
    "routed": "Chuyển bước tiếp theo",
    "decision_uploaded": "Tải lên quyết định đã ký ngoài hệ thống",
    "awards_recorded": "Ghi nhận khen thưởng cho từng tập thể, cá nhân",
    "document_downloaded": "Tải văn bản",
    "certificates_downloaded": "Tải bằng khen để in",
    "list_exported": "Xuất danh sách khen thưởng (Excel, CSV)",
    "decision_amended": "Đính chính / thu hồi quyết định",
}


def _vn_date(value: object) -> str:
    """A date the event recorded as ISO (2026-12-04), as the pages write it (04/12/2026)."""
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")


def _detail(e: AuditEvent) -> str:
    data = e.data or {}
    if e.kind == "documents_issued":
        numbers = dict.fromkeys(x["number"] for x in data.get("documents", []) if x.get("number"))
        return ", ".join(f"Quyết định số {n}" for n in numbers)
    if e.kind in ("decision_uploaded", "awards_recorded"):
        return (
            f"Số {data.get('decision_number', '')}, ngày {_vn_date(data.get('decision_date'))}"
            + (f"; khen thưởng {data['awarded']}" if "awarded" in data else "")
        )
    if e.kind == "decision_amended":
        kind = str(data.get("kind", ""))
        labels = {str(k): v for k, v in AMENDMENT_KIND_LABELS.items()}
        label = labels.get(kind, kind)
        return (
            f"{label} số {data.get('number', '')}, ngày {_vn_date(data.get('decided_on'))}: "
            f"{', '.join(str(x) for x in data.get('names', []))}"
            + (f". Lý do: {e.reason}" if e.reason else "")
        )
    if e.kind == "list_exported":
        return f"Tệp {str(data.get('format', '')).upper()}, {data.get('rows', 0)} dòng"
    if e.reason:
        return f"Lý do: {e.reason}"
    if e.to_status and e.to_status in DECISION_ISSUANCE.state_labels:
        return f"Chuyển sang «{DECISION_ISSUANCE.state_labels[e.to_status]}»"
    return ""


def history(s: Session, actor: Actor, decision_id: int) -> list[DecisionEventOut]:
    visible_decision(s, actor, decision_id)
    return [
        DecisionEventOut(
            seq=e.subject_seq or 0,
            kind=e.kind,
            label=EVENT_LABELS.get(e.kind, e.kind),
            at=e.occurred_at,
            at_vn=audit.vn_time(e.occurred_at),
            actor=e.actor_name or "Hệ thống",
            detail=_detail(e),
            hash=e.hash,
        )
        for e in store.decision_events(s, decision_id)
    ]
