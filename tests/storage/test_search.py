"""Searching dossiers as people type Vietnamese: any case, with or without marks, in NFC or
NFD, words in any order, on SQLite and PostgreSQL alike; the folded column follows every
write of a title or a nominee, and migration 0011 fills it for dossiers made before it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from api.dossiers import service
from api.dossiers.schemas import DossierCreate, DossierPatch, NomineeIn
from domain.awards import NomineeKind
from domain.search import fold, query_words
from storage.db import Database
from storage.migrate import alembic_config
from storage.models import Dossier, Nominee, User
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo
from tdkt.seed import seed_demo
from tests.fixtures.pg import fresh_database

PERSON = "Hoàng Thị Ngọc Ánh"
SPELLINGS = (
    "hoàng thị ngọc ánh",  # lower case
    "HOÀNG",  # upper case
    "ánh",  # a part
    "ngoc anh",  # without marks
    "anh hoang",  # words in another order
    unicodedata.normalize("NFD", "Ngọc Ánh"),  # typed with combining marks
    "Hoàng Thị Ngọc Ánh",  # as written
)


def test_folding_vietnamese():
    assert fold("Đoàn Văn ĐẠT") == "doan van dat"
    assert fold(unicodedata.normalize("NFD", "Nguyễn Thị Hoà")) == "nguyen thi hoa"
    assert fold("hòa") == fold("hoà") == fold("HOÀ") == "hoa"
    assert fold("  Phòng   Chính\tsách ") == "phong chinh sach"
    assert fold('<Dân tộc> & "Đoàn kết" {{ x }}') == '<dan toc> & "doan ket" {{ x }}'
    assert query_words("Ánh  ánh ANH hoàng") == ["anh", "hoang"]
    assert query_words("   ") == []
    assert query_words("ánh\x00hoàng\x07") == ["anh", "hoang"]  # PostgreSQL refuses NUL


def _user(db: Database, username: str) -> User:
    with db.read() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        user.grants  # noqa: B018  # loaded while the session is open
        return user


def _found(db: Database, user: User, q: str) -> list[int]:
    with db.read() as s:
        rows, total = dossiers_repo.list_dossiers(
            s, users_repo.actor_of(user), dossiers_repo.DossierFilter(q=q), offset=0, limit=50
        )
    assert total == len(rows)
    return [d.id for d in rows]


def _waiting(db: Database, user: User, q: str) -> list[int]:
    with db.read() as s:
        rows, total = dossiers_repo.inbox(s, users_repo.actor_of(user), q=q)
    assert total == len(rows)
    return [d.id for d in rows]


@pytest.fixture
def seeded(db: Database) -> Database:
    with db.write() as s:
        seed_demo(s, password="mật-khẩu", key_passphrase="k" * 40, pin="864213")
    return db


def test_every_spelling_finds_the_nominee_in_the_list_and_the_inbox(seeded: Database):
    db = seeded
    clerk, auditor = _user(db, "bdt.canbo"), _user(db, "thanhtra")
    with db.write() as s:
        d = service.create(
            s,
            clerk,
            users_repo.actor_of(clerk),
            DossierCreate(
                year=2026,
                title="Đề nghị khen thưởng Phòng Chính sách",
                nominees=[
                    NomineeIn(kind=NomineeKind.INDIVIDUAL, name=PERSON),
                    NomineeIn(kind=NomineeKind.COLLECTIVE, name="Phòng Tổng hợp"),
                ],
            ),
        )
        other = service.create(
            s,
            clerk,
            users_repo.actor_of(clerk),
            DossierCreate(year=2026, title="Hồ sơ khác 100% _x_"),
        )
        found_id, other_id = d.id, other.id
    for q in SPELLINGS:
        assert _found(db, clerk, q) == [found_id], q
        assert _found(db, auditor, q) == [found_id], q  # the auditor's search
        assert _waiting(db, clerk, q) == [found_id], q  # a draft waits for its clerk
    assert _found(db, clerk, "chinh sach tong hop") == [found_id]  # title and a nominee
    assert _found(db, clerk, "ngoc binh") == []
    assert _found(db, clerk, "khong co") == []
    # LIKE's wildcards are letters like any other.
    assert _found(db, clerk, "100%") == [other_id]
    assert _found(db, clerk, "_x_") == [other_id]
    assert _found(db, clerk, "%") == [other_id]
    assert _found(db, clerk, "ngoc\x00anh") == [found_id]
    assert _waiting(db, clerk, "ánh tổng") == [found_id]
    assert sorted(_found(db, clerk, "   ")) == sorted([found_id, other_id])


def test_the_folded_text_follows_every_write(seeded: Database):
    db = seeded
    clerk = _user(db, "bdt.canbo")
    actor = users_repo.actor_of(clerk)
    with db.write() as s:
        d = service.create(s, clerk, actor, DossierCreate(year=2026, title="Hồ sơ một"))
        dossier_id, version = d.id, d.version
    assert _found(db, clerk, "ánh") == []

    # The editor's path: nominees replaced (cleared, flushed, added), one version step.
    with db.write() as s:
        d = service.update(
            s,
            clerk,
            actor,
            dossier_id,
            DossierPatch(
                version=version, nominees=[NomineeIn(kind=NomineeKind.INDIVIDUAL, name=PERSON)]
            ),
        )
        assert d.version == version + 1
        version = d.version
    assert _found(db, clerk, "ngoc anh") == [dossier_id]

    with db.write() as s:
        service.update(s, clerk, actor, dossier_id, DossierPatch(version=version, title="Đợt 2"))
    assert _found(db, clerk, "dot 2 anh") == [dossier_id]
    assert _found(db, clerk, "hồ sơ một") == []

    # Any other code that writes a nominee keeps it too: a name changed in place, a
    # nominee added by its dossier's id alone, one removed.
    with db.write() as s:
        n = s.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id)).one()
        n.name = "Lục Văn Đông"
    assert _found(db, clerk, "luc van dong") == [dossier_id]
    assert _found(db, clerk, "anh") == []
    with db.write() as s:
        s.add(Nominee(dossier_id=dossier_id, position_no=2, kind="individual", name="Bế Thị Lan"))
    assert _found(db, clerk, "be thi lan dong") == [dossier_id]
    with db.write() as s:
        s.delete(s.scalars(select(Nominee).where(Nominee.name == "Lục Văn Đông")).one())
    assert _found(db, clerk, "dong") == []
    assert _found(db, clerk, "lan") == [dossier_id]
    with db.read() as s:
        d = dossiers_repo.dossier(s, dossier_id)
        assert d is not None and d.search_text == "dot 2\nbe thi lan"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind with no schema yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before-0011.sqlite3'}"
    else:
        with fresh_database() as url:
            yield url


def test_migration_0011_fills_the_folded_text_of_existing_dossiers(empty_url: str):
    url = empty_url
    before = ScriptDirectory.from_config(alembic_config(url)).get_revision("0011").down_revision
    assert isinstance(before, str)
    # The demo seeded by today's models, then the schema taken back to before 0011 (the
    # seed writes what later migrations added, so it cannot run on the old schema).
    command.upgrade(alembic_config(url), "head")
    db = Database(url)
    try:
        with db.write() as s:
            seed_demo(s, password="mật-khẩu", key_passphrase="k" * 40, pin="864213")
            clerk = s.scalars(select(User).where(User.username == "bdt.canbo")).one()
            unit = org_repo.unit(s, clerk.grants[0].unit_id)
            clerk_id, unit_id = clerk.id, unit.id
            cluster_id, authority_id = unit.cluster_id, unit.authority_id
        db.engine.dispose()
        command.downgrade(alembic_config(url), before)
        # Rows as they were before 0011, written without the models' help.
        with db.engine.begin() as conn:
            for i in range(3):
                dossier_id = conn.execute(
                    text(
                        "INSERT INTO dossiers (process, award, year, title, unit_id, "
                        "cluster_id, authority_id, status, furthest_stage, version, "
                        "transition_seq, created_by, created_at, updated_at) VALUES "
                        "('commendation_proposal', 'bang_khen_ubnd_tinh', 2026, :t, "
                        ":u, :c, :a, 'draft', 'unit', 1, 0, :by, :now, :now) "
                        "RETURNING id"
                    ),
                    {
                        "t": f"Hồ sơ cũ số {i}",
                        "u": unit_id,
                        "c": cluster_id,
                        "a": authority_id,
                        "by": clerk_id,
                        "now": "2026-01-01 00:00:00+00:00",
                    },
                ).scalar_one()
                conn.execute(
                    text(
                        "INSERT INTO nominees (dossier_id, position_no, kind, name, "
                        "job_title, unit_name, achievements) VALUES "
                        "(:d, 1, 'individual', :n, '', '', '')"
                    ),
                    {"d": dossier_id, "n": f"{PERSON} {i}"},
                )
        command.upgrade(alembic_config(url), "head")
        with db.read() as s:
            texts = sorted(s.scalars(select(Dossier.search_text)))
        assert texts == [f"ho so cu so {i}\nhoang thi ngoc anh {i}" for i in range(3)]
        assert len(_found(db, _user(db, "bdt.canbo"), "NGỌC ánh")) == 3
    finally:
        db.dispose()
