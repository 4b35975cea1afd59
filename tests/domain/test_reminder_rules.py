"""The rules of the reminders: who the superior is, when the digest is due, its words."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.reminders import Item, digest, digest_day, escalation, superior_role
from domain.roles import Role


def test_the_superior_of_a_clerk_is_the_unit_head_of_a_specialist_the_board_head():
    assert superior_role(Role.UNIT_CLERK) is Role.UNIT_HEAD
    assert superior_role(Role.BOARD_SPECIALIST) is Role.BOARD_HEAD
    assert superior_role(Role.BOARD_HEAD) is None
    assert superior_role(Role.UNIT_HEAD) is None


def test_the_digest_is_due_from_its_hour_in_vietnam():
    # 23:30 UTC on 03/12 is 06:30 on 04/12 in Việt Nam; 00:30 UTC is 07:30.
    assert digest_day(datetime(2026, 12, 3, 23, 30, tzinfo=UTC), 7) is None
    assert digest_day(datetime(2026, 12, 4, 0, 30, tzinfo=UTC), 7) == date(2026, 12, 4)


def test_the_digest_lists_the_overdue_first_in_both_parts():
    items = [
        Item("Hồ sơ <mới>", "/ho-so/2", date(2026, 12, 31), 0),
        Item("Hồ sơ cũ", "/ho-so/1", date(2026, 3, 20), 180),
    ]
    m = digest("Nguyễn Văn A", date(2026, 12, 4), items, "https://tdkt.test")
    assert m.subject == "[TĐKT] Việc chờ xử lý ngày 04/12/2026: 2 hồ sơ, 1 quá hạn"
    assert m.text.index("Quá hạn (1)") < m.text.index("Hồ sơ cũ") < m.text.index("Đang chờ")
    assert "https://tdkt.test/ho-so/1" in m.text and "quá hạn 180 ngày làm việc" in m.text
    assert "Hồ sơ &lt;mới&gt;" in m.html and "<mới>" not in m.html
    e = escalation("Trưởng phòng", "chuyên viên B", items[1], "")
    assert "Hồ sơ cũ" in e.subject and "20/03/2026" in e.text
