"""Who may see and act on what, written once (domain/policy.py), says the same as a check
on one subject and as the SQL of lists, counts, the inbox and routing
(storage/policy_sql.py): for every subject kind, every role held at every kind of place
(own or other unit, a unit leading its cluster this year or another year, a cluster term
of this or another year, own or other authority, nowhere), by an account linked to
nominees or not, on SQLite and PostgreSQL. A disagreement names the case and the
subjects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.exports import lists as export_lists
from domain import policy
from domain.decisions import DecisionScope
from domain.meetings import MeetingScope
from domain.personal_data import sees_personal_data
from domain.policy import DECISION, DOSSIER, MEETING, ROUND, Relation, Rule
from domain.process import PROCESSES, Status
from domain.roles import Actor, Role
from domain.rounds import RoundScope
from storage import decisions as decisions_store
from storage import meetings as meetings_store
from storage import policy_sql
from storage import rounds as rounds_store
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Authority,
    AwardDecision,
    AwardRound,
    Cluster,
    ClusterTerm,
    Dossier,
    Meeting,
    Nominee,
    RoleAssignment,
    Unit,
    User,
)
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import users as users_repo
from tests.fixtures.pg import fresh_database

# Where a grant may be held. The units: A1, A2, A4 in cluster C1 and A3 in C2 (authority
# A), A0 in no cluster, B1 in C3 (authority B). C1 is led by A2 (head) and A4 (deputy) in
# 2026 and by A1 in 2025; C2 by A3 and C3 by B1 in 2026; C2 has no term in 2025.
PLACES = (
    "unit A1",  # led C1 the other year
    "unit A2",  # heads C1 this year
    "unit A4",  # deputy of C1 this year
    "unit A0",  # in no cluster
    "unit B1",  # other authority, heads C3
    "term C1 2026",
    "term C1 2025",
    "authority A",
    "authority B",
    "nowhere",
)
PEOPLE = ("linked", "unlinked")
"""A linked account is an individual nominee of some dossiers of every unit."""

UNITS = {"A1": "C1", "A2": "C1", "A4": "C1", "A3": "C2", "A0": None, "B1": "C3"}
TERMS = {("C1", 2026): ("A2", "A4"), ("C1", 2025): ("A1", None), ("C2", 2026): ("A3", None)}
TERMS |= {("C3", 2026): ("B1", None)}
STATES = (  # status, furthest stage
    ("draft", "unit"),
    ("unit_review", "unit"),
    ("returned", "unit"),
    ("cluster_review", "cluster"),
    ("rejected", "cluster"),
    ("board_appraisal", "board"),
    ("returned", "board"),  # returned by the board: the board still sees it
    ("board_decision", "board"),
    ("leadership_review", "leadership"),
    ("approved", "done"),
)
LINKED_IN = {"draft", "unit_review", "cluster_review", "approved"}


@dataclass(frozen=True)
class Subject:
    id: int
    label: str
    process: str
    status: str
    scope: Any
    own_signers: frozenset[int]
    """Accounts of individual nominees, who sign their own report (none has yet)."""


@dataclass
class World:
    db: Database
    subjects: dict[str, list[Subject]]
    """By subject kind."""
    users: dict[tuple[Role, str, str], User]
    """One account per role, place and person, holding that one grant."""


def _build_dossiers(s: Session) -> dict[tuple[Role, str, str], User]:
    authorities = {code: Authority(code=code, name=f"Sở {code}", province="X") for code in "AB"}
    s.add_all(authorities.values())
    s.flush()
    clusters = {
        code: Cluster(authority_id=authorities[a].id, code=code, name=f"Cụm {code}")
        for code, a in (("C1", "A"), ("C2", "A"), ("C3", "B"))
    }
    s.add_all(clusters.values())
    s.flush()
    units = {
        code: Unit(
            authority_id=authorities[code[0]].id,
            cluster_id=clusters[c].id if c else None,
            code=f"U{code}",
            name=f"Đơn vị {code}",
        )
        for code, c in UNITS.items()
    }
    s.add_all(units.values())
    s.flush()
    terms = {
        key: ClusterTerm(
            cluster_id=clusters[key[0]].id,
            year=key[1],
            head_unit_id=units[head].id,
            deputy_unit_id=units[deputy].id if deputy else None,
        )
        for key, (head, deputy) in TERMS.items()
    }
    s.add_all(terms.values())
    s.flush()

    def grant(role: Role, place: str) -> RoleAssignment:
        what, _, where = place.partition(" ")
        if what == "unit":
            return RoleAssignment(role=role, unit_id=units[where].id)
        if what == "term":
            cluster, year = where.split()
            return RoleAssignment(role=role, cluster_term_id=terms[cluster, int(year)].id)
        if what == "authority":
            return RoleAssignment(role=role, authority_id=authorities[where].id)
        return RoleAssignment(role=role)

    users = {}
    for role in Role:
        for place in PLACES:
            for person in PEOPLE:
                users[role, place, person] = User(
                    username=f"{role}-{place}-{person}".replace(" ", "-"),
                    full_name=f"{role} {place} {person}",
                    password_hash="-",
                    grants=[grant(role, place)],
                )
    s.add_all(users.values())
    s.flush()
    linked = [u for (_, _, person), u in users.items() if person == "linked"]
    creator = next(iter(users.values()))
    for code, cluster in UNITS.items():
        for year in (2025, 2026):
            for status, stage in STATES:
                d = Dossier(
                    process="commendation_proposal",
                    award="bang_khen_ubnd_tinh",
                    year=year,
                    title=f"{code} {year} {status} {stage}",
                    unit_id=units[code].id,
                    cluster_id=clusters[cluster].id if cluster else None,
                    authority_id=units[code].authority_id,
                    status=status,
                    furthest_stage=stage,
                    created_by=creator.id,
                )
                d.nominees.append(Nominee(position_no=1, kind="collective", name="Phòng"))
                if year == 2026 and status in LINKED_IN:
                    d.nominees.extend(
                        Nominee(
                            position_no=i,
                            kind="individual",
                            name=u.full_name,
                            user_id=u.id,
                            birth_date=date(1980, 1, 2),  # personal data: the exports' test
                        )
                        for i, u in enumerate(linked, start=2)
                    )
                s.add(d)
    s.flush()
    return users


def _dossier_subjects(s: Session) -> list[Subject]:
    rows = s.scalars(select(Dossier).options(selectinload(Dossier.nominees)).order_by(Dossier.id))
    return [
        Subject(
            id=d.id,
            label=f"#{d.id} {d.title}",
            process=d.process,
            status=Status(d.status),
            scope=dossiers_repo.scope_of(s, d),
            own_signers=frozenset(
                n.user_id for n in d.nominees if n.kind == "individual" and n.user_id
            ),
        )
        for d in rows
    ]


def _build_rounds(s: Session) -> dict[tuple[Role, str, str], User]:
    """A round of each authority in each state of its process (built after the
    dossiers' world: its authorities and accounts)."""
    creator = s.scalars(select(User).order_by(User.id)).first()
    assert creator is not None
    for authority in s.scalars(select(Authority).order_by(Authority.code)):
        for status in ("open", "board_review", "leadership_review", "submitted"):
            s.add(
                AwardRound(
                    authority_id=authority.id,
                    name=f"Đợt {authority.code} {status}",
                    year=2026,
                    kind="thuong_xuyen",
                    awards="bang_khen_ubnd_tinh",
                    status=status,
                    created_by=creator.id,
                )
            )
    s.flush()
    return {}


def _round_subjects(s: Session) -> list[Subject]:
    return [
        Subject(
            id=r.id,
            label=f"round #{r.id} {r.name}",
            process="round_submission",
            status=r.status,
            scope=RoundScope(r.authority_id),
            own_signers=frozenset(),
        )
        for r in s.scalars(select(AwardRound).order_by(AwardRound.id))
    ]


def _build_meetings(s: Session) -> dict[tuple[Role, str, str], User]:
    """A council meeting of each authority in each state of its process."""
    creator = s.scalars(select(User).order_by(User.id)).first()
    assert creator is not None
    for authority in s.scalars(select(Authority).order_by(Authority.code)):
        for status in ("open", "closed", "signed"):
            s.add(
                Meeting(
                    authority_id=authority.id,
                    about_kind="round",
                    about_id=0,
                    title=f"Họp {authority.code} {status}",
                    held_on=date(2026, 12, 1),
                    process="council_meeting",
                    status=status,
                    created_by=creator.id,
                )
            )
    s.flush()
    return {}


def _build_decisions(s: Session) -> dict[tuple[Role, str, str], User]:
    """A decision of each authority in each state of its process, each made from one of
    the authority's rounds (built after the rounds' world)."""
    creator = s.scalars(select(User).order_by(User.id)).first()
    assert creator is not None
    for authority in s.scalars(select(Authority).order_by(Authority.code)):
        rounds = s.scalars(
            select(AwardRound)
            .where(AwardRound.authority_id == authority.id)
            .order_by(AwardRound.id)
        ).all()
        for r, status in zip(rounds, ("draft", "signing", "issued"), strict=False):
            s.add(
                AwardDecision(
                    authority_id=authority.id,
                    decider_authority_id=authority.id,
                    round_id=r.id,
                    status=status,
                    created_by=creator.id,
                )
            )
    s.flush()
    return {}


def _meeting_subjects(s: Session) -> list[Subject]:
    return [
        Subject(
            id=m.id,
            label=f"meeting #{m.id} {m.title}",
            process=m.process,
            status=m.status,
            scope=MeetingScope(m.authority_id),
            own_signers=frozenset(),
        )
        for m in s.scalars(select(Meeting).order_by(Meeting.id))
    ]


def _decision_subjects(s: Session) -> list[Subject]:
    return [
        Subject(
            id=d.id,
            label=f"decision #{d.id} {d.status}",
            process="decision_issuance",
            status=d.status,
            scope=DecisionScope(d.authority_id),
            own_signers=frozenset(),
        )
        for d in s.scalars(select(AwardDecision).order_by(AwardDecision.id))
    ]


# Per subject kind: how to build its subjects across every place, and read them back.
KINDS: dict[str, tuple[Callable[[Session], dict[Any, User]], Callable[[Session], list[Subject]]]]
KINDS = {
    DOSSIER: (_build_dossiers, _dossier_subjects),
    ROUND: (_build_rounds, _round_subjects),
    MEETING: (_build_meetings, _meeting_subjects),
    DECISION: (_build_decisions, _decision_subjects),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with _database(request.param, tmp_path_factory.mktemp("policy")) as db:
        yield _populate(db)


@pytest.fixture
def sqlite_world(tmp_path: Path) -> Iterator[World]:
    """A world of its own, for a test that changes the rules."""
    with _database("sqlite", tmp_path) as db:
        yield _populate(db)


def _populate(db: Database) -> World:
    subjects: dict[str, list[Subject]] = {}
    users: dict[Any, User] = {}
    for kind, (build, read) in KINDS.items():
        with db.write() as s:
            users |= build(s)
        with db.read() as s:
            subjects[kind] = read(s)
            users = {k: s.get(User, u.id) for k, u in users.items()}
            for u in users.values():
                u.grants  # noqa: B018  # loaded while the session is open
    return World(db, subjects, users)


@contextmanager
def _database(dialect: str, folder: Path) -> Iterator[Database]:
    with ExitStack() as stack:
        if dialect == "sqlite":
            url = f"sqlite:///{folder / 'policy.sqlite3'}"
        else:
            url = stack.enter_context(fresh_database())
        upgrade(url)
        db = Database(url)
        stack.callback(db.dispose)
        yield db


# ---------------------------------------------------------------- the comparisons


def _listed(s: Session, kind: str, actor: Actor) -> tuple[set[int], Counter[str]]:
    """What the kind's own list shows the actor, and its counts by status."""
    if kind == ROUND:
        rows = rounds_store.visible_rounds(s, actor)
        return {r.id for r in rows}, Counter(r.status for r in rows)
    if kind == MEETING:
        meetings = meetings_store.visible_meetings(s, actor)
        return {m.id for m in meetings}, Counter(m.status for m in meetings)
    if kind == DECISION:
        found = decisions_store.visible_decisions(s, actor)
        return {d.id for d in found}, Counter(d.status for d in found)
    found, total = dossiers_repo.list_dossiers(
        s, actor, dossiers_repo.DossierFilter(), offset=0, limit=10_000
    )
    assert total == len(found)
    return {d.id for d in found}, Counter(dossiers_repo.count_by_status(s, actor))


def _seen(world: World, kind: str, actor: Actor) -> tuple[set[int], set[int], Counter[str]]:
    """What the Python check lets the actor see, what the list shows, and the counts."""
    python = {x.id for x in world.subjects[kind] if policy.allows(actor, x.scope)}
    with world.db.read() as s:
        listed, counts = _listed(s, kind, actor)
    return python, listed, counts


def _waiting(world: World, kind: str, actor: Actor) -> tuple[set[int], set[int]]:
    """What waits for the actor by the Python check and the process table, and what the
    inbox shows."""
    python = set()
    for x in world.subjects[kind]:
        process = PROCESSES[x.process]
        acts = any(
            x.status in process.acting_states(g.role) and policy.holds(actor, g.role, x.scope)
            for g in actor.grants
        )
        signs_own = process.own_signature(x.status) is not None and actor.user_id in x.own_signers
        if acts or signs_own:
            python.add(x.id)
    with world.db.read() as s:
        if kind == ROUND:
            acting = policy_sql.acting(actor, ROUND)
            ids = set() if acting is None else set(s.scalars(select(AwardRound.id).where(acting)))
            return python, ids
        if kind == MEETING:
            acting = policy_sql.acting(actor, MEETING)
            ids = set() if acting is None else set(s.scalars(select(Meeting.id).where(acting)))
            return python, ids
        if kind == DECISION:
            return python, {d.id for d in decisions_store.waiting_decisions(s, actor)}
        rows, total = dossiers_repo.inbox(s, actor)
    assert total == len(rows)
    return python, {d.id for d in rows}


def _labels(world: World, kind: str, ids: set[int]) -> list[str]:
    return [x.label for x in world.subjects[kind] if x.id in ids]


def _actor(user: User) -> Actor:
    return users_repo.actor_of(user)


CASES = [(k, r, p, who) for k in KINDS for r in Role for p in PLACES for who in PEOPLE]


@pytest.mark.parametrize(("kind", "role", "place", "person"), CASES)
def test_what_one_sees_is_what_lists_and_counts_show(
    world: World, kind: str, role: Role, place: str, person: str
):
    actor = _actor(world.users[role, place, person])
    python, sql, counts = _seen(world, kind, actor)
    assert _labels(world, kind, python - sql) == [], "seen by the check, not by the list"
    assert _labels(world, kind, sql - python) == [], "listed, not seen by the check"
    by_status = {x.id: x.status for x in world.subjects[kind]}
    assert counts == Counter(str(by_status[i]) for i in python)


@pytest.mark.parametrize(("role", "place", "person"), [c[1:] for c in CASES if c[0] == DOSSIER])
def test_an_export_holds_its_lists_rows_and_personal_data_only_where_the_check_allows(
    world: World, role: Role, place: str, person: str
):
    """The exports of the dossiers and their nominees (api/exports/) read the list's own
    conditions: the same dossiers in the same order; a nominee's date of birth only
    where domain/personal_data.py lets the reader read it on that dossier."""
    actor = _actor(world.users[role, place, person])
    f = dossiers_repo.DossierFilter()
    with world.db.read() as s:
        found, _ = dossiers_repo.list_dossiers(s, actor, f, offset=0, limit=10_000)
        exported = [r[0] for r in dossiers_repo.export_rows(s, actor, f)]
        nominees = list(export_lists.NOMINEES.rows(s, actor, f))
        counted = dossiers_repo.count_listed_nominees(s, actor, f)
    assert exported == [d.id for d in found]
    assert len(nominees) == counted
    assert {n["dossier_id"] for n in nominees} == set(exported)
    scopes = {x.id: x.scope for x in world.subjects[DOSSIER]}
    reader = export_lists.may_read_personal_data(actor)
    for n in nominees:
        if n["kind"] == "Cá nhân":
            allowed = reader and sees_personal_data(actor, scopes[n["dossier_id"]])
            assert (n["birth_date"] is not None) == allowed, (n["dossier_id"], n["name"])
    if not reader:
        assert not any(c.personal for c in export_lists.NOMINEES.columns(actor))


@pytest.mark.parametrize(("kind", "role", "place", "person"), CASES)
def test_what_one_acts_on_is_what_the_inbox_shows(
    world: World, kind: str, role: Role, place: str, person: str
):
    actor = _actor(world.users[role, place, person])
    python, sql = _waiting(world, kind, actor)
    assert _labels(world, kind, python - sql) == [], "acted on by the check, not in the inbox"
    assert _labels(world, kind, sql - python) == [], "in the inbox, not acted on by the check"


@pytest.mark.parametrize(("kind", "role"), [(k, r) for k in KINDS for r in Role])
def test_who_holds_a_role_over_a_subject_is_whom_routing_finds(world: World, kind: str, role: Role):
    disagree = []
    with world.db.read() as s:
        for x in world.subjects[kind]:
            python = {u.id for u in world.users.values() if policy.holds(_actor(u), role, x.scope)}
            sql = {u.id for u in users_repo.users_holding(s, role, x.scope)}
            if python != sql:
                names = {u.id: u.username for u in world.users.values()}
                disagree.append((x.label, sorted(names[i] for i in python ^ sql if i in names)))
    assert disagree == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_holders_of_many_subjects_at_once_are_whom_routing_finds_for_each(world: World, kind: str):
    """`holders` (one query for many subjects, as the awards tell every unit) finds, for
    each subject and any of the roles, the same people as `users_holding` one by one."""
    roles = [r for r in Role if any(rule.role == r for rule in policy.RULES)]
    with world.db.read() as s:
        scopes = {i: x.scope for i, x in enumerate(world.subjects[kind])}
        at_once = users_repo.holders(s, roles, scopes)
        one_by_one = {
            i: {u.id for r in roles for u in users_repo.users_holding(s, r, scope)}
            for i, scope in scopes.items()
        }
    assert at_once == one_by_one
    assert any(at_once.values())


def test_every_subject_kind_is_declared_on_both_sides():
    """A new subject kind needs its table and conditions in SQL, and a world here."""
    assert set(KINDS) == set(policy.SUBJECT_KINDS) == set(policy_sql.TABLES)
    for kind, k in policy.SUBJECT_KINDS.items():
        assert set(k.conditions) == set(policy_sql.TABLES[kind].conditions), kind


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_rule_grants_something_and_not_everything(world: World, kind: str):
    """The comparisons are worth something only if every rule that lets its holder see
    lets one of the cases see some subject and (but the auditor's) no case every subject."""
    every = {x.id for x in world.subjects[kind]}
    for rule in policy.RULES:
        if rule.subject_kind != kind or not rule.sees:
            continue
        each = [
            _seen(world, kind, _actor(user))[0]
            for (role, _, _), user in world.users.items()
            if role == rule.role
        ]
        assert any(each), rule
        assert rule.relation is Relation.ANYWHERE or all(seen != every for seen in each), rule


# ---------------------------------------------------------------- the rules are the data


def test_a_rule_changed_in_the_data_changes_the_check_and_the_sql(
    sqlite_world: World, monkeypatch: pytest.MonkeyPatch
):
    world = sqlite_world
    member = _actor(world.users[Role.UNIT_MEMBER, "unit A1", "unlinked"])
    head_at_authority = _actor(world.users[Role.UNIT_HEAD, "authority A", "unlinked"])
    a1_drafts = {x.id for x in world.subjects[DOSSIER] if " A1 2026 draft " in x.label}
    a_unit_review = {  # units A* are authority A's
        x.id
        for x in world.subjects[DOSSIER]
        if x.status == Status.UNIT_REVIEW and x.label.split()[1].startswith("A")
    }
    assert a1_drafts and a_unit_review
    before = _seen(world, DOSSIER, member)
    assert not a1_drafts & before[0] and not a1_drafts & before[1]
    assert _waiting(world, DOSSIER, head_at_authority) == (set(), set())

    monkeypatch.setattr(
        policy,
        "RULES",
        (
            *policy.RULES,
            # every member of a unit sees its dossiers
            Rule(DOSSIER, Role.UNIT_MEMBER, Relation.SAME_UNIT),
            # a unit head held at the authority acts on (but does not see) its dossiers
            Rule(DOSSIER, Role.UNIT_HEAD, Relation.SAME_AUTHORITY, sees=False),
        ),
    )
    python, sql, _ = _seen(world, DOSSIER, member)
    assert a1_drafts <= python and python == sql
    python_waiting, inbox = _waiting(world, DOSSIER, head_at_authority)
    assert python_waiting == inbox == a_unit_review
    assert _seen(world, DOSSIER, head_at_authority)[:2] == (set(), set())
    some = next(x for x in world.subjects[DOSSIER] if x.id in a_unit_review)
    with world.db.read() as s:
        routed = {u.id for u in users_repo.users_holding(s, Role.UNIT_HEAD, some.scope)}
    assert head_at_authority.user_id in routed
