"""The inbox at year-end size: one page at a time, the longest-waiting first, with a total."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.db import Database
from storage.models import Dossier, User, utcnow
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo
from tdkt.seed import seed_demo


def _user(db: Database, username: str) -> User:
    with db.read() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        user.grants  # noqa: B018  # loaded while the session is open
        return user


def test_inbox_pages_oldest_first_and_counts_all_that_wait(db: Database):
    with db.write() as s:
        seed_demo(s, password="mật-khẩu", key_passphrase="k" * 40, pin="864213")
    clerk, head = _user(db, "bdt.canbo"), _user(db, "bdt.thutruong")
    now = utcnow()
    with db.write() as s:
        for i in range(7):
            s.add(
                Dossier(
                    process="commendation_proposal",
                    award="bang_khen_ubnd_tinh",
                    year=2026,
                    title=f'Hồ sơ chờ duyệt {i} <& "{{{{ }}}}">',
                    unit_id=clerk.grants[0].unit_id,
                    cluster_id=None,
                    authority_id=org_repo.unit(s, clerk.grants[0].unit_id).authority_id,
                    status="unit_review",
                    furthest_stage="unit",
                    created_by=clerk.id,
                    # i = 0 has waited longest
                    updated_at=now - timedelta(hours=10 - i),
                )
            )
    with db.read() as s:
        first, total = dossiers_repo.inbox(s, users_repo.actor_of(head), offset=0, limit=3)
        last, _ = dossiers_repo.inbox(s, users_repo.actor_of(head), offset=6, limit=3)
        everything, _ = dossiers_repo.inbox(s, users_repo.actor_of(head))
        mine, clerk_total = dossiers_repo.inbox(s, users_repo.actor_of(clerk))
    assert total == 7
    assert [d.title.split()[4] for d in first] == ["0", "1", "2"]
    assert [d.title.split()[4] for d in last] == ["6"]
    assert len(everything) == 7
    assert (mine, clerk_total) == ([], 0)  # the clerk acts on drafts, not on these
