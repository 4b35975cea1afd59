"""Use cases of the board's rounds: create, compose (add and remove dossiers), read.

Each runs inside the request's one transaction and never commits. The rules are
domain/rounds.py's; the queries storage/rounds.py's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.meetings import service as council
from api.rounds.schemas import (
    RoundCreate,
    RoundDossierOut,
    RoundEventOut,
    RoundNomineeOut,
    RoundOut,
    RoundSummary,
)
from domain import rounds as rules
from domain.awards import AWARDS
from domain.errors import InvalidInput, NotFound, StaleVersion
from domain.process import ROUND_SUBMISSION, Action, allowed_actions
from domain.roles import ROLE_LABELS, Actor, Role
from domain.rounds import RoundKind, RoundStatus
from domain.subjects import Subject, SubjectKind
from storage import audit, outbox
from storage import meetings as meetings_store
from storage import rounds as store
from storage.models import AuditEvent, AwardRound, RoundDossier, User, utcnow
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo

NOT_FOUND = "Không tìm thấy đợt xét khen thưởng."


def subject_of(r: AwardRound) -> Subject:
    return Subject(SubjectKind.ROUND, r.id)


def authority_name(s: Session, r: AwardRound) -> str:
    return org_repo.authority(s, r.authority_id).name


def actions_for(s: Session, actor: Actor, r: AwardRound) -> list[Action]:
    """What the caller may do now (nothing while the last step's machine work runs)."""
    if outbox.is_processing(s, subject_of(r)):
        return []
    return allowed_actions(ROUND_SUBMISSION, r.status, actor, rules.RoundScope(r.authority_id))


def _who(user: User, role: Role, authority_name: str) -> audit.Who:
    return audit.Who(user.id, user.full_name, str(role), authority_name, authority_name)


def _authority_of_composer(actor: Actor) -> int:
    for g in actor.grants:
        if g.role == rules.COMPOSER and g.authority_id is not None:
            return g.authority_id
    rules.check_composer(actor, -1)  # raises: not a board specialist anywhere
    raise AssertionError("unreachable")


def create(s: Session, user: User, actor: Actor, body: RoundCreate) -> AwardRound:
    authority_id = _authority_of_composer(actor)
    name = rules.check_name(body.name)
    awards = rules.check_awards(body.awards, AWARDS)
    r = AwardRound(
        authority_id=authority_id,
        name=name,
        year=body.year,
        kind=str(body.kind),
        awards=",".join(awards),
        status=str(RoundStatus.OPEN),
        created_by=user.id,
    )
    s.add(r)
    s.flush()
    authority = org_repo.authority(s, authority_id)
    audit.append(
        s,
        kind="round_created",
        subject=Subject(SubjectKind.ROUND, r.id),
        who=_who(user, Role.BOARD_SPECIALIST, authority.name),
        to_status=r.status,
        data={"round_id": r.id, "name": r.name, "year": r.year, "awards": list(awards)},
    )
    return r


def visible_round(
    s: Session, actor: Actor, round_id: int, *, for_update: bool = False
) -> AwardRound:
    """The round, or 404 for one that does not exist or that `actor` may not see (a unit's
    people must not learn of other units' nominees, nor that the round exists)."""
    r = store.award_round(s, round_id, for_update=for_update)
    if r is None or not rules.can_view(actor, r.authority_id):
        raise NotFound(NOT_FOUND, code="round_not_found")
    return r


def _check_version(r: AwardRound, version: int | None) -> None:
    if version is not None and version != r.version:
        raise StaleVersion(
            "Đợt đã được người khác thay đổi. Hãy tải lại rồi thử lại.", code="stale_version"
        )


def _editable_round(s: Session, actor: Actor, round_id: int, version: int | None) -> AwardRound:
    """The round locked for a change of its dossiers: the composer's, still open, as seen."""
    r = visible_round(s, actor, round_id, for_update=True)
    rules.check_composer(actor, r.authority_id)
    rules.check_editable(r.status)
    _check_version(r, version)
    return r


def check_list_open(s: Session, r: AwardRound, what: str) -> None:
    """409 `round_in_council` once a council meeting about the round exists."""
    rules.check_list_open(bool(meetings_store.meetings_about(s, subject_of(r))), what)


def _composer(s: Session, user: User, r: AwardRound) -> audit.Who:
    return _who(user, Role.BOARD_SPECIALIST, org_repo.authority(s, r.authority_id).name)


def _changed(s: Session, r: AwardRound, who: audit.Who, kind: str, data: dict[str, Any]) -> None:
    """A change of the round's dossiers: a new version of the round (others' stale views
    are refused) and an event on the round's own chain."""
    r.updated_at = utcnow()
    s.flush()
    audit.append(
        s,
        kind=kind,
        subject=Subject(SubjectKind.ROUND, r.id),
        who=who,
        data={"round_id": r.id, **data},
    )


def add_dossiers(
    s: Session, user: User, actor: Actor, round_id: int, dossier_ids: list[int], version: int | None
) -> AwardRound:
    """Add every dossier or none: the first one that may not go in refuses the request."""
    r = _editable_round(s, actor, round_id, version)
    if len(set(dossier_ids)) != len(dossier_ids):
        raise InvalidInput("Danh sách hồ sơ có số trùng nhau.", code="duplicate_dossiers")
    check_list_open(s, r, "thêm hồ sơ vào đợt")
    in_rounds = store.round_names_of(s, dossier_ids)
    who = _composer(s, user, r)
    position = store.next_position(s, r.id)
    for dossier_id in dossier_ids:
        d = dossiers_repo.dossier(s, dossier_id, for_update=True)
        # A dossier the specialist may not see is reported as missing, never described.
        if d is None or not actor.can_view(dossiers_repo.scope_of(s, d)):
            raise NotFound(f"Không tìm thấy hồ sơ số {dossier_id}.", code="dossier_not_found")
        rules.check_admissible(
            rules.Candidate(
                dossier_id=d.id,
                status=d.status,
                award=d.award,
                authority_id=d.authority_id,
                in_round=in_rounds[d.id][1] if d.id in in_rounds else None,
            ),
            round_authority_id=r.authority_id,
            round_awards=r.award_codes,
            round_name=r.name,
        )
        s.add(RoundDossier(round_id=r.id, dossier_id=d.id, position_no=position, added_by=user.id))
        position += 1
        audit.append(
            s,
            kind="added_to_round",
            dossier_id=d.id,
            who=who,
            data={"round_id": r.id, "round_name": r.name},
        )
    _changed(s, r, who, "round_dossiers_added", {"dossier_ids": dossier_ids})
    return r


def remove_dossier(
    s: Session, user: User, actor: Actor, round_id: int, dossier_id: int, version: int | None
) -> AwardRound:
    r = _editable_round(s, actor, round_id, version)
    m = store.membership(s, dossier_id)
    if m is None or m.round_id != r.id:
        raise NotFound(
            f"Hồ sơ số {dossier_id} không có trong đợt này.", code="dossier_not_in_round"
        )
    s.delete(m)
    who = _composer(s, user, r)
    audit.append(
        s,
        kind="removed_from_round",
        dossier_id=dossier_id,
        who=who,
        data={"round_id": r.id, "round_name": r.name},
    )
    _changed(s, r, who, "round_dossier_removed", {"dossier_id": dossier_id})
    return r


def list_rounds(
    s: Session, actor: Actor, *, year: int | None, waiting: bool = False
) -> list[RoundSummary]:
    if waiting:
        rows = [r for r in store.waiting_rounds(s, actor) if not year or r.year == year]
    else:
        rows = list(store.visible_rounds(s, actor, year=year))
    counts = store.dossier_counts(s, [r.id for r in rows])
    return [summary(r, counts.get(r.id, 0)) for r in rows]


def summary(r: AwardRound, dossiers: int) -> RoundSummary:
    kind, status = RoundKind(r.kind), RoundStatus(r.status)
    return RoundSummary(
        id=r.id,
        name=r.name,
        year=r.year,
        kind=kind,
        kind_label=rules.ROUND_KIND_LABELS[kind],
        status=status,
        status_label=rules.ROUND_STATUS_LABELS[status],
        dossiers=dossiers,
        updated_at=r.updated_at,
    )


def award_name(code: str) -> str:
    return AWARDS[code].name if code in AWARDS else code


def round_out(s: Session, actor: Actor, r: AwardRound) -> RoundOut:
    dossiers = store.dossiers_of(s, r.id)
    nominees = store.listed_nominees(s, r.id)
    per_dossier: dict[int, int] = {}
    for n in nominees:
        per_dossier[n.dossier_id] = per_dossier.get(n.dossier_id, 0) + 1
    clusters = {n.dossier_id: n.cluster_name for n in nominees}
    composer = rules.COMPOSER in rules.roles_over(actor, r.authority_id)
    base = summary(r, len(dossiers))
    return RoundOut(
        **base.model_dump(),
        authority_id=r.authority_id,
        awards=r.award_codes,
        award_names=[award_name(a) for a in r.award_codes],
        version=r.version,
        processing=outbox.is_processing(s, subject_of(r)),
        allowed_actions=[str(a) for a in actions_for(s, actor, r)],
        can_edit_dossiers=composer and r.status in rules.EDITABLE,
        dossier_list=[
            RoundDossierOut(
                id=d.id,
                title=d.title,
                award=d.award,
                award_name=award_name(d.award),
                unit_name=d.unit.name,
                cluster_name=clusters.get(d.id, ""),
                nominees=per_dossier.get(d.id, 0),
            )
            for d in dossiers
        ],
        nominee_list=[
            RoundNomineeOut(
                award=n.award,
                award_name=award_name(n.award),
                kind=n.kind,
                name=n.name,
                position=n.position,
                unit_name=n.unit_name,
                cluster_name=n.cluster_name,
                dossier_id=n.dossier_id,
            )
            for n in nominees
        ],
        counts={
            "collectives": sum(1 for n in nominees if n.kind == "collective"),
            "individuals": sum(1 for n in nominees if n.kind != "collective"),
        },
        created_at=r.created_at,
        council=council.round_results(s, r),
    )


ROUND_EVENT_LABELS = {
    "round_created": "Lập đợt xét khen thưởng",
    "round_dossiers_added": "Đưa hồ sơ vào đợt",
    "round_dossier_removed": "Bỏ hồ sơ ra khỏi đợt",
    "submit": "Trình duyệt đợt",
    "withdraw": "Rút đợt về để sửa danh sách",
    "approve": "Duyệt",
    "return": "Trả lại",
    "documents_issued": "Phát hành Tờ trình (cấp số, ký số, đóng dấu, lưu trữ)",
    "routed": "Chuyển bước tiếp theo",
    "document_downloaded": "Tải văn bản",
    # hiệp y (api/opinions/)
    "opinions_requested": "Xin ý kiến hiệp y",
    "opinion_given": "Cơ quan cho ý kiến hiệp y",
    "opinion_letter_recorded": "Ghi nhận công văn cho ý kiến hiệp y",
    "opinion_overridden": "Vẫn đưa vào danh sách dù có ý kiến hiệp y không đồng ý",
}
ROUND_EVENT_LABELS.update(
    {
        "consultation_opened": "Công khai danh sách để lấy ý kiến",
        "public_comment": "Ý kiến góp ý công khai",
    }
)


def _label(e: AuditEvent) -> str:
    # The leader's approval signs the Tờ trình; the head's is recorded only.
    if e.kind == "approve" and (e.data or {}).get("signed"):
        return "Duyệt và ký Tờ trình"
    return ROUND_EVENT_LABELS.get(e.kind, e.kind)


def _detail(e: AuditEvent) -> str:
    data = e.data or {}
    if e.kind == "round_dossiers_added":
        return "Hồ sơ số " + ", ".join(str(i) for i in data.get("dossier_ids", []))
    if e.kind == "round_dossier_removed":
        return f"Hồ sơ số {data.get('dossier_id')}"
    if e.kind == "round_created":
        return f"{data.get('name', '')} ({data.get('year', '')})"
    if e.kind == "documents_issued":
        # One entry per stored file of a document (DOCX, signed PDF …): one per number.
        numbers = dict.fromkeys(d["number"] for d in data.get("documents", []) if d.get("number"))
        return ", ".join(f"Tờ trình số {n}" for n in numbers)
    if e.kind == "consultation_opened":
        start, end = (
            "/".join(reversed(str(data.get(k, "")).split("-"))) for k in ("start_date", "end_date")
        )
        return f"{data.get('working_days')} ngày làm việc, từ {start} đến hết {end}"
    if e.kind == "public_comment":
        return f"{data.get('name', '')}: {data.get('text', '')}"
    if e.kind == "document_downloaded":
        return str(data.get("file_name", ""))
    if e.kind == "opinions_requested":
        return "; ".join(f"«{x['nominee']}»: {x['agency']}" for x in data.get("requests", []))
    if e.kind in ("opinion_given", "opinion_letter_recorded"):
        said = {"agree": "đồng ý", "disagree": "không đồng ý"}.get(data.get("opinion") or "", "")
        text = f"{data.get('agency', '')}: {said} «{data.get('nominee', '')}»"
        return text + (f". Ghi chú: {e.reason}" if e.reason else "")
    if e.kind == "opinion_overridden":
        return f"«{data.get('nominee', '')}». Lý do: {e.reason or ''}"
    if e.kind == "routed":
        done = []
        if data.get("prepared"):
            done.append("Đã lập Tờ trình dự thảo để lãnh đạo Sở ký")
        if data.get("notified_user_ids"):
            done.append("đã báo người xử lý tiếp theo" if done else "Đã báo người xử lý tiếp theo")
        return ", ".join(done)
    parts = []
    if e.to_status and e.to_status in ROUND_SUBMISSION.state_labels:
        parts.append(f"Chuyển sang «{ROUND_SUBMISSION.state_labels[e.to_status]}»")
    if e.reason:
        parts.append(f"Lý do: {e.reason}")
    return ". ".join(parts)


def history(s: Session, actor: Actor, round_id: int) -> list[RoundEventOut]:
    """The round's own events (who made it and changed its dossiers), for those who see it."""
    visible_round(s, actor, round_id)
    out = []
    for e in store.round_events(s, round_id):
        role = e.actor_role
        out.append(
            RoundEventOut(
                seq=e.subject_seq or 0,
                kind=e.kind,
                label=_label(e),
                at=e.occurred_at,
                at_vn=audit.vn_time(e.occurred_at),
                actor=e.actor_name,
                actor_role_label=ROLE_LABELS[Role(role)] if role in set(Role) else role,
                detail=_detail(e),
                hash=e.hash,
            )
        )
    return out
