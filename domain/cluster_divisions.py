"""Division decisions (quyết định phân cụm, khối thi đua) applied to dated memberships.

A decision of the UBND tỉnh sets, from its effective date, which units form which
cluster. The admin records it as operations on the division in force before it: keep it
unchanged (`Copy`), move a unit (`Move`), merge clusters (`Merge`, into an existing
cluster or a new one), dissolve a cluster (`Dissolve`: its units leave every cluster),
create a cluster with members (`Create`). Applying them never rewrites history: a
membership that changes is closed on the effective date (`valid_to`) and the new one
opens that day (`valid_from`); a cluster that ends gets its `valid_to`. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from domain.clusters import Membership
from domain.errors import InvalidInput


@dataclass(frozen=True)
class NewCluster:
    """A cluster the decision forms, named by the code it will have."""

    code: str
    name: str


Target = int | NewCluster
"""An existing cluster (its id) or one the decision forms."""


@dataclass(frozen=True)
class Copy:
    """The last division stays as it is (the decision restates it)."""


@dataclass(frozen=True)
class Move:
    unit_id: int
    to: Target


@dataclass(frozen=True)
class Merge:
    cluster_ids: tuple[int, ...]
    into: Target
    """One of `cluster_ids` (it continues), another existing cluster, or a new one."""


@dataclass(frozen=True)
class Dissolve:
    cluster_id: int


@dataclass(frozen=True)
class Create:
    cluster: NewCluster
    unit_ids: tuple[int, ...]


Operation = Copy | Move | Merge | Dissolve | Create

OPERATION_LABELS = {
    "copy": "Giữ nguyên phân cụm",
    "move": "Chuyển đơn vị sang cụm khác",
    "merge": "Hợp nhất cụm",
    "dissolve": "Giải thể cụm",
    "create": "Thành lập cụm mới",
}


@dataclass(frozen=True)
class Opening:
    """A membership the decision opens on its effective date."""

    unit_id: int
    cluster: Target


@dataclass(frozen=True)
class Change:
    """What happened to one unit: from one cluster (None: none) to another (None: none)."""

    unit_id: int
    before: int | None
    after: Target | None


@dataclass
class Outcome:
    effective_from: date
    closed: list[Membership] = field(default_factory=list)
    """The memberships that end on the effective date (their `valid_to` set)."""
    opened: list[Opening] = field(default_factory=list)
    created: list[NewCluster] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    """Existing clusters that cease on the effective date (dissolved, merged away)."""
    changes: list[Change] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.changes or self.created or self.ended)


@dataclass(frozen=True)
class Decision:
    number: str
    signed_on: date
    effective_from: date
    operations: Sequence[Operation]


def _unknown_cluster(cid: int) -> InvalidInput:
    return InvalidInput(
        f"Không có cụm thi đua số {cid} đang hoạt động vào ngày có hiệu lực.",
        code="division_unknown_cluster",
    )


def apply(
    decision: Decision,
    memberships: Iterable[Membership],
    *,
    clusters: Mapping[int, tuple[date | None, date | None]],
    cluster_codes: Iterable[str],
    unit_ids: Iterable[int],
    latest_effective: date | None,
) -> Outcome:
    """Apply `decision` to the recorded `memberships`.

    `clusters` maps each existing cluster's id to its (valid_from, valid_to);
    `cluster_codes` are the codes already taken; `unit_ids` the units of the authority;
    `latest_effective` the effective date of the latest decision recorded (None: none).
    The division it edits is the one in force the day before its effective date, as a
    decision of the same day already changed it (the memberships holding on that day)."""
    day = decision.effective_from
    if not decision.number.strip():
        raise InvalidInput("Cần nhập số quyết định.", code="division_number_required")
    if latest_effective is not None and day < latest_effective:
        raise InvalidInput(
            "Quyết định phải có hiệu lực từ ngày "
            f"{latest_effective:%d/%m/%Y} (quyết định gần nhất) trở về sau; "
            "lịch sử phân cụm không được sửa lại.",
            code="division_before_latest",
        )
    if not decision.operations:
        raise InvalidInput(
            "Cần ít nhất một nội dung (giữ nguyên, chuyển, hợp nhất, giải thể, thành lập).",
            code="division_no_operations",
        )
    units = set(unit_ids)
    alive = {
        cid
        for cid, (start, end) in clusters.items()
        if (start is None or start <= day) and (end is None or end > day)
    }
    taken = {c.strip().upper() for c in cluster_codes}

    current: dict[int, Membership] = {}
    for m in memberships:
        if not m.holds_on(day):
            continue
        if m.unit_id in current:
            raise InvalidInput(
                f"Đơn vị số {m.unit_id} đang thuộc hai cụm cùng lúc.",
                code="division_unit_in_two_clusters",
            )
        current[m.unit_id] = m

    state: dict[int, Target | None] = {u: m.cluster_id for u, m in current.items()}
    created: dict[str, NewCluster] = {}
    ended: list[int] = []
    named: set[int] = set()

    def existing(cid: int) -> int:
        if cid not in alive or cid in ended:
            raise _unknown_cluster(cid)
        return cid

    def target(t: Target) -> Target:
        if isinstance(t, NewCluster):
            code = t.code.strip()
            if not code or not t.name.strip():
                raise InvalidInput(
                    "Cụm mới cần có mã và tên.", code="division_new_cluster_incomplete"
                )
            key = code.upper()
            if key in created:
                return created[key]
            if key in taken:
                raise InvalidInput(
                    f"Mã cụm {code} đã được dùng.", code="division_cluster_code_taken"
                )
            created[key] = NewCluster(code, t.name.strip())
            return created[key]
        return existing(t)

    def unit(uid: int) -> int:
        if uid not in units:
            raise InvalidInput(f"Không có đơn vị số {uid}.", code="division_unknown_unit")
        if uid in named:
            raise InvalidInput(
                f"Đơn vị số {uid} được xếp vào hai cụm trong cùng quyết định.",
                code="division_unit_in_two_clusters",
            )
        named.add(uid)
        return uid

    for op in decision.operations:
        if isinstance(op, Copy):
            continue
        if isinstance(op, Move):
            to = target(op.to)
            state[unit(op.unit_id)] = to
        elif isinstance(op, Create):
            if not op.unit_ids:
                raise InvalidInput(
                    "Cụm mới cần có ít nhất một đơn vị thành viên.",
                    code="division_new_cluster_empty",
                )
            new = target(op.cluster)
            if not isinstance(new, NewCluster):  # pragma: no cover - Create names a new one
                raise _unknown_cluster(new)
            for uid in op.unit_ids:
                state[unit(uid)] = new
        elif isinstance(op, Dissolve):
            cid = existing(op.cluster_id)
            for uid, c in state.items():
                if c == cid:
                    state[uid] = None
            ended.append(cid)
        elif isinstance(op, Merge):
            sources = [existing(c) for c in dict.fromkeys(op.cluster_ids)]
            if len(sources) < 2 and not isinstance(op.into, NewCluster):
                raise InvalidInput(
                    "Cần chọn ít nhất hai cụm để hợp nhất.", code="division_merge_needs_two"
                )
            into = target(op.into)
            for uid, c in state.items():
                if c in sources:
                    state[uid] = into
            ended.extend(c for c in sources if c != into)

    out = Outcome(effective_from=day, created=list(created.values()), ended=ended)
    for uid in sorted(set(state) | set(current)):
        before = current[uid].cluster_id if uid in current else None
        after = state.get(uid)
        if before == after:
            continue
        if uid in current:
            m = current[uid]
            out.closed.append(Membership(m.unit_id, m.cluster_id, m.valid_from, day))
        if after is not None:
            out.opened.append(Opening(uid, after))
        out.changes.append(Change(uid, before, after))
    return out
