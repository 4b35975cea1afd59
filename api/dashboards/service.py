"""The dashboards' use cases: the overview (dossiers by status and step, awards by kind and
year, collectives and individuals, women's and ethnic minorities' shares, units with no
proposal) and the waiting times of each step (median and 90th percentile, in working and
calendar days, late and overdue counts) by step, unit, cluster and award — each as
tables (api/dashboards/tables.py) over the units the reader's scope covers
(domain/stats.py). An XLSX export is recorded in the audit chain before it is handed out,
like a download."""

from __future__ import annotations

import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from api.dashboards.tables import Cell, ChartSpec, Dashboard, Table
from documents.vn import today_vn
from domain import deadlines as rules
from domain import stats
from domain.awards import AWARDS
from domain.calendar import WorkCalendar
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.process import (
    PROCESSES,
    STAGE_LABELS,
    STAGE_ORDER,
    STATUS_LABELS,
    STATUS_STAGE,
    Action,
    Status,
)
from domain.registry import award_name
from domain.roles import Actor, Role
from storage import audit
from storage import stats as store
from storage.calendar import work_calendar
from storage.db import Database
from storage.models import Unit
from storage.repositories import users as users_repo

OVERVIEW = "overview"
WAITING = "waiting-times"
TITLES = {OVERVIEW: "Thống kê thi đua, khen thưởng", WAITING: "Thời gian xử lý hồ sơ"}
YEARS_SHOWN = 5
"""Awards by year: the year asked for and the four before it."""


def _status_label(code: str, _subject: object = None) -> str:
    try:
        return STATUS_LABELS[Status(code)]
    except ValueError:
        return code


def _award_label(code: str) -> str:
    a = AWARDS.get(code)
    return a.name if a else award_name(code)


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


class Context:
    """What every table of one request is computed over."""

    def __init__(self, s: Session, actor: Actor, year: int, min_group: int) -> None:
        self.s, self.year, self.min_group = s, year, min_group
        self.scope = stats.dashboard_scope(actor, store.led_cluster_ids(s, actor, year))
        self.units: Sequence[Unit] = store.scope_units(s, self.scope)
        self.unit_ids = [u.id for u in self.units]
        self.unit_name = {u.id: u.name for u in self.units}
        self.clusters = store.cluster_names(
            s, {u.cluster_id for u in self.units if u.cluster_id is not None}
        )
        # Only a unit sees its own drafts; the cluster and the board count what was sent.
        self.drafts = self.scope.level is stats.Level.UNIT

    @property
    def label(self) -> str:
        level = stats.LEVEL_LABELS[self.scope.level]
        if self.scope.level is stats.Level.CLUSTER:
            return f"{level}: " + "; ".join(
                sorted(self.clusters[c] for c in self.scope.cluster_ids if c in self.clusters)
            )
        if self.scope.level is stats.Level.UNIT:
            return f"{level}: " + "; ".join(self.unit_name[u] for u in self.unit_ids)
        return level

    def dashboard(self, key: str, tables: list[Table]) -> Dashboard:
        return Dashboard(
            key=key,
            title=TITLES[key],
            year=self.year,
            scope_level=self.scope.level.value,
            scope_label=self.label,
            generated_on=today_vn(),
            min_group=self.min_group,
            tables=tables,
        )


# ------------------------------------------------------------------ overview


def overview(s: Session, actor: Actor, year: int, min_group: int) -> Dashboard:
    ctx = Context(s, actor, year, min_group)
    dossiers = store.dossiers(s, ctx.unit_ids, year, drafts=ctx.drafts)
    awards = store.registry_awards(s, ctx.unit_ids, None)
    shown_years = range(year - YEARS_SHOWN + 1, year + 1)
    awards = [a for a in awards if a.year in shown_years]
    return ctx.dashboard(
        OVERVIEW,
        [
            _by_status(dossiers),
            _by_stage(dossiers),
            _awards_by_kind(awards, year),
            _collective_individual(awards, shown_years),
            _nominee_shares(ctx, s, dossiers),
            _award_shares(ctx, [a for a in awards if a.year == year]),
            _units_without_proposal(ctx, s),
        ],
    )


def _by_status(dossiers: Sequence[store.DossierRow]) -> Table:
    counts = Counter(d.status for d in dossiers)
    order = [str(st) for st in Status]
    rows: list[list[Cell]] = [[_status_label(st), counts[st]] for st in order if counts[st]]
    rows.append(["Tổng", sum(counts.values())])
    return Table(
        key="by_status",
        title="Hồ sơ theo trạng thái",
        columns=["Trạng thái", "Số hồ sơ"],
        rows=rows,
        chart=ChartSpec(values=[1], unit="hồ sơ"),
    )


def _by_stage(dossiers: Sequence[store.DossierRow]) -> Table:
    counts: Counter[str] = Counter()
    for d in dossiers:
        try:
            counts[STATUS_STAGE[Status(d.status)].value] += 1
        except ValueError:
            continue
    rows: list[list[Cell]] = [[STAGE_LABELS[st], counts[st.value]] for st in STAGE_ORDER]
    return Table(
        key="by_stage",
        title="Hồ sơ theo bước (nơi hồ sơ đang ở)",
        columns=["Bước", "Số hồ sơ"],
        rows=rows,
        chart=ChartSpec(values=[1], unit="hồ sơ"),
    )


def _awards_by_kind(awards: Sequence[store.AwardRow], year: int) -> Table:
    years = sorted({a.year for a in awards} | {year})
    counts = Counter((a.award, a.year) for a in awards)
    kinds = sorted({a.award for a in awards}, key=_award_label)
    rows: list[list[Cell]] = [
        [_award_label(k), *(counts[k, y] for y in years), sum(counts[k, y] for y in years)]
        for k in kinds
    ]
    return Table(
        key="awards_by_kind",
        title="Khen thưởng theo hình thức và năm",
        columns=["Hình thức khen thưởng", *(f"Năm {y}" for y in years), "Cộng"],
        rows=rows,
        note="Theo sổ khen thưởng (quyết định khen thưởng và dữ liệu đã nhập), "
        "không tính khen thưởng đã bị thu hồi.",
        chart=ChartSpec(values=[len(years) + 1], unit="lượt khen thưởng"),
    )


def _collective_individual(awards: Sequence[store.AwardRow], years: Iterable[int]) -> Table:
    rows: list[list[Cell]] = []
    for y in years:
        of_year = [a for a in awards if a.year == y]
        coll = sum(1 for a in of_year if not a.individual)
        ind = len(of_year) - coll
        rows.append([str(y), coll, ind, coll + ind])
    return Table(
        key="collective_individual",
        title="Khen thưởng tập thể và cá nhân",
        columns=["Năm", "Tập thể", "Cá nhân", "Cộng"],
        rows=rows,
        chart=ChartSpec(values=[1, 2], horizontal=False, unit="lượt khen thưởng"),
    )


def _share_rows(
    ctx: Context, people_by_unit: dict[int, list[tuple[str | None, str | None]]]
) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    everyone: list[tuple[str | None, str | None]] = []
    for uid in ctx.unit_ids:
        people = people_by_unit.get(uid, [])
        everyone += people
        if not people:
            continue
        rows.append([ctx.unit_name[uid], *_share_cells(stats.people_share(people, ctx.min_group))])
    rows.append(["Tổng", *_share_cells(stats.people_share(everyone, ctx.min_group))])
    return rows


def _share_cells(p: stats.PeopleShare) -> list[Cell]:
    def n(v: int | None) -> Cell:
        return stats.HIDDEN if v is None else v

    return [p.total, n(p.women), p.share(p.women), n(p.minorities), p.share(p.minorities)]


SHARE_COLUMNS = ["Số cá nhân", "Nữ", "Tỷ lệ nữ", "Dân tộc thiểu số", "Tỷ lệ DTTS"]


def _share_note(min_group: int) -> str:
    return (
        f"Đơn vị có dưới {min_group} cá nhân: số nữ và số người dân tộc thiểu số hiển thị «—» "
        "để không lộ thông tin cá nhân (cấu hình TDKT_STATS_MIN_GROUP). NĐ 152/2025/NĐ-CP: "
        "ưu tiên nữ khi có thành tích như nhau."
    )


def _nominee_shares(ctx: Context, s: Session, dossiers: Sequence[store.DossierRow]) -> Table:
    unit_of = {d.id: d.unit_id for d in dossiers}
    by_unit: dict[int, list[tuple[str | None, str | None]]] = defaultdict(list)
    for dossier_id, gender, ethnicity in store.individual_nominees(s, list(unit_of)):
        by_unit[unit_of[dossier_id]].append((gender, ethnicity))
    return Table(
        key="nominee_shares",
        title=f"Cá nhân được đề nghị năm {ctx.year}: nữ, dân tộc thiểu số",
        columns=["Đơn vị", *SHARE_COLUMNS],
        rows=_share_rows(ctx, by_unit),
        note=_share_note(ctx.min_group),
        chart=ChartSpec(values=[1], unit="cá nhân"),
    )


def _award_shares(ctx: Context, awards: Sequence[store.AwardRow]) -> Table:
    by_unit: dict[int, list[tuple[str | None, str | None]]] = defaultdict(list)
    for a in awards:
        if a.individual and a.unit_id is not None:
            by_unit[a.unit_id].append((a.gender, a.ethnicity))
    return Table(
        key="award_shares",
        title=f"Cá nhân được khen thưởng năm {ctx.year}: nữ, dân tộc thiểu số",
        columns=["Đơn vị", *SHARE_COLUMNS],
        rows=_share_rows(ctx, by_unit),
        note=_share_note(ctx.min_group),
        chart=ChartSpec(values=[1], unit="cá nhân"),
    )


def _units_without_proposal(ctx: Context, s: Session) -> Table:
    sent = {d.unit_id for d in store.dossiers(s, ctx.unit_ids, ctx.year, drafts=False)}
    rows: list[list[Cell]] = [
        [u.name, ctx.clusters.get(u.cluster_id or 0, "")] for u in ctx.units if u.id not in sent
    ]
    return Table(
        key="units_without_proposal",
        title=f"Đơn vị chưa có hồ sơ đề nghị năm {ctx.year}",
        columns=["Đơn vị", "Cụm thi đua"],
        rows=rows,
        note=f"{len(rows)}/{len(ctx.units)} đơn vị chưa gửi hồ sơ nào lên Cụm hoặc Phòng TĐKT "
        "(hồ sơ còn dự thảo ở đơn vị không tính).",
    )


# ------------------------------------------------------------------ waiting times

WAIT_COLUMNS = [
    "Lượt đã xử lý",
    "Trung vị (ngày làm việc)",
    "P90 (ngày làm việc)",
    "Trung vị (ngày lịch)",
    "P90 (ngày lịch)",
    "Xử lý quá hạn",
    "Đang chờ",
    "Đang quá hạn",
]
WAIT_NOTE = (
    "Thời gian ở một bước: từ khi hồ sơ đến bước (bước trước chuyển sang) đến khi bước được "
    "xử lý; ngày làm việc theo lịch làm việc (nghỉ lễ, ngày làm bù). Trung vị; P90: phân vị "
    "90 (hạng gần nhất). Quá hạn theo thời hạn của bước (trang hồ sơ ghi căn cứ; số chưa xác "
    "nhận là cấu hình)."
)


def waiting_times(
    s: Session, actor: Actor, year: int, min_group: int, *, today: date | None = None
) -> Dashboard:
    ctx = Context(s, actor, year, min_group)
    today = today or today_vn()
    dossiers = store.dossiers(s, ctx.unit_ids, year, drafts=ctx.drafts)
    steps = store.transitions(s, [d.id for d in dossiers])
    first = min((rules.vn_day(d.created_at) for d in dossiers), default=today)
    cal = work_calendar(s, min(first, today), today)
    waits: list[tuple[store.DossierRow, stats.StepWait]] = []
    for d in dossiers:
        arrived = d.created_at
        for t in steps[d.id]:
            waits.append((d, _wait(d, t.from_status, arrived, t, cal)))
            arrived = t.created_at
        if d.status not in TERMINAL:
            waits.append((d, _wait(d, d.status, arrived, None, cal)))

    def grouped(key: str, title: str, head: str, group: Callable[[store.DossierRow], str]) -> Table:
        return _wait_table(key, title, head, cal, today, waits, group, _status_label)

    tables = [
        grouped("by_step", "Thời gian ở từng bước", "", lambda d: ""),
        grouped("by_unit", "Theo đơn vị", "Đơn vị", lambda d: ctx.unit_name[d.unit_id]),
        grouped(
            "by_cluster",
            "Theo Cụm thi đua",
            "Cụm thi đua",
            lambda d: ctx.clusters.get(d.cluster_id or 0, "(không thuộc Cụm)"),
        ),
        grouped(
            "by_award",
            "Theo hình thức khen thưởng",
            "Khen thưởng",
            lambda d: _award_label(d.award),
        ),
    ]
    if ctx.scope.level is not stats.Level.UNIT:
        tables.append(_other_processes(ctx, s, cal, today))
    return ctx.dashboard(WAITING, tables)


def _other_processes(ctx: Context, s: Session, cal: WorkCalendar, today: date) -> Table:
    """The waits of the year's other processes in the scope: the board's rounds, council
    meetings and decisions (the province), the clusters' years, proposals and votes."""
    scope = ctx.scope
    authorities: frozenset[int] | None
    if scope.all_units:
        authorities = None
    elif scope.level is stats.Level.PROVINCE:
        authorities = scope.authority_ids
    else:
        authorities = frozenset()
    subjects = store.other_subjects(
        s,
        ctx.year,
        authority_ids=authorities,
        cluster_ids=frozenset(ctx.clusters) | scope.cluster_ids,
    )
    steps = store.subject_transitions(s, subjects)
    waits: list[tuple[store.SubjectRow, stats.StepWait]] = []
    for x in subjects:
        arrived = x.created_at
        for t in steps[x.kind, x.id]:
            waits.append(
                (
                    x,
                    stats.StepWait(
                        t.from_status, rules.vn_day(arrived), rules.vn_day(t.created_at)
                    ),
                )
            )
            arrived = t.created_at
        if x.status is not None and _is_waiting(x.process, x.status):
            waits.append((x, stats.StepWait(x.status, rules.vn_day(arrived), None)))

    def label(state: str, x: store.SubjectRow) -> str:
        p = PROCESSES.get(x.process)
        return p.state_labels.get(state, state) if p else state

    return _wait_table(
        "by_process",
        "Các quy trình khác: đợt xét, họp, quyết định, Cụm",
        "Quy trình",
        cal,
        today,
        waits,
        lambda x: PROCESSES[x.process].name if x.process in PROCESSES else x.process,
        label,
        note="Các bước này chưa có thời hạn trong quy định của hệ thống: chỉ đo thời gian.",
    )


def _is_waiting(process: str, state: str) -> bool:
    """Whether a subject in `state` still waits for someone: a state some transition of
    its process leaves."""
    p = PROCESSES.get(process)
    return p is not None and any(str(t.source) == state for t in p.transitions)


TERMINAL = frozenset({Status.APPROVED.value, Status.REJECTED.value, Status.AWARDED.value})


@functools.lru_cache(maxsize=4096)
def _due(
    process: str, state: str, day: date, cal: WorkCalendar, year: int, action: Action | None
) -> date | None:
    """domain/deadlines.py's last day, remembered by arrival day: many steps arrive on
    the same day."""
    arrived = datetime(day.year, day.month, day.day, 12, tzinfo=rules.VN)
    return rules.due_date(process, state, arrived, cal, year=year, action=action)


def _wait(
    d: store.DossierRow,
    state: str,
    arrived: datetime,
    t: store.StepRow | None,
    cal: WorkCalendar,
) -> stats.StepWait:
    action = None
    if t is not None and t.action in {a.value for a in Action}:
        action = Action(t.action)
    due = _due(d.process, state, rules.vn_day(arrived), cal, d.year, action)
    return stats.StepWait(
        state=state,
        arrived=rules.vn_day(arrived),
        left=rules.vn_day(t.created_at) if t is not None else None,
        due=due,
    )


STATE_ORDER = {str(st): i for i, st in enumerate(Status)}


@functools.lru_cache(maxsize=8)
def _counter(cal: WorkCalendar) -> Callable[[date, date], int]:
    """Working days between two days on `cal`, remembered: a dashboard counts the same
    pairs of days for each of its tables (a calendar is a frozen value: one counter each,
    the last few kept)."""
    return functools.lru_cache(maxsize=100_000)(functools.partial(stats.working_days_between, cal))


S = TypeVar("S")


def _wait_table(
    key: str,
    title: str,
    head: str,
    cal: WorkCalendar,
    today: date,
    waits: Sequence[tuple[S, stats.StepWait]],
    group: Callable[[S], str],
    label: Callable[[str, S], str],
    *,
    note: str = "",
) -> Table:
    buckets: dict[tuple[str, str], list[stats.StepWait]] = defaultdict(list)
    first_of: dict[tuple[str, str], S] = {}
    for x, w in waits:
        buckets[group(x), w.state].append(w)
        first_of.setdefault((group(x), w.state), x)
    rows: list[list[Cell]] = []
    for g, state in sorted(buckets, key=lambda k: (k[0], STATE_ORDER.get(k[1], 99), k[1])):
        sm = stats.summarise(cal, buckets[g, state], today, _counter(cal))
        rows.append(
            [
                *([g] if head else []),
                label(state, first_of[g, state]),
                sm.steps,
                _round(sm.median_working),
                _round(sm.p90_working),
                _round(sm.median_calendar),
                _round(sm.p90_calendar),
                sm.late,
                sm.waiting,
                sm.overdue,
            ]
        )
    lead = [head] if head else []
    first = len(lead) + 1
    return Table(
        key=key,
        title=title,
        columns=[*lead, "Bước (trạng thái chờ)", *WAIT_COLUMNS],
        rows=rows,
        note=" ".join(n for n in (WAIT_NOTE, note) if n),
        chart=ChartSpec(values=[first + 1, first + 2], unit="ngày làm việc")
        if not head
        else ChartSpec(
            labels=[0],
            stack=1,
            values=[first + 1],
            unit="ngày làm việc: trung vị của từng bước, nối tiếp nhau",
        ),
    )


# ------------------------------------------------------------------ exports


def record_export(
    db: Database, *, user_id: int, dashboard: Dashboard, table: str | None, body: bytes
) -> None:
    """The export in the audit chain, committed before the file is handed out: who, which
    dashboard and table, whose numbers, the file's SHA-256."""
    with db.write() as s:
        user = users_repo.user_by_id(s, user_id)
        if user is None:
            raise Forbidden("Tài khoản không còn hoạt động.", code="inactive_user")
        actor = users_repo.actor_of(user)
        role = _reader_role(actor)
        audit.append(
            s,
            kind="dashboard_exported",
            who=audit.Who(user.id, user.full_name, str(role), dashboard.scope_label),
            data={
                "dashboard": dashboard.key,
                "table": table,
                "year": dashboard.year,
                "scope": dashboard.scope_label,
                "format": "xlsx",
                "file_sha256": hashlib.sha256(body).hexdigest(),
            },
        )


def _reader_role(actor: Actor) -> Role:
    held = sorted(actor.roles() & stats.DASHBOARD_ROLES)
    return held[0] if held else Role.AUDITOR


BOARDS: dict[str, Callable[[Session, Actor, int, int], Dashboard]] = {
    OVERVIEW: overview,
    WAITING: waiting_times,
}


def build(s: Session, actor: Actor, board: str, year: int, min_group: int) -> Dashboard:
    """One dashboard for the reader (404 for an unknown one)."""
    found = BOARDS.get(board)
    if found is None:
        raise NotFound("Không có bảng thống kê này.", code="dashboard_not_found")
    return found(s, actor, year, min_group)


def pick_tables(dashboard: Dashboard, table: str | None) -> list[Table]:
    """The tables asked for: one by its key, or all."""
    if table is None:
        return dashboard.tables
    found = dashboard.table(table)
    if found is None:
        raise NotFound("Không có bảng này trong thống kê.", code="dashboard_table_not_found")
    return [found]


def check_year(s: Session, year: int | None) -> int:
    """The year asked for; without one, this year — or, while this year has no dossier
    yet (January; a new installation with the demo's past year), the latest year that has."""
    if year is None:
        this_year = today_vn().year
        return store.latest_dossier_year(s, this_year) or this_year
    if not 2000 <= year <= 2100:
        raise InvalidInput("Năm thống kê không hợp lệ (từ 2000 đến 2100).", code="year_invalid")
    return year
