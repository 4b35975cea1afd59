"""Queries of requests answered once: idempotent requests and pages held after a POST."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import (
    HeldPage,
    IdempotentRequest,
)


def idempotent_request(s: Session, user_id: int, key: str) -> IdempotentRequest | None:
    return s.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.user_id == user_id, IdempotentRequest.key == key
        )
    )


def hold_page(s: Session, page: HeldPage, *, expired_before: datetime) -> None:
    """Keep a page for its GET, and forget those nobody came back for."""
    s.execute(delete(HeldPage).where(HeldPage.created_at < expired_before))
    s.add(page)
    s.flush()


def held_page(s: Session, page_id: str) -> HeldPage | None:
    return s.get(HeldPage, page_id)


def take_held_page(
    s: Session, page_id: str, binding: str, target: str, *, since: datetime
) -> HeldPage | None:
    """The held page for this cookie, session and address, removed as it is taken (shown
    once); None if there is none, it is someone else's, or it is too old."""
    page = s.get(HeldPage, page_id)
    if page is None or page.binding != binding or page.target != target:
        return None
    s.delete(page)
    s.flush()
    return page if page.created_at >= since else None
