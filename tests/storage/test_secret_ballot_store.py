"""The secret ballots' storage on each database the product runs on: ballots come back in
key order, the close rewrites both tables in key order (the marks by question and member,
the ballots by their random key), and the digest read back is the one of what was
written; a changed row changes it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from domain import cluster_vote as rules
from storage import cluster_vote as store
from storage.db import Database
from storage.models import (
    Authority,
    Meeting,
    MeetingBallotMark,
    MeetingMember,
    MeetingQuestion,
    SecretBallot,
    User,
)


def test_ballots_and_marks_rewritten_in_key_order(db: Database) -> None:
    with db.write() as s:
        a = Authority(
            code="SNV", name="Sở Nội vụ", parent_name="UBND tỉnh", board_name="Phòng", province="LS"
        )
        s.add(a)
        s.flush()
        users = [User(username=f"u{i}", full_name=f"U {i}", password_hash="x") for i in range(8)]
        s.add_all(users)
        s.flush()
        m = Meeting(
            authority_id=a.id,
            about_kind="cluster_year",
            about_id=1,
            title="Bình xét",
            held_on=date(2026, 12, 20),
            process=rules.PROCESS,
            status="voting",
            rules=[],
            created_by=users[0].id,
        )
        for i, u in enumerate(users, 1):
            m.members.append(MeetingMember(user_id=u.id, role="thanh_vien", position_no=i))
        m.questions.append(
            MeetingQuestion(key=5, name="q", text="q", award="bang_khen", position_no=1)
        )
        s.add(m)
        s.flush()
        q = m.questions[0].id
        written = []
        # Members vote in reverse order of their ids, each with a fresh receipt.
        for x in reversed(m.members):
            receipt = rules.receipt_hash(rules.new_receipt())
            key = rules.ballot_key()
            s.add(MeetingBallotMark(question_id=q, member_id=x.id, meeting_id=m.id))
            s.add(
                SecretBallot(
                    id=key, meeting_id=m.id, question_id=q, choice="dong_y", receipt_hash=receipt
                )
            )
            s.flush()
            written.append(rules.StoredBallot(q, "dong_y", receipt))
        mid = m.id
        store.rewrite_in_key_order(s, mid)
    with db.read() as s:
        got = store.ballots(s, mid)
        assert rules.digest(got) == rules.digest(written)
        keys = [r[0] for r in s.execute(text("SELECT id FROM meeting_secret_ballots"))]
        assert keys == sorted(keys) and len(keys) == 8
        marks = [
            tuple(r)
            for r in s.execute(text("SELECT question_id, member_id FROM meeting_ballot_marks"))
        ]
        assert marks == sorted(marks) and len(marks) == 8
        assert store.voters(s, mid) == 8
    with db.write() as s:
        s.execute(
            text("UPDATE meeting_secret_ballots SET choice = 'khong_dong_y' WHERE id = :k"),
            {"k": keys[0]},
        )
    with db.read() as s:
        assert rules.digest(store.ballots(s, mid)) != rules.digest(written)
