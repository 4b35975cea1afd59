"""Reminders (nhắc việc) and escalation (báo quá hạn), as rules: who is the superior of a
step's holder, when the daily digest is due, and the digest's words (plain text and
HTML). No I/O: issuing/reminders.py finds what waits and sends.

The superior of a step's holder: the unit head (Thủ trưởng đơn vị) for a step the unit's
clerk holds, the board head (Lãnh đạo Phòng TĐKT) for a step the board's specialist
holds. A step held by a head has no superior here (the authority's leadership is told by
the documents themselves)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from html import escape

from domain.deadlines import VN
from domain.roles import Role

SUPERIOR: dict[Role, Role] = {
    Role.UNIT_CLERK: Role.UNIT_HEAD,
    Role.BOARD_SPECIALIST: Role.BOARD_HEAD,
}


def superior_role(holder: Role) -> Role | None:
    """The role told when a step `holder` holds passes its deadline (None: nobody)."""
    return SUPERIOR.get(holder)


class ReminderKind(StrEnum):
    DIGEST = "digest"
    ESCALATION = "escalation"


def digest_day(now: datetime, hour: int) -> date | None:
    """The Vietnam day whose digest is due at `now` (from `hour` o'clock Vietnam time on),
    or None before that hour."""
    local = now.astimezone(VN)
    return local.date() if local.hour >= hour else None


@dataclass(frozen=True)
class Item:
    """One thing waiting for the person: a dossier and its step's deadline."""

    title: str
    link: str
    due: date | None
    overdue_days: int
    """Working days past the deadline (0: not overdue)."""


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def _due_text(i: Item) -> str:
    if i.due is None:
        return "không có hạn"
    text = f"hạn {i.due:%d/%m/%Y}"
    return text + (f" — quá hạn {i.overdue_days} ngày làm việc" if i.overdue_days > 0 else "")


def digest(name: str, day: date, items: Sequence[Item], base_url: str) -> Mail:
    """The daily digest of `items` (overdue first) for `name` on `day`."""
    overdue = [i for i in items if i.overdue_days > 0]
    waiting = [i for i in items if i.overdue_days <= 0]
    subject = f"[TĐKT] Việc chờ xử lý ngày {day:%d/%m/%Y}: {len(items)} hồ sơ"
    if overdue:
        subject += f", {len(overdue)} quá hạn"
    lines = [f"Kính gửi {name},", "", f"Tổng hợp việc chờ đồng chí xử lý ngày {day:%d/%m/%Y}."]
    parts = [f"<p>Kính gửi {escape(name)},</p>"]
    for label, group in (("Quá hạn", overdue), ("Đang chờ xử lý", waiting)):
        if not group:
            continue
        lines += ["", f"{label} ({len(group)}):"]
        lines += [f"- {i.title} ({_due_text(i)}): {base_url}{i.link}" for i in group]
        parts.append(f"<h3>{label} ({len(group)})</h3><ul>")
        parts += [
            f'<li><a href="{escape(base_url + i.link)}">{escape(i.title)}</a> '
            f"({escape(_due_text(i))})</li>"
            for i in group
        ]
        parts.append("</ul>")
    footer = "Đồng chí có thể tắt thư tổng hợp hằng ngày ở trang Tài khoản (/tai-khoan)."
    lines += ["", footer]
    parts.append(f"<p><small>{escape(footer)}</small></p>")
    html = "<html><body>" + "".join(parts) + "</body></html>"
    return Mail(subject, "\n".join(lines) + "\n", html)


def digest_notice(day: date, items: Sequence[Item]) -> str:
    overdue = sum(1 for i in items if i.overdue_days > 0)
    text = f"Tổng hợp ngày {day:%d/%m/%Y}: {len(items)} hồ sơ chờ xử lý"
    return text + (f", {overdue} quá hạn." if overdue else ".")


def escalation(name: str, holder: str, item: Item, base_url: str) -> Mail:
    """The superior `name` told that `holder`'s step on `item` passed its deadline."""
    due = f"{item.due:%d/%m/%Y}" if item.due else ""
    subject = f"[TĐKT] Hồ sơ quá hạn xử lý: {item.title}"
    body = (
        f"Hồ sơ «{item.title}» chờ {holder} xử lý đã quá hạn ngày {due} "
        f"({item.overdue_days} ngày làm việc)."
    )
    text = f"Kính gửi {name},\n\n{body}\n{base_url}{item.link}\n"
    html = (
        f"<html><body><p>Kính gửi {escape(name)},</p><p>{escape(body)}</p>"
        f'<p><a href="{escape(base_url + item.link)}">Mở hồ sơ</a></p></body></html>'
    )
    return Mail(subject, text, html)


def escalation_notice(holder: str, item: Item) -> str:
    due = f"{item.due:%d/%m/%Y}" if item.due else ""
    return f"Quá hạn: hồ sơ «{item.title}» chờ {holder} xử lý, hạn {due}."[:500]
