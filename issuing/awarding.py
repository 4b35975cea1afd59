"""What an issued decision does, whichever way it was issued (signed here or uploaded):
an award record for every nominee of its round — awarded, with the decision's number and
date, the prize money in force on that date and the certificate's number in the book
(số vào sổ, gap-free per year); or not awarded, with the reason — then every dossier of
the round closed as «Đã khen thưởng» and the round as decided, each with an event on its
own chain, and the units told. Runs inside the caller's transaction; idempotent (a
retried step finds the records it wrote).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from domain import prize_money
from domain.decisions import NOT_PASSED_REASON, UBND_CODE, decision_label
from domain.process import Status
from domain.roles import Role
from domain.rounds import RoundStatus
from domain.subjects import Subject, SubjectKind
from storage import audit
from storage import decisions as store
from storage import rounds as rounds_store
from storage.models import AwardDecision, AwardRecord
from storage.repositories import documents as documents_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import notifications as notifications_repo
from storage.repositories import users as users_repo

CERTIFICATE_SERIES = f"certificates:{UBND_CODE}"
CERTIFICATE_TYPE = "SVS"
"""The certificate book's series in number_series: số vào sổ per year."""


def record_awards(s: Session, d: AwardDecision, number: str, decided_on: date) -> int:
    """Record the decision's effects; returns how many nominees were awarded."""
    if store.records_of(s, d.id):
        return sum(1 for r in store.records_of(s, d.id) if r.awarded)
    r = rounds_store.award_round(s, d.round_id)
    assert r is not None
    label = decision_label(number, decided_on)
    awarded = 0
    for position, n in enumerate(store.round_nominees(s, r.id), 1):
        record = AwardRecord(
            decision_id=d.id,
            nominee_id=n.nominee_id,
            dossier_id=n.dossier_id,
            position_no=position,
            award=n.award,
            year=n.year,
            awarded=n.passed,
            reason="" if n.passed else NOT_PASSED_REASON,
            decision_number=number,
            decision_date=decided_on,
            prize_basis="",
        )
        if n.passed:
            p = prize_money.prize(n.award, n.kind, decided_on)
            record.prize_amount = p.amount
            record.prize_basis = p.basis_text
            record.certificate_year = decided_on.year
            record.certificate_no = documents_repo.next_number(
                s, CERTIFICATE_SERIES, CERTIFICATE_TYPE, decided_on.year
            )
            awarded += 1
        s.add(record)
    s.flush()
    subject = Subject(SubjectKind.DECISION, d.id)
    for dossier in rounds_store.dossiers_of(s, r.id):
        before = dossier.status
        dossier.status = str(Status.AWARDED)
        s.flush()
        audit.append(
            s,
            kind="awarded",
            dossier_id=dossier.id,
            event_key=f"awarded:{d.id}:{dossier.id}",
            from_status=before,
            to_status=dossier.status,
            data={
                "decision_id": d.id,
                "decision_number": number,
                "decision_date": decided_on.isoformat(),
                "round_id": r.id,
            },
        )
        message = f"Hồ sơ «{dossier.title}»: Đã khen thưởng ({label})"
        scope = dossiers_repo.scope_of(s, dossier)
        people = {
            u.id
            for role in (Role.UNIT_CLERK, Role.UNIT_HEAD)
            for u in users_repo.users_holding(s, role, scope)
        } | set(scope.nominee_user_ids)
        for user_id in sorted(people):
            notifications_repo.notify_once(
                s, user_id, dossier.subject, dossier.transition_seq, message
            )
    before_round = r.status
    r.status = str(RoundStatus.DECIDED)
    s.flush()
    audit.append(
        s,
        kind="decided",
        subject=Subject(SubjectKind.ROUND, r.id),
        event_key=f"decided:{r.id}",
        from_status=before_round,
        to_status=r.status,
        data={"decision_id": d.id, "decision_number": number},
    )
    audit.append(
        s,
        kind="awards_recorded",
        subject=subject,
        event_key=f"awards_recorded:{d.id}",
        data={
            "decision_number": number,
            "decision_date": decided_on.isoformat(),
            "awarded": awarded,
            "not_awarded": len(store.records_of(s, d.id)) - awarded,
        },
    )
    return awarded
