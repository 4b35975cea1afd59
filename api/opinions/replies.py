"""The agencies' replies about a round's nominees, as the round's page, the API and the
council's meeting show them. Apart from the use cases (api/opinions/service.py) so that
the meeting's view can read them without importing the rounds' use cases."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from api.opinions.schemas import NomineeOpinionsOut, ReplyOut
from domain import opinions as cfg
from storage import audit
from storage import opinions as store
from storage.models import Agency, OpinionRequest
from storage.repositories import users as users_repo


def reply_out(q: OpinionRequest, agency: Agency) -> ReplyOut:
    return ReplyOut(
        request_id=q.id,
        agency_code=agency.code,
        agency_name=agency.name,
        opinion=q.opinion,
        opinion_label=cfg.OPINION_LABELS.get(q.opinion or "", "Chưa trả lời"),
        note=q.note or "",
        answered_at=q.answered_at,
        answered_at_vn=audit.vn_time(q.answered_at) if q.answered_at else "",
        source=q.source,
        letter_signer=q.letter_signer,
    )


def nominee_opinions(
    s: Session, round_id: int, on: date
) -> tuple[list[NomineeOpinionsOut], list[str]]:
    """Every nominee of the round that needs opinions (or was asked), each reply with its
    agency and date, who is held back and why, the board head's override; and what is
    still missing ("«nominee»: agency")."""
    agencies = {a.id: a for a in store.all_agencies(s)}
    by_nominee: dict[int, list[OpinionRequest]] = {}
    for q in store.requests_of_round(s, round_id):
        by_nominee.setdefault(q.nominee_id, []).append(q)
    overrides = store.overrides_of_round(s, round_id)
    deciders = users_repo.users_by_ids(s, {o.decided_by for o in overrides.values()})
    names = {a.code: a.name for a in agencies.values()}
    out: list[NomineeOpinionsOut] = []
    pending: list[str] = []
    for n in store.passed_nominees(s, round_id):
        rule = cfg.rule_for(n.category, on)
        asked = by_nominee.get(n.nominee_id, [])
        if rule is None and not asked:
            continue
        replies = [reply_out(q, agencies[q.agency_id]) for q in asked]
        o = overrides.get(n.nominee_id)
        blocking = cfg.blocking_replies(
            [cfg.Reply(x.agency_code, x.agency_name, x.opinion, x.note) for x in replies],
            overridden=o is not None,
        )
        answered = {x.agency_code for x in replies if x.opinion}
        # A nominee held back is not on the list the round submits: the opinions still
        # missing about them do not hold the round up.
        for code in cfg.missing(rule.agencies if rule and not blocking else (), answered):
            pending.append(f"«{n.name}»: {names.get(code, code)}")
        decider = deciders.get(o.decided_by) if o is not None else None
        out.append(
            NomineeOpinionsOut(
                nominee_id=n.nominee_id,
                name=n.name,
                dossier_id=n.dossier_id,
                unit_name=n.unit_name,
                category=n.category or "",
                category_label=cfg.CATEGORY_LABELS.get(n.category or "", ""),
                legal_basis=rule.legal_basis if rule else "",
                confirmed=rule.confirmed if rule else False,
                replies=replies,
                held_back=bool(blocking),
                held_back_reason=cfg.held_back_reason(blocking) if blocking else "",
                override_reason=o.reason if o else None,
                override_by=decider.full_name if decider else None,
            )
        )
    return out, pending
