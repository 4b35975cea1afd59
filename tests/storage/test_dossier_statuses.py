"""Dossiers moved to a status together (an issued decision closes its round's dossiers):
one UPDATE that counts as a change of each row, as one edit at a time would."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from storage.db import Database
from storage.models import Dossier, User
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from tdkt.seed import seed_demo


def _dossiers(db: Database, n: int) -> list[int]:
    with db.write() as s:
        seed_demo(s, password="mật-khẩu", key_passphrase="k" * 40, pin="864213")
        clerk = s.scalars(select(User).where(User.username == "bdt.canbo")).one()
        unit = org_repo.unit(s, clerk.grants[0].unit_id)
        made = [
            Dossier(
                process="commendation_proposal",
                award="bang_khen_ubnd_tinh",
                year=2026,
                title=f"Hồ sơ {i}",
                unit_id=unit.id,
                cluster_id=None,
                authority_id=unit.authority_id,
                status="approved",
                furthest_stage="done",
                created_by=clerk.id,
            )
            for i in range(n)
        ]
        s.add_all(made)
        s.flush()
        return [d.id for d in made]


def _rows(db: Database, ids: list[int]) -> dict[int, tuple[str, int]]:
    with db.read() as s:
        return {
            d.id: (d.status, d.version)
            for d in s.scalars(select(Dossier).where(Dossier.id.in_(ids)))
        }


def test_the_chosen_dossiers_change_status_and_version_the_others_stay(db: Database):
    ids = _dossiers(db, 4)
    before = _rows(db, ids)
    with db.write() as s:
        chosen = list(s.scalars(select(Dossier).where(Dossier.id.in_(ids[:3]))))
        dossiers_repo.set_statuses(s, chosen, "awarded")
        assert {d.status for d in chosen} == {"awarded"}  # the loaded rows follow
    after = _rows(db, ids)
    assert {i: after[i] for i in ids[:3]} == {i: ("awarded", before[i][1] + 1) for i in ids[:3]}
    assert after[ids[3]] == before[ids[3]]


def test_a_dossier_changed_since_it_was_read_refuses_them_all(db: Database):
    ids = _dossiers(db, 3)
    before = _rows(db, ids)
    with pytest.raises(StaleDataError), db.write() as s:
        chosen = list(s.scalars(select(Dossier).where(Dossier.id.in_(ids))))
        # The row changed after it was read (as another request's edit would change it).
        s.execute(
            update(Dossier)
            .where(Dossier.id == ids[1])
            .values(version=Dossier.version + 1)
            .execution_options(synchronize_session=False)
        )
        dossiers_repo.set_statuses(s, chosen, "awarded")
    assert _rows(db, ids) == before  # nothing written
