"""The home page of each role: what waits for me (dossiers, a board's rounds, the award
decisions waiting for a UBND leader's signature or a board's action), how
many dossiers are in each status, how long each has waited."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.clusters import proposal_service
from api.decisions import service as decisions_service
from api.deps import RuntimeDep
from api.exports import service as exports
from api.exports.lists import INBOX, InboxFilter
from api.rounds import service as rounds_service
from api.web import views
from api.web.pages import WebRoute, render
from api.web.session import Visitor, VisitorDep
from domain.concerns import statuses_of_concern
from domain.process import STATUS_LABELS
from domain.roles import Role
from issuing.runtime import Runtime
from storage.repositories import dossiers as dossiers_repo

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _tiles(roles: frozenset[Role], counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """A tile per status that concerns the visitor's roles (domain/concerns.py), and per
    other status in which the visitor sees dossiers after all (a dossier the board sent
    back and the unit withdrew to a draft): the tiles always add up to the total."""
    concern = set(statuses_of_concern(roles))
    return [
        (str(st), label, counts.get(str(st), 0))
        for st, label in STATUS_LABELS.items()
        if st in concern or counts.get(str(st), 0)
    ]


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
    q: str | None = None,
) -> HTMLResponse:
    roles = visitor.actor.roles()
    q = (q or "").strip() or None
    with rt.db.read() as s:  # the page reads the dossiers' units while it renders
        waiting, inbox_total = dossiers_repo.inbox(s, visitor.actor, limit=INBOX_PAGE, q=q)
        inbox = views.rows(s, visitor.actor, waiting)
        # What approving each dossier would sign, listed in the bulk dialog before the PIN.
        plans = [views.signing_plan(s, r.d) for r in inbox if r.can_approve]
        counts = dossiers_repo.count_by_status(s, visitor.actor)
        rounds = rounds_service.list_rounds(s, visitor.actor, year=None, waiting=True)
        # The decisions waiting for the visitor: the UBND's leaders' signature, a draft
        # the board's specialist sends or withdraws.
        decisions = decisions_service.list_decisions(s, visitor.actor, waiting=True)
        # The clusters' proposals (Tờ trình của Cụm) waiting for the board's appraisal.
        proposals = proposal_service.summaries(s, visitor.actor)
        return render(
            request,
            "home.html",
            visitor,
            status_code=status_code,
            inbox=inbox,
            inbox_total=inbox_total,
            rounds=rounds,
            decisions=decisions,
            proposals=proposals,
            counts=_tiles(roles, counts),
            total=sum(counts.values()),
            places=visitor.titles,
            can_approve_any=any(r.can_approve for r in inbox),
            plans=plans,
            is_clerk=Role.UNIT_CLERK in roles,
            is_auditor=Role.AUDITOR in roles,
            is_admin=Role.ADMIN in roles,
            sees_dossiers=bool(roles - {Role.ADMIN}),
            bulk_errors=bulk_errors or {},
            selected=selected or set(),
            idem=secrets.token_urlsafe(16),
            q=q or "",
        )


@router.get("/", response_class=HTMLResponse, response_model=None)
def home(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if visitor.actor.roles() == {Role.AGENCY_REVIEWER}:
        # An agency's reviewer sees no dossier: their home is the requests to their agency.
        return RedirectResponse("/hiep-y", status_code=303)
    return home_page(request, visitor, rt, q=q)


@router.get("/viec-cho/xuat", response_model=None)
def export_inbox(
    visitor: VisitorDep,
    rt: RuntimeDep,
    fmt: Annotated[str | None, Query(alias="dinh-dang", max_length=8)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of every dossier waiting for the visitor (the page shows
    the first 100), with the page's filter."""
    f = InboxFilter((q or "").strip() or None)
    return exports.export(rt, visitor.caller, INBOX.name, fmt, f)
