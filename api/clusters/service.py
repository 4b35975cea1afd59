"""The cluster's year as the API and the pages see it: which cluster, which year, its
members on the reference day, its head and deputy units, and what the caller is to it.

Every endpoint below `/api/v1/clusters/{id}/years/{year}` starts from `load_year`, which
answers 404 to whoever may not see the year (a unit of another cluster: the year's
documents and members are not theirs to know about)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from api.clusters.schemas import ClusterYearOut, MemberOut
from domain import clusters as rules
from domain.errors import Forbidden, NotFound
from domain.roles import Actor
from storage import clusters as store
from storage.models import Cluster, ClusterTerm, ClusterYear, Unit


@dataclass
class YearContext:
    cluster: Cluster
    year: int
    row: ClusterYear | None
    """None until something of the year is recorded (`ensure` creates it)."""
    day: date
    """The reference day: the membership the year shows (domain/clusters.reference_day)."""
    members: list[Unit]
    term: ClusterTerm | None
    access: rules.YearAccess

    @property
    def head_unit_id(self) -> int | None:
        return self.term.head_unit_id if self.term else None

    @property
    def deputy_unit_id(self) -> int | None:
        return self.term.deputy_unit_id if self.term else None

    def ensure(self, s: Session) -> ClusterYear:
        if self.row is None:
            self.row = store.ensure_year(s, self.cluster.id, self.year)
        return self.row

    def require_runs(self) -> None:
        if not self.access.runs:
            raise Forbidden(
                "Chỉ đơn vị Trưởng cụm, Phó trưởng cụm của năm này được làm việc này.",
                code="cluster_lead_only",
            )

    def require_member(self, unit_id: int) -> None:
        if unit_id not in self.access.member_units:
            raise Forbidden(
                "Chỉ đơn vị thành viên của cụm được làm việc này cho đơn vị mình.",
                code="cluster_member_only",
            )


def load_year(
    s: Session, actor: Actor, cluster_id: int, year: int, *, today: date | None = None
) -> YearContext:
    """The cluster's year for `actor`, or 404 where they may not see it."""
    cluster = s.get(Cluster, cluster_id)
    if not 2000 <= year <= 2100:
        raise NotFound("Không có năm thi đua này.", code="cluster_year_not_found")
    if cluster is None:
        raise NotFound("Không có cụm thi đua này.", code="cluster_not_found")
    day = rules.reference_day(year, today or date.today())
    members = store.members_on(s, cluster.id, day)
    term = store.term(s, cluster.id, year)
    leaders = {u for u in (term.head_unit_id, term.deputy_unit_id) if u} if term else set()
    access = rules.access(
        actor,
        authority_id=cluster.authority_id,
        member_unit_ids=[u.id for u in members],
        leader_unit_ids=leaders,
        cluster_term_id=term.id if term else None,
    )
    if not access.sees:
        raise NotFound("Không có cụm thi đua này.", code="cluster_not_found")
    return YearContext(
        cluster=cluster,
        year=year,
        row=store.year_of(s, cluster.id, year),
        day=day,
        members=members,
        term=term,
        access=access,
    )


def year_out(ctx: YearContext) -> ClusterYearOut:
    return ClusterYearOut(
        cluster_id=ctx.cluster.id,
        cluster_code=ctx.cluster.code,
        cluster_name=ctx.cluster.name,
        year=ctx.year,
        reference_day=ctx.day,
        head_unit_id=ctx.head_unit_id,
        deputy_unit_id=ctx.deputy_unit_id,
        members=[
            MemberOut(
                unit_id=u.id,
                code=u.code,
                name=u.name,
                post=(
                    "head"
                    if u.id == ctx.head_unit_id
                    else "deputy"
                    if u.id == ctx.deputy_unit_id
                    else None
                ),
            )
            for u in ctx.members
        ],
        runs=ctx.access.runs,
        member_units=sorted(ctx.access.member_units),
        board=ctx.access.board,
    )
