"""The catalogue of DOCX forms: what each form is, which context fields it reads, and the
legal basis and dates under which it is in force.

Flows look a form up here by its code, render ``template_path(code)`` and record
``template_sha256(code)`` and ``version`` next to the produced document, so that any
archived document can be traced to the exact template that made it. When the rules
change, add a new version with its own ``effective_from`` rather than editing a form in
force (a dossier is judged by the rules in force on its date).

The file here is the form's built-in version "1". Versions an admin uploads are checked
against the fields declared here (`validation.py`) and kept by `versions.py`, whose
``resolve_template`` gives the flows the bytes to render and record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

__all__ = [
    "FORMS",
    "FORMS_DIR",
    "LEGAL_BASIS",
    "REPORTS",
    "FieldSpec",
    "FormSpec",
    "template_path",
    "template_sha256",
]

FORMS_DIR = Path(__file__).resolve().parent / "forms"
LEGAL_BASIS = (
    "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định 152/2025/NĐ-CP; Nghị định 30/2020/NĐ-CP"
)
EFFECTIVE_FROM = date(2025, 7, 1)


@dataclass(frozen=True)
class FieldSpec:
    """One top-level key of the render context."""

    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class FormSpec:
    code: str
    title: str
    doc_type: str
    doc_type_code: str  # ký hiệu of the document type: TTr, BC, TB
    template_file: str  # relative to this package
    version: int
    fields: tuple[FieldSpec, ...]
    legal_basis: str
    effective_from: date
    effective_to: date | None
    series: Literal["issuer", "council"] = "issuer"
    """Which numbering series the number is taken from: ``"issuer"``, the issuing body's
    own series (the default), or ``"council"``, the series its Hội đồng Thi đua - Khen
    thưởng keeps apart (NĐ 30/2020: an advisory council numbers its own documents)."""

    @property
    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)

    @property
    def required_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.required)

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def number_series(self, issuer_series: str) -> str:
        """The key of the series a document of this form is numbered in, given the
        issuing body's own key (e.g. ``unit:BDT``): a council's documents have their own
        gap-free series next to the body's."""
        return issuer_series if self.series == "issuer" else f"{issuer_series}/{self.series}"


# Every context key the flows provide, described once.
_FIELDS: dict[str, tuple[str, str]] = {
    "issuer": (
        "{parent_name, name, code}",
        "Cơ quan ban hành: cơ quan chủ quản (có thể rỗng), tên cơ quan, mã viết tắt",
    ),
    "number": ("str", "Số, ký hiệu đầy đủ, ví dụ 05/TTr-BDT (rỗng khi chưa cấp số)"),
    "place": ("str", "Địa danh, ví dụ Lạng Sơn"),
    "date_text": ("str", "Ngày tháng năm ban hành, ví dụ 'ngày 02 tháng 7 năm 2026'"),
    "recipient": ("str", "Nơi gửi (Kính gửi)"),
    "subject": ("str", "Trích yếu nội dung"),
    "award_name": ("str", "Tên hình thức khen thưởng đề nghị"),
    "year": ("int", "Năm thi đua"),
    "unit_name": ("str", "Tên đơn vị đề nghị"),
    "cluster_name": ("str", "Tên cụm, khối thi đua"),
    "collectives": ("list[{index, name, achievements}]", "Danh sách tập thể đề nghị"),
    "individuals": (
        "list[{index, name, position, unit_name, achievements}]",
        "Danh sách cá nhân đề nghị",
    ),
    "counts": ("{collectives: int, individuals: int}", "Số tập thể, số cá nhân đề nghị"),
    "nominee": (
        "{kind, kind_label, name, position, unit_name, achievements, birth_date, gender,"
        " ethnicity}",
        "Tập thể hoặc cá nhân được báo cáo thành tích (kind: collective | individual); với cá"
        " nhân: ngày sinh (dd/mm/yyyy), giới tính (Nam | Nữ), dân tộc — rỗng khi chưa nhập"
        " hoặc với tập thể. Ngày sinh, dân tộc là dữ liệu cá nhân (NĐ 13/2023/NĐ-CP): chỉ"
        " biểu mẫu báo cáo thành tích của chính cá nhân đó dùng",
    ),
    "checks": (
        "list[{index, name, result, note}]",
        "Kết quả thẩm định từng tập thể, cá nhân, như chuyên viên đã ghi",
    ),
    "other_forms": (
        "list[{name, award}]",
        "Tập thể, cá nhân được đề nghị xét hình thức khen thưởng khác (tên, hình thức)",
    ),
    "round": (
        "{name, kind_label, dossiers}",
        "Đợt xét khen thưởng: tên đợt, loại (thường xuyên, chuyên đề, đột xuất), số hồ sơ",
    ),
    "groups": (
        "list[{numeral, award_name, counts: {collectives, individuals}, collective_heading,"
        " collectives: list[{index, name, unit_name, cluster_name}], individual_heading,"
        " individuals: list[{index, name, position, unit_name}]}]",
        "Danh sách theo từng hình thức khen thưởng (I, II, …): tập thể rồi cá nhân",
    ),
    "legal_bases": ("list[str]", "Các dòng căn cứ, mỗi dòng kết thúc bằng ';', dòng cuối '.'"),
    "reason": ("str", "Lý do trả lại hoặc không chấp nhận hồ sơ"),
    "signer": (
        "{marker, position, full_name}",
        "Người ký: thẩm quyền (TM., KT. …), chức vụ, họ tên",
    ),
    "recipients": ("list[str]", "Nơi nhận"),
    "meeting": (
        "{title, about, held_on_text, place, members_total, present, absent, absent_names,"
        " quorum_text, members: list[{index, name, position, role_label, present_label}]}",
        "Cuộc họp: tên, nội dung, ngày họp, địa điểm, số thành viên, số có mặt, vắng mặt,"
        " điều kiện hợp lệ (tỷ lệ có mặt), danh sách thành viên và điểm danh",
    ),
    "results": (
        "list[{index, name, award_name, agree, disagree, abstain, share, threshold, result}]",
        "Kết quả biểu quyết từng nội dung: số đồng ý, không đồng ý, không biểu quyết, tỷ lệ"
        " đồng ý trên tổng số thành viên, ngưỡng áp dụng, kết quả (Đạt | Không đạt)",
    ),
    "secretary": ("{position, full_name}", "Thư ký cuộc họp: chức danh, họ tên (ký trước)"),
    "vote": (
        "{cluster_name, year, next_year, head_unit_name, held_on_text, place, members_total,"
        " present, absent, absent_names, quorum_text, quorum_basis, members: list[{index,"
        " unit_name, representative, present_label}], leader, next_head, next_deputy,"
        " ballots, ballots_digest}",
        "Cuộc họp bình xét, suy tôn của Cụm (bỏ phiếu kín): tên cụm, năm, năm sau, đơn vị"
        " Trưởng cụm, ngày họp, địa điểm, số đơn vị thành viên, có mặt, vắng mặt (tên),"
        " điều kiện hợp lệ và căn cứ, các đơn vị và người đại diện, đơn vị dẫn đầu được suy"
        " tôn, đơn vị Trưởng cụm và Phó trưởng cụm năm sau, số phiếu, mã băm SHA-256 của"
        " các phiếu — tất cả lấy từ kết quả kiểm phiếu đã lưu",
    ),
    "vote_results": (
        "list[{index, kind_label, text, voters, counts_text, rule, basis, confirmed_text, result}]",
        "Kết quả từng nội dung bỏ phiếu kín: loại nội dung, nội dung, số phiếu, số phiếu"
        " từng lựa chọn, quy tắc áp dụng và căn cứ (ghi rõ khi là cấu hình chưa xác nhận),"
        " kết quả",
    ),
    "review": (
        "{year, period_label, period_title, held_on_text, place, host_name, board_rep,"
        " attendees: list[{index, unit_name, person, present_label}], agenda_lines: list[str],"
        " outlook}",
        "Hội nghị sơ kết, tổng kết của Cụm: năm, kỳ, ngày họp, địa điểm, đơn vị đăng cai,"
        " đại diện Phòng Thi đua – Khen thưởng, thành phần theo đơn vị, nội dung, phương hướng",
    ),
    "facts": (
        "{cluster_name, head_name, deputy_name, no_data, goals, members: list[{index, name,"
        " post}], criteria: list[{code, group, title, max_points, mandatory}], registrations:"
        " list[{unit_name, text}], scores: list[{rank, unit_name, total, note}], unscored,"
        " awards: list[{name, unit_name, award_name, decision}], dossiers: list[{label, count}]}",
        "Kết quả của kỳ (api/clusters/review_facts.py report_facts): các đơn vị thành viên, mục"
        " tiêu và tiêu chí của Kế hoạch, đăng ký thi đua, điểm và xếp hạng của kỳ, đơn vị"
        " chưa gửi bảng điểm (rỗng: in «chưa có dữ liệu»), khen thưởng trong kỳ, hồ sơ đề"
        " nghị theo trạng thái",
    ),
    "decision": (
        "{round_name, proposer, proposal, decider}",
        "Quyết định khen thưởng: tên đợt, cơ quan đề nghị (Giám đốc Sở …), Tờ trình đề nghị"
        " (số, ngày), người có thẩm quyền quyết định (Chủ tịch Ủy ban nhân dân tỉnh …)",
    ),
    "prize": (
        "{lines: list[str], total, base_salary, source}",
        "Tiền thưởng (Điều 2): mỗi dòng một hình thức (hệ số × lương cơ sở tại ngày quyết"
        " định, làm tròn lên 10.000 đồng), tổng số, lương cơ sở áp dụng, nguồn chi",
    ),
    "plan": (
        "{year, cluster_name, head_unit_name, goals: list[str], calendar: list[{index, label,"
        " date_text}], groups: list[{numeral, name, subtotal, criteria: list[{code, title,"
        " max_points, mandatory, evidence}]}], total, members: list[str]}",
        "Kế hoạch thi đua của Cụm: năm, tên cụm, đơn vị Trưởng cụm, mục đích yêu cầu (mỗi"
        " dòng một ý), lịch năm (ký giao ước, hạn đăng ký, sơ kết, tổng kết), tiêu chí chấm"
        " điểm theo nhóm (mã, nội dung, điểm tối đa, bắt buộc, minh chứng), tổng điểm, các"
        " đơn vị thành viên",
    ),
    "signer_unit": ("str", "Đơn vị Trưởng cụm ký thay mặt Cụm (chữ in hoa)"),
    "proposal": (
        "{head_unit_name, dossiers, minutes, held_on_text}",
        "Tờ trình của Cụm sau bình xét: đơn vị Trưởng cụm, số hồ sơ, Biên bản họp bình xét,"
        " suy tôn được viện dẫn (số, ngày), ngày họp",
    ),
    "covenant": (
        "{year, cluster_name, member_names, goals: list[str], members: list[{index, name,"
        " commitments: list[{index, indicator, target, criterion}]}], signer_rows:"
        " list[{left, right: {unit_name, position, full_name}}]}",
        "Giao ước thi đua: năm, tên cụm, các đơn vị thành viên, mục tiêu chung (từ kế hoạch"
        " của Cụm), chỉ tiêu cam kết của từng đơn vị (chỉ tiêu, mức cam kết, tiêu chí chấm"
        " điểm liên quan), người ký của từng đơn vị theo từng hàng hai người",
    ),
}


def _fields(*names: str, optional: tuple[str, ...] = ()) -> tuple[FieldSpec, ...]:
    """Required fields first, then optional ones (provided but not needed by the form)."""
    specs = [FieldSpec(n, _FIELDS[n][0], True, _FIELDS[n][1]) for n in names]
    specs += [FieldSpec(n, _FIELDS[n][0], False, _FIELDS[n][1]) for n in optional]
    return tuple(specs)


_HEADING = ("issuer", "number", "place", "date_text", "subject", "signer", "recipients")
_PROPOSAL = (*_HEADING, "recipient", "legal_bases", "award_name", "year", "counts")
_LISTS = ("collectives", "individuals")


def _form(
    code: str, title: str, doc_type: str, doc_type_code: str, fields: tuple[FieldSpec, ...]
) -> FormSpec:
    return FormSpec(
        code=code,
        title=title,
        doc_type=doc_type,
        doc_type_code=doc_type_code,
        template_file=f"forms/{code}.docx",
        version=1,
        fields=fields,
        legal_basis=LEGAL_BASIS,
        effective_from=EFFECTIVE_FROM,
        effective_to=None,
    )


FORMS: dict[str, FormSpec] = {
    spec.code: spec
    for spec in (
        _form(
            "bao_cao_thanh_tich",
            "Báo cáo thành tích đề nghị khen thưởng (tập thể hoặc cá nhân)",
            "Báo cáo",
            "BC",
            _fields(
                "issuer",
                "place",
                "date_text",
                "award_name",
                "nominee",
                "signer",
                optional=("number", "year", "unit_name"),
            ),
        ),
        _form(
            "to_trinh_don_vi",
            "Tờ trình đề nghị khen thưởng của đơn vị",
            "Tờ trình",
            "TTr",
            _fields(*_PROPOSAL, "unit_name", *_LISTS, optional=("cluster_name",)),
        ),
        _form(
            "to_trinh_cum",
            "Tờ trình đề nghị khen thưởng của cụm, khối thi đua",
            "Tờ trình",
            "TTr",
            _fields(*_PROPOSAL, "cluster_name", *_LISTS, optional=("unit_name",)),
        ),
        _form(
            "phieu_tham_dinh",
            "Báo cáo thẩm định hồ sơ đề nghị khen thưởng",
            "Báo cáo",
            "BC",
            # The specialist's own report: dated, not numbered (a number may still be
            # printed by an uploaded version).
            _fields(
                *(f for f in _PROPOSAL if f != "number"),
                "unit_name",
                "cluster_name",
                "checks",
                optional=("number", *_LISTS),
            ),
        ),
        _form(
            "to_trinh_ban",
            "Tờ trình của cơ quan thi đua, khen thưởng trình Chủ tịch UBND tỉnh",
            "Tờ trình",
            "TTr",
            _fields(
                *_PROPOSAL,
                "unit_name",
                "cluster_name",
                *_LISTS,
                optional=("checks", "other_forms"),
            ),
        ),
        _form(
            "to_trinh_dot",
            "Tờ trình của cơ quan thi đua, khen thưởng trình Chủ tịch UBND tỉnh theo đợt xét"
            " khen thưởng (kèm danh sách)",
            "Tờ trình",
            "TTr",
            # A round covers several awards: each group names its own.
            _fields(*(f for f in _PROPOSAL if f != "award_name"), "round", "groups"),
        ),
        FormSpec(
            code="bien_ban_hoi_dong",
            title="Biên bản họp Hội đồng Thi đua – Khen thưởng (kết quả biểu quyết)",
            doc_type="Biên bản",
            doc_type_code="BB",
            template_file="forms/bien_ban_hoi_dong.docx",
            version=1,
            fields=_fields(
                *(f for f in _HEADING if f != "recipients"),
                "meeting",
                "results",
                "secretary",
                optional=("legal_bases", "recipients"),
            ),
            legal_basis=LEGAL_BASIS
            + "; Quy chế hoạt động của Hội đồng Thi đua – Khen thưởng tỉnh (biểu quyết, tỷ lệ"
            " phiếu là cấu hình, chưa xác nhận theo NĐ 152/2025)",
            effective_from=EFFECTIVE_FROM,
            effective_to=None,
        ),
        FormSpec(
            code="bien_ban_binh_xet_cum",
            title="Biên bản họp bình xét, suy tôn của Cụm thi đua (kết quả bỏ phiếu kín)",
            doc_type="Biên bản",
            doc_type_code="BB",
            template_file="forms/bien_ban_binh_xet_cum.docx",
            version=1,
            fields=_fields(
                *(f for f in _HEADING if f != "recipients"),
                "vote",
                "vote_results",
                "secretary",
                optional=("legal_bases", "recipients", "year", "cluster_name"),
            ),
            legal_basis=LEGAL_BASIS
            + "; Luật Thi đua, khen thưởng 2022 (cụm, khối thi đua; bình xét, suy tôn); Quy chế"
            " hoạt động của Cụm thi đua (cấu hình: tỷ lệ dự họp, tỷ lệ phiếu, bỏ phiếu kín —"
            " chưa xác nhận theo văn bản của tỉnh)",
            effective_from=EFFECTIVE_FROM,
            effective_to=None,
        ),
        FormSpec(
            code="giao_uoc_thi_dua",
            title="Giao ước thi đua của Cụm thi đua",
            doc_type="Giao ước",
            doc_type_code="GƯTĐ",
            template_file="forms/giao_uoc_thi_dua.docx",
            version=1,
            fields=_fields(
                "issuer",
                "place",
                "date_text",
                "subject",
                "legal_bases",
                "covenant",
                optional=("number", "signer", "recipients", "year"),
            ),
            legal_basis=LEGAL_BASIS
            + "; Luật Thi đua, khen thưởng 2022 (phong trào thi đua, đăng ký và ký kết giao"
            " ước thi đua); hướng dẫn công tác thi đua, khen thưởng của UBND"
            " tỉnh Lạng Sơn đối với cụm, khối thi đua (cấu hình, chưa xác nhận)",
            effective_from=EFFECTIVE_FROM,
            effective_to=None,
        ),
        FormSpec(
            code="bao_cao_so_ket_cum",
            title="Báo cáo sơ kết, tổng kết công tác thi đua, khen thưởng của Cụm thi đua",
            doc_type="Báo cáo",
            doc_type_code="BC",
            template_file="forms/bao_cao_so_ket_cum.docx",
            version=1,
            fields=_fields(*_HEADING, "review", "facts", optional=("legal_bases",)),
            legal_basis=LEGAL_BASIS
            + "; phong trào thi đua theo cụm, khối (ký kết giao ước, sơ kết, tổng kết, bình xét)"
            " theo Luật Thi đua, khen thưởng 2022; hướng dẫn của UBND tỉnh về tổ chức, hoạt động"
            " của cụm, khối thi đua (cấu hình theo tỉnh, chưa xác nhận số văn bản)",
            effective_from=EFFECTIVE_FROM,
            effective_to=None,
        ),
        _form(
            "quyet_dinh_khen_thuong",
            "Quyết định khen thưởng của Chủ tịch UBND tỉnh (kèm danh sách)",
            "Quyết định",
            "QĐ",
            _fields(*_HEADING, "legal_bases", "year", "counts", "decision", "groups", "prize"),
        ),
        FormSpec(
            code="ke_hoach_thi_dua_cum",
            title="Kế hoạch thi đua của Cụm thi đua (kèm tiêu chí chấm điểm)",
            doc_type="Kế hoạch",
            doc_type_code="KH",
            template_file="forms/ke_hoach_thi_dua_cum.docx",
            version=1,
            fields=_fields(*_HEADING, "legal_bases", "plan", "signer_unit"),
            legal_basis=LEGAL_BASIS
            + "; cụm, khối thi đua do UBND tỉnh tổ chức theo Luật Thi đua, khen thưởng; mẫu"
            " Kế hoạch và tiêu chí chấm điểm theo hướng dẫn của UBND tỉnh về tổ chức hoạt"
            " động cụm, khối thi đua (luật không ấn định mẫu)",
            effective_from=EFFECTIVE_FROM,
            effective_to=None,
        ),
        FormSpec(
            code="to_trinh_cum_tong_hop",
            title="Tờ trình của Cụm thi đua đề nghị khen thưởng sau bình xét, suy tôn (kèm"
            " danh sách theo hình thức khen thưởng)",
            doc_type="Tờ trình",
            doc_type_code="TTr",
            template_file="forms/to_trinh_cum_tong_hop.docx",
            version=1,
            fields=_fields(
                *_HEADING,
                "recipient",
                "legal_bases",
                "year",
                "counts",
                "cluster_name",
                "groups",
                "proposal",
                "signer_unit",
            ),
            legal_basis=LEGAL_BASIS
            + "; Luật Thi đua, khen thưởng 2022, Điều 84 (hồ sơ đề nghị khen thưởng kèm biên bản"
            " bình xét); cụm, khối thi đua do UBND tỉnh tổ chức; mẫu Tờ trình tổng hợp của"
            " Cụm theo hướng dẫn của UBND tỉnh về tổ chức hoạt động cụm, khối thi đua (luật"
            " không ấn định mẫu)",
            effective_from=EFFECTIVE_FROM,
            effective_to=None,
        ),
        _form(
            "thong_bao",
            "Thông báo trả lại hoặc không chấp nhận hồ sơ đề nghị khen thưởng",
            "Thông báo",
            "TB",
            _fields(
                *_HEADING,
                "recipient",
                "award_name",
                "year",
                "unit_name",
                "reason",
                optional=("cluster_name",),
            ),
        ),
    )
}


# Documents issued on request, outside the process steps (never numbered): the history
# of a dossier exported for an auditor (api/audit/history_pdf.py fills it).
REPORTS: dict[str, FormSpec] = {
    "lich_su_ho_so": _form(
        "lich_su_ho_so",
        "Lịch sử hồ sơ (các sự kiện, tệp lưu trữ và mã băm)",
        "Lịch sử hồ sơ",
        "LS",
        (
            *_fields("issuer", "place", "date_text", "subject"),
            FieldSpec(
                "dossier",
                "{id, title, unit_name, cluster_name, award_name, year, status_label}",
                True,
                "Hồ sơ: số, trích yếu, đơn vị, cụm, hình thức khen thưởng, năm, trạng thái",
            ),
            FieldSpec(
                "events",
                "list[{index, at, actor, action, reason, documents: list[str], hash}]",
                True,
                "Các sự kiện theo thứ tự, mỗi sự kiện với mã băm SHA-256 của nó",
            ),
            FieldSpec(
                "documents",
                "list[{index, title, object_key, sha256}]",
                True,
                "Các tệp lưu trữ của hồ sơ với mã băm SHA-256",
            ),
            FieldSpec(
                "chain",
                "{result, checkpoint, method}",
                True,
                "Kết quả kiểm tra chuỗi, mốc kiểm tra gần nhất, cách tự kiểm tra lại",
            ),
            FieldSpec("exported_by", "str", True, "Người xuất (họ tên, vai trò)"),
            FieldSpec("exported_at", "str", True, "Thời điểm xuất (giờ Việt Nam)"),
        ),
    ),
}


def _spec(code: str) -> FormSpec:
    try:
        return FORMS[code] if code in FORMS else REPORTS[code]
    except KeyError:
        known = ", ".join(sorted([*FORMS, *REPORTS]))
        raise KeyError(f"unknown form code {code!r}; known: {known}") from None


def template_path(code: str) -> Path:
    """The DOCX file of the form ``code``."""
    return Path(__file__).resolve().parent / _spec(code).template_file


def template_sha256(code: str) -> str:
    """SHA-256 (hex) of the form's DOCX, recorded with every document rendered from it."""
    return hashlib.sha256(template_path(code).read_bytes()).hexdigest()
