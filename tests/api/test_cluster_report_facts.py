"""What the cluster's Báo cáo sơ kết reads from the year (api/clusters/review_facts.py
report_facts), on each database the product runs on: the members and their posts, the
plan's goals and criteria, the registry's awards of member units decided in the period
(not later, not revoked, not of another cluster), and "(chưa có dữ liệu)" where the
registrations and scores part has nothing yet."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from api.clusters.review_facts import report_facts
from api.clusters.service import load_year
from domain.cluster_reviews import Period
from storage import clusters as clusters_store
from storage.db import Database
from storage.models import (
    Cluster,
    ClusterCriterion,
    ClusterPlan,
    Person,
    RegistryAward,
    Unit,
    User,
    utcnow,
)
from storage.repositories import users as users_repo
from tdkt.seed import seed_demo


def award(person: Person, unit_id: int, on: date, number: str, **kw: object) -> RegistryAward:
    return RegistryAward(
        person_id=person.id,
        award="bang_khen_ubnd_tinh",
        year=on.year,
        decision_number=number,
        decision_date=on,
        issuer="Chủ tịch UBND tỉnh Lạng Sơn",
        source="import",
        holder_name=person.full_name,
        unit_id=unit_id,
        **kw,
    )


def test_report_facts_of_the_midyear_review(db: Database) -> None:
    with db.write() as s:
        seed_demo(s, password="mật-khẩu", key_passphrase="k" * 40, pin="864213")
    with db.write() as s:
        cluster = s.scalars(select(Cluster).where(Cluster.code == "CUM1-QLCN")).one()
        units = {u.code: u for u in s.scalars(select(Unit))}
        year = clusters_store.ensure_year(s, cluster.id, 2026)
        plan = ClusterPlan(cluster_year_id=year.id, goals="Hoàn thành 100% chỉ tiêu & <mục tiêu>")
        plan.criteria = [
            ClusterCriterion(
                position_no=1,
                group_name="Thực hiện nhiệm vụ chuyên môn",
                code="1.1",
                title="Tỷ lệ hồ sơ giải quyết đúng hạn",
                max_points=Decimal("20.50"),
                mandatory=True,
            )
        ]
        s.add(plan)
        mine = Person(full_name="Hoàng Văn Nam", unit_id=units["BDT"].id)
        other = Person(full_name="Lương Thị Hạnh", unit_id=units["VNPTLS"].id)
        s.add_all([mine, other])
        s.flush()
        s.add_all(
            [
                award(mine, units["BDT"].id, date(2026, 3, 5), "12/QĐ-UBND"),
                award(mine, units["BDT"].id, date(2026, 9, 1), "88/QĐ-UBND"),
                award(mine, units["BDT"].id, date(2026, 4, 1), "20/QĐ-UBND", revoked_at=utcnow()),
                award(other, units["VNPTLS"].id, date(2026, 3, 5), "13/QĐ-UBND"),
            ]
        )
    with db.read() as s:
        board = s.scalars(select(User).where(User.username == "ptdkt.chuyenvien")).one()
        ctx = load_year(s, users_repo.actor_of(board), cluster.id, 2026, today=date(2026, 7, 1))
        facts = report_facts(s, ctx, Period.MIDYEAR)
        yearend = report_facts(s, ctx, Period.YEAREND)
    assert [m["post"] for m in facts["members"] if m["name"].startswith("Ban Quản lý Khu")] == [
        "Trưởng cụm"
    ]
    assert facts["cluster_name"] == "Cụm thi đua I – Các cơ quan Quản lý chuyên ngành"
    assert facts["goals"] == "Hoàn thành 100% chỉ tiêu & <mục tiêu>"
    assert facts["criteria"] == [
        {
            "code": "1.1",
            "group": "Thực hiện nhiệm vụ chuyên môn",
            "title": "Tỷ lệ hồ sơ giải quyết đúng hạn",
            "max_points": "20,5",
            "mandatory": True,
        }
    ]
    assert [a["decision"] for a in facts["awards"]] == [
        " (Quyết định số 12/QĐ-UBND ngày 05/03/2026)"
    ]
    assert facts["awards"][0]["unit_name"] == "Ban Dân tộc tỉnh"
    assert len(yearend["awards"]) == 2
    assert facts["registrations"] == [] and facts["scores"] == []
    assert facts["no_data"] == "(chưa có dữ liệu)"
