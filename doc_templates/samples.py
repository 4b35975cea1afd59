"""Realistic render contexts for the forms, shaped exactly as the flows build them.

Used by the product itself: an uploaded template version is rendered with
:func:`validation_contexts` before it is accepted, and `doc_templates.pictures` draws the
README pictures from :func:`sample_context`. The tests reuse the same data.

The dossier is a demanding one: a long unit name (the heading wraps onto three lines),
40 individuals and 3 collectives (the danh sách runs over several pages), Vietnamese
diacritics everywhere, and — with ``tricky=True`` — user text holding ``< & " {{ }}``,
which breaks naive templating.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = [
    "PLAIN_ACHIEVEMENT",
    "PLAIN_NAME",
    "TRICKY_ACHIEVEMENT",
    "TRICKY_NAME",
    "TRICKY_REASON",
    "sample_context",
    "validation_contexts",
]

TRICKY_NAME = 'Nguyễn Thị Ánh Tuyết <"Út"> & {{ đồng nghiệp }}'
TRICKY_ACHIEVEMENT = (
    "Hoàn thành xuất sắc nhiệm vụ; tỷ lệ giải ngân đạt 98,5% (> 95% & < 100%); "
    'sáng kiến "Số hóa hồ sơ {{ dân tộc }}" được áp dụng toàn tỉnh.'
)
TRICKY_REASON = (
    'Hồ sơ thiếu biên bản họp Hội đồng Thi đua - Khen thưởng & báo cáo "gốc" <bản chính>; '
    "mục {{ số liệu }} chưa có xác nhận của cơ quan quản lý."
)
PLAIN_NAME = "Nguyễn Thị Ánh Tuyết"
PLAIN_ACHIEVEMENT = (
    "Hoàn thành xuất sắc nhiệm vụ; tỷ lệ giải ngân đạt 98,5%; sáng kiến "
    "Số hóa hồ sơ công tác dân tộc được áp dụng toàn tỉnh."
)
PLAIN_REASON = "Hồ sơ thiếu biên bản họp Hội đồng Thi đua - Khen thưởng của đơn vị."

UNIT = "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn"
CLUSTER = "Cụm thi đua I - Các cơ quan Quản lý chuyên ngành tỉnh Lạng Sơn"
AWARD = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"

_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Hà", "Vi", "Lương", "Nông", "Đặng"]
_MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu"]
_GIVEN = ["Hùng", "Lan", "Thắng", "Hương", "Tuấn", "Dũng", "Hằng", "Phương", "Cường", "Yến", "Sơn"]
_POSITIONS = ["Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên chính", "Chuyên viên", "Kế toán"]
_DIVISIONS = [
    "Phòng Quản lý doanh nghiệp và lao động",
    "Phòng Quy hoạch, Xây dựng và Tài nguyên môi trường",
    "Văn phòng Ban",
    "Trung tâm Quản lý cửa khẩu Hữu Nghị",
]
_TYPE_CODES = {"thong_bao": "TB", "phieu_tham_dinh": "BC", "bao_cao_thanh_tich": "BC"}
_TYPE_CODES["quyet_dinh_khen_thuong"] = "QĐ"
_TYPE_CODES["ke_hoach_thi_dua_cum"] = "KH"


def sample_context(*, tricky: bool = True, form: str | None = None) -> dict[str, Any]:
    """The full context every form receives (40 individuals, 3 collectives).

    ``form`` only changes the document number to that form's type (``05/TB-…`` for a
    Thông báo); without it every form is numbered as a Tờ trình.
    """
    name = TRICKY_NAME if tricky else PLAIN_NAME
    achievement = TRICKY_ACHIEVEMENT if tricky else PLAIN_ACHIEVEMENT
    collectives = [
        {
            "index": 1,
            "name": "Phòng Quản lý doanh nghiệp và lao động, " + UNIT,
            "achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2025; thu hút 12 dự án đầu tư mới.",
        },
        {
            "index": 2,
            "name": "Trung tâm Quản lý cửa khẩu Hữu Nghị",
            "achievements": "Bảo đảm thông quan hàng hóa thông suốt, không để ùn tắc kéo dài.",
        },
        {
            "index": 3,
            "name": "Văn phòng Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn",
            "achievements": "Tham mưu tổ chức thành công các hội nghị xúc tiến thương mại.",
        },
    ]
    individuals = []
    for i in range(40):
        person = name if i == 0 else f"{_FAMILY[i % 10]} {_MIDDLE[i % 8]} {_GIVEN[(i * 7) % 11]}"
        individuals.append(
            {
                "index": i + 1,
                "name": person,
                "position": _POSITIONS[i % 5],
                "unit_name": _DIVISIONS[i % 4],
                "achievements": achievement
                if i == 0
                else f"Hoàn thành xuất sắc nhiệm vụ năm 2025 (đạt {90 + i % 10}% chỉ tiêu).",
            }
        )
    type_code = _TYPE_CODES.get(form or "", "TTr")
    # A round's list: the same people under two awards (the first three individuals
    # proposed for the Chủ tịch's Bằng khen, the rest for the Giấy khen).
    groups = [
        {
            "numeral": "I",
            "award_name": AWARD,
            "counts": {"collectives": len(collectives), "individuals": 3},
            "collective_heading": "1",
            "collectives": [
                {"index": c["index"], "name": c["name"], "unit_name": UNIT, "cluster_name": CLUSTER}
                for c in collectives
            ],
            "individual_heading": "2",
            "individuals": [
                {k: p[k] for k in ("index", "name", "position", "unit_name")}
                for p in individuals[:3]
            ],
        },
        {
            "numeral": "II",
            "award_name": "Giấy khen của Trưởng ban",
            "counts": {"collectives": 0, "individuals": len(individuals) - 3},
            "collective_heading": "",
            "collectives": [],
            "individual_heading": "1",
            "individuals": [
                {"index": i + 1, **{k: p[k] for k in ("name", "position", "unit_name")}}
                for i, p in enumerate(individuals[3:])
            ],
        },
    ]
    return {
        "issuer": {
            "parent_name": "UBND TỈNH LẠNG SƠN",
            "name": "BAN QUẢN LÝ KHU KINH TẾ CỬA KHẨU ĐỒNG ĐĂNG - LẠNG SƠN",
            "code": "BQLKKT",
        },
        "number": f"05/{type_code}-BQLKKT",
        "place": "Lạng Sơn",
        "date_text": "ngày 02 tháng 7 năm 2026",
        "recipient": "Chủ tịch Ủy ban nhân dân tỉnh Lạng Sơn",
        "subject": "Về việc đề nghị tặng " + AWARD,
        "award_name": AWARD,
        "year": 2025,
        "unit_name": UNIT,
        "cluster_name": CLUSTER,
        "collectives": collectives,
        "individuals": individuals,
        "counts": {"collectives": len(collectives), "individuals": len(individuals)},
        "nominee": {
            "kind": "individual",
            "kind_label": "Cá nhân",
            "name": name,
            "position": "Phó Trưởng phòng Quản lý doanh nghiệp và lao động",
            "unit_name": UNIT,
            "achievements": achievement,
            "birth_date": "12/03/1982",
            "gender": "Nữ",
            "ethnicity": "Tày",
        },
        "round": {
            "name": "Đợt xét khen thưởng tổng kết công tác",
            "kind_label": "thường xuyên",
            "dossiers": 3,
        },
        "groups": groups,
        "checks": [
            {"index": 1, "name": name, "result": "Đạt", "note": "Đủ hồ sơ"},
            {
                "index": 2,
                "name": "Trung tâm Quản lý cửa khẩu Hữu Nghị",
                "result": "Đạt",
                "note": "",
            },
            {
                "index": 3,
                "name": "Hoàng Văn Sơn",
                "result": "Không đạt",
                "note": "Chưa đủ 02 năm hoàn thành xuất sắc nhiệm vụ",
            },
        ],
        "other_forms": [
            {"name": "Hoàng Văn Sơn", "award": "Giấy khen của Trưởng ban"},
        ],
        "legal_bases": [
            "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15;",
            "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết một số điều "
            "của Luật Thi đua, khen thưởng;",
            "Căn cứ kết quả bình xét của Hội đồng Thi đua - Khen thưởng đơn vị.",
        ],
        "reason": TRICKY_REASON if tricky else PLAIN_REASON,
        "signer": {
            "marker": "KT. TRƯỞNG BAN",
            "position": "Phó Trưởng ban",
            "full_name": "Lương Văn Minh",
        },
        "recipients": ["Như trên;", "Ban Thi đua - Khen thưởng tỉnh;", "Lưu: VT, TH."],
        "meeting": {
            "title": "Họp Hội đồng Thi đua – Khen thưởng xét đợt tổng kết công tác",
            "about": "danh sách đề nghị khen thưởng của Đợt xét khen thưởng tổng kết công tác",
            "held_on_text": "ngày 02 tháng 7 năm 2026",
            "place": "Trụ sở Ủy ban nhân dân tỉnh Lạng Sơn",
            "members_total": 7,
            "present": 5,
            "absent": 2,
            "absent_names": "Hoàng Văn Sơn, Vi Thị Hằng",
            "quorum_text": "Số thành viên có mặt đạt tỷ lệ tối thiểu 2/3: cuộc họp hợp lệ.",
            "members": [
                {
                    "index": i + 1,
                    "name": name if i == 0 else f"{_FAMILY[i]} {_MIDDLE[i]} {_GIVEN[i]}",
                    "position": _POSITIONS[i % 5],
                    "role_label": ("Chủ tịch Hội đồng", "Thư ký")[i] if i < 2 else "Thành viên",
                    "present_label": "Có mặt" if i < 5 else "Vắng mặt",
                }
                for i in range(7)
            ],
        },
        "results": [
            {
                "index": i + 1,
                "name": p["name"],
                "award_name": AWARD,
                "agree": 5 - i % 2,
                "disagree": i % 2,
                "abstain": 0,
                "share": "71,4%" if i % 2 == 0 else "57,1%",
                "threshold": "80%",
                "result": "Không đạt",
            }
            for i, p in enumerate(individuals[:12])
        ],
        "secretary": {"position": "Thư ký", "full_name": "Trần Văn Thắng"},
        # The cluster's year-end secret vote (issuing/cluster_vote_forms.py).
        "vote": {
            "cluster_name": CLUSTER,
            "year": 2026,
            "next_year": 2027,
            "head_unit_name": UNIT,
            "held_on_text": "ngày 20 tháng 12 năm 2026",
            "place": "Hội trường Ban Quản lý Khu kinh tế",
            "members_total": 5,
            "present": 4,
            "absent": 1,
            "absent_names": "Ban Dân tộc tỉnh",
            "quorum_text": "Có mặt 4/5 đơn vị thành viên, đạt tỷ lệ tối thiểu 2/3: cuộc họp"
            " hợp lệ.",
            "quorum_basis": "Quy chế hoạt động của Cụm thi đua (cấu hình mặc định); chưa xác"
            " nhận theo văn bản của tỉnh",
            "members": [
                {
                    "index": i + 1,
                    "unit_name": unit_name,
                    "representative": name if i == 0 else "Lương Văn Minh",
                    "present_label": "Có mặt" if i < 4 else "Vắng mặt",
                }
                for i, unit_name in enumerate(
                    (
                        UNIT,
                        "Liên minh Hợp tác xã tỉnh",
                        "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
                        "Ban Quản lý Dự án",
                        "Ban Dân tộc tỉnh",
                    )
                )
            ],
            "leader": UNIT,
            "next_head": "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
            "next_deputy": "Liên minh Hợp tác xã tỉnh",
            "ballots": 24,
            "ballots_digest": "9f2c" * 16,
        },
        "vote_results": [
            {
                "index": i + 1,
                "kind_label": "Đề nghị Bằng khen",
                "text": f"Đồng ý đề nghị tặng «{AWARD}» cho {p['name']}",
                "voters": 4,
                "counts_text": f"Đồng ý: {4 - i % 3}; Không đồng ý: {i % 3}",
                "rule": "trên 50% tổng số thành viên Cụm",
                "basis": "Quy chế hoạt động của Cụm thi đua (cấu hình mặc định)",
                "confirmed_text": "quy tắc là cấu hình, chưa xác nhận theo văn bản của tỉnh",
                "result": "Đạt" if i % 3 < 2 else "Không đạt",
            }
            for i, p in enumerate(individuals[:6])
        ],
        # The cluster's covenant (issuing/covenant_forms.py).
        "covenant": {
            "year": 2026,
            "cluster_name": "Cụm I – Các cơ quan Quản lý chuyên ngành",
            "member_names": "Liên minh Hợp tác xã tỉnh, Ban Dân tộc tỉnh",
            "goals": ["Hoàn thành xuất sắc nhiệm vụ chính trị năm 2026."],
            "members": [
                {
                    "index": i + 1,
                    "name": unit_name,
                    "commitments": [
                        {
                            "index": 1,
                            "indicator": "Tỷ lệ hồ sơ giải quyết đúng hạn",
                            "target": "≥ 98%",
                            "criterion": "1.1",
                        },
                        {"index": 2, "indicator": achievement, "target": name, "criterion": ""},
                    ],
                }
                for i, unit_name in enumerate(("Liên minh Hợp tác xã tỉnh", "Ban Dân tộc tỉnh"))
            ],
            "signer_rows": [
                {
                    "left": {
                        "unit_name": "Liên minh Hợp tác xã tỉnh",
                        "position": "Chủ tịch",
                        "full_name": "Lương Văn Minh",
                    },
                    "right": {"unit_name": "", "position": "", "full_name": ""},
                }
            ],
        },
        # The Chủ tịch UBND tỉnh's decision on a round (issuing/decision_forms.py).
        "decision": {
            "round_name": "Đợt xét khen thưởng tổng kết công tác",
            "proposer": "Giám đốc Sở Nội vụ",
            "proposal": "Tờ trình số 12/TTr-SNV ngày 20/11/2026",
            "decider": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN",
        },
        # The cluster's plan of the year (issuing/cluster_plan_forms.py).
        "plan": {
            "year": 2026,
            "cluster_name": CLUSTER,
            "head_unit_name": UNIT,
            "goals": [
                "Đẩy mạnh phong trào thi đua yêu nước, hoàn thành xuất sắc nhiệm vụ năm 2026.",
                achievement,
            ],
            "calendar": [
                {
                    "index": 1,
                    "label": "Ký kết giao ước thi đua",
                    "date_text": "ngày 20 tháng 02 năm 2026",
                },
                {
                    "index": 2,
                    "label": "Hạn đăng ký danh hiệu thi đua",
                    "date_text": "ngày 15 tháng 3 năm 2026",
                },
                {
                    "index": 3,
                    "label": "Hội nghị sơ kết 6 tháng đầu năm",
                    "date_text": "ngày 15 tháng 7 năm 2026",
                },
                {
                    "index": 4,
                    "label": "Hội nghị tổng kết năm",
                    "date_text": "ngày 10 tháng 12 năm 2026",
                },
            ],
            "groups": [
                {
                    "numeral": "I",
                    "name": "Thực hiện nhiệm vụ chuyên môn",
                    "subtotal": "60",
                    "criteria": [
                        {
                            "code": "1.1",
                            "title": name,
                            "max_points": "40",
                            "mandatory": "Bắt buộc",
                            "evidence": "Báo cáo kết quả thực hiện nhiệm vụ",
                        },
                        {
                            "code": "1.2",
                            "title": "Tỷ lệ hồ sơ giải quyết đúng hạn",
                            "max_points": "20",
                            "mandatory": "",
                            "evidence": "",
                        },
                    ],
                },
                {
                    "numeral": "II",
                    "name": "Công tác thi đua, khen thưởng",
                    "subtotal": "40,5",
                    "criteria": [
                        {
                            "code": "2.1",
                            "title": "Tổ chức phong trào thi đua",
                            "max_points": "40,5",
                            "mandatory": "",
                            "evidence": "Kế hoạch, báo cáo",
                        }
                    ],
                },
            ],
            "total": "100,5",
            "members": [UNIT, "Ban Dân tộc tỉnh Lạng Sơn"],
        },
        "signer_unit": UNIT.upper(),
        # The cluster's Tờ trình after its vote (issuing/cluster_proposal_forms.py).
        "proposal": {
            "head_unit_name": UNIT,
            "dossiers": 2,
            "minutes": "Biên bản họp bình xét, suy tôn số 01/BB-CỤM I ngày 20 tháng 12 năm 2026",
            "held_on_text": "ngày 20 tháng 12 năm 2026",
        },
        "prize": {
            "lines": [
                f"{AWARD}: mỗi tập thể 4.680.000 đồng, mỗi cá nhân 2.340.000 đồng.",
                "Giấy khen của Trưởng ban: mỗi cá nhân 1.410.000 đồng.",
            ],
            "total": "68.130.000 đồng",
            "base_salary": "2.340.000 đồng (Nghị định số 73/2024/NĐ-CP)",
            "source": "Quỹ Thi đua, khen thưởng tỉnh",
        },
        # The cluster's Báo cáo sơ kết / tổng kết (api/clusters/review_facts.py).
        "review": {
            "year": 2026,
            "period_label": "sơ kết",
            "period_title": "SƠ KẾT",
            "held_on_text": "ngày 10 tháng 7 năm 2026",
            "place": "Hội trường Ban Quản lý Khu kinh tế",
            "host_name": UNIT,
            "board_rep": "Hoàng Văn Sơn, Chuyên viên Phòng Thi đua – Khen thưởng",
            "attendees": [
                {
                    "index": 1,
                    "unit_name": UNIT,
                    "person": f"{name}, Phó Trưởng ban",
                    "present_label": "Có mặt",
                },
                {
                    "index": 2,
                    "unit_name": "Ban Dân tộc tỉnh",
                    "person": "",
                    "present_label": "Vắng",
                },
            ],
            "agenda_lines": [achievement, "Thảo luận, bổ sung dự thảo Báo cáo sơ kết."],
            "outlook": "Tiếp tục thực hiện Kế hoạch thi đua của Cụm.",
        },
        "facts": {
            "cluster_name": "Cụm thi đua I – Các cơ quan Quản lý chuyên ngành",
            "head_name": UNIT,
            "deputy_name": "Ban Dân tộc tỉnh",
            "no_data": "(chưa có dữ liệu)",
            "goals": achievement,
            "members": [{"index": 1, "name": UNIT, "post": "Trưởng cụm"}],
            "criteria": [
                {
                    "code": "1.1",
                    "group": "Thực hiện nhiệm vụ chuyên môn",
                    "title": achievement,
                    "max_points": "20",
                    "mandatory": True,
                }
            ],
            "registrations": [
                {
                    "unit_name": UNIT,
                    "text": "Tập thể: Tập thể lao động xuất sắc; cá nhân: Chiến sĩ thi đua"
                    f" cơ sở ({name}).",
                }
            ],
            "scores": [
                {
                    "rank": 1,
                    "unit_name": UNIT,
                    "total": "95,5",
                    "note": " (tự chấm 97 điểm, điều chỉnh khi thẩm định)",
                }
            ],
            "unscored": "Ban Dân tộc tỉnh",
            "awards": [
                {
                    "name": name,
                    "unit_name": UNIT,
                    "award_name": AWARD,
                    "decision": " (Quyết định số 05/QĐ-UBND ngày 02/7/2026)",
                }
            ],
            "dossiers": [{"label": "Đã khen thưởng", "count": 2}],
        },
    }


def validation_contexts() -> Iterator[tuple[str, dict[str, Any]]]:
    """Contexts that between them take every branch a form has, each with a Vietnamese
    label for the error message: a template must render with all of them."""
    yield "hồ sơ mẫu có ký tự đặc biệt", sample_context(tricky=True)

    other = sample_context(tricky=False)
    other["issuer"]["parent_name"] = ""
    other["number"] = ""
    other["signer"]["marker"] = ""
    other["collectives"] = []
    other["counts"]["collectives"] = 0
    other["nominee"] = {
        "kind": "collective",
        "kind_label": "Tập thể",
        "name": "Trung tâm Quản lý cửa khẩu Hữu Nghị",
        "position": "",
        "unit_name": UNIT,
        "achievements": PLAIN_ACHIEVEMENT,
        "birth_date": "",
        "gender": "",
        "ethnicity": "",
    }
    yield "hồ sơ tập thể, không có cơ quan chủ quản, chưa cấp số", other

    empty = sample_context(tricky=False)
    empty["individuals"] = []
    empty["checks"] = []
    empty["other_forms"] = []
    empty["counts"]["individuals"] = 0
    empty["cluster_name"] = ""
    yield "hồ sơ không có cá nhân, không thuộc cụm", empty
