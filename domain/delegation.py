"""Delegation (ủy quyền, giao quyền): a role holder lets another person of the same
organisation hold their role for a period — or an admin records an absence and its
substitute. While it lasts the substitute holds the delegated grant (sees the inbox,
acts); what they do is recorded as theirs, on behalf of the delegator; the documents
they sign say how they sign (Nghị định 30/2020/NĐ-CP, Điều 13 and Phụ lục I):

- KT. (ký thay): a deputy signs for the head;
- TL. (thừa lệnh): the head of a section signs by order of the head of the body;
- TUQ. (thừa ủy quyền): someone the head authorised in writing, for a period;
- Q. (quyền): the acting head, while the post is vacant or its holder is away.

Pure rules: who may delegate what to whom, when a delegation is in force, and the
signature block it gives. The grants are computed per request from the database
(storage/delegations.py): an expired or revoked delegation stops at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from unicodedata import normalize

from domain.errors import DomainError, Forbidden, InvalidInput
from domain.roles import Role, RoleGrant


class DelegationKind(StrEnum):
    KT = "KT"
    TL = "TL"
    TUQ = "TUQ"
    Q = "Q"


KIND_LABELS = {
    DelegationKind.KT: "KT. – Ký thay",
    DelegationKind.TL: "TL. – Thừa lệnh",
    DelegationKind.TUQ: "TUQ. – Thừa ủy quyền",
    DelegationKind.Q: "Q. – Quyền",
}

KIND_EXPLANATIONS = {
    DelegationKind.KT: "Cấp phó ký thay người đứng đầu; chức vụ ghi là chức vụ của cấp phó.",
    DelegationKind.TL: (
        "Người được giao ký thừa lệnh người đứng đầu; ghi chức vụ của chính người ký."
    ),
    DelegationKind.TUQ: (
        "Người được người đứng đầu ủy quyền bằng văn bản, trong thời hạn nhất định, ký thừa "
        "ủy quyền; không được ủy quyền lại."
    ),
    DelegationKind.Q: (
        "Người được giao quyền người đứng đầu khi khuyết hoặc vắng; ký với chức danh "
        "«Q.» trước chức vụ của người đứng đầu."
    ),
}

DELEGATED = "theo ủy quyền của"
"""How the history's `on_behalf_of` starts for an act under a delegation (the rest: the
delegator's name and position, the kind and the delegation's number)."""

MAX_DAYS = 366
"""A delegation longer than a year is a change of post, not an absence: an admin changes
the roles instead."""

DELEGABLE = frozenset(
    {
        Role.UNIT_HEAD,
        Role.CLUSTER_APPROVER,
        Role.BOARD_SPECIALIST,
        Role.BOARD_HEAD,
        Role.AUTHORITY_LEADER,
        Role.DECISION_MAKER,
    }
)
"""Roles that approve and sign. Reading roles (auditor), the admin and a person's own
roles (unit member: their own report) are nobody else's to hold."""


class DelegationRefused(InvalidInput):
    code, message = "delegation_refused", "Không ghi nhận được việc ủy quyền."


class DelegationForbidden(Forbidden):
    code = "delegation_forbidden"
    message = "Bạn không có quyền ủy quyền vai trò này."


class DelegationOverlap(DomainError):
    status, code = 409, "delegation_overlap"
    message = "Vai trò này đã được ủy quyền trong một khoảng thời gian trùng lặp."


class DelegationClosed(DomainError):
    status, code = 409, "delegation_closed"
    message = "Việc ủy quyền đã bị thu hồi hoặc đã hết hạn."


class DelegationEnded(Forbidden):
    """Acting in a role held only through a delegation that has ended: the wrong person
    now (403), whatever the subject's state."""

    code = "delegation_ended"
    message = "Việc ủy quyền cho bạn đã hết hạn hoặc đã bị thu hồi."


@dataclass(frozen=True)
class Delegation:
    """A delegation as the rules see it (the row: storage/models.py `Delegation`)."""

    id: int
    delegator_id: int
    delegate_id: int
    grant: RoleGrant
    """The delegator's grant (role and where it is held) the delegate holds meanwhile."""
    valid_from: date
    valid_to: date
    kind: DelegationKind
    revoked: bool = False

    def in_force(self, today: date) -> bool:
        return not self.revoked and self.valid_from <= today <= self.valid_to

    def delegated_grant(self) -> RoleGrant:
        g = self.grant
        return RoleGrant(
            g.role, g.unit_id, g.cluster_term_id, g.authority_id, g.agency_id, delegation_id=self.id
        )


def same_place(a: RoleGrant, b: RoleGrant) -> bool:
    return (a.unit_id, a.cluster_term_id, a.authority_id, a.agency_id) == (
        b.unit_id,
        b.cluster_term_id,
        b.authority_id,
        b.agency_id,
    )


def same_organisation(grant: RoleGrant, delegate_grants: Iterable[RoleGrant]) -> bool:
    """Whether the delegate works where the grant is held: at the same unit for a unit's
    or a cluster leader's role, else at the same authority (or agency)."""
    for g in delegate_grants:
        if g.delegation_id is not None:
            continue  # a delegation is not a place of work
        if grant.unit_id is not None and g.unit_id == grant.unit_id:
            return True
        if grant.authority_id is not None and g.authority_id == grant.authority_id:
            return True
        if grant.agency_id is not None and g.agency_id == grant.agency_id:
            return True
        if grant.cluster_term_id is not None and g.cluster_term_id == grant.cluster_term_id:
            return True
    return False


def check_new(
    *,
    delegator_id: int,
    delegator_grants: Iterable[RoleGrant],
    grant: RoleGrant,
    delegate_id: int,
    delegate_active: bool,
    delegate_grants: Iterable[RoleGrant],
    valid_from: date,
    valid_to: date,
    today: date,
    overlapping: Iterable[Delegation],
) -> None:
    """Refuse a delegation that may not be recorded (each refusal with its own code)."""
    if grant.role not in DELEGABLE:
        raise DelegationForbidden(
            "Vai trò này không ủy quyền được (chỉ các vai trò duyệt, ký).",
            code="role_not_delegable",
        )
    if not any(g.role == grant.role and same_place(g, grant) for g in delegator_grants):
        raise DelegationForbidden(
            "Người ủy quyền không giữ vai trò này ở nơi đã chọn.", code="grant_not_held"
        )
    if delegate_id == delegator_id:
        raise DelegationRefused("Không thể tự ủy quyền cho chính mình.", code="self_delegation")
    if not delegate_active:
        raise DelegationRefused(
            "Người nhận ủy quyền không có tài khoản đang hoạt động.", code="delegate_inactive"
        )
    delegate_grants = list(delegate_grants)
    if not same_organisation(grant, delegate_grants):
        raise DelegationRefused(
            "Người nhận ủy quyền phải thuộc cùng cơ quan, đơn vị với người ủy quyền.",
            code="delegate_elsewhere",
        )
    if any(g.role == grant.role and same_place(g, grant) for g in delegate_grants):
        raise DelegationRefused(
            "Người nhận đã giữ vai trò này: không cần ủy quyền.", code="delegate_holds_role"
        )
    if valid_from > valid_to:
        raise DelegationRefused(
            "Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.", code="delegation_dates"
        )
    if valid_to < today:
        raise DelegationRefused("Thời hạn ủy quyền đã qua.", code="delegation_in_past")
    if (valid_to - valid_from).days + 1 > MAX_DAYS:
        raise DelegationRefused(
            f"Ủy quyền dài nhất {MAX_DAYS} ngày; dài hơn là thay đổi chức vụ: "
            "hãy phân lại vai trò.",
            code="delegation_too_long",
        )
    for d in overlapping:
        if (
            not d.revoked
            and d.delegator_id == delegator_id
            and d.grant.role == grant.role
            and same_place(d.grant, grant)
            and d.valid_from <= valid_to
            and valid_from <= d.valid_to
        ):
            raise DelegationOverlap(
                f"Vai trò này đã được ủy quyền từ {d.valid_from:%d/%m/%Y} đến "
                f"{d.valid_to:%d/%m/%Y}: hãy thu hồi việc ủy quyền đó trước."
            )


def check_revoke(d: Delegation, *, by_id: int, by_admin: bool, today: date) -> None:
    if d.revoked or d.valid_to < today:
        raise DelegationClosed()
    if not by_admin and by_id not in (d.delegator_id, d.delegate_id):
        raise DelegationForbidden("Chỉ người ủy quyền, người nhận hoặc quản trị mới thu hồi được.")


def in_force(delegations: Iterable[Delegation], today: date) -> list[RoleGrant]:
    """The grants a delegate holds today through their delegations."""
    return [d.delegated_grant() for d in delegations if d.in_force(today)]


@dataclass(frozen=True)
class SignatureLines:
    marker: str
    position: str


def signature_lines(
    kind: DelegationKind, *, head_position: str, own_position: str, base_marker: str = ""
) -> SignatureLines:
    """The authority marker and the position a delegate signs with (NĐ 30/2020, Phụ lục
    I): «KT. TRƯỞNG PHÒNG / PHÓ TRƯỞNG PHÒNG», «TL. GIÁM ĐỐC / CHÁNH VĂN PHÒNG»,
    «TUQ. GIÁM ĐỐC / TRƯỞNG PHÒNG…», «Q. TRƯỞNG PHÒNG» (the acting head signs with the
    head's position under «Q.»). `base_marker` is what the head's own signature already
    carries above their position (a Trưởng phòng signs «TL. GIÁM ĐỐC SỞ»): it stays the
    first line."""
    head = normalize("NFC", head_position).upper()
    own = normalize("NFC", own_position).upper()
    if kind == DelegationKind.Q:
        lines, position = [base_marker], f"Q. {head}"
    else:
        lines, position = [base_marker, f"{kind.value}. {head}"], own
    return SignatureLines("\n".join(x for x in lines if x), position)
