"""Queries of the award decisions (domain/decisions.py) and their award records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from domain.appraisal import Result
from domain.decisions import (
    COUNCIL_REASON,
    HELD_BACK_REASON,
    NOT_PASSED_REASON,
    decision_label,
)
from domain.policy import DECISION
from domain.roles import Actor
from domain.subjects import Subject, SubjectKind
from storage import bulk, outbox, policy_sql
from storage import meetings as meetings_store
from storage import rounds as rounds_store
from storage.models import (
    AppraisalResult,
    AuditEvent,
    AwardDecision,
    AwardRecord,
    AwardRecordAmendment,
    Cluster,
    DecisionAmendment,
    Dossier,
    Nominee,
    NumberSeries,
    RoundDossier,
    Unit,
    of_subject,
    utcnow,
)


def decision(s: Session, decision_id: int, *, for_update: bool = False) -> AwardDecision | None:
    q = select(AwardDecision).where(AwardDecision.id == decision_id)
    return s.scalar(q.with_for_update() if for_update else q)


def decision_of_round(s: Session, round_id: int) -> AwardDecision | None:
    return s.scalar(select(AwardDecision).where(AwardDecision.round_id == round_id))


def visible_decisions(s: Session, actor: Actor) -> Sequence[AwardDecision]:
    """The decisions the actor may see (domain/policy.py's rules as SQL), newest first."""
    return s.scalars(
        select(AwardDecision)
        .where(policy_sql.visible(actor, DECISION))
        .order_by(AwardDecision.created_at.desc(), AwardDecision.id.desc())
    ).all()


def waiting_decisions(s: Session, actor: Actor) -> Sequence[AwardDecision]:
    """The decisions waiting for an action of the actor, none while a step runs."""
    acting = policy_sql.acting(actor, DECISION)
    if acting is None:
        return []
    return s.scalars(
        select(AwardDecision)
        .where(acting, ~outbox.busy(SubjectKind.DECISION, AwardDecision.id))
        .order_by(AwardDecision.updated_at, AwardDecision.id)
    ).all()


def decision_events(s: Session, decision_id: int) -> Sequence[AuditEvent]:
    return s.scalars(
        select(AuditEvent)
        .where(of_subject(AuditEvent, Subject(SubjectKind.DECISION, decision_id)))
        .order_by(AuditEvent.subject_seq)
    ).all()


@dataclass(frozen=True)
class RoundNominee:
    """A nominee of one of a round's dossiers, and whether the appraisal passed them
    (only they are on the round's list and so on the decision)."""

    nominee_id: int
    dossier_id: int
    award: str
    year: int
    kind: str
    name: str
    position: str
    unit_name: str
    cluster_name: str
    passed: bool
    """On the round's list (storage/rounds.py `listed_nominees`): the appraisal passed
    them, the council (if it met) passed them, no agency's opinion holds them back."""
    reason: str = ""
    """Why not, when not."""


def round_nominees(s: Session, round_id: int) -> list[RoundNominee]:
    """Every nominee of every dossier of the round, in the round's order (dossier, then
    nominee): one query, for a list of thousands."""
    rows = s.execute(
        select(
            Nominee.id,
            Dossier.id,
            Dossier.award,
            Dossier.year,
            Nominee.kind,
            Nominee.name,
            Nominee.job_title,
            Nominee.unit_name,
            Unit.name,
            Cluster.name,
            AppraisalResult.result,
            AppraisalResult.struck,
        )
        .join(RoundDossier, RoundDossier.dossier_id == Dossier.id)
        .join(Nominee, Nominee.dossier_id == Dossier.id)
        .join(Unit, Unit.id == Dossier.unit_id)
        .outerjoin(Cluster, Cluster.id == Dossier.cluster_id)
        .outerjoin(AppraisalResult, AppraisalResult.nominee_id == Nominee.id)
        .where(RoundDossier.round_id == round_id)
        .order_by(RoundDossier.position_no, RoundDossier.id, Nominee.position_no, Nominee.id)
    ).all()
    # The round's list decides who is awarded; the reason of one left out is the first
    # step that left them out.
    on_list = {n.nominee_id for n in rounds_store.listed_nominees(s, round_id)}
    council = meetings_store.passed_keys(s, Subject(SubjectKind.ROUND, round_id))

    def reason(nominee_id: int, appraised: bool) -> str:
        if nominee_id in on_list:
            return ""
        if not appraised:
            return NOT_PASSED_REASON
        if council is not None and nominee_id not in council:
            return COUNCIL_REASON
        return HELD_BACK_REASON

    return [
        RoundNominee(
            nominee_id=nominee_id,
            dossier_id=dossier_id,
            award=award,
            year=year,
            kind=kind,
            name=name,
            position=job_title or "",
            # As the round's list names them (storage/rounds.py): an individual's own
            # part of the unit, a collective's unit.
            unit_name=(nominee_unit or unit_name) if kind != "collective" else unit_name,
            cluster_name=cluster_name or "",
            passed=nominee_id in on_list,
            reason=reason(nominee_id, result == str(Result.PASSED) and not struck),
        )
        for (
            nominee_id,
            dossier_id,
            award,
            year,
            kind,
            name,
            job_title,
            nominee_unit,
            unit_name,
            cluster_name,
            result,
            struck,
        ) in rows
    ]


def add_records(s: Session, rows: Sequence[dict[str, object]]) -> None:
    """Write a decision's award records (AwardRecord's columns, one dict each) in one
    executemany: hundreds of rows that nothing reads back as objects."""
    if rows:
        now = utcnow()
        bulk.bulk_insert(s, AwardRecord.__tablename__, [{**r, "created_at": now} for r in rows])


def records_of(s: Session, decision_id: int) -> Sequence[AwardRecord]:
    return s.scalars(
        select(AwardRecord)
        .where(AwardRecord.decision_id == decision_id)
        .order_by(AwardRecord.position_no, AwardRecord.id)
    ).all()


def records_of_dossier(s: Session, dossier_id: int) -> Sequence[AwardRecord]:
    return s.scalars(
        select(AwardRecord)
        .where(AwardRecord.dossier_id == dossier_id)
        .order_by(AwardRecord.position_no, AwardRecord.id)
    ).all()


def results_of_dossier(s: Session, dossier_id: int) -> dict[int, AwardRecord]:
    """Per nominee of the dossier, what the latest decision about them recorded (one query)."""
    out: dict[int, AwardRecord] = {}
    for rec in sorted(records_of_dossier(s, dossier_id), key=lambda x: x.id):
        out[rec.nominee_id] = rec
    return out


def awarded_by(s: Session, dossier_id: int) -> str | None:
    """The decision that awarded the dossier, as units read it ("Quyết định số … ngày …")."""
    rec = s.scalar(
        select(AwardRecord)
        .where(AwardRecord.dossier_id == dossier_id, AwardRecord.decision_number.is_not(None))
        .order_by(AwardRecord.id.desc())
        .limit(1)
    )
    if rec is None:
        return None
    label = decision_label(rec.decision_number, rec.decision_date)
    for a, n in revocations_of_dossier(s, dossier_id):
        label += f"; thu hồi khen thưởng của {n} tập thể, cá nhân theo " + decision_label(
            a.number, a.decided_on
        )
    return label


def take_numbers(s: Session, series: str, doc_type: str, year: int, n: int) -> int:
    """Take `n` consecutive numbers of a series at once inside the caller's transaction
    (one upsert, the row locked until commit: gap-free as `next_number`); the first."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = insert(NumberSeries).values(issuer=series, doc_type=doc_type, year=year, last_number=n)
    stmt = values.on_conflict_do_update(
        index_elements=["issuer", "doc_type", "year"],
        set_={"last_number": NumberSeries.last_number + n},
    ).returning(NumberSeries.last_number)
    return int(s.execute(stmt).scalar_one()) - n + 1


def linked_accounts(s: Session, dossier_ids: Sequence[int]) -> dict[int, set[int]]:
    """Per dossier, the accounts linked to its nominees."""
    out: dict[int, set[int]] = {}
    rows = s.execute(
        select(Nominee.dossier_id, Nominee.user_id).where(
            Nominee.dossier_id.in_(list(dossier_ids)), Nominee.user_id.is_not(None)
        )
    ).all()
    for dossier_id, user_id in rows:
        if user_id is not None:
            out.setdefault(dossier_id, set()).add(user_id)
    return out


def nominee_accounts(s: Session, nominee_ids: Sequence[int]) -> dict[int, int]:
    """Per nominee, the account linked to them (those linked to none are left out)."""
    if not nominee_ids:
        return {}
    rows = s.execute(
        select(Nominee.id, Nominee.user_id).where(
            Nominee.id.in_(list(nominee_ids)), Nominee.user_id.is_not(None)
        )
    ).all()
    return {nominee_id: user_id for nominee_id, user_id in rows if user_id is not None}


def amendments_of(s: Session, decision_id: int) -> Sequence[DecisionAmendment]:
    """The correcting and revoking decisions made from a decision, oldest first."""
    return s.scalars(
        select(DecisionAmendment)
        .where(DecisionAmendment.decision_id == decision_id)
        .order_by(DecisionAmendment.id)
    ).all()


def record_amendments_of(
    s: Session, decision_id: int
) -> Sequence[tuple[AwardRecordAmendment, DecisionAmendment]]:
    """What each amendment of a decision did to its records, oldest first (one query)."""
    rows = s.execute(
        select(AwardRecordAmendment, DecisionAmendment)
        .join(DecisionAmendment, DecisionAmendment.id == AwardRecordAmendment.amendment_id)
        .where(DecisionAmendment.decision_id == decision_id)
        .order_by(DecisionAmendment.id, AwardRecordAmendment.id)
    ).all()
    return [(a, b) for a, b in rows]


def revocations_of_dossier(s: Session, dossier_id: int) -> list[tuple[DecisionAmendment, int]]:
    """The revoking decisions that revoked awards of the dossier, oldest first, each with
    how many of its awards it revoked."""
    rows = s.execute(
        select(DecisionAmendment, AwardRecordAmendment.record_id)
        .join(AwardRecordAmendment, AwardRecordAmendment.amendment_id == DecisionAmendment.id)
        .join(AwardRecord, AwardRecord.id == AwardRecordAmendment.record_id)
        .where(AwardRecord.dossier_id == dossier_id, AwardRecordAmendment.kind == "thu_hoi")
        .order_by(DecisionAmendment.id)
    ).all()
    out: dict[int, tuple[DecisionAmendment, int]] = {}
    for a, _ in rows:
        out[a.id] = (a, out[a.id][1] + 1 if a.id in out else 1)
    return list(out.values())


def revoked_records_of_dossier(s: Session, dossier_id: int) -> dict[int, DecisionAmendment]:
    """The dossier's revoked award records: record id → the revoking decision (one query)."""
    rows = s.execute(
        select(AwardRecordAmendment.record_id, DecisionAmendment)
        .join(DecisionAmendment, DecisionAmendment.id == AwardRecordAmendment.amendment_id)
        .join(AwardRecord, AwardRecord.id == AwardRecordAmendment.record_id)
        .where(AwardRecord.dossier_id == dossier_id, AwardRecordAmendment.kind == "thu_hoi")
    ).all()
    return {record_id: a for record_id, a in rows}
