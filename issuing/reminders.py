"""The reminders job (`run_reminders`): each person's daily digest of what waits for
them, and the escalation of each step past its deadline to the holder's superior —
in-app and by email, each exactly once.

Run daily by a Prefect flow (flows/reminders.py) and by `tdkt reminders run`. What
waits for a person is their inbox (storage/repositories/dossiers.py `inbox`, with the
grants they hold today through delegations); deadlines are domain/deadlines.py's on the
working calendar with the administrator's entries.

Exactly once: each reminder is claimed in its own committed transaction before it is
sent (storage/reminders.py; the unique key lets one run of two have it), then emailed,
then written in-app and marked sent with its audit event in one transaction. A run that
dies between the claim and the send leaves the claim unsent: after the lease
(TDKT_REMINDER_LEASE_SECONDS) a later run takes it over. A run that dies after the SMTP
server took the message but before marking it sent would send it again after the lease
(SMTP offers no idempotent send); that window is one UPDATE long.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from domain import deadlines as rules
from domain import reminders as words
from domain.reminders import Item, ReminderKind
from domain.roles import Role
from domain.subjects import Subject
from storage import audit, delegations
from storage import reminders as reminders_repo
from storage.calendar import work_calendar
from storage.models import Dossier, Notification, User, subject_columns
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import users as users_repo

from . import mail

log = logging.getLogger("tdkt.reminders")

AUDIT_KINDS = {ReminderKind.DIGEST: "digest_sent", ReminderKind.ESCALATION: "overdue_escalated"}
"""The audit event of a reminder sent: a digest about no one subject; an escalation
about its dossier (its history shows «Báo quá hạn cho cấp trên»)."""


class _Db(Protocol):
    def read(self) -> AbstractContextManager[Session]: ...
    def write(self) -> AbstractContextManager[Session]: ...


class ReminderRuntime(Protocol):
    """What the job needs of the runtime (issuing/runtime.py `Runtime` has it)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> _Db: ...


@dataclass(frozen=True)
class Pending:
    """One reminder to send: to whom, its key, its words."""

    user_id: int
    email: str | None
    kind: ReminderKind
    subject: str
    day: date
    mail: words.Mail
    notice: str
    dossier_id: int
    items: int


@dataclass
class Outcome:
    sent: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in ReminderKind})
    emailed: int = 0
    skipped: int = 0
    """Already sent, or held by another run."""
    failed: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "sent": dict(self.sent),
            "emailed": self.emailed,
            "skipped": self.skipped,
            "failed": self.failed,
        }


def _notice_seq(kind: ReminderKind, day: date) -> int:
    """A reminder's in-app notification is numbered below zero (never a step's number):
    -(YYYYMMDD·10 + 1) for a digest, + 2 for an escalation."""
    return -(int(f"{day:%Y%m%d}") * 10 + (1 if kind is ReminderKind.DIGEST else 2))


def _items(s: Session, dossiers: list[Dossier], today: date) -> list[tuple[Dossier, Item]]:
    if not dossiers:
        return []
    arrived = dossiers_repo.entered_state_at(s, [d.id for d in dossiers])
    cal = work_calendar(s, rules.vn_day(min(arrived.values())), today)
    out = []
    for d in dossiers:
        due = rules.due_date(d.process, d.status, arrived[d.id], cal, year=d.year)
        late = -rules.working_days_left(cal, today, due) if due is not None and today > due else 0
        out.append((d, Item(d.title, f"/ho-so/{d.id}", due, max(late, 1) if late else 0)))
    return out


def collect(s: Session, settings: Settings, now: datetime) -> list[Pending]:
    """Every reminder due at `now` (sent or not: the claims sort that out)."""
    today = rules.vn_day(now)
    digest_day = words.digest_day(now, settings.digest_hour)
    base = settings.public_url.rstrip("/")
    pending: list[Pending] = []
    users = list(s.scalars(select(User).where(User.is_active).order_by(User.id)))
    names = {u.id: u.full_name for u in users}
    for user in users:
        actor = delegations.with_delegated(s, users_repo.actor_of(user), today)
        waiting, _ = dossiers_repo.inbox(s, actor)
        items = _items(s, waiting, today)
        if digest_day is not None and user.digest_enabled and items:
            listed = [i for _, i in sorted(items, key=lambda p: -p[1].overdue_days)]
            pending.append(
                Pending(
                    user.id,
                    user.email,
                    ReminderKind.DIGEST,
                    "",
                    digest_day,
                    words.digest(user.full_name, digest_day, listed, base),
                    words.digest_notice(digest_day, listed),
                    items[0][0].id,
                    len(listed),
                )
            )
        for d, item in items:
            if item.overdue_days <= 0 or item.due is None:
                continue
            scope = dossiers_repo.scope_of(s, d, nominees=False)
            for holder_role, boss_role in words.SUPERIOR.items():
                if not actor.holds(holder_role, scope):
                    continue
                for boss in users_repo.users_holding(s, boss_role, scope):
                    if boss.id == user.id:
                        continue
                    holder = f"{_role_name(holder_role)} {user.full_name}"
                    pending.append(
                        Pending(
                            boss.id,
                            boss.email,
                            ReminderKind.ESCALATION,
                            f"dossier:{d.id}",
                            item.due,
                            words.escalation(names.get(boss.id, ""), holder, item, base),
                            words.escalation_notice(holder, item),
                            d.id,
                            1,
                        )
                    )
    return pending


def _role_name(role: Role) -> str:
    return {Role.UNIT_CLERK: "cán bộ TĐKT", Role.BOARD_SPECIALIST: "chuyên viên"}.get(role, "")


def _dedup(pending: list[Pending]) -> Iterator[Pending]:
    seen: set[tuple[int, str, str, date]] = set()
    for p in pending:
        key = (p.user_id, p.kind.value, p.subject, p.day)
        if key not in seen:
            seen.add(key)
            yield p


def deliver(rt: ReminderRuntime, p: Pending, now: datetime, outcome: Outcome) -> None:
    """Claim, send, mark sent: one reminder exactly once."""
    settings = rt.settings
    with rt.db.write() as s:
        rid = reminders_repo.claim(
            s, p.user_id, p.kind.value, p.subject, p.day, now, settings.reminder_lease_seconds
        )
    if rid is None:
        outcome.skipped += 1
        return
    emailed = False
    if mail.enabled(settings) and p.email:
        try:
            mail.send(settings, p.email, p.mail)
        except Exception as e:  # the claim stays unsent; retried after the lease
            outcome.failed += 1
            log.warning("reminder %s not emailed: %s", rid, type(e).__name__)
            return
        emailed = True
    with rt.db.write() as s:
        subject = Subject.dossier(p.dossier_id)
        s.add(
            Notification(
                user_id=p.user_id,
                **subject_columns(subject),
                transition_seq=_notice_seq(p.kind, p.day),
                message=p.notice[:500],
            )
        )
        reminders_repo.mark_sent(s, rid, now, emailed=emailed)
        audit.append(
            s,
            kind=AUDIT_KINDS[p.kind],
            subject=subject if p.kind is ReminderKind.ESCALATION else None,
            data={
                "reminder_id": rid,
                "reminder": p.kind.value,
                "user_id": p.user_id,
                "day": p.day.isoformat(),
                "items": p.items,
                "emailed": emailed,
            },
            event_key=f"reminder:{rid}",
        )
    outcome.sent[p.kind.value] += 1
    outcome.emailed += int(emailed)
    log.info("reminder %s sent (%s, emailed=%s)", rid, p.kind.value, emailed)


def run_reminders(rt: ReminderRuntime, now: datetime) -> dict[str, Any]:
    """Send every reminder due at `now` that was not sent yet; what was done."""
    with rt.db.read() as s:
        pending = collect(s, rt.settings, now)
    outcome = Outcome()
    for p in _dedup(pending):
        deliver(rt, p, now, outcome)
    return outcome.summary()
