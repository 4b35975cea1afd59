"""Use cases of the registry's identities: people and collectives — find, create, correct,
merge, restrict, read with their awards by year — and the link of a dossier's nominees to
them. Each runs inside the request's one transaction and never commits, except the record
of a personal-data read, which is its own short transaction committed before the data
leaves (like a document download). The rules are domain/people.py's; the queries
storage/people.py's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.dossiers.schemas import NomineeIn
from api.people.schemas import (
    AwardYearOut,
    CollectiveIn,
    CollectiveOut,
    HistoryEntryOut,
    MergeIn,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonSummary,
    RegistryAwardOut,
    RestrictionIn,
    RestrictionOut,
)
from documents.vn import today_vn
from domain import people as rules
from domain.awards import NomineeKind
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from domain.people import COLLECTIVE_KIND_LABELS, CollectiveKind, HolderScope, RestrictionKind
from domain.registry import OCCASION_LABELS, SOURCE_LABELS, award_name
from domain.roles import BOARD_ROLES, UNIT_ROLES, Actor, Role
from domain.search import fold
from domain.subjects import Subject, SubjectKind
from issuing.runtime import Runtime
from storage import audit
from storage import people as store
from storage.models import (
    AuditEvent,
    Collective,
    HolderRestriction,
    Person,
    PersonMerge,
    RegistryAward,
    User,
)
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

PERSON_NOT_FOUND = "Không tìm thấy cá nhân."
COLLECTIVE_NOT_FOUND = "Không tìm thấy tập thể."
PERSONAL_DATA_READ = "person.personal_data_read"

EVENT_LABELS = {
    "person.created": "Lập hồ sơ cá nhân",
    "person.edited": "Sửa thông tin cá nhân",
    "person.merged": "Hợp nhất hồ sơ trùng vào hồ sơ này",
    "person.merged_into": "Hồ sơ được hợp nhất vào hồ sơ khác",
    "person.restricted": "Ghi nhận kỷ luật, điều tra, khiếu nại",
    PERSONAL_DATA_READ: "Xem dữ liệu cá nhân",
    "collective.created": "Lập hồ sơ tập thể",
    "collective.restricted": "Ghi nhận kỷ luật, điều tra, khiếu nại",
    "registry_award_added": "Ghi danh hiệu do đơn vị quyết định",
    "document_downloaded": "Tải quyết định",
}


def person_subject(person_id: int) -> Subject:
    return Subject(SubjectKind.PERSON, person_id)


def collective_subject(collective_id: int) -> Subject:
    return Subject(SubjectKind.COLLECTIVE, collective_id)


def scope_of(s: Session, unit_id: int | None) -> HolderScope:
    return store.scope_of_unit(s, unit_id, today_vn().year)


def who(s: Session, user: User, actor: Actor, scope: HolderScope) -> audit.Who:
    role = rules.viewer_role(actor, scope)
    if role in UNIT_ROLES and scope.unit_id is not None:
        place = org_repo.unit(s, scope.unit_id).name
    elif scope.authority_id is not None:
        place = org_repo.authority(s, scope.authority_id).name
    else:
        place = ""
    return audit.Who(user.id, user.full_name, str(role), place, place)


def _own_unit(actor: Actor, unit_id: int | None) -> int:
    """The unit a new record is of: the one asked for, else the caller's own (clerk)."""
    if unit_id is not None:
        return unit_id
    mine = [g.unit_id for g in actor.grants if g.role in UNIT_ROLES and g.unit_id]
    if not mine:
        raise InvalidInput("Hãy chọn đơn vị.", code="unit_required")
    return mine[0]


def _identity(value: str | None, birth: date | None, gender: str | None) -> str | None:
    if value in (None, ""):
        return None
    assert value is not None
    problem = rules.identity_no_problem(value, birth, gender)
    if problem is not None:
        raise InvalidInput(problem, code="identity_no_invalid")
    return value


def _identity_free(s: Session, identity_no: str | None, person_id: int | None = None) -> None:
    if identity_no is None:
        return
    other = store.person_by_identity_no(s, identity_no)
    if other is not None and other.id != person_id:
        raise Conflict(
            "Số định danh cá nhân này đã có trong hồ sơ của một cá nhân khác.",
            code="identity_no_taken",
        )


# ---------------------------------------------------------------- people


def visible_person(
    s: Session, actor: Actor, person_id: int, *, for_update: bool = False
) -> tuple[Person, HolderScope]:
    p = store.person(s, person_id, for_update=for_update)
    if p is None:
        raise NotFound(PERSON_NOT_FOUND, code="person_not_found")
    scope = scope_of(s, p.unit_id)
    if not rules.sees_record(actor, scope):
        raise NotFound(PERSON_NOT_FOUND, code="person_not_found")
    return p, scope


def summary(p: Person, unit_name: str) -> PersonSummary:
    return PersonSummary(
        id=p.id,
        full_name=p.full_name,
        gender=p.gender,
        position=p.position,
        unit_id=p.unit_id,
        unit_name=unit_name,
        merged_into_id=p.merged_into_id,
    )


def list_people(
    s: Session, actor: Actor, q: str | None, unit_id: int | None, *, merged: bool = False
) -> list[PersonSummary]:
    """The people the caller may list: a unit's clerk and head their unit's, the board its
    authority's, auditors all. Never personal data (a list is not where it is read)."""
    return [
        summary(p, name)
        for p, name in store.search_people(s, actor, q, unit_id, include_merged=merged)
    ]


def _editable_scope(s: Session, actor: Actor, unit_id: int, noun: str) -> HolderScope:
    """The scope of a new record of `unit_id`, refused unless `actor` may make one there."""
    scope = scope_of(s, unit_id)
    if scope.authority_id is None:
        raise InvalidInput("Không có đơn vị này.", code="unit_not_found")
    if not rules.may_edit(actor, scope):
        raise Forbidden(
            f"Chỉ cán bộ phụ trách TĐKT của đơn vị hoặc Phòng TĐKT được lập hồ sơ {noun}.",
            code="forbidden_action",
        )
    return scope


def create_person(s: Session, user: User, actor: Actor, body: PersonIn) -> Person:
    unit_id = _own_unit(actor, body.unit_id)
    scope = _editable_scope(s, actor, unit_id, "cá nhân")
    gender = body.gender.value if body.gender else None
    identity_no = _identity(body.identity_no, body.birth_date, gender)
    _identity_free(s, identity_no)
    return _new_person(
        s,
        user,
        actor,
        scope,
        Person(
            full_name=body.full_name,
            gender=gender,
            ethnicity=body.ethnicity,
            birth_date=body.birth_date,
            identity_no=identity_no,
            unit_id=unit_id,
            position=body.position,
        ),
    )


def _new_person(
    s: Session, user: User, actor: Actor, scope: HolderScope, p: Person, **about: object
) -> Person:
    """`p` added (its folded name for searching, who made it) and its creation audited
    (the name and unit only: the rest may be personal data)."""
    p.search_name = fold(p.full_name)
    p.created_by = user.id
    _add_person(s, p)
    audit.append(
        s,
        kind="person.created",
        subject=person_subject(p.id),
        who=who(s, user, actor, scope),
        data={"full_name": p.full_name, "unit_id": p.unit_id, **about},
    )
    return p


def _add_person(s: Session, p: Person) -> None:
    try:
        with s.begin_nested():
            s.add(p)
            s.flush()
    except IntegrityError as e:  # the same identity number, saved meanwhile by another
        raise Conflict(
            "Số định danh cá nhân này đã có trong hồ sơ của một cá nhân khác.",
            code="identity_no_taken",
        ) from e


PERSON_FIELDS = ("full_name", "position", "gender", "ethnicity", "birth_date", "identity_no")


def update_person(
    s: Session, user: User, actor: Actor, person_id: int, body: PersonPatch
) -> Person:
    p, scope = visible_person(s, actor, person_id, for_update=True)
    if not rules.may_edit(actor, scope):
        raise Forbidden(
            "Chỉ cán bộ phụ trách TĐKT của đơn vị hoặc Phòng TĐKT được sửa hồ sơ cá nhân.",
            code="forbidden_action",
        )
    if p.merged_into_id is not None:
        raise Conflict(
            "Hồ sơ này đã được hợp nhất vào một hồ sơ khác: hãy sửa hồ sơ được giữ lại.",
            code="person_merged",
        )
    if body.version != p.version:
        raise StaleVersion(
            "Hồ sơ cá nhân đã được người khác thay đổi. Hãy tải lại rồi thử lại.",
        )
    given = body.model_dump(exclude_unset=True, exclude={"version"})
    new = {f: getattr(p, f) for f in PERSON_FIELDS}
    for f, v in given.items():
        new[f] = v.value if hasattr(v, "value") else v
    if new["identity_no"] == "":
        new["identity_no"] = None
    new["identity_no"] = _identity(new["identity_no"], new["birth_date"], new["gender"])
    _identity_free(s, new["identity_no"], p.id)
    changed = [f for f in PERSON_FIELDS if new[f] != getattr(p, f)]
    for f in changed:
        setattr(p, f, new[f])
    if "full_name" in changed:
        p.search_name = fold(p.full_name)
    if changed:
        s.flush()
        audit.append(
            s,
            kind="person.edited",
            subject=person_subject(p.id),
            who=who(s, user, actor, scope),
            # The fields' names only: their values may be personal data.
            data={"changed": changed},
        )
    return p


def merge(s: Session, user: User, actor: Actor, kept_id: int, body: MergeIn) -> Person:
    """The board merges `body.other_id` into `kept_id` (the same person): the other's
    nominees, registry awards and restrictions move to the kept record; the other keeps
    pointing at it; both histories say so."""
    if body.other_id == kept_id:
        raise InvalidInput("Hãy chọn một hồ sơ khác để hợp nhất.", code="merge_same")
    kept, kept_scope = visible_person(s, actor, kept_id, for_update=True)
    other, other_scope = visible_person(s, actor, body.other_id, for_update=True)
    if not (rules.may_merge(actor, kept_scope) and rules.may_merge(actor, other_scope)):
        raise Forbidden("Chỉ Phòng TĐKT được hợp nhất hồ sơ cá nhân.", code="forbidden_action")
    if kept.merged_into_id is not None or other.merged_into_id is not None:
        raise Conflict("Một trong hai hồ sơ đã được hợp nhất trước đó.", code="person_merged")
    if kept.identity_no and other.identity_no and kept.identity_no != other.identity_no:
        raise Conflict(
            "Hai hồ sơ có số định danh cá nhân khác nhau: không phải cùng một người.",
            code="identity_no_differs",
        )
    moved = store.move_to(s, other.id, kept.id)
    kept = store.person(s, kept_id)  # type: ignore[assignment]
    other = store.person(s, body.other_id)  # type: ignore[assignment]
    assert kept is not None and other is not None
    filled = []
    # What only the merged record knew, the kept one now holds.
    if kept.identity_no is None and other.identity_no is not None:
        kept_no, other.identity_no = other.identity_no, None
        s.flush()
        kept.identity_no = kept_no
        filled.append("identity_no")
    for f in ("birth_date", "gender", "ethnicity"):
        if getattr(kept, f) is None and getattr(other, f) is not None:
            setattr(kept, f, getattr(other, f))
            filled.append(f)
    other.merged_into_id = kept.id
    s.add(PersonMerge(kept_id=kept.id, merged_id=other.id, reason=body.reason, merged_by=user.id))
    s.flush()
    by = who(s, user, actor, kept_scope)
    audit.append(
        s,
        kind="person.merged",
        subject=person_subject(kept.id),
        who=by,
        reason=body.reason,
        data={"merged_id": other.id, "merged_name": other.full_name, **moved, "filled": filled},
    )
    audit.append(
        s,
        kind="person.merged_into",
        subject=person_subject(other.id),
        who=by,
        reason=body.reason,
        data={"kept_id": kept.id, "kept_name": kept.full_name, **moved},
    )
    return kept


def add_restriction(
    s: Session,
    user: User,
    actor: Actor,
    body: RestrictionIn,
    *,
    person_id: int | None = None,
    collective_id: int | None = None,
) -> HolderRestriction:
    if person_id is not None:
        p, scope = visible_person(s, actor, person_id, for_update=True)
        subject = person_subject(p.id)
    else:
        assert collective_id is not None
        c, scope = visible_collective(s, actor, collective_id)
        subject = collective_subject(c.id)
    if not rules.may_restrict(actor, scope):
        raise Forbidden(
            "Chỉ đơn vị hoặc Phòng TĐKT được ghi nhận kỷ luật, điều tra, khiếu nại.",
            code="forbidden_action",
        )
    level = body.level or None
    problem = rules.restriction_problem(body.kind, level, body.starts_on, body.ends_on)
    if problem is not None:
        raise InvalidInput(problem[1], code=f"restriction_{problem[0]}")
    r = HolderRestriction(
        person_id=person_id,
        collective_id=collective_id,
        kind=body.kind.value,
        level=level,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        note=body.note,
        set_by=user.id,
    )
    s.add(r)
    s.flush()
    audit.append(
        s,
        kind="person.restricted" if person_id is not None else "collective.restricted",
        subject=subject,
        who=who(s, user, actor, scope),
        data={
            "restriction_id": r.id,
            "kind": r.kind,
            "level": r.level,
            "starts_on": r.starts_on.isoformat(),
            "ends_on": r.ends_on.isoformat() if r.ends_on else None,
        },
    )
    return r


def restrictions_out(s: Session, rows: Sequence[HolderRestriction]) -> list[RestrictionOut]:
    users = users_repo.users_by_ids(s, {r.set_by for r in rows})
    today = today_vn()
    return [
        RestrictionOut(
            id=r.id,
            kind=r.kind,
            level=r.level,
            label=rules.restriction_label(r.kind, r.level),
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            running=rules.restriction_running(r.starts_on, r.ends_on, today),
            note=r.note,
            set_by=users[r.set_by].full_name if r.set_by in users else "",
            created_at=r.created_at,
        )
        for r in rows
    ]


def restrictions(s: Session, actor: Actor, person_id: int) -> list[RestrictionOut]:
    p, scope = visible_person(s, actor, person_id)
    if not rules.sees_personal(actor, scope):
        raise Forbidden(
            "Chỉ đơn vị, Phòng TĐKT và thanh tra được xem kỷ luật, điều tra, khiếu nại.",
            code="forbidden_personal_data",
        )
    return restrictions_out(s, store.restrictions_of(s, person_id=p.id))


def _label(values: dict[str, str], code: str) -> str:
    return values.get(code, code)


def awards_by_year(rows: Sequence[RegistryAward]) -> list[AwardYearOut]:
    years: dict[int, list[RegistryAwardOut]] = {}
    occasions = {str(k): v for k, v in OCCASION_LABELS.items()}
    sources = {str(k): v for k, v in SOURCE_LABELS.items()}
    for a in rows:
        years.setdefault(a.year, []).append(
            RegistryAwardOut(
                id=a.id,
                award=a.award,
                award_name=award_name(a.award),
                year=a.year,
                occasion=a.occasion,
                occasion_label=_label(occasions, a.occasion),
                decision_number=a.decision_number,
                decision_date=a.decision_date,
                issuer=a.issuer,
                source=a.source,
                source_label=_label(sources, a.source),
                revoked=a.revoked_at is not None,
                revoked_at=a.revoked_at,
                document_id=a.document_id,
            )
        )
    return [AwardYearOut(year=y, awards=v) for y, v in sorted(years.items(), reverse=True)]


def person_out(s: Session, actor: Actor, p: Person, scope: HolderScope) -> PersonOut:
    personal = rules.sees_personal(actor, scope)
    unit_name = org_repo.unit(s, p.unit_id).name if p.unit_id else ""
    return PersonOut(
        **summary(p, unit_name).model_dump(),
        version=p.version,
        personal_data_shown=personal,
        identity_no=p.identity_no if personal else None,
        birth_date=p.birth_date if personal else None,
        ethnicity=p.ethnicity if personal else None,
        restrictions=restrictions_out(s, store.restrictions_of(s, person_id=p.id))
        if personal
        else [],
        awards_by_year=awards_by_year(store.awards_of(s, person_id=p.id)),
        merged_from=[m.merged_id for m in store.merges_into(s, p.id)],
        can_edit=rules.may_edit(actor, scope) and p.merged_into_id is None,
        can_restrict=rules.may_restrict(actor, scope),
        can_merge=rules.may_merge(actor, scope) and p.merged_into_id is None,
    )


def record_personal_read(rt: Runtime, user: User, actor: Actor, person_id: int) -> None:
    """The board's or an auditor's read of a person's full record, in the person's
    history, committed before the answer leaves."""
    with rt.db.write() as s:
        p, scope = visible_person(s, actor, person_id)
        audit.append(
            s,
            kind=PERSONAL_DATA_READ,
            subject=person_subject(p.id),
            who=who(s, user, actor, scope),
            data={"person_id": p.id, "fields": ["identity_no", "birth_date", "ethnicity"]},
        )


def read_person(rt: Runtime, user: User, actor: Actor, person_id: int) -> PersonOut:
    """A person's record as the caller may see it; a read of the personal data by the
    board or an auditor recorded first."""
    with rt.db.read() as s:
        p, scope = visible_person(s, actor, person_id)
        out = person_out(s, actor, p, scope)
        recorded = rules.read_is_recorded(actor, scope)
    if recorded:
        record_personal_read(rt, user, actor, person_id)
    return out


def history(s: Session, actor: Actor, subject: Subject) -> list[HistoryEntryOut]:
    """The record's history: who created, corrected, merged, restricted it and, for
    whoever may read the personal data, who read it."""
    if subject.kind is SubjectKind.PERSON:
        _, scope = visible_person(s, actor, subject.id)
    else:
        _, scope = visible_collective(s, actor, subject.id)
    personal = rules.sees_personal(actor, scope)
    out = []
    for e in store.events_of(s, subject):
        if e.kind == PERSONAL_DATA_READ and not personal:
            continue
        out.append(
            HistoryEntryOut(
                seq=e.subject_seq or 0,
                kind=e.kind,
                label=EVENT_LABELS.get(e.kind, e.kind),
                at=e.occurred_at,
                at_label=audit.vn_time(e.occurred_at),
                actor=e.actor_name,
                reason=e.reason,
                note=_note(e),
            )
        )
    return out


def _note(e: AuditEvent) -> str:
    data = e.data or {}
    if e.kind == "person.merged":
        return (
            f"Hồ sơ số {data.get('merged_id')} («{data.get('merged_name', '')}») hợp nhất vào "
            f"đây: chuyển {data.get('awards', 0)} khen thưởng, {data.get('nominees', 0)} lần "
            f"được đề nghị, {data.get('restrictions', 0)} kỷ luật/điều tra/khiếu nại."
        )
    if e.kind == "person.merged_into":
        return f"Hợp nhất vào hồ sơ số {data.get('kept_id')} («{data.get('kept_name', '')}»)."
    if e.kind == "person.edited":
        return "Sửa: " + ", ".join(FIELD_LABELS.get(f, f) for f in data.get("changed", []))
    if e.kind == "registry_award_added":
        return (
            f"{award_name(str(data.get('award', '')))} năm {data.get('year')}, quyết định số "
            f"{data.get('decision_number', '')}."
        )
    if e.kind == "document_downloaded":
        return f"{data.get('file_name', '')}."
    if e.kind in ("person.restricted", "collective.restricted"):
        return rules.restriction_label(str(data.get("kind", "")), data.get("level"))
    return ""


FIELD_LABELS = {
    "full_name": "họ và tên",
    "position": "chức vụ",
    "gender": "giới tính",
    "ethnicity": "dân tộc",
    "birth_date": "ngày sinh",
    "identity_no": "số định danh cá nhân",
}


# ---------------------------------------------------------------- collectives


def visible_collective(
    s: Session, actor: Actor, collective_id: int
) -> tuple[Collective, HolderScope]:
    c = store.collective(s, collective_id)
    if c is None:
        raise NotFound(COLLECTIVE_NOT_FOUND, code="collective_not_found")
    scope = scope_of(s, c.unit_id)
    if not rules.sees_record(actor, scope):
        raise NotFound(COLLECTIVE_NOT_FOUND, code="collective_not_found")
    return c, scope


def collective_out(s: Session, c: Collective, *, with_awards: bool = True) -> CollectiveOut:
    unit = org_repo.unit(s, c.unit_id)
    return CollectiveOut(
        id=c.id,
        kind=c.kind,
        kind_label=COLLECTIVE_KIND_LABELS.get(CollectiveKind(c.kind), c.kind),
        name=c.name,
        unit_id=c.unit_id,
        unit_name=unit.name,
        awards_by_year=awards_by_year(store.awards_of(s, collective_id=c.id))
        if with_awards
        else [],
    )


def list_collectives(
    s: Session, actor: Actor, q: str | None, unit_id: int | None
) -> list[CollectiveOut]:
    out = []
    for c, unit_name in store.search_collectives(s, actor, q, unit_id):
        out.append(
            CollectiveOut(
                id=c.id,
                kind=c.kind,
                kind_label=COLLECTIVE_KIND_LABELS.get(CollectiveKind(c.kind), c.kind),
                name=c.name,
                unit_id=c.unit_id,
                unit_name=unit_name,
            )
        )
    return out


def _new_collective(
    s: Session,
    user: User | None,
    actor: Actor | None,
    unit_id: int,
    kind: CollectiveKind,
    name: str,
) -> Collective:
    c = Collective(
        unit_id=unit_id,
        kind=kind.value,
        name=name,
        search_name=fold(name),
        created_by=user.id if user else None,
    )
    s.add(c)
    s.flush()
    audit.append(
        s,
        kind="collective.created",
        subject=collective_subject(c.id),
        who=who(s, user, actor, scope_of(s, unit_id)) if user and actor else None,
        data={"name": c.name, "unit_id": unit_id, "kind": c.kind},
    )
    return c


def unit_collective(s: Session, user: User | None, actor: Actor | None, unit_id: int) -> Collective:
    """The unit's own collective record, made the first time it is needed."""
    found = store.unit_collective(s, unit_id)
    if found is not None:
        return found
    unit = org_repo.unit(s, unit_id)
    return _new_collective(s, user, actor, unit_id, CollectiveKind.UNIT, unit.name)


def create_collective(
    s: Session, user: User, actor: Actor, body: CollectiveIn
) -> tuple[Collective, bool]:
    """A collective of a unit; returns it and whether it is new (a unit's own record is
    made once; a part of the same name is refused)."""
    unit_id = _own_unit(actor, body.unit_id)
    _editable_scope(s, actor, unit_id, "tập thể")
    if body.kind is CollectiveKind.UNIT:
        existing = store.unit_collective(s, unit_id)
        if existing is not None:
            return existing, False
        return unit_collective(s, user, actor, unit_id), True
    if not body.name:
        raise InvalidInput("Hãy nhập tên phòng, tổ.", code="name_required")
    if store.part_named(s, unit_id, body.name) is not None:
        raise Conflict(f"Đơn vị đã có tập thể «{body.name}».", code="collective_taken")
    return _new_collective(s, user, actor, unit_id, CollectiveKind.PART, body.name), True


# ---------------------------------------------------------------- nominees


@dataclass(frozen=True)
class Link:
    person_id: int | None = None
    collective_id: int | None = None
    person: Person | None = None


def _kept(s: Session, p: Person) -> Person:
    """The record a merged one points at (a merge may have followed another)."""
    seen = {p.id}
    while p.merged_into_id is not None and p.merged_into_id not in seen:
        nxt = store.person(s, p.merged_into_id)
        if nxt is None:
            break
        seen.add(nxt.id)
        p = nxt
    return p


def _not_in_unit(name: str) -> InvalidInput:
    return InvalidInput(
        f"Cá nhân được chọn cho «{name}» không thuộc đơn vị của hồ sơ.",
        code="person_not_in_unit",
    )


def link_nominees(
    s: Session,
    user: User,
    actor: Actor,
    unit_id: int,
    items: list[NomineeIn],
    previous: dict[tuple[str, str], int],
) -> list[Link]:
    """Whom each nominee is, in the registry. An individual: the person chosen (of the
    dossier's unit), else the one with the identity number given, else the one this
    dossier already named so, else the unit's only record of that name (and birth date,
    when both are known), else a new record made from the nominee's details. A
    collective: the collective chosen (of the unit), else the unit itself when named
    so, else the unit's part of that name, made when missing. `previous`: (kind, folded
    name) → the record the dossier's nominee had before this save."""
    links = []
    for n in items:
        if n.kind == NomineeKind.INDIVIDUAL:
            links.append(_link_person(s, user, actor, unit_id, n, previous))
        else:
            links.append(_link_collective(s, user, actor, unit_id, n, previous))
    return links


def _link_person(
    s: Session,
    user: User,
    actor: Actor,
    unit_id: int,
    n: NomineeIn,
    previous: dict[tuple[str, str], int],
) -> Link:
    if n.collective_id is not None:
        raise InvalidInput(
            f"«{n.name}» là cá nhân: chọn hồ sơ cá nhân, không phải tập thể.",
            code="nominee_kind_mismatch",
        )
    gender = n.gender.value if n.gender else None
    if n.person_id is not None:
        p = store.person(s, n.person_id)
        if p is None:
            raise _not_in_unit(n.name)
        p = _kept(s, p)
        if p.unit_id != unit_id:
            raise _not_in_unit(n.name)
        return Link(person_id=p.id, person=p)
    identity_no = _identity(n.identity_no, n.birth_date, gender)
    if identity_no is not None:
        p = store.person_by_identity_no(s, identity_no)
        if p is not None:
            p = _kept(s, p)
            if p.unit_id != unit_id:
                raise _not_in_unit(n.name)
            return Link(person_id=p.id, person=p)
    key = (NomineeKind.INDIVIDUAL.value, fold(n.name))
    if identity_no is None and key in previous:
        p = store.person(s, previous[key])
        if p is not None:
            p = _kept(s, p)
            if p.unit_id == unit_id:
                return Link(person_id=p.id, person=p)
    if identity_no is None:
        same = [
            p
            for p in store.people_named(s, unit_id, n.name)
            if n.birth_date is None or p.birth_date in (None, n.birth_date)
        ]
        if len(same) == 1:
            return Link(person_id=same[0].id, person=same[0])
    p = _new_person(
        s,
        user,
        actor,
        scope_of(s, unit_id),
        Person(
            full_name=n.name,
            gender=gender,
            ethnicity=n.ethnicity,
            birth_date=n.birth_date,
            identity_no=identity_no,
            unit_id=unit_id,
            position=n.job_title,
        ),
        **{"from": "nominee"},
    )
    return Link(person_id=p.id, person=p)


def _link_collective(
    s: Session,
    user: User,
    actor: Actor,
    unit_id: int,
    n: NomineeIn,
    previous: dict[tuple[str, str], int],
) -> Link:
    if n.person_id is not None or n.identity_no:
        raise InvalidInput(
            f"«{n.name}» là tập thể: chọn hồ sơ tập thể, không phải cá nhân.",
            code="nominee_kind_mismatch",
        )
    if n.collective_id is not None:
        c = store.collective(s, n.collective_id)
        if c is None or c.unit_id != unit_id:
            raise InvalidInput(
                f"Tập thể được chọn cho «{n.name}» không thuộc đơn vị của hồ sơ.",
                code="collective_not_in_unit",
            )
        return Link(collective_id=c.id)
    key = (NomineeKind.COLLECTIVE.value, fold(n.name))
    if key in previous:
        return Link(collective_id=previous[key])
    unit = org_repo.unit(s, unit_id)
    if fold(n.name) == fold(unit.name):
        return Link(collective_id=unit_collective(s, user, actor, unit_id).id)
    part = store.part_named(s, unit_id, n.name)
    if part is None:
        part = _new_collective(s, user, actor, unit_id, CollectiveKind.PART, n.name)
    return Link(collective_id=part.id)


def restriction_kinds() -> list[tuple[str, str]]:
    return [(k.value, rules.RESTRICTION_KIND_LABELS[k]) for k in RestrictionKind]


def is_board(actor: Actor) -> bool:
    return any(g.role in BOARD_ROLES for g in actor.grants)


def is_auditor(actor: Actor) -> bool:
    return any(g.role == Role.AUDITOR for g in actor.grants)
