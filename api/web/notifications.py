"""Thông báo: the visitor's notifications, newest first, each with a link to its
subject's page; unread ones marked. Opening one (`/thong-bao/{id}`) marks it read and
goes to its subject; «Đánh dấu đã đọc tất cả» marks them all. Only one's own: another
person's notification is not found. The menu shows the unread count (api/web/pages.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api import notifications
from api.deps import RuntimeDep
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, VisitorDep, set_flash

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# The page lists this many, newest first; older ones are counted, not listed.
SHOWN = 100


@router.get("/thong-bao", response_class=HTMLResponse)
def notifications_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    chua_doc: Annotated[bool, Query(alias="chua-doc")] = False,
) -> HTMLResponse:
    with rt.db.read() as s:
        items = notifications.latest(s, visitor.user.id, SHOWN, unread=chua_doc)
        total = notifications.total(s, visitor.user.id)
    return render(
        request,
        "notifications.html",
        visitor,
        items=items,
        total=total,
        unread=visitor.unread,
        only_unread=chua_doc,
        shown=SHOWN,
    )


@router.get("/thong-bao/{notification_id:int}", response_model=None)
def open_notification(notification_id: int, visitor: VisitorDep, rt: RuntimeDep) -> Response:
    """Mark the notification read and go to its subject's page (404 if it is not the
    visitor's)."""
    with rt.db.write() as s:
        link = notifications.open_one(s, visitor.user.id, notification_id)
    return redirect(link)


@router.post("/thong-bao/da-doc", response_model=None)
async def mark_all_read(visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep) -> Response:
    del form  # checked for its CSRF token

    def mark() -> int:
        with rt.db.write() as s:
            return notifications.mark_read(s, visitor.user.id)

    marked = await run_in_threadpool(mark)
    response = redirect("/thong-bao")
    set_flash(
        response,
        f"Đã đánh dấu đã đọc {marked} thông báo." if marked else "Không còn thông báo chưa đọc.",
    )
    return response
