"""The board specialist's appraisal of a dossier: recording a result per nominee while the
dossier is in appraisal (each change an audit event), and reading what was recorded.

Runs inside the caller's transaction and never commits. The rules of a result are
`domain.appraisal`'s; the Báo cáo thẩm định and the board's Tờ trình read the same rows
(issuing/forms.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.dossiers import service
from api.dossiers.schemas import AppraisalIn, AppraisalItemOut, AppraisalOut
from domain import appraisal
from domain.appraisal import Appraisal, Result
from domain.errors import AppraisalInvalid, Forbidden, NotEditable, StaleVersion
from domain.process import Status
from domain.roles import AUTHORITY_ROLES, Actor, Role
from storage import audit, outbox
from storage.models import AppraisalResult, Dossier, User, utcnow
from storage.repositories import appraisal as appraisal_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

READERS = AUTHORITY_ROLES | {Role.AUDITOR}
"""Who reads the recorded results: the Phòng (its specialists and head), the Sở's
leadership, auditors. The unit and the cluster read the issued Báo cáo thẩm định."""


def may_read(s: Session, actor: Actor, d: Dossier) -> bool:
    scope = dossiers_repo.scope_of(s, d)
    return Role.AUDITOR in actor.roles() or actor.holds_any(AUTHORITY_ROLES, scope)


def may_record(s: Session, actor: Actor, d: Dossier) -> bool:
    """Whether to offer the form (the use case still decides on saving)."""
    return (
        Status(d.status) == Status.BOARD_APPRAISAL
        and actor.holds(Role.BOARD_SPECIALIST, dossiers_repo.scope_of(s, d))
        and not outbox.is_processing(s, d.id)
    )


def view(s: Session, actor: Actor, d: Dossier) -> AppraisalOut:
    if not may_read(s, actor, d):
        raise Forbidden(
            "Kết quả thẩm định chỉ dành cho Phòng Thi đua – Khen thưởng, lãnh đạo Sở và thanh tra.",
            code="forbidden_action",
        )
    recorders = users_repo.users_by_ids(
        s, {n.appraisal.recorded_by for n in d.nominees if n.appraisal is not None}
    )
    items = []
    for i, n in enumerate(d.nominees, 1):
        row, a = n.appraisal, appraisal_repo.appraisal_of(n.appraisal)
        label, _ = appraisal.printed(a)
        items.append(
            AppraisalItemOut(
                nominee_id=n.id,
                index=i,
                kind=n.kind,
                name=n.name,
                result=str(a.result) if a and a.result else None,
                result_label=label,
                note=a.note if a else "",
                other_award=a.other_award if a else "",
                other_award_label=appraisal.award_label(a.other_award) if a else "",
                struck=bool(a and a.struck),
                strike_reason=a.strike_reason if a else "",
                passed=bool(a and a.passed),
                recorded_by=(
                    recorders[row.recorded_by].full_name
                    if row is not None and row.recorded_by in recorders
                    else None
                ),
                updated_at=row.updated_at if row is not None else None,
            )
        )
    return AppraisalOut(
        dossier_id=d.id,
        version=d.version,
        editable=may_record(s, actor, d),
        missing=[x.name for x in items if x.result is None and not x.struck],
        passed=sum(x.passed for x in items),
        items=items,
    )


FIELDS = ("result", "note", "other_award", "struck", "strike_reason")


def record(s: Session, user: User, actor: Actor, dossier_id: int, body: AppraisalIn) -> Dossier:
    """Record (replace) the results of the nominees listed; one audit event lists every
    change with the values before and after. Nothing is written if any item is wrong."""
    d = service.visible_dossier(s, actor, dossier_id, for_update=True)
    scope = dossiers_repo.scope_of(s, d)
    if not actor.holds(Role.BOARD_SPECIALIST, scope):
        raise Forbidden("Chỉ chuyên viên thẩm định ghi kết quả thẩm định.", code="forbidden_action")
    if Status(d.status) != Status.BOARD_APPRAISAL:
        raise NotEditable(
            "Chỉ ghi kết quả thẩm định khi hồ sơ đang chờ thẩm định.", code="not_in_appraisal"
        )
    if outbox.is_processing(s, d.id):
        raise NotEditable("Hồ sơ đang được xử lý, chưa ghi được.", code="processing")
    if body.version != d.version:
        raise StaleVersion()
    nominees = {n.id: n for n in d.nominees}
    errors: list[dict[str, str]] = []
    wanted: dict[int, Appraisal] = {}
    for i, item in enumerate(body.items):
        n = nominees.get(item.nominee_id)
        if n is None or item.nominee_id in wanted:
            errors.append(
                {
                    "field": f"items.{i}.nominee_id",
                    "message": "không có tập thể, cá nhân này trong hồ sơ"
                    if n is None
                    else f"«{n.name}» được ghi hai lần",
                    "type": "nominee",
                }
            )
            continue
        other = item.result == Result.OTHER_FORM and not item.struck
        a = Appraisal(
            result=item.result,
            note=item.note.strip(),
            other_award=appraisal.award_code_or_text(item.other_award) if other else "",
            struck=item.struck,
            strike_reason=item.strike_reason.strip() if item.struck else "",
        )
        for field, message in appraisal.problems(a, d.award).items():
            errors.append(
                {"field": f"items.{i}.{field}", "message": f"«{n.name}»: {message}", "type": field}
            )
        wanted[n.id] = a
    if errors:
        raise AppraisalInvalid(errors)
    changes = []
    now = utcnow()
    for nominee_id, a in wanted.items():
        n = nominees[nominee_id]
        values = {
            "result": str(a.result) if a.result else None,
            "note": a.note,
            "other_award": a.other_award,
            "struck": a.struck,
            "strike_reason": a.strike_reason,
        }
        row = n.appraisal
        before = {f: getattr(row, f) for f in FIELDS} if row is not None else None
        if before == values:
            continue
        if row is None:
            row = AppraisalResult(dossier_id=d.id, nominee_id=n.id, recorded_by=user.id)
            n.appraisal = row
        for f, v in values.items():
            setattr(row, f, v)
        row.recorded_by, row.updated_at = user.id, now
        changes.append({"nominee_id": n.id, "name": n.name, "before": before, "after": values})
    if not changes:
        return d
    d.updated_at = now  # a new version: a page or client holding the old one must reload
    service.flush(s)
    audit.append(
        s,
        kind="appraisal_recorded",
        dossier_id=d.id,
        who=audit.Who(
            user.id,
            user.full_name,
            str(Role.BOARD_SPECIALIST),
            org_repo.authority(s, d.authority_id).name,
        ),
        from_status=d.status,
        to_status=d.status,
        data={"changes": changes},
    )
    return d
