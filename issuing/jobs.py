"""What the engine issues, for any subject: a form job, its issuer, and the parts of a
form's data that do not depend on the subject's kind (heading, number and date room,
signature block). Each subject kind says the rest in its own module (issuing/forms.py
for a dossier, issuing/round_forms.py for a round).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from documents import fields
from documents.vn import document_number, upper_vi
from domain.process import Action
from domain.roles import Role
from domain.subjects import Subject
from storage.models import DossierTransition, User
from storage.repositories import org as org_repo

VIETNAM = timezone(timedelta(hours=7), "ICT")

LEGAL_BASES = (
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết thi hành "
    "Luật Thi đua, khen thưởng.",
)


@dataclass(frozen=True)
class Issuer:
    """The body a document is issued by, and whose seal (organisation key) signs it."""

    series: str
    code: str
    name: str
    parent_name: str
    key_unit_id: int | None
    key_authority_id: int | None


@dataclass(frozen=True)
class FormJob:
    subject: Subject
    seq: int
    form: str
    copy_no: int
    nominee_id: int | None
    numbered: bool
    issuer: Issuer
    title: str
    action: Action
    signer_role: Role
    """The role of the person whose name the form prints under the signature."""
    personal: bool
    """The approver signs it personally, in the request, before it is numbered and sealed."""
    seals_attachments: bool = False
    sealed: bool = True
    """False: the personal signature only, then number and date; no organisation seal."""
    reporter_id: int | None = None
    """An individual's own account: they sign their report first (their printed name is
    `reporter_name`), in a request of theirs, before the approver."""
    reporter_name: str = ""

    @property
    def dossier_id(self) -> int:
        """The dossier the job is for (only a dossier's forms ask: its attachments)."""
        if self.subject.dossier_id is None:
            raise ValueError(f"{self.subject} is not a dossier")
        return self.subject.dossier_id


@dataclass(frozen=True)
class Copy:
    """One copy of a form a step issues: per nominee, or the one copy (`copy_no` 0)."""

    copy_no: int
    nominee_id: int | None
    title: str
    reporter_id: int | None = None
    reporter_name: str = ""


def authority_issuer(s: Session, authority_id: int) -> Issuer:
    """The Sở (the authority) as a document's issuer: its series, heading and seal."""
    a = org_repo.authority(s, authority_id)
    return Issuer(f"authority:{a.code}", a.code, a.name, a.parent_name, None, a.id)


def leader_titles(position: str) -> tuple[str, str]:
    """The authority marker and the position a leader signs with (Nghị định 30/2020): the
    head signs in their own name ("GIÁM ĐỐC"); a deputy signs for the head ("KT. GIÁM ĐỐC"
    over "PHÓ GIÁM ĐỐC"). The person's recorded position decides."""
    words = position.split()
    if len(words) > 1 and words[0].casefold() == "phó":
        return f"KT. {upper_vi(' '.join(words[1:]))}", upper_vi(position)
    return "", upper_vi(position)


def signer_block(job: FormJob, person: User) -> dict[str, str]:
    """The signature block: the authority marker, the position and the name."""
    marker = ""
    position = person.position
    if job.form == "bao_cao_thanh_tich":
        position = "Thủ trưởng đơn vị"
    elif job.signer_role == Role.CLUSTER_APPROVER:
        marker, position = f"TM. {upper_vi(job.issuer.name)}", "Trưởng cụm"
    elif job.signer_role in (Role.AUTHORITY_LEADER, Role.DECISION_MAKER):
        # The Chủ tịch UBND tỉnh decides in their own name; a Phó Chủ tịch "KT. CHỦ TỊCH".
        marker, position = leader_titles(person.position)
    elif job.signer_role == Role.BOARD_HEAD:
        marker = f"TL. GIÁM ĐỐC {upper_vi(job.issuer.name)}"
    elif job.form == "phieu_tham_dinh":
        position = "Chuyên viên"  # the specialist's own report, in their own name
    elif job.signer_role == Role.BOARD_SPECIALIST:
        position = "Người thẩm định"
    return {"marker": marker, "position": upper_vi(position), "full_name": person.full_name}


def issued_at(t: DossierTransition) -> datetime:
    at = t.created_at if t.created_at.tzinfo else t.created_at.replace(tzinfo=UTC)
    return at.astimezone(VIETNAM)


def common_context(job: FormJob, signer: User, place: str) -> dict[str, Any]:
    """What every form prints the same way whatever its subject: the heading, blank room
    sized for this issuer's numbers where the number and the date are filled in after
    the signature (documents/fields.py), the legal bases and the signature block."""
    return {
        "issuer": {
            "parent_name": upper_vi(job.issuer.parent_name),
            "name": upper_vi(job.issuer.name),
            "code": job.issuer.code,
        },
        "number": fields.number_placeholder(
            document_number(1, FORMS[job.form].doc_type_code, job.issuer.code)
        )
        if job.numbered
        else "",
        "place": place,
        "date_text": fields.date_placeholder(),
        "legal_bases": list(LEGAL_BASES),
        "signer": signer_block(job, signer),
        "recipients": ["Như trên;", "Lưu: VT, TĐKT."],
    }
