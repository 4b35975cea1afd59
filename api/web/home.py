"""The home page of each role: what waits for me, how many dossiers are in each status,
how long each has waited."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import RuntimeDep
from api.web import views
from api.web.pages import WebRoute, render
from api.web.session import Visitor, VisitorDep
from domain.process import STATUS_LABELS
from domain.roles import BOARD_ROLES, ROLE_LABELS, Role
from flows.runtime import Runtime
from storage import repositories as repo

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _places(s: Any, visitor: Visitor) -> list[str]:
    """Each role of the visitor with where it is held, as people say it."""
    places = []
    for g in visitor.actor.grants:
        where = ""
        if g.unit_id is not None:
            where = repo.unit(s, g.unit_id).name
        elif g.authority_id is not None:
            a = repo.authority(s, g.authority_id)
            where = f"{a.board_name}, {a.name}" if g.role in BOARD_ROLES else a.name
        places.append(f"{ROLE_LABELS[g.role]}" + (f" – {where}" if where else ""))
    return places


# The home page shows the longest-waiting dossiers; a board at year end can have thousands.
INBOX_PAGE = 100


def home_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    *,
    status_code: int = 200,
    bulk_errors: dict[str, str] | None = None,
    selected: set[int] | None = None,
) -> HTMLResponse:
    roles = visitor.actor.roles()
    with rt.db.read() as s:  # the page reads the dossiers' units while it renders
        waiting, inbox_total = repo.inbox(s, visitor.actor, limit=INBOX_PAGE)
        inbox = views.rows(s, visitor.actor, waiting)
        # What approving each dossier would sign, listed in the bulk dialog before the PIN.
        plans = [views.signing_plan(s, r.d) for r in inbox if r.can_approve]
        counts = repo.count_by_status(s, visitor.actor)
        places = _places(s, visitor)
        return render(
            request,
            "home.html",
            visitor,
            status_code=status_code,
            inbox=inbox,
            inbox_total=inbox_total,
            counts=[
                (str(st), label, counts.get(str(st), 0)) for st, label in STATUS_LABELS.items()
            ],
            total=sum(counts.values()),
            places=places,
            can_approve_any=any(r.can_approve for r in inbox),
            plans=plans,
            is_clerk=Role.UNIT_CLERK in roles,
            is_auditor=Role.AUDITOR in roles,
            is_admin=Role.ADMIN in roles,
            sees_dossiers=bool(roles - {Role.ADMIN}),
            bulk_errors=bulk_errors or {},
            selected=selected or set(),
            idem=secrets.token_urlsafe(16),
        )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    return home_page(request, visitor, rt)
