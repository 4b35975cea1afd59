"""The lists that can be exported, each declared as data: its name, its title, its
columns, and how it counts and reads its rows — through the list's own query and filter
(`storage.repositories.dossiers.listed`, `storage.registry.conditions`), so an export
holds exactly the rows the list shows its reader, never a second query that could
drift from it.

Personal data (NĐ 13/2023/NĐ-CP): a column marked `personal` (identity number, date of
birth, ethnicity) is written only for a reader who may read it somewhere
(domain/personal_data.py: the unit, the board, auditors) and, row by row, only where
that reader may read it on the dossier itself; a cluster's approver gets no such
column at all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from api.audit import service as audit_service
from api.decisions import service as decisions_service
from api.dossiers.deadlines import dossier_deadlines
from api.dossiers.routes import EVENT_LABELS
from api.exports.writers import Column, Value
from api.meetings import service as meetings_service
from api.people import service as people_service
from api.registry import service as registry_service
from api.rounds import service as rounds_service
from domain.awards import AWARDS, NOMINEE_KIND_LABELS, NomineeKind
from domain.nominee_details import GENDER_LABELS, Gender
from domain.personal_data import sees_personal_data
from domain.process import STAGE_ORDER, STATUS_LABELS, Stage, Status
from domain.registry import OCCASION_LABELS, SOURCE_LABELS, Occasion, Source, award_name
from domain.roles import BOARD_ROLES, UNIT_ROLES, Actor, DossierScope, Role
from domain.subjects import Subject, SubjectKind
from storage import registry as registry_store
from storage.registry import SearchFilter
from storage.repositories import dossiers as dossiers_repo
from storage.repositories.dossiers import DossierFilter

Row = dict[str, Value]


class ExportList(Protocol):
    name: str
    title: str
    file_stem: str

    def columns(self, actor: Actor) -> list[Column]: ...

    def count(self, s: Session, actor: Actor, f: Any) -> int: ...

    def rows(self, s: Session, actor: Actor, f: Any) -> Iterator[Row]: ...

    def subject(self, f: Any) -> Subject | None:
        """The subject whose history the export joins (a decision's list), or none:
        the global chain only."""
        ...


def filters_of(f: Any) -> dict[str, Any]:
    """The filters applied, for the audit event (only those set)."""
    return {k: v for k, v in asdict(f).items() if v not in (None, "")}


def may_read_personal_data(actor: Actor) -> bool:
    """Whether any of the actor's roles reads nominees' personal data anywhere
    (domain/personal_data.py): the unit's, the board's, an auditor's."""
    return any(
        g.role == Role.AUDITOR or g.role in UNIT_ROLES or g.role in BOARD_ROLES
        for g in actor.grants
    )


def _status(code: str) -> str:
    try:
        return STATUS_LABELS[Status(code)]
    except ValueError:
        return code


def _award(code: str) -> str:
    a = AWARDS.get(code)
    return a.name if a else code


# ---------------------------------------------------------------- dossiers


class _List:
    """What most lists share: the same columns for every reader, and no subject of their
    own (the export joins the global chain only)."""

    COLUMNS: tuple[Column, ...] = ()

    def columns(self, actor: Actor) -> list[Column]:
        return list(self.COLUMNS)

    def subject(self, f: Any) -> Subject | None:
        return None


class Dossiers(_List):
    name = "dossiers"
    title = "Hồ sơ đề nghị khen thưởng"
    file_stem = "ho-so"

    COLUMNS = (
        Column("id", "Số hồ sơ", 10),
        Column("title", "Trích yếu", 60),
        Column("unit", "Đơn vị", 40),
        Column("cluster", "Cụm thi đua", 40),
        Column("year", "Năm", 8),
        Column("award", "Hình thức khen thưởng", 36),
        Column("status", "Trạng thái", 28),
        Column("updated_at", "Cập nhật lần cuối", 18),
    )

    def count(self, s: Session, actor: Actor, f: DossierFilter) -> int:
        return dossiers_repo.count_listed(s, actor, f)

    def rows(self, s: Session, actor: Actor, f: DossierFilter) -> Iterator[Row]:
        for r in dossiers_repo.export_rows(s, actor, f):
            did, title, year, award, status, unit, cluster, updated = r
            yield {
                "id": did,
                "title": title,
                "unit": unit,
                "cluster": cluster,
                "year": year,
                "award": _award(award),
                "status": _status(status),
                "updated_at": updated,
            }


# ---------------------------------------------------------------- nominees

_BOARD_STAGES = frozenset(STAGE_ORDER[STAGE_ORDER.index(Stage.BOARD) :])


class Nominees(_List):
    """The nominees of the dossiers of the list (the same filters as `/ho-so`)."""

    name = "nominees"
    title = "Tập thể, cá nhân được đề nghị"
    file_stem = "tap-the-ca-nhan-de-nghi"

    COLUMNS = (
        Column("dossier_id", "Số hồ sơ", 10),
        Column("year", "Năm", 8),
        Column("award", "Hình thức khen thưởng", 36),
        Column("unit", "Đơn vị đề nghị", 40),
        Column("status", "Trạng thái hồ sơ", 28),
        Column("kind", "Tập thể / cá nhân", 14),
        Column("name", "Tên tập thể, họ tên", 36),
        Column("job_title", "Chức vụ", 28),
        Column("workplace", "Đơn vị công tác", 36),
        Column("gender", "Giới tính", 10),
        Column("birth_date", "Ngày sinh", 12, personal=True),
        Column("identity_no", "Số định danh cá nhân", 16, personal=True),
        Column("ethnicity", "Dân tộc", 12, personal=True),
    )

    def columns(self, actor: Actor) -> list[Column]:
        personal = may_read_personal_data(actor)
        return [c for c in self.COLUMNS if personal or not c.personal]

    def count(self, s: Session, actor: Actor, f: DossierFilter) -> int:
        return dossiers_repo.count_listed_nominees(s, actor, f)

    def rows(self, s: Session, actor: Actor, f: DossierFilter) -> Iterator[Row]:
        reader = may_read_personal_data(actor)
        for r in dossiers_repo.export_nominee_rows(s, actor, f):
            (did, year, award, status, unit_id, unit, authority_id, furthest) = r[:8]
            (kind, name, job_title, workplace, gender, birth, ethnicity, ident) = r[8:]
            scope = DossierScope(
                unit_id=unit_id,
                authority_id=authority_id,
                reached_board=furthest in _BOARD_STAGES,
            )
            personal = reader and sees_personal_data(actor, scope)
            yield {
                "dossier_id": did,
                "year": year,
                "award": _award(award),
                "unit": unit,
                "status": _status(status),
                "kind": NOMINEE_KIND_LABELS.get(NomineeKind(kind), kind)
                if kind in set(NomineeKind)
                else kind,
                "name": name,
                "job_title": job_title,
                "workplace": workplace,
                "gender": GENDER_LABELS.get(Gender(gender)) if gender in set(Gender) else gender,
                "birth_date": birth if personal else None,
                "identity_no": ident if personal else None,
                "ethnicity": ethnicity if personal else None,
            }


# ---------------------------------------------------------------- the registry


def _label(labels: Any, enum: Any, code: str) -> str:
    return str(labels.get(enum(code), code)) if code in set(enum) else code


class Registry(_List):
    """The awards registry's search (`/tra-cuu-khen-thuong`): no personal data."""

    name = "registry"
    title = "Sổ khen thưởng"
    file_stem = "so-khen-thuong"

    COLUMNS = (
        Column("holder", "Tên tập thể, họ tên", 36),
        Column("kind", "Tập thể / cá nhân", 14),
        Column("unit", "Đơn vị", 40),
        Column("award", "Danh hiệu, hình thức khen thưởng", 40),
        Column("year", "Năm", 8),
        Column("occasion", "Khen thưởng", 16),
        Column("decision_number", "Số quyết định", 18),
        Column("decision_date", "Ngày quyết định", 14),
        Column("issuer", "Cơ quan quyết định", 36),
        Column("source", "Nguồn", 20),
        Column("revoked_at", "Đã thu hồi", 18),
    )

    def count(self, s: Session, actor: Actor, f: SearchFilter) -> int:
        return registry_store.count_all(s, registry_service.search_scope(actor, f), f)

    def rows(self, s: Session, actor: Actor, f: SearchFilter) -> Iterator[Row]:
        scope = registry_service.search_scope(actor, f)
        for r in registry_store.export_rows(s, scope, f):
            holder, is_person, unit, award, year, occasion, number, day, issuer, src, gone = r
            yield {
                "holder": holder,
                "kind": "Cá nhân" if is_person else "Tập thể",
                "unit": unit,
                "award": award_name(award),
                "year": year,
                "occasion": _label(OCCASION_LABELS, Occasion, occasion),
                "decision_number": number,
                "decision_date": day,
                "issuer": issuer,
                "source": _label(SOURCE_LABELS, Source, src),
                "revoked_at": gone,
            }


# ---------------------------------------------------------------- a decision's list


@dataclass(frozen=True)
class DecisionFilter:
    decision_id: int


class DecisionAwards(_List):
    """A decision's list of collectives and individuals (`/quyet-dinh/{id}`), as its
    page builds it (`decision_out`: what the decision said, corrections and
    revocations since, prize money): bounded by one decision, held by the page anyway.
    No personal data (the decision prints names, positions and units)."""

    name = "decision-awards"
    title = "Danh sách khen thưởng theo quyết định"
    file_stem = "danh-sach-khen-thuong"

    COLUMNS = (
        Column("no", "STT", 6),
        Column("award", "Hình thức khen thưởng", 36),
        Column("kind", "Tập thể / cá nhân", 14),
        Column("name", "Tên tập thể, họ tên", 36),
        Column("position", "Chức vụ", 28),
        Column("unit", "Đơn vị", 40),
        Column("awarded", "Được khen thưởng", 12),
        Column("reason", "Lý do không khen thưởng", 30),
        Column("prize", "Tiền thưởng (đồng)", 16),
        Column("certificate", "Số vào sổ", 12),
        Column("revoked", "Đã thu hồi", 10),
        Column("notes", "Ghi chú (đính chính, thu hồi)", 40),
        Column("dossier_id", "Số hồ sơ", 10),
    )

    def _awardees(self, s: Session, actor: Actor, f: DecisionFilter) -> list[Any]:
        d = decisions_service.visible_decision(s, actor, f.decision_id)
        return decisions_service.decision_out(s, actor, d).awardees

    def count(self, s: Session, actor: Actor, f: DecisionFilter) -> int:
        return len(self._awardees(s, actor, f))

    def rows(self, s: Session, actor: Actor, f: DecisionFilter) -> Iterator[Row]:
        for i, a in enumerate(self._awardees(s, actor, f), start=1):
            book = f"{a.certificate_no}/{a.certificate_year}" if a.certificate_no else None
            yield {
                "no": i,
                "award": a.award_name,
                "kind": "Tập thể" if a.kind == "collective" else "Cá nhân",
                "name": a.name,
                "position": a.position,
                "unit": a.unit_name,
                "awarded": a.awarded,
                "reason": a.reason,
                "prize": a.prize_amount,
                "certificate": book,
                "revoked": a.revoked,
                "notes": "; ".join(a.notes),
                "dossier_id": a.dossier_id,
            }

    def subject(self, f: DecisionFilter) -> Subject | None:
        return Subject(SubjectKind.DECISION, f.decision_id)


# ---------------------------------------------------------------- a dossier's history


@dataclass(frozen=True)
class HistoryFilter:
    dossier_id: int
    include_reads: bool = False


class History(_List):
    """A dossier's history (`/ho-so/{id}/lich-su`) as its page lists it
    (`api.audit.service.history`: 404 to whoever may not see the dossier, the reads of
    documents and exports for auditors only); a dossier's events are a few hundred."""

    name = "history"
    title = "Lịch sử hồ sơ"
    file_stem = "lich-su-ho-so"

    COLUMNS = (
        Column("seq", "STT", 6),
        Column("at", "Thời điểm", 18),
        Column("label", "Việc", 40),
        Column("actor", "Người thực hiện", 50),
        Column("from", "Từ trạng thái", 24),
        Column("to", "Sang trạng thái", 24),
        Column("reason", "Lý do", 40),
        Column("due", "Hạn xử lý", 12),
        Column("late", "Trễ (ngày làm việc)", 10),
    )

    def _entries(self, s: Session, actor: Actor, f: HistoryFilter) -> list[Any]:
        return audit_service.history(
            s, actor, f.dossier_id, EVENT_LABELS, include_reads=f.include_reads
        )

    def count(self, s: Session, actor: Actor, f: HistoryFilter) -> int:
        return len(self._entries(s, actor, f))

    def rows(self, s: Session, actor: Actor, f: HistoryFilter) -> Iterator[Row]:
        for e in self._entries(s, actor, f):
            yield {
                "seq": e.seq,
                "at": e.at,
                "label": e.label,
                "actor": e.actor_line or e.actor,
                "from": e.from_status_label,
                "to": e.to_status_label,
                "reason": e.reason,
                "due": e.due_date,
                "late": e.late_working_days or None,
            }

    def subject(self, f: HistoryFilter) -> Subject | None:
        return Subject.dossier(f.dossier_id)


# ---------------------------------------------------------------- the board's rounds


@dataclass(frozen=True)
class RoundsFilter:
    year: int | None = None


class Rounds(_List):
    """The rounds of awards (`/dot-xet`) as the page lists them
    (`api.rounds.service.list_rounds`: the rounds the reader may see, of a year or all);
    no personal data."""

    name = "rounds"
    title = "Đợt xét khen thưởng"
    file_stem = "dot-xet-khen-thuong"

    COLUMNS = (
        Column("id", "Số", 8),
        Column("name", "Tên đợt", 60),
        Column("year", "Năm", 8),
        Column("kind", "Loại", 24),
        Column("dossiers", "Số hồ sơ", 10),
        Column("status", "Trạng thái", 28),
        Column("updated_at", "Cập nhật lần cuối", 18),
    )

    def _rows(self, s: Session, actor: Actor, f: RoundsFilter) -> list[Any]:
        return rounds_service.list_rounds(s, actor, year=f.year)

    def count(self, s: Session, actor: Actor, f: RoundsFilter) -> int:
        return len(self._rows(s, actor, f))

    def rows(self, s: Session, actor: Actor, f: RoundsFilter) -> Iterator[Row]:
        for r in self._rows(s, actor, f):
            yield {
                "id": r.id,
                "name": r.name,
                "year": r.year,
                "kind": r.kind_label,
                "dossiers": r.dossiers,
                "status": r.status_label,
                "updated_at": r.updated_at,
            }


# ---------------------------------------------------------------- the decisions


@dataclass(frozen=True)
class NoFilter:
    pass


class Decisions(_List):
    """The award decisions (`/quyet-dinh`) as the page lists them
    (`api.decisions.service.list_decisions`: those the reader may see, and which wait
    for them); no personal data."""

    name = "decisions"
    title = "Quyết định khen thưởng"
    file_stem = "quyet-dinh-khen-thuong"

    COLUMNS = (
        Column("id", "Số", 8),
        Column("number", "Số quyết định", 18),
        Column("decided_on", "Ngày ban hành", 14),
        Column("round", "Đợt xét khen thưởng", 50),
        Column("status", "Trạng thái", 28),
        Column("waiting", "Chờ bạn", 10),
        Column("updated_at", "Cập nhật lần cuối", 18),
    )

    def count(self, s: Session, actor: Actor, f: NoFilter) -> int:
        return len(decisions_service.list_decisions(s, actor))

    def rows(self, s: Session, actor: Actor, f: NoFilter) -> Iterator[Row]:
        rows = decisions_service.list_decisions(s, actor)
        waiting = {d.id for d in decisions_service.list_decisions(s, actor, waiting=True)}
        for d in rows:
            yield {
                "id": d.id,
                "number": d.number or f"Dự thảo số {d.id}",
                "decided_on": d.decided_on,
                "round": d.round_name,
                "status": d.status_label,
                "waiting": d.id in waiting,
                "updated_at": d.updated_at,
            }


# ---------------------------------------------------------------- the council's meetings


class Meetings(_List):
    """The council's meetings (`/hop-hoi-dong`) as the page lists them
    (`api.meetings.service.list_meetings`: those the reader may see); no personal data."""

    name = "meetings"
    title = "Họp Hội đồng Thi đua – Khen thưởng"
    file_stem = "hop-hoi-dong"

    COLUMNS = (
        Column("id", "Số", 8),
        Column("title", "Cuộc họp", 60),
        Column("held_on", "Ngày họp", 12),
        Column("status", "Trạng thái", 28),
    )

    def count(self, s: Session, actor: Actor, f: NoFilter) -> int:
        return len(meetings_service.list_meetings(s, actor))

    def rows(self, s: Session, actor: Actor, f: NoFilter) -> Iterator[Row]:
        for m in meetings_service.list_meetings(s, actor):
            yield {"id": m.id, "title": m.title, "held_on": m.held_on, "status": m.status_label}


# ---------------------------------------------------------------- people, collectives


@dataclass(frozen=True)
class PeopleFilter:
    q: str | None = None
    unit_id: int | None = None


class People(_List):
    """The registry's people and collectives (`/ca-nhan`, «Cá nhân, tập thể») as the
    page lists them (`api.people.service.list_people`, `list_collectives`: a unit's
    people its own, the board its authority's, auditors all; the page's first 50 of
    each found). No identity number, date of birth or ethnicity for anyone: the page
    shows them to no one — a person's own page does, to whoever may read them, and
    records the board's and auditors' reads in the person's history."""

    name = "people"
    title = "Cá nhân, tập thể"
    file_stem = "ca-nhan-tap-the"

    COLUMNS = (
        Column("kind", "Cá nhân / tập thể", 14),
        Column("id", "Số hồ sơ", 10),
        Column("name", "Họ và tên, tên tập thể", 40),
        Column("position", "Chức vụ", 30),
        Column("collective_kind", "Loại tập thể", 20),
        Column("unit", "Đơn vị", 40),
    )

    def count(self, s: Session, actor: Actor, f: PeopleFilter) -> int:
        return len(people_service.list_people(s, actor, f.q, f.unit_id)) + len(
            people_service.list_collectives(s, actor, f.q, f.unit_id)
        )

    def rows(self, s: Session, actor: Actor, f: PeopleFilter) -> Iterator[Row]:
        for p in people_service.list_people(s, actor, f.q, f.unit_id):
            yield {
                "kind": "Cá nhân",
                "id": p.id,
                "name": p.full_name,
                "position": p.position or None,
                "collective_kind": None,
                "unit": p.unit_name,
            }
        for c in people_service.list_collectives(s, actor, f.q, f.unit_id):
            yield {
                "kind": "Tập thể",
                "id": c.id,
                "name": c.name,
                "position": None,
                "collective_kind": c.kind_label,
                "unit": c.unit_name,
            }


# ---------------------------------------------------------------- the inbox


@dataclass(frozen=True)
class InboxFilter:
    q: str | None = None


class Inbox(_List):
    """The dossiers waiting for the reader (the home page's «Việc chờ tôi xử lý»,
    `storage.repositories.dossiers.inbox`), all of them (the page shows the first 100),
    the nearest deadline first, with the page's filter; no personal data."""

    name = "inbox"
    title = "Việc chờ xử lý"
    file_stem = "viec-cho-xu-ly"

    COLUMNS = (
        Column("id", "Số hồ sơ", 10),
        Column("title", "Trích yếu", 60),
        Column("unit", "Đơn vị", 40),
        Column("status", "Trạng thái", 28),
        Column("since", "Chờ từ", 18),
        Column("due", "Hạn xử lý", 12),
        Column("due_state", "Tình trạng hạn", 16),
    )

    def count(self, s: Session, actor: Actor, f: InboxFilter) -> int:
        return dossiers_repo.inbox(s, actor, limit=0, q=f.q)[1]

    def rows(self, s: Session, actor: Actor, f: InboxFilter) -> Iterator[Row]:
        waiting, _ = dossiers_repo.inbox(s, actor, q=f.q)
        since = dossiers_repo.entered_state_at(s, [d.id for d in waiting])
        due = dossier_deadlines(s, waiting)
        for d in waiting:
            dl = due.get(d.id)
            yield {
                "id": d.id,
                "title": d.title,
                "unit": d.unit.name,
                "status": _status(d.status),
                "since": since.get(d.id),
                "due": dl.due_date if dl else None,
                "due_state": dl.state_label if dl else None,
            }


DOSSIERS, NOMINEES, REGISTRY = Dossiers(), Nominees(), Registry()
DECISION_AWARDS, HISTORY = DecisionAwards(), History()
ROUNDS, DECISIONS, MEETINGS, PEOPLE = Rounds(), Decisions(), Meetings(), People()
INBOX = Inbox()
LISTS: dict[str, ExportList] = {
    x.name: x
    for x in (
        DOSSIERS,
        NOMINEES,
        REGISTRY,
        DECISION_AWARDS,
        HISTORY,
        ROUNDS,
        DECISIONS,
        MEETINGS,
        PEOPLE,
        INBOX,
    )
}
