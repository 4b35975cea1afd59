"""Eligibility of a dossier's nominees (domain/eligibility.py) with the facts of
storage/eligibility.py: the reading for whoever sees the dossier, the check at submission
(a failing rule needs the clerk's explanation; "rewarded once" duplicates are refused), the
check before the board's approval of the appraisal (a failing rule needs the specialist's
override) and the override itself. Runs inside the caller's transaction, never commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.orm import Session

from core.settings import get_settings
from documents.vn import today_vn
from domain import eligibility as rules
from domain.errors import Conflict, EligibilityFailed, Forbidden, InvalidInput, NotEditable
from domain.process import Status
from domain.roles import Actor, Role
from storage import audit
from storage import eligibility as store
from storage.models import Dossier, EligibilityNote, Nominee, User, utcnow
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

EXPLANATION, OVERRIDE = "explanation", "override"
OVERRIDERS = frozenset({Role.BOARD_SPECIALIST, Role.BOARD_HEAD})
NOTE_LABELS = {EXPLANATION: "Giải trình của đơn vị", OVERRIDE: "Chấp thuận của Phòng TĐKT"}


@lru_cache(maxsize=8)
def _configured(setting: str) -> tuple[rules.Rule, ...]:
    return rules.configured(setting)


def rules_in_force() -> tuple[rules.Rule, ...]:
    """The rules with the province's parameters (TDKT_ELIGIBILITY_PARAMETERS)."""
    return _configured(get_settings().eligibility_parameters)


@dataclass(frozen=True)
class Judged:
    on: date
    rule_set: rules.RuleSet
    nominees: list[tuple[Nominee, list[rules.Judgement]]]


def judge(s: Session, d: Dossier, on: date | None = None) -> Judged:
    """Every nominee against the rules in force on `on` (default: the dossier's date —
    the day it was last submitted, or today)."""
    when = on or store.dossier_date(s, d, today_vn())
    rule_set, in_force = rules.rules_on(when, rules_in_force())
    facts = store.facts_of(s, d)
    return Judged(
        when,
        rule_set,
        [(n, rules.judge_all(facts[n.id], when, in_force)) for n in d.nominees],
    )


# ---- reading -----------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NoteOut(BaseModel):
    kind: str
    """explanation (the unit's, at submission) | override (the board's)."""
    kind_label: str
    reason: str
    by: str
    at: datetime


class RuleOut(BaseModel):
    code: str
    title: str
    legal_basis: str
    confirmed: bool
    """False: a value the sources do not confirm, kept as configuration (?)."""
    parameters: str
    effective_from: date
    effective_to: date | None
    result: str
    """pass | fail | not_applicable | needs_confirmation."""
    result_label: str
    evidence: str
    refusal_code: str | None
    """already_awarded | duplicate_proposal | initiative_reused where one applies."""
    blocking: bool
    """Blocks the board's approval now (failing, not overridden)."""
    explanation: NoteOut | None
    override: NoteOut | None


class NomineeEligibilityOut(BaseModel):
    nominee_id: int
    name: str
    kind: str
    linked: bool
    """Linked to a person or collective of the registry."""
    rules: list[RuleOut]


class RuleSetOut(BaseModel):
    code: str
    name: str
    legal_basis: str
    effective_from: date
    effective_to: date | None


class EligibilityOut(BaseModel):
    dossier_id: int
    on: date
    """The date the rules were chosen by."""
    rule_set: RuleSetOut
    can_override: bool
    nominees: list[NomineeEligibilityOut]


class OverrideIn(Strict):
    nominee_id: int
    rule_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


def _latest(notes: Sequence[EligibilityNote], kind: str, code: str) -> EligibilityNote | None:
    found = [n for n in notes if n.kind == kind and n.rule_code == code]
    return found[-1] if found else None


def may_override(s: Session, actor: Actor, d: Dossier) -> bool:
    return Status(d.status) == Status.BOARD_APPRAISAL and actor.holds_any(
        OVERRIDERS, dossiers_repo.scope_of(s, d)
    )


def view(s: Session, actor: Actor, d: Dossier) -> EligibilityOut:
    judged = judge(s, d)
    notes = store.notes_of(s, d)
    writers = users_repo.users_by_ids(s, {x.by for items in notes.values() for x in items})

    def note(x: EligibilityNote | None) -> NoteOut | None:
        if x is None:
            return None
        who = writers.get(x.by)
        return NoteOut(
            kind=x.kind,
            kind_label=NOTE_LABELS.get(x.kind, x.kind),
            reason=x.reason,
            by=who.full_name if who else "",
            at=x.at,
        )

    texts: dict[str, str] = {}

    def params(rule: rules.Rule) -> str:
        if rule.code not in texts:
            texts[rule.code] = rules.params_text(rule)
        return texts[rule.code]

    out = []
    for n, judgements in judged.nominees:
        latest = {(x.kind, x.rule_code): x for x in notes.get(n.id, ())}  # later ones win
        items = []
        for j in judgements:
            override = latest.get((OVERRIDE, j.rule.code))
            items.append(
                RuleOut.model_construct(  # built from the rules' own data: no validation
                    code=j.rule.code,
                    title=j.rule.title,
                    legal_basis=j.rule.legal_basis,
                    confirmed=j.rule.confirmed,
                    parameters=params(j.rule),
                    effective_from=j.rule.effective_from,
                    effective_to=j.rule.effective_to,
                    result=str(j.outcome),
                    result_label=rules.OUTCOME_LABELS[j.outcome],
                    evidence=j.evidence,
                    refusal_code=j.code,
                    blocking=j.needs_override and override is None,
                    explanation=note(latest.get((EXPLANATION, j.rule.code))),
                    override=note(override),
                )
            )
        out.append(
            NomineeEligibilityOut.model_construct(
                nominee_id=n.id,
                name=n.name,
                kind=n.kind,
                linked=(n.person_id or n.collective_id) is not None,
                rules=items,
            )
        )
    rs = judged.rule_set
    return EligibilityOut(
        dossier_id=d.id,
        on=judged.on,
        rule_set=RuleSetOut(
            code=rs.code,
            name=rs.name,
            legal_basis=rs.legal_basis,
            effective_from=rs.effective_from,
            effective_to=rs.effective_to,
        ),
        can_override=may_override(s, actor, d),
        nominees=out,
    )


# ---- at submission -----------------------------------------------------------------------


def _item(n: Nominee, j: rules.Judgement) -> dict[str, object]:
    return {
        "nominee_id": n.id,
        "name": n.name,
        "rule_code": j.rule.code,
        "title": j.rule.title,
        "legal_basis": j.rule.legal_basis,
        "evidence": j.evidence,
        "refusal_code": j.code,
    }


def _listed(items: Sequence[dict[str, object]]) -> str:
    return "; ".join(f"«{x['name']}»: {x['title']} — {x['evidence']}" for x in items[:5])


def check_submission(
    s: Session, d: Dossier, explanations: Mapping[str, Mapping[str, str]]
) -> list[tuple[Nominee, rules.Judgement, str]]:
    """The failing rules at submission, each with the clerk's explanation (given now, or
    recorded at an earlier submission); refused when one has none, or when a nominee is
    already awarded or proposed elsewhere for the same award and year."""
    judged = judge(s, d, today_vn())
    notes = store.notes_of(s, d)
    duplicates, unexplained, explained = [], [], []
    enforced = get_settings().eligibility_enforced
    for n, judgements in judged.nominees:
        given = explanations.get(str(n.id), {})
        for j in judgements:
            if not j.failed:
                continue
            if j.always_refused:
                duplicates.append(_item(n, j))
                continue
            text = (given.get(j.rule.code) or "").strip()
            if text:
                explained.append((n, j, text))
            elif _latest(notes.get(n.id, []), EXPLANATION, j.rule.code) is None:
                unexplained.append(_item(n, j))
    if duplicates and enforced:
        code = str(duplicates[0]["refusal_code"])
        raise EligibilityFailed(
            f"Không trình được: một thành tích chỉ khen một lần. {_listed(duplicates)}.",
            duplicates,
            code=code,
        )
    if unexplained and enforced:
        raise EligibilityFailed(
            "Có điều kiện khen thưởng không đạt; hãy giải trình từng điều kiện "
            f"(eligibility_explanations) rồi trình lại. {_listed(unexplained)}.",
            unexplained,
        )
    return explained


def record_explanations(
    s: Session, user: User, explained: Sequence[tuple[Nominee, rules.Judgement, str]]
) -> list[dict[str, object]]:
    """The clerk's explanations as notes; what the submission's audit event records."""
    now = utcnow()
    for n, j, text in explained:
        s.add(
            EligibilityNote(
                nominee_id=n.id,
                rule_code=j.rule.code,
                kind=EXPLANATION,
                reason=text,
                by=user.id,
                at=now,
            )
        )
    return [{**_item(n, j), "explanation": text} for n, j, text in explained]


# ---- at the board's approval ---------------------------------------------------------------


def check_approval(s: Session, d: Dossier, passed: set[int]) -> None:
    """Before the specialist approves the appraisal: a failing rule (or the cluster's lead
    not confirmed) of a nominee who passed blocks it unless overridden."""
    if not get_settings().eligibility_enforced:
        return
    judged = judge(s, d)
    notes = store.notes_of(s, d)
    blocking = [
        _item(n, j)
        for n, judgements in judged.nominees
        if n.id in passed
        for j in judgements
        if j.needs_override and _latest(notes.get(n.id, []), OVERRIDE, j.rule.code) is None
    ]
    if blocking:
        raise EligibilityFailed(
            "Chưa duyệt được: có điều kiện khen thưởng không đạt hoặc chưa được xác nhận; "
            "Phòng TĐKT chấp thuận (nêu lý do) hoặc ghi kết quả thẩm định khác. "
            f"{_listed(blocking)}.",
            blocking,
        )


def override(s: Session, user: User, actor: Actor, d: Dossier, body: OverrideIn) -> EligibilityNote:
    """The board lets a failing rule through for one nominee, with its reason (audited)."""
    scope = dossiers_repo.scope_of(s, d)
    if not actor.holds_any(OVERRIDERS, scope):
        raise Forbidden(
            "Chỉ chuyên viên, lãnh đạo Phòng Thi đua – Khen thưởng chấp thuận điều kiện.",
            code="forbidden_action",
        )
    if Status(d.status) != Status.BOARD_APPRAISAL:
        raise NotEditable(
            "Chỉ chấp thuận điều kiện khi hồ sơ đang chờ thẩm định.", code="not_in_appraisal"
        )
    if not body.reason:
        raise InvalidInput("Cần nêu lý do chấp thuận.", code="reason_required")
    judged = judge(s, d)
    found = [
        (n, j)
        for n, judgements in judged.nominees
        if n.id == body.nominee_id
        for j in judgements
        if j.rule.code == body.rule_code
    ]
    if not found:
        raise InvalidInput(
            "Không có tập thể, cá nhân hoặc điều kiện này trong hồ sơ.", code="unknown_rule"
        )
    n, j = found[0]
    if j.always_refused:
        raise Conflict(
            "Một thành tích chỉ khen một lần: không chấp thuận được.", code="cannot_override"
        )
    if not j.needs_override:
        raise Conflict(
            f"Điều kiện «{j.rule.title}» không cần chấp thuận ({rules.OUTCOME_LABELS[j.outcome]}).",
            code="nothing_to_override",
        )
    now = utcnow()
    note = EligibilityNote(
        nominee_id=n.id,
        rule_code=j.rule.code,
        kind=OVERRIDE,
        reason=body.reason,
        by=user.id,
        at=now,
    )
    s.add(note)
    d.updated_at = now
    role = next(r for r in (Role.BOARD_SPECIALIST, Role.BOARD_HEAD) if actor.holds(r, scope))
    audit.append(
        s,
        kind="eligibility_overridden",
        dossier_id=d.id,
        who=audit.Who(
            user.id, user.full_name, str(role), org_repo.authority(s, d.authority_id).name
        ),
        from_status=d.status,
        to_status=d.status,
        reason=body.reason,
        data={**_item(n, j), "result": str(j.outcome), "rule_set": judged.rule_set.code},
    )
    return note
