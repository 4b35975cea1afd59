"""Use cases of the public consultation of a round's list (its period counted on the
working calendar, api/calendar).

Each runs inside the caller's one transaction and never commits. The rules are
domain/consultation.py's and domain/calendar.py's; the queries storage/consultation.py's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from api.consultation.schemas import (
    CommentOut,
    ConsultationOut,
    PublicAmendmentOut,
    PublicAwardeeOut,
    PublicConsultationOut,
    PublicDecisionListingOut,
    PublicDecisionOut,
    PublicListingOut,
    PublicNomineeOut,
    RuleOut,
)
from api.decisions.certificates import _signer as decision_signer
from api.decisions.service import record_views as decision_views
from api.rounds import service as rounds
from domain import calendar as cal
from domain import consultation as rules
from domain import rounds as round_rules
from domain.awards import AWARDS
from domain.decisions import AMENDMENT_KIND_LABELS, AmendmentKind, decision_label
from domain.errors import Conflict, InvalidInput, NotFound
from domain.roles import Actor, Role
from domain.rounds import RoundStatus
from storage import audit
from storage import calendar as calendar_store
from storage import consultation as store
from storage import decisions as decisions_store
from storage import rounds as round_store
from storage.models import (
    AwardDecision,
    AwardRound,
    PublicComment,
    RoundConsultation,
    User,
    utcnow,
)
from storage.repositories import org as org_repo

PUBLIC_PREFIX = "/cong-khai/dot/"
DECISIONS_PREFIX = "/cong-khai/quyet-dinh/"


def today_vn() -> date:
    """Today in Việt Nam (periods end at the end of a Vietnamese day)."""
    return datetime.now(audit.VIETNAM).date()


Clock = Callable[[], date]


def public_url(c: RoundConsultation) -> str:
    return PUBLIC_PREFIX + c.token


def _rule_out(rule: rules.RoundRule) -> RuleOut:
    return RuleOut(
        required=rule.required,
        min_working_days=rule.min_working_days,
        default_working_days=rule.default_working_days,
        labels=rule.labels,
    )


def _nominees(c: RoundConsultation) -> list[PublicNomineeOut]:
    return [PublicNomineeOut.model_validate(n) for n in c.nominees]


def _comment_out(x: PublicComment) -> CommentOut:
    return CommentOut(
        id=x.id,
        name=x.name,
        contact=x.contact,
        text=x.text,
        at=x.created_at,
        at_vn=audit.vn_time(x.created_at),
    )


def view(s: Session, actor: Actor, round_id: int, today: date | None = None) -> ConsultationOut:
    """The board's view: the configuration, the published list and every comment."""
    r = rounds.visible_round(s, actor, round_id)
    today = today or today_vn()
    rule = rules.round_rule(r.award_codes, today)
    c = store.of_round(s, r.id)
    if c is None:
        return ConsultationOut(round_id=r.id, rule=_rule_out(rule), published=False)
    return ConsultationOut(
        round_id=r.id,
        rule=_rule_out(rule),
        published=True,
        start_date=c.start_date,
        end_date=c.end_date,
        working_days=c.working_days,
        is_open=rules.is_open(today, c.end_date),
        public_url=public_url(c),
        basis=c.basis,
        nominees=_nominees(c),
        comments=[_comment_out(x) for x in store.comments(s, c.id)],
    )


def publish(
    s: Session,
    user: User,
    actor: Actor,
    round_id: int,
    working_days: int | None,
    version: int | None,
    today: date | None = None,
) -> RoundConsultation:
    """The board's specialist publishes the round's list: the public page opens today and
    stays open for the period, counted in working days."""
    r = rounds.visible_round(s, actor, round_id, for_update=True)
    round_rules.check_composer(actor, r.authority_id)
    if version is not None and version != r.version:
        raise Conflict(
            "Đợt đã được người khác thay đổi. Hãy tải lại rồi thử lại.", code="stale_version"
        )
    if r.status != RoundStatus.OPEN:
        raise Conflict("Chỉ công khai danh sách khi đợt đang lập danh sách.", code="round_not_open")
    if store.of_round(s, r.id) is not None:
        raise Conflict(
            "Danh sách của đợt đã được công khai để lấy ý kiến.", code="consultation_exists"
        )
    today = today or today_vn()
    rule = rules.round_rule(r.award_codes, today)
    days = rules.check_period(working_days, rule)
    listed = round_store.listed_nominees(s, r.id)
    if not listed:
        raise InvalidInput(
            "Đợt chưa có người được đề nghị nào để công khai.", code="consultation_empty"
        )
    work = calendar_store.work_calendar(s, today, today)
    end = cal.add_working_days(today, days, work.days_off, work.make_up_days)
    public = [
        rules.PublicNominee(
            name=n.name,
            position=n.position,
            unit_name=n.unit_name,
            award_name=rounds.award_name(n.award),
            kind=n.kind,
        )
        for n in listed
    ]
    c = RoundConsultation(
        round_id=r.id,
        token=secrets.token_urlsafe(24),
        start_date=today,
        end_date=end,
        working_days=days,
        required=rule.required,
        basis=" ".join(rule.labels),
        nominees=[vars(p) for p in public],
        opened_by=user.id,
    )
    s.add(c)
    r.updated_at = utcnow()  # a new version: others' views of the round are stale
    s.flush()
    name = rounds.authority_name(s, r)
    audit.append(
        s,
        kind="consultation_opened",
        subject=rounds.subject_of(r),
        who=audit.Who(user.id, user.full_name, str(Role.BOARD_SPECIALIST), name, name),
        data={
            "round_id": r.id,
            "start_date": today.isoformat(),
            "end_date": end.isoformat(),
            "working_days": days,
            "required": rule.required,
            "basis": c.basis,
            "nominees": len(public),
        },
    )
    return c


def _published(s: Session, token: str) -> tuple[RoundConsultation, AwardRound]:
    c = store.by_token(s, token) if 16 <= len(token) <= 64 else None
    r = round_store.award_round(s, c.round_id) if c else None
    if c is None or r is None:
        raise NotFound("Không tìm thấy danh sách công khai này.", code="consultation_not_found")
    return c, r


def public_view(s: Session, token: str, today: date | None = None) -> PublicConsultationOut:
    c, r = _published(s, token)
    return PublicConsultationOut(
        round_name=r.name,
        authority_name=rounds.authority_name(s, r),
        start_date=c.start_date,
        end_date=c.end_date,
        working_days=c.working_days,
        is_open=rules.is_open(today or today_vn(), c.end_date),
        nominees=_nominees(c),
        decision=_decision_out(s, d, r)
        if (d := store.issued_decision_of_round(s, r.id)) and d.number and d.decided_on
        else None,
    )


# ------------------------------------------------------------- the register of decisions


def decision_url(d: AwardDecision) -> str:
    return f"{DECISIONS_PREFIX}{d.id}"


def _signer_title(s: Session, d: AwardDecision) -> str:
    """ "CHỦ TỊCH", or "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" when a Phó Chủ tịch signed."""
    marker, position, _name = decision_signer(s, d)
    return " / ".join(x for x in (marker, position) if x)


def _decision_out(s: Session, d: AwardDecision, r: AwardRound) -> PublicDecisionOut:
    """What the public sees of an issued decision: its number, date, signer's title and
    the list of those it awarded — name, position, unit and award, nothing else (never a
    date of birth, an identity number, achievements or attached files)."""
    assert d.number is not None and d.decided_on is not None
    listed = decisions_store.round_nominees(s, d.round_id)
    nominees = {n.nominee_id: n for n in listed}
    # As its correcting and revoking decisions leave it: the corrected text, a revoked
    # awardee kept on the list and marked (the decision did award them).
    views = decision_views(s, d, listed)
    awardees = []
    for rec in decisions_store.records_of(s, d.id):
        n = nominees.get(rec.nominee_id)
        if not rec.awarded or n is None:
            continue
        view = views[rec.id]
        awardees.append(
            PublicAwardeeOut(
                name=view.values.get("name", ""),
                position=view.values.get("position", "") if n.kind != "collective" else "",
                unit_name=view.values.get("unit_name", ""),
                award_name=AWARDS[rec.award].name if rec.award in AWARDS else rec.award,
                kind=n.kind,
                revoked=view.revoked,
                notes=view.notes,
            )
        )
    touched: dict[int, list[str]] = {}
    for change, _ in decisions_store.record_amendments_of(s, d.id):
        names = touched.setdefault(change.amendment_id, [])
        name = views[change.record_id].values.get("name", "") if change.record_id in views else ""
        if name and name not in names:
            names.append(name)
    amendments = [
        PublicAmendmentOut(
            kind=a.kind,
            kind_label=AMENDMENT_KIND_LABELS.get(AmendmentKind(a.kind), a.kind),
            number=a.number,
            decided_on=a.decided_on,
            label=decision_label(a.number, a.decided_on),
            names=touched.get(a.id, []),
        )
        for a in decisions_store.amendments_of(s, d.id)
    ]
    return PublicDecisionOut(
        id=d.id,
        number=d.number,
        decided_on=d.decided_on,
        label=decision_label(d.number, d.decided_on),
        signer_title=_signer_title(s, d),
        issuer_name=org_repo.authority(s, d.decider_authority_id).name,
        round_name=r.name,
        public_url=decision_url(d),
        awardees=awardees,
        amendments=amendments,
    )


def public_decision(s: Session, decision_id: int) -> PublicDecisionOut:
    """An issued decision's public page (a draft or one being signed is not public)."""
    d = store.issued_decision(s, decision_id)
    r = round_store.award_round(s, d.round_id) if d else None
    if d is None or r is None or not d.number or d.decided_on is None:
        raise NotFound("Không tìm thấy quyết định khen thưởng này.", code="decision_not_found")
    return _decision_out(s, d, r)


def decision_register(s: Session) -> list[PublicDecisionListingOut]:
    """Every issued decision: number, date, signer's title, how many it awarded."""
    return [
        PublicDecisionListingOut(
            id=d.id,
            number=d.number or "",
            decided_on=d.decided_on,
            signer_title=_signer_title(s, d),
            round_name=r.name,
            awarded=awarded,
            public_url=decision_url(d),
        )
        for d, r, awarded in store.issued_decisions(s)
        if d.number and d.decided_on
    ]


def register(s: Session, today: date | None = None) -> list[PublicListingOut]:
    """The public register: every published list."""
    today = today or today_vn()
    names = {a.id: a.name for a in org_repo.all_authorities(s)}
    out = []
    for c, r in store.published(s):
        out.append(
            PublicListingOut(
                round_name=r.name,
                authority_name=names.get(r.authority_id, ""),
                start_date=c.start_date,
                end_date=c.end_date,
                is_open=rules.is_open(today, c.end_date),
                public_url=public_url(c),
            )
        )
    return out


def address_digest(secret: str, address: str) -> str:
    """The sender's address as a keyed digest: enough to count, not to find them."""
    return hmac.new(
        secret.encode(), b"tdkt-comment\x00" + address.encode(), hashlib.sha256
    ).hexdigest()


def comment(
    s: Session,
    token: str,
    name: str,
    contact: str,
    text: str,
    digest: str,
    today: date | None = None,
) -> PublicComment:
    """A comment from the public page, recorded with the round's history."""
    c, r = _published(s, token)
    if not rules.is_open(today or today_vn(), c.end_date):
        raise rules.ConsultationClosed(
            f"Thời gian lấy ý kiến về danh sách này đã kết thúc ngày {rules.vn_date(c.end_date)}."
        )
    since = utcnow() - timedelta(minutes=rules.WINDOW_MINUTES)
    if store.comments_from(s, digest, since) >= rules.COMMENTS_PER_WINDOW:
        raise rules.TooManyComments()
    clean = rules.check_comment(name, contact, text)
    x = PublicComment(
        consultation_id=c.id,
        name=clean.name,
        contact=clean.contact,
        text=clean.text,
        address_digest=digest,
    )
    s.add(x)
    s.flush()
    # The contact stays in its table (the board sees it; it can be erased): an event of
    # the chain can never be, so it carries the comment without it.
    audit.append(
        s,
        kind="public_comment",
        subject=rounds.subject_of(r),
        data={"round_id": r.id, "comment_id": x.id, "name": clean.name, "text": clean.text},
    )
    return x


def check_before_submit(s: Session, r: AwardRound, today: date | None = None) -> None:
    """Refuses a round's submission while its list is under consultation, or before a
    list that must be published has been."""
    c = store.of_round(s, r.id)
    rule = rules.round_rule(r.award_codes, today or today_vn())
    rules.check_submittable(
        today or today_vn(),
        rule.required,
        c.end_date if c else None,
        opened=c is not None,
    )
