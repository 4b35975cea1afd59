"""Claims of reminders (storage/reminders.py) on SQLite and PostgreSQL: of many runs
claiming one reminder at once (two Database objects: two workers) exactly one gets it;
a sent one is never claimed again; an unsent claim is left alone within its lease and
taken over by exactly one run after it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from storage import reminders
from storage.db import Database
from storage.models import User

T0 = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
DAY = date(2026, 12, 4)
LEASE = 600.0


def _user(db: Database) -> int:
    with db.write() as s:
        u = User(username="nhac.viec", full_name="Người nhận", password_hash="x")
        s.add(u)
        s.flush()
        return u.id


def _claim_all(dbs: list[Database], user_id: int, now: datetime, n: int = 8) -> list[int | None]:
    def take(i: int) -> int | None:
        with dbs[i % len(dbs)].write() as s:
            return reminders.claim(s, user_id, "digest", "", DAY, now, LEASE)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(take, range(n)))


def test_one_claim_of_many_at_once_then_none_until_the_lease_ends(db: Database):
    other = Database(db.url)  # a second worker: its own engine and connections
    try:
        user_id = _user(db)
        got = _claim_all([db, other], user_id, T0)
        assert len([g for g in got if g is not None]) == 1
        # The sender died: within the lease nobody takes it over; after it, exactly one.
        assert _claim_all([db, other], user_id, T0 + timedelta(seconds=LEASE - 1)) == [None] * 8
        again = _claim_all([db, other], user_id, T0 + timedelta(seconds=LEASE + 1))
        taken = [g for g in again if g is not None]
        assert taken == [next(g for g in got if g is not None)]
        with db.write() as s:
            reminders.mark_sent(s, taken[0], T0 + timedelta(seconds=LEASE + 2), emailed=True)
        # Sent: never again, however late.
        assert _claim_all([db, other], user_id, T0 + timedelta(days=3)) == [None] * 8
        with db.read() as s:
            (row,) = reminders.sent(s, "digest")
        assert row.attempts == 2 and row.emailed
    finally:
        other.dispose()
