"""Who is who: a role and where it is held, said once, for any role."""

from __future__ import annotations

from domain.roles import ClusterPost, Place, Role, held_title, role_title

CUM = "Cụm I – Các cơ quan Quản lý chuyên ngành"
BOARD = "Phòng Thi đua – Khen thưởng"


def test_a_cluster_leader_reads_as_the_post_in_the_cluster_and_year():
    head = Place(
        unit="Ban Quản lý Khu kinh tế", cluster=CUM, year=2026, cluster_post=ClusterPost.HEAD
    )
    deputy = Place(
        unit="Văn phòng Điều phối", cluster=CUM, year=2026, cluster_post=ClusterPost.DEPUTY
    )
    assert role_title(Role.CLUSTER_APPROVER, head) == f"Trưởng cụm, {CUM} (2026)"
    assert role_title(Role.CLUSTER_APPROVER, deputy) == f"Phó trưởng cụm, {CUM} (2026)"


def test_a_cluster_approver_whose_unit_leads_nothing_this_year_is_told_so():
    title = role_title(
        Role.CLUSTER_APPROVER, Place(unit="Ban Dân tộc tỉnh", cluster=CUM, year=2027)
    )
    assert title.startswith("Lãnh đạo đơn vị Trưởng/Phó trưởng cụm, Ban Dân tộc tỉnh")
    assert "năm 2027 đơn vị không là Trưởng cụm, Phó trưởng cụm" in title


def test_the_board_is_named_once():
    at_board = Place(board=BOARD, authority="Sở Nội vụ")
    assert role_title(Role.BOARD_SPECIALIST, at_board) == f"Chuyên viên, {BOARD}, Sở Nội vụ"
    assert role_title(Role.BOARD_HEAD, at_board).count(BOARD) == 1


def test_unit_roles_read_role_then_unit():
    place = Place(unit='Ban "Dân tộc" <tỉnh> & {{ x }}')
    assert role_title(Role.UNIT_HEAD, place) == 'Thủ trưởng đơn vị, Ban "Dân tộc" <tỉnh> & {{ x }}'


def test_a_role_added_later_reads_right_from_its_label_and_place():
    # e.g. the Sở's leaders, held at the authority: no table of titles to extend.
    assert held_title("Lãnh đạo Sở Nội vụ", Place(authority="Sở Nội vụ")) == ("Lãnh đạo, Sở Nội vụ")
    assert held_title("Giám đốc, Phó Giám đốc Sở", Place(authority="Sở Nội vụ")) == (
        "Giám đốc, Phó Giám đốc Sở, Sở Nội vụ"
    )
    held_by_term = Place(cluster=CUM, year=2026)
    assert held_title("Thư ký cụm", held_by_term) == f"Thư ký cụm, {CUM} (2026)"
