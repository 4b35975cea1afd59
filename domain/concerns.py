"""Which statuses concern a role: the tiles of its home page. Derived from the process
definitions and from who may see what (domain/roles.py), never listed per role, so a
status or a role added to a process comes out right by itself. No I/O.

A role that acts in a process is concerned from the first stage where it acts onwards
(what it does there leads to the later statuses), and with every status its own actions
lead to (a return sends a dossier back to the unit: the reviewer wants to see it come
back). A role that acts nowhere but may see every dossier (the auditor) is concerned with
every status; one that sees no dossier (the admin), with none.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.process import DOSSIER_PROCESSES, STAGE_ORDER, STATUS_LABELS, STATUS_STAGE, Status
from domain.roles import Actor, DossierScope, Role, RoleGrant

# A dossier held nowhere the grant could be held: only a role that sees every dossier
# whatever it is held at sees this one.
_NOWHERE = DossierScope(unit_id=-1, authority_id=-1, reached_cluster=True, reached_board=True)


def _sees_everything(role: Role) -> bool:
    return Actor(user_id=0, grants=(RoleGrant(role),)).can_view(_NOWHERE)


def statuses_of_concern(roles: Iterable[Role]) -> list[Status]:
    """The statuses that concern anyone holding `roles`, in the order of the route."""
    concern: set[Status] = set()
    for role in set(roles):
        acted = False
        for process in DOSSIER_PROCESSES.values():
            own = [t for t in process.transitions if role in t.roles]
            if not own:
                continue
            acted = True
            first = min(STAGE_ORDER.index(STATUS_STAGE[Status(t.source)]) for t in own)
            concern |= {s for s, stage in STATUS_STAGE.items() if STAGE_ORDER.index(stage) >= first}
            concern |= {Status(t.target) for t in own}
        if not acted and _sees_everything(role):
            concern |= set(STATUS_LABELS)
    return [s for s in STATUS_LABELS if s in concern]
