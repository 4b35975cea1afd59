"""A person's notifications (thông báo): what the API and the pages show of them, where
each leads, and marking them read — only one's own: another person's notification is
not found (404), and nothing is marked then."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.subjects import SUBJECT_KIND_LABELS, SubjectKind
from storage.models import Notification, utcnow
from storage.repositories import notifications as notifications_repo

NOT_FOUND = "Không tìm thấy thông báo."

PAGES = {
    SubjectKind.DOSSIER: "/ho-so/{id}",
    SubjectKind.ROUND: "/dot-xet/{id}",
    SubjectKind.DECISION: "/quyet-dinh/{id}",
    SubjectKind.MEETING: "/hop-hoi-dong/{id}",
    # A cluster's year by its row's id: the page redirects to /cum-thi-dua/{cluster}/{year}.
    SubjectKind.CLUSTER_YEAR: "/cum-thi-dua/nam/{id}",
    # A cluster's proposal by its id: the page redirects to its year's proposal page.
    SubjectKind.CLUSTER_PROPOSAL: "/cum-thi-dua/to-trinh/{id}",
}
OPINIONS_PAGE = "/hiep-y"


def link_of(n: Notification) -> str:
    """The page of the notification's subject. A round's notice numbered below zero is an
    agency's hiệp y request (api/opinions/service.py): its reviewers answer at /hiep-y,
    they do not see the round's page."""
    kind = SubjectKind(n.subject_kind)
    if kind is SubjectKind.ROUND and n.transition_seq < 0:
        return OPINIONS_PAGE
    return PAGES[kind].format(id=n.subject_id)


@dataclass(frozen=True)
class NoticeView:
    id: int
    message: str
    created_at: datetime
    read: bool
    subject_kind: str
    subject_label: str
    subject_id: int
    link: str


def view(n: Notification) -> NoticeView:
    return NoticeView(
        id=n.id,
        message=n.message,
        created_at=n.created_at,
        read=n.read_at is not None,
        subject_kind=n.subject_kind,
        subject_label=SUBJECT_KIND_LABELS[SubjectKind(n.subject_kind)],
        subject_id=n.subject_id,
        link=link_of(n),
    )


def latest(s: Session, user_id: int, limit: int = 50, *, unread: bool = False) -> list[NoticeView]:
    return [view(n) for n in notifications_repo.latest_for(s, user_id, limit, unread=unread)]


def mark_read(s: Session, user_id: int, ids: Collection[int] | None = None) -> int:
    """Mark the person's notifications read: all of them, or those of `ids`, every one of
    which must be theirs (else 404 `notification_not_found`, nothing marked). How many
    were unread."""
    if ids is not None:
        wanted = set(ids)
        if notifications_repo.owned(s, user_id, wanted) != wanted:
            raise NotFound(NOT_FOUND, code="notification_not_found")
    return notifications_repo.mark_read(s, user_id, utcnow(), ids)


def open_one(s: Session, user_id: int, notification_id: int) -> str:
    """Mark one of the person's notifications read; the page it leads to."""
    mark_read(s, user_id, [notification_id])
    n = s.get(Notification, notification_id)
    assert n is not None
    return link_of(n)


def unread_count(s: Session, user_id: int) -> int:
    return notifications_repo.count_for(s, user_id, unread=True)


def total(s: Session, user_id: int) -> int:
    return notifications_repo.count_for(s, user_id)
