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
from domain.decisions import UBND_CODE, decision_label
from domain.process import Status
from domain.roles import Role
from domain.rounds import RoundStatus
from domain.subjects import Subject, SubjectKind
from storage import audit
from storage import decisions as store
from storage import registry as registry_store
from storage import rounds as rounds_store
from storage.models import AwardDecision, subject_columns
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import notifications as notifications_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

CERTIFICATE_SERIES = f"certificates:{UBND_CODE}"
CERTIFICATE_TYPE = "SVS"
"""The certificate book's series in number_series: số vào sổ per year."""


def record_awards(s: Session, d: AwardDecision, number: str, decided_on: date) -> int:
    """Record the decision's effects; returns how many nominees were awarded."""
    awarded, events = write_awards(s, d, number, decided_on)
    audit.append_many(s, events)
    return awarded


def write_awards(
    s: Session, d: AwardDecision, number: str, decided_on: date
) -> tuple[int, list[audit.Entry]]:
    """`record_awards` but for its events, returned to be appended (the issuing flow
    writes the awards while the decision is sealed, its events after the seal's)."""
    done = store.records_of(s, d.id)
    if done:
        return sum(1 for x in done if x.awarded), []
    r = rounds_store.award_round(s, d.round_id)
    assert r is not None
    label = decision_label(number, decided_on)
    nominees = store.round_nominees(s, r.id)
    passed = [n for n in nominees if n.passed]
    # The certificate book's numbers for the whole decision in one take, in list order.
    first = (
        store.take_numbers(s, CERTIFICATE_SERIES, CERTIFICATE_TYPE, decided_on.year, len(passed))
        if passed
        else 0
    )
    records: list[dict[str, object]] = []
    awarded = 0
    for position, n in enumerate(nominees, 1):
        record: dict[str, object] = {
            "decision_id": d.id,
            "nominee_id": n.nominee_id,
            "dossier_id": n.dossier_id,
            "position_no": position,
            "award": n.award,
            "year": n.year,
            "awarded": n.passed,
            "reason": n.reason,
            "decision_number": number,
            "decision_date": decided_on,
            "prize_amount": None,
            "prize_basis": "",
            "certificate_year": None,
            "certificate_no": None,
        }
        if n.passed:
            p = prize_money.prize(n.award, n.kind, decided_on)
            record["prize_amount"] = p.amount
            record["prize_basis"] = p.basis_text
            record["certificate_year"] = decided_on.year
            record["certificate_no"] = first + awarded
            awarded += 1
        records.append(record)
    # Hundreds of rows and events: written in bulk, the chain extended in one pass.
    store.add_records(s, records)
    # The registry holds every award from now on (same transaction): the UBND's name
    # as issuer, the nominee's person or collective (made and linked when it had none).
    issuer = org_repo.authority(s, d.decider_authority_id).name
    registry_store.record_decision(s, d.id, r.id, issuer)
    dossiers = rounds_store.dossiers_of(s, r.id)
    linked = store.linked_accounts(s, [x.id for x in dossiers])
    with_award = {n.dossier_id for n in nominees if n.passed}
    reasons: dict[int, set[str]] = {}
    for n in nominees:
        reasons.setdefault(n.dossier_id, set()).add(n.reason)
    # The units' clerks and heads (held at the unit): one query for all the units.
    first_of_unit = {x.unit_id: x for x in reversed(dossiers)}
    unit_people = users_repo.holders(
        s,
        (Role.UNIT_CLERK, Role.UNIT_HEAD),
        {
            unit_id: dossiers_repo.scope_of(s, x, nominees=False)
            for unit_id, x in first_of_unit.items()
        },
    )
    before = {x.id: x.status for x in dossiers}
    # A dossier none of whose nominees the decision awards is not «Đã khen thưởng»:
    # it keeps its status, and its history and its unit say why. One UPDATE for all.
    dossiers_repo.set_statuses(s, [x for x in dossiers if x.id in with_award], str(Status.AWARDED))
    notices: list[dict[str, object]] = []
    events: list[audit.Entry] = []
    for dossier in dossiers:
        won = dossier.id in with_award
        events.append(
            audit.Entry(
                kind="awarded" if won else "not_awarded",
                subject=Subject.dossier(dossier.id),
                event_key=f"awarded:{d.id}:{dossier.id}",
                from_status=before[dossier.id],
                to_status=dossier.status,
                data={
                    "decision_id": d.id,
                    "decision_number": number,
                    "decision_date": decided_on.isoformat(),
                    "round_id": r.id,
                    **({} if won else {"reasons": sorted(reasons.get(dossier.id, set()))}),
                },
            )
        )
        outcome = "Đã khen thưởng" if won else "Không được khen thưởng"
        message = f"Hồ sơ «{dossier.title}»: {outcome} ({label})"
        # A fresh step: the records written above make a retry return before this.
        notices += [
            {
                "user_id": user_id,
                **subject_columns(dossier.subject),
                "transition_seq": dossier.transition_seq,
                "message": message[:500],
            }
            for user_id in sorted(unit_people[dossier.unit_id] | linked.get(dossier.id, set()))
        ]
    notifications_repo.add_many(s, notices)
    before_round = r.status
    r.status = str(RoundStatus.DECIDED)
    events += [
        audit.Entry(
            kind="decided",
            subject=Subject(SubjectKind.ROUND, r.id),
            event_key=f"decided:{r.id}",
            from_status=before_round,
            to_status=r.status,
            data={"decision_id": d.id, "decision_number": number},
        ),
        audit.Entry(
            kind="awards_recorded",
            subject=Subject(SubjectKind.DECISION, d.id),
            event_key=f"awards_recorded:{d.id}",
            data={
                "decision_number": number,
                "decision_date": decided_on.isoformat(),
                "awarded": awarded,
                "not_awarded": len(records) - awarded,
            },
        ),
    ]
    return awarded, events
