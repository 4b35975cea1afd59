"""Request and response bodies of the dossier API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from api.dossiers.deadlines import DeadlineOut
from documents.vn import today_vn
from domain.appraisal import Result
from domain.awards import NomineeKind
from domain.nominee_details import ETHNICITIES, Gender, birth_date_problem
from domain.opinions import NomineeCategory

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
ExplanationText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
InitiativeScope = Literal["co_so", "tinh", "toan_quoc"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class InitiativeIn(Strict):
    """An initiative (sáng kiến) or topic the proposal rests on (domain/eligibility.py)."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    scope: InitiativeScope
    """Where its effect was recognised: co_so (the unit), tinh (province-wide), toan_quoc."""
    recognized_by: Text = ""
    recognized_on: date | None = Field(default=None, strict=False)
    applied: bool = False
    """Applied (áp dụng) with effect."""
    document_id: int | None = None
    """Its certificate (giấy chứng nhận), an attachment of this dossier."""


class CollectiveCountsIn(Strict):
    """What a collective's proposal states about its members (Tập thể lao động xuất sắc)."""

    members: int = Field(ge=1, le=1_000_000)
    completed_duties: int = Field(ge=0, le=1_000_000)
    lao_dong_tien_tien: int = Field(ge=0, le=1_000_000)
    chien_si_thi_dua_co_so: int = Field(ge=0, le=1_000_000)
    disciplined_canh_cao_or_above: int = Field(ge=0, le=1_000_000)

    @field_validator(
        "completed_duties",
        "lao_dong_tien_tien",
        "chien_si_thi_dua_co_so",
        "disciplined_canh_cao_or_above",
    )
    @classmethod
    def _within_members(cls, value: int, info: ValidationInfo) -> int:
        members = info.data.get("members")
        if isinstance(members, int) and value > members:
            raise PydanticCustomError("counts", "Không được lớn hơn số thành viên.")
        return value


class NomineeIn(Strict):
    kind: NomineeKind = Field(strict=False)
    name: Name
    job_title: Text = ""
    unit_name: Text = ""
    achievements: LongText = ""
    account: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    """An individual's own account in the unit (its username), optional: they then sign
    their own achievement report before the unit head."""
    birth_date: date | None = Field(default=None, strict=False)
    """An individual's date of birth (YYYY-MM-DD): in the past, age 15 to 100. Personal
    data: shown only to the nominee's unit, the board and auditors."""
    gender: Gender | None = Field(default=None, strict=False)
    ethnicity: str | None = Field(default=None, max_length=64)
    """One of the 54 ethnic groups of Việt Nam (domain/nominee_details.py) or "Khác"."""
    opinion_category: NomineeCategory | None = Field(default=None, strict=False)
    """enterprise | enterprise_leader | cooperative (domain/opinions.py): the agencies
    the board must ask for an opinion (hiệp y) before the council; empty for others."""
    person_id: int | None = None
    """An individual's record in the registry, of the dossier's unit (422
    `person_not_in_unit`). Left out, the record is found (the identity number, the same
    name in the unit) or made from the nominee's details."""
    collective_id: int | None = None
    """A collective's record, of the dossier's unit (422 `collective_not_in_unit`)."""
    identity_no: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = (
        None
    )
    """An individual's identity number (CCCD), to find or make their record; kept on the
    record, not on the nominee (422 `identity_no_invalid`)."""
    initiatives: list[InitiativeIn] = Field(default_factory=list, max_length=20)
    collective_counts: CollectiveCountsIn | None = None
    """A collective's counts (domain/eligibility.py, Tập thể lao động xuất sắc)."""

    @field_validator("collective_counts", mode="after")
    @classmethod
    def _collective_only(cls, value: object, info: ValidationInfo) -> object:
        if value is not None and info.data.get("kind") == NomineeKind.INDIVIDUAL:
            raise PydanticCustomError("not_collective", "Chỉ tập thể có số liệu thành viên.")
        return value

    @field_validator("birth_date", "gender", "ethnicity", mode="after")
    @classmethod
    def _individual_only(cls, value: object, info: ValidationInfo) -> object:
        if value in (None, ""):
            return None
        if info.data.get("kind") == NomineeKind.COLLECTIVE:
            raise PydanticCustomError(
                "not_individual", "Chỉ cá nhân có ngày sinh, giới tính, dân tộc."
            )
        if info.field_name == "ethnicity" and value not in ETHNICITIES:
            raise PydanticCustomError(
                "ethnicity", "Hãy chọn một dân tộc trong danh sách (hoặc «Khác»)."
            )
        if isinstance(value, date):
            today = today_vn()
            problem = birth_date_problem(value, today)
            if problem is not None:
                kind = "birth_date_future" if value >= today else "birth_date_age"
                raise PydanticCustomError(kind, problem)
        return value


class DossierCreate(Strict):
    award: str = "bang_khen_ubnd_tinh"
    year: int = Field(ge=2000, le=2100)
    title: Text | None = None
    unit_id: int | None = None
    nominees: list[NomineeIn] = Field(default_factory=list, max_length=500)


class DossierPatch(Strict):
    version: int
    title: Text | None = None
    award: str | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)
    nominees: list[NomineeIn] | None = Field(default=None, max_length=500)


class ActionIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=4000)] | None = None
    signing_pin: Annotated[str, StringConstraints(max_length=64)] | None = None
    version: int | None = None
    eligibility_explanations: dict[str, dict[str, ExplanationText]] = Field(
        default_factory=dict, max_length=500
    )
    """At submission: per nominee id, per failing rule code, the clerk's explanation
    (domain/eligibility.py); without one a failing rule refuses the submission."""


class AwardResultOut(BaseModel):
    """What the award decision did for one nominee (award_records)."""

    awarded: bool
    reason: str
    """Why not awarded; empty when awarded."""
    decision_number: str | None
    decision_date: date | None
    certificate_no: int | None
    """Số vào sổ in the certificate book, per `certificate_year`; null when not awarded."""
    certificate_year: int | None
    revoked_by: str | None = None
    """The revoking decision («Quyết định số … ngày …») when the award was revoked since."""
    text: str
    """As the dossier's page says it: «Được khen thưởng — Quyết định số … ngày …, số vào
    sổ …», «Không được khen thưởng: <lý do>» or «Đã thu hồi khen thưởng theo …»."""


class InitiativeOut(BaseModel):
    """An initiative the proposal rests on, as entered (`InitiativeIn`)."""

    title: str
    scope: str
    recognized_by: str
    recognized_on: date | None
    applied: bool
    document_id: int | None
    """Its certificate, an attachment of the dossier."""


class CollectiveCountsOut(BaseModel):
    members: int
    completed_duties: int
    lao_dong_tien_tien: int
    chien_si_thi_dua_co_so: int
    disciplined_canh_cao_or_above: int


class NomineeOut(BaseModel):
    id: int
    kind: str
    name: str
    job_title: str
    unit_name: str
    achievements: str
    account: str | None = None
    """The username of the individual's own account, when linked."""
    own_report: str | None = None
    """While the dossier waits for the unit head: "waiting" for the individual's own
    signature on their report, or "signed"; null otherwise or when not linked."""
    gender: str | None = None
    birth_date: date | None = None
    """Personal data: null for whoever may not read it (the cluster; see
    domain/personal_data.py), whether or not it is recorded."""
    ethnicity: str | None = None
    """Personal data, as `birth_date`."""
    opinion_category: str | None = None
    """Hiệp y (domain/opinions.py): enterprise, enterprise_leader … or null."""
    award_result: AwardResultOut | None = None
    """Null until an award decision about the nominee is issued."""
    person_id: int | None = None
    """An individual's record in the registry (/api/v1/people/{id})."""
    collective_id: int | None = None
    """A collective's record in the registry (/api/v1/collectives/{id})."""
    initiatives: list[InitiativeOut] = Field(default_factory=list)
    """What the eligibility rules read (domain/eligibility.py), as entered: not personal
    data, shown to whoever sees the dossier."""
    collective_counts: CollectiveCountsOut | None = None
    """A collective's counts (Tập thể lao động xuất sắc), as entered."""


class RoundRef(BaseModel):
    """The round a dossier was put in (đợt xét khen thưởng): its name is shown to
    everyone who sees the dossier; the round itself only to the board."""

    id: int
    name: str
    label: str


class DossierOut(BaseModel):
    id: int
    title: str
    award: str
    award_name: str
    year: int
    unit_id: int
    unit_name: str
    cluster_id: int | None
    status: str
    status_label: str
    stage: str
    stage_label: str
    version: int
    processing: bool
    round: RoundRef | None = None
    award_decision: str | None = None
    """Once awarded: the decision that awarded it, "Quyết định số … ngày …"."""
    allowed_actions: list[str]
    can_sign_own_report: bool = False
    """The caller is an individual nominee whose own report waits for their signature
    (`POST /api/v1/dossiers/{id}/own-report/sign`)."""
    nominees: list[NomineeOut]
    deadline: DeadlineOut | None = None
    """The deadline of the step the dossier waits at (domain/deadlines.py): None when the
    step has none (or the dossier waits on nobody)."""
    created_at: datetime
    updated_at: datetime


class DossierSummary(BaseModel):
    id: int
    title: str
    award: str
    year: int
    unit_id: int
    unit_name: str
    status: str
    status_label: str
    stage: str
    deadline: DeadlineOut | None = None
    updated_at: datetime


class DossierPage(BaseModel):
    items: list[DossierSummary]
    total: int
    offset: int
    limit: int


class ActionOut(BaseModel):
    dossier: DossierOut
    transition_seq: int


class BulkApproveIn(Strict):
    dossier_ids: list[int] = Field(min_length=1, max_length=50)
    signing_pin: Annotated[str, StringConstraints(max_length=64)] | None = None
    versions: dict[str, int] = Field(default_factory=dict)
    """Per dossier id, the version the caller saw: a stale one refuses the batch."""


class BulkApproveOut(BaseModel):
    items: list[ActionOut]


class OwnReportSignIn(Strict):
    signing_pin: Annotated[str, StringConstraints(max_length=64)] | None = None
    version: int | None = None


class AppraisalItemIn(Strict):
    nominee_id: int
    result: Result | None = Field(default=None, strict=False)
    """dat (đạt) | khong_dat (không đạt) | hinh_thuc_khac (đề nghị hình thức khác)."""
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    other_award: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] = ""
    """With hinh_thuc_khac: an award's code or name, or the form in words ("Giấy khen")."""
    struck: bool = False
    strike_reason: Annotated[str, StringConstraints(max_length=2000)] = ""


class AppraisalIn(Strict):
    version: int
    """The dossier's version the results were read with (a stale one gets 409)."""
    items: list[AppraisalItemIn] = Field(max_length=500)
    """Results of the nominees listed; a nominee not listed keeps what was recorded."""


class AppraisalItemOut(BaseModel):
    nominee_id: int
    index: int
    kind: str
    name: str
    result: str | None
    result_label: str
    """As the Báo cáo thẩm định prints it ("Loại khỏi danh sách" when struck)."""
    note: str
    other_award: str
    other_award_label: str
    struck: bool
    strike_reason: str
    passed: bool
    recorded_by: str | None
    updated_at: datetime | None


class AppraisalOut(BaseModel):
    dossier_id: int
    version: int
    editable: bool
    """The caller may record results now (the specialist, while the dossier is in
    appraisal)."""
    missing: list[str]
    """Nominees with no result yet (approving needs none missing and one who passes)."""
    passed: int
    items: list[AppraisalItemOut]
