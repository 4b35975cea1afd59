"""The registry's bulk writes and search on both databases: rows written straight to the
driver (dates and times as each dialect stores them) read back as the models read them,
people found by their identity number rather than created twice, a collective per unit
and name, duplicates found against what is written, and the search finding names typed
without diacritics (on PostgreSQL through migration 0021's trigram index)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from domain.awards import NomineeKind
from domain.registry import Occasion
from domain.registry_import import ImportRow, RegistryScope
from storage import registry as store
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Collective, Person, RegistryAward
from tests.fixtures.pg import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        upgrade(url)
        d = Database(url)
        yield d
        d.dispose()
        return
    with fresh_database() as url:
        upgrade(url)
        d = Database(url)
        yield d
        d.dispose()


def row(no: int, name: str, ident: str | None, kind: NomineeKind, award: str) -> ImportRow:
    return ImportRow(
        row_no=no,
        name=name,
        identity_no=ident,
        birth_date=date(1980, 2, 29) if ident else None,
        gender="nu" if ident else None,
        unit_id=1,
        holder_kind=kind,
        award=award,
        year=2024,
        decision_number="7/QĐ-UBND",
        decision_date=date(2025, 1, 15),
        issuer="UBND tỉnh Lạng Sơn",
        occasion=Occasion.YEARLY,
    )


def test_bulk_rows_read_back_and_are_found_without_diacritics(db: Database):
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO authorities (code, name, parent_name, board_name, province) "
                "VALUES ('UBND', 'UBND tỉnh', '', '', 'Lạng Sơn')"
            )
        )
        s.execute(
            text(
                "INSERT INTO units (authority_id, code, name, parent_name) "
                "VALUES (1, 'BDT', 'Ban Dân tộc tỉnh', '')"
            )
        )
    tricky = 'Đặng Thị <Hồng> & "Nhung" {{ x }}'
    rows = [
        row(1, tricky, "079190000001", NomineeKind.INDIVIDUAL, "lao_dong_tien_tien"),
        row(2, "Nguyễn Văn Ân", "079190000002", NomineeKind.INDIVIDUAL, "lao_dong_tien_tien"),
        row(3, "Ban Dân tộc tỉnh", None, NomineeKind.COLLECTIVE, "tap_the_lao_dong_tien_tien"),
    ]
    with db.write() as s:
        assert store.existing_keys(s, [r.key for r in rows]) == set()
        names = {1: "Ban Dân tộc tỉnh"}
        written = store.write_rows(s, rows, import_id=None, user_id=None, unit_names=names)
        assert written == 3
    # The same person with another award: found by the identity number, not created.
    again = row(4, "Nguyễn Văn Ân", "079190000002", NomineeKind.INDIVIDUAL, "giay_khen")
    with db.write() as s:
        assert store.existing_keys(s, [r.key for r in rows]) == {r.key for r in rows}
        store.write_rows(s, [again], import_id=None, user_id=None, unit_names={1: ""})
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 2
        team = s.scalars(select(Collective)).one()
        assert (team.kind, team.unit_id, team.name) == ("unit", 1, "Ban Dân tộc tỉnh")
        an = s.scalars(select(Person).where(Person.identity_no == "079190000002")).one()
        assert (an.birth_date, an.gender, an.search_name) == (
            date(1980, 2, 29),
            "nu",
            "nguyen van an",
        )
        awards = s.scalars(select(RegistryAward).where(RegistryAward.person_id == an.id)).all()
        assert sorted(a.award for a in awards) == ["giay_khen", "lao_dong_tien_tien"]
        assert awards[0].decision_date == date(2025, 1, 15) and awards[0].created_at is not None
        scope = RegistryScope(all_units=True)
        found, total = store.search(s, scope, store.SearchFilter(q="NGUYEN VAN AN"))
        assert total == 2 and {r.holder_name for r, _ in found} == {"Nguyễn Văn Ân"}
        [(hit, unit_name)] = store.search(s, scope, store.SearchFilter(q="hong nhung"))[0]
        assert hit.holder_name == tricky and unit_name == "Ban Dân tộc tỉnh"
        mine = RegistryScope(all_units=False, unit_ids=frozenset({2}))
        assert store.search(s, mine, store.SearchFilter(q="nguyen"))[1] == 0
