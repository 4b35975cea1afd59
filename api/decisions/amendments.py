"""Corrections of an issued award decision (đính chính / thu hồi): a correcting or
revoking decision signed in the province's e-office is uploaded with its number and date
and the records it changes. It is verified exactly as an uploaded award decision
(upload.verified_upload); refused, nothing changes. Accepted, it is stored as a document
on the original decision's chain, the changes are recorded beside the award records
(which never change), and the decision's and each affected dossier's chains say so."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from api.decisions import service, upload
from api.decisions.schemas import DecisionOut
from api.deps import Caller
from documents.vn import today_vn
from domain import decisions as rules
from domain.decisions import AMENDMENT_KIND_LABELS, AmendmentKind, RecordState
from domain.errors import InvalidInput
from domain.roles import Role
from issuing.runtime import Runtime
from storage import audit
from storage import decisions as store
from storage import registry as registry_store
from storage.models import (
    AwardDecision,
    AwardRecordAmendment,
    DecisionAmendment,
    subject_columns,
)
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import notifications as notifications_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

FORMS = {AmendmentKind.CORRECT: "quyet_dinh_dinh_chinh", AmendmentKind.REVOKE: "quyet_dinh_thu_hoi"}


def parse_changes(raw: str) -> list[tuple[int, str | None, str | None]]:
    """`changes`: a JSON list of {"record_id", "field", "new_value"} (a revocation needs
    only "record_id")."""
    bad = InvalidInput(
        "Danh sách nội dung đính chính, thu hồi không hợp lệ.", code="changes_invalid"
    )
    try:
        items: Any = json.loads(raw or "[]")
    except ValueError:
        raise bad from None
    if not isinstance(items, list) or len(items) > 1000:
        raise bad
    out: list[tuple[int, str | None, str | None]] = []
    for item in items:
        if not isinstance(item, dict):
            raise bad
        record_id, field, value = item.get("record_id"), item.get("field"), item.get("new_value")
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            raise bad
        if field is not None and not isinstance(field, str):
            raise bad
        if value is not None and not isinstance(value, str):
            raise bad
        out.append((record_id, field, value))
    return out


def _states(s: Session, d: AwardDecision) -> dict[int, RecordState]:
    nominees = store.round_nominees(s, d.round_id)
    views = service.record_views(s, d, nominees)
    return {
        rec.id: RecordState(
            record_id=rec.id,
            dossier_id=rec.dossier_id,
            awarded=rec.awarded,
            revoked=views[rec.id].revoked,
            values=dict(views[rec.id].values),
        )
        for rec in store.records_of(s, d.id)
    }


def _tell_units(
    s: Session,
    d: AwardDecision,
    a: DecisionAmendment,
    planned: list[rules.RecordChange],
    states: dict[int, RecordState],
) -> None:
    """Each affected dossier's unit (its clerks and heads) and the accounts linked to the
    nominees whose award changed are told: «Quyết định số … ngày … thu hồi khen thưởng
    của … (hồ sơ số …)». The amendment is a new step of each dossier (its status stays):
    one notification per person and dossier."""
    records = {rec.id: rec for rec in store.records_of(s, d.id)}
    by_dossier: dict[int, list[int]] = {}
    for c in planned:
        ids = by_dossier.setdefault(c.dossier_id, [])
        if c.record_id not in ids:
            ids.append(c.record_id)
    touched = [records[r].nominee_id for ids in by_dossier.values() for r in ids]
    accounts = store.nominee_accounts(s, touched)
    notices: list[dict[str, object]] = []
    for dossier_id, record_ids in sorted(by_dossier.items()):
        dossier = dossiers_repo.dossier(s, dossier_id, for_update=True)
        assert dossier is not None
        dossier.transition_seq += 1
        scope = dossiers_repo.scope_of(s, dossier)
        people = {
            u.id
            for role in (Role.UNIT_CLERK, Role.UNIT_HEAD)
            for u in users_repo.users_holding(s, role, scope)
        }
        people |= {
            accounts[records[r].nominee_id] for r in record_ids if records[r].nominee_id in accounts
        }
        names = [states[r].values.get("name", "") for r in record_ids]
        message = rules.amendment_message(a.kind, a.number, a.decided_on, names, dossier_id)
        notices += [
            {
                "user_id": user_id,
                **subject_columns(dossier.subject),
                "transition_seq": dossier.transition_seq,
                "message": message[:500],
            }
            for user_id in sorted(people)
        ]
    notifications_repo.add_many(s, notices)


def amend(
    rt: Runtime,
    caller: Caller,
    decision_id: int,
    *,
    kind: str,
    reason: str,
    number: str,
    decided_on: date | None,
    changes: str,
    pdf: bytes,
) -> DecisionOut:
    """Runs in a worker thread: every check that needs no file first (so a wrong
    request costs no verification), then the signatures, then one transaction that
    checks again under the decision's lock."""
    with rt.db.read() as s:
        d = service.visible_decision(s, caller.actor, decision_id)
        rules.check_drafter(caller.actor, d.authority_id)
        rules.check_amendable(d.status)
        what = rules.amendment_kind(kind)
        why = rules.check_reason(reason)
        wanted = parse_changes(changes)
        rules.plan_amendment(what, wanted, _states(s, d))
        original_on = d.decided_on
    rules.check_upload_fields(number, decided_on, today_vn())
    assert decided_on is not None
    rules.check_amendment_date(decided_on, original_on)
    if not pdf:
        raise InvalidInput("Hãy chọn tệp PDF của quyết định đã ký.", code="file_required")
    up = upload.verified_upload(rt, pdf, number, decided_on, f"decisions/{decision_id}/amendment")
    with rt.db.write() as s:
        d = service.visible_decision(s, caller.actor, decision_id, for_update=True)
        rules.check_amendable(d.status)
        states = _states(s, d)
        planned = rules.plan_amendment(what, wanted, states)
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        label = AMENDMENT_KIND_LABELS[what]
        doc = upload.signed_document(
            s,
            d,
            up,
            form=FORMS[what],
            title=f"{label} {rules.decision_label(d.number, d.decided_on)} "
            "(đã ký trên hệ thống quản lý văn bản của tỉnh)",
        )
        a = DecisionAmendment(
            decision_id=d.id,
            kind=str(what),
            number=up.number,
            decided_on=up.decided_on,
            document_id=doc.id,
            reason=why,
            created_by=user.id,
        )
        s.add(a)
        s.flush()
        for c in planned:
            s.add(
                AwardRecordAmendment(
                    amendment_id=a.id,
                    record_id=c.record_id,
                    kind=str(c.kind),
                    field=c.field,
                    old_value=c.old_value,
                    new_value=c.new_value,
                )
            )
        s.flush()
        registry_store.apply_amendment(
            s, a.id, [(c.record_id, str(c.kind), c.field, c.new_value) for c in planned]
        )
        authority = org_repo.authority(s, d.authority_id).name
        who = audit.Who(user.id, user.full_name, str(Role.BOARD_SPECIALIST), authority)
        names = [states[c.record_id].values.get("name", "") for c in planned]
        audit.append(
            s,
            kind="decision_amended",
            subject=service.subject_of(d),
            who=who,
            reason=why,
            data={
                "amendment_id": a.id,
                "kind": str(what),
                "number": up.number,
                "decided_on": up.decided_on.isoformat(),
                "document_id": doc.id,
                "object_key": up.stored.key,
                "sha256": up.stored.sha256,
                "signers": [str(x.get("signer")) for x in up.signatures],
                "names": names,
                "changes": [
                    {
                        "record_id": c.record_id,
                        "field": c.field,
                        "old_value": c.old_value,
                        "new_value": c.new_value,
                    }
                    for c in planned
                ],
            },
        )
        _tell_units(s, d, a, planned, states)
        # The dossiers keep their status (a revoked dossier stays «Đã khen thưởng» as
        # a fact of its history); their chains say what was corrected or revoked.
        by_dossier: dict[int, list[str]] = {}
        for c in planned:
            by_dossier.setdefault(c.dossier_id, []).append(
                states[c.record_id].values.get("name", "")
            )
        for dossier_id, dossier_names in by_dossier.items():
            audit.append(
                s,
                kind="award_revoked" if what == AmendmentKind.REVOKE else "award_corrected",
                dossier_id=dossier_id,
                who=who,
                reason=why,
                data={
                    "decision_id": d.id,
                    "decision_number": d.number,
                    "amendment_id": a.id,
                    "number": up.number,
                    "decided_on": up.decided_on.isoformat(),
                    "names": dossier_names,
                },
            )
        return service.decision_out(s, caller.actor, d)
