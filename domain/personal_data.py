"""Who may read a nominee's personal data (Nghị định 13/2023/NĐ-CP on personal data
protection): the date of birth, and the ethnicity, which the decree counts among
sensitive data ("nguồn gốc dân tộc").

They reach the nominee's own unit (its clerk and head, who keep the records), the board
that appraises the proposal (once the dossier has reached it) and auditors. Not the
cluster's approvers: the Tờ trình they sign lists names, positions and units only, so
their pages and API answers leave these details out. Gender is not restricted: the
cluster's vote needs it (among equals, women are preferred; Nghị định 152/2025 Điều 4).
Never in a list page, another unit's view, an export for others or a log line.
"""

from __future__ import annotations

from domain.roles import BOARD_ROLES, UNIT_ROLES, Actor, DossierScope, Role


def sees_personal_data(actor: Actor, scope: DossierScope) -> bool:
    """Whether `actor` may read the date of birth and ethnicity of a dossier's nominees."""
    for g in actor.grants:
        if g.role == Role.AUDITOR:
            return True
        if g.role in UNIT_ROLES and g.unit_id == scope.unit_id:
            return True
        if g.role in BOARD_ROLES and g.authority_id == scope.authority_id and scope.reached_board:
            return True
    return False
