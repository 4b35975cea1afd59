"""Demo data: the Lạng Sơn authority, its three clusters with their member units (real,
public organisation names from the seed articles), leadership for 2025 and 2026, invented
people, and a demo CA with a seal certificate for every issuing body.

The people and the leadership rotation years are invented; the certificates are for
demonstration only and say so in their names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.security import hash_password
from documents.pki import (
    create_ca,
    encrypt_key,
    fingerprint,
    issue_certificate,
    issue_tsa_certificate,
    pin_passphrase,
    x509_name,
)
from domain import cluster_divisions as division_rules
from domain.clusters import Membership
from domain.decisions import UBND_CODE
from domain.opinions import AgencyCode
from domain.roles import Role
from domain.search import fold
from storage import cluster_divisions as division_store
from storage.models import (
    Agency,
    Authority,
    Cluster,
    ClusterMembership,
    ClusterTerm,
    Collective,
    Person,
    RegistryAward,
    RoleAssignment,
    SigningKey,
    Unit,
    User,
)

PROVINCE_UBND = "UBND tỉnh Lạng Sơn"
VNPT = "Tập đoàn Bưu chính Viễn thông Việt Nam"


@dataclass(frozen=True)
class UnitSeed:
    code: str
    name: str
    parent: str = ""


CLUSTERS: list[tuple[str, str, list[UnitSeed], dict[int, tuple[str, str]]]] = [
    (
        "CUM1-QLCN",
        "Cụm I – Các cơ quan Quản lý chuyên ngành",
        [
            UnitSeed("LMHTX", "Liên minh Hợp tác xã tỉnh", PROVINCE_UBND),
            UnitSeed(
                "BQLKKT", "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn", PROVINCE_UBND
            ),
            UnitSeed(
                "VPDPNTM",
                "Văn phòng Điều phối chương trình xây dựng nông thôn mới tỉnh",
                PROVINCE_UBND,
            ),
            UnitSeed("BDT", "Ban Dân tộc tỉnh", PROVINCE_UBND),
            UnitSeed("BQLDA", "Ban Quản lý Dự án Đầu tư xây dựng tỉnh Lạng Sơn", PROVINCE_UBND),
        ],
        {2025: ("LMHTX", "BQLKKT"), 2026: ("BQLKKT", "VPDPNTM")},
    ),
    (
        "CUM1-DNTW",
        "Cụm I – Các doanh nghiệp Trung ương",
        [
            UnitSeed("VNPTLS", "Trung tâm Kinh doanh VNPT – Lạng Sơn", VNPT),
            UnitSeed("BDLS", "Bưu điện tỉnh Lạng Sơn", "Tổng công ty Bưu điện Việt Nam"),
            UnitSeed(
                "THANND", "Công ty Than Na Dương – VVMI", "Tổng công ty Công nghiệp mỏ Việt Bắc"
            ),
            UnitSeed("VTLS", "Viễn thông Lạng Sơn", VNPT),
            UnitSeed("VTTLS", "Viettel Lạng Sơn", "Tập đoàn Công nghiệp – Viễn thông Quân đội"),
            UnitSeed(
                "NDND",
                "Công ty Nhiệt điện Na Dương – TKV",
                "Tập đoàn Công nghiệp Than – Khoáng sản Việt Nam",
            ),
            UnitSeed(
                "MBFLS",
                "Công ty dịch vụ MobiFone tỉnh Lạng Sơn",
                "Tổng công ty Viễn thông MobiFone",
            ),
        ],
        {2025: ("VNPTLS", "BDLS"), 2026: ("BDLS", "VTLS")},
    ),
    (
        "CUM-5HBG",
        "Cụm thi đua 5 huyện biên giới",
        [
            UnitSeed("VANLANG", "UBND huyện Văn Lãng"),
            UnitSeed("DINHLAP", "UBND huyện Đình Lập"),
            UnitSeed("TRANGDINH", "UBND huyện Tràng Định"),
            UnitSeed("CAOLOC", "UBND huyện Cao Lộc"),
            UnitSeed("LOCBINH", "UBND huyện Lộc Bình"),
        ],
        # Dissolved from 01/7/2025 (DEMO_DIVISION): the district level ended.
        {2025: ("VANLANG", "DINHLAP")},
    ),
]

CLUSTER_SINCE = {"CUM1-QLCN": 2019, "CUM1-DNTW": 2020, "CUM-5HBG": 2023}

_FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vi",
    "Lương",
    "Nông",
    "Đinh",
    "Hà",
    "Lăng",
    "Mã",
    "Chu",
    "Bế",
    "Đặng",
]
_MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành"]
_MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim"]
_GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Khải", "Bình", "Long", "Sơn", "Thắng", "Quý", "Toàn"]
_GIVEN_F = ["Hoa", "Lan", "Hương", "Mai", "Thảo", "Nhung", "Yến", "Hạnh", "Trang", "Vân"]


class _Names:
    """Deterministic invented names, so the demo reads the same on every machine."""

    def __init__(self) -> None:
        self.i = 0

    def next(self) -> str:
        # 37 is coprime with 150 (15 family names × 10 given names): no name repeats
        # among the first 150 people.
        i, self.i = self.i, self.i + 1
        female = i % 2 == 1
        k = (i * 37) % 150
        given = (_GIVEN_F if female else _GIVEN_M)[k % 10]
        middle = (_MIDDLE_F if female else _MIDDLE_M)[i % 6]
        return f"{_FAMILY[k // 10]} {middle} {given}"


APPROVER_ROLES = (
    Role.UNIT_HEAD,
    Role.CLUSTER_APPROVER,
    Role.BOARD_SPECIALIST,
    Role.BOARD_HEAD,
    Role.AUTHORITY_LEADER,
    Role.UNIT_MEMBER,  # signs their own achievement report
    Role.DECISION_MAKER,  # signs the Chủ tịch UBND tỉnh's award decisions
)
DEMO_NOMINEE = ("bdt.anhtuyet", "Hoàng Thị Ánh Tuyết", "Trưởng phòng Chính sách dân tộc")
"""A member of Ban Dân tộc tỉnh with an account of her own, for the demo's individual
nominee (invented, as every demo person)."""
DEMO_DEPUTY_HEAD = (
    "ptdkt.photruongphong",
    "Đinh Thị Thu Hà",
    "Phó Trưởng phòng Thi đua – Khen thưởng",
)
"""The Phòng TĐKT's deputy head (invented), the substitute of the demo's delegation."""


COUNCIL_POSITIONS = (
    "Phó Chủ tịch Ủy ban Mặt trận Tổ quốc tỉnh, Ủy viên Hội đồng",
    "Phó Chủ tịch Liên đoàn Lao động tỉnh, Ủy viên Hội đồng",
    "Phó Giám đốc Sở Tài chính, Ủy viên Hội đồng",
    "Phó Chánh Văn phòng UBND tỉnh, Ủy viên Hội đồng",
    "Phó Giám đốc Sở Giáo dục và Đào tạo, Ủy viên Hội đồng",
)
"""Invented members of the provincial council for the demo (accounts hdtd.thanhvien1–5)."""


def seed_demo(s: Session, *, password: str, key_passphrase: str, pin: str) -> bool:
    """Create the demo organisation once. Returns False when it is already there."""
    if s.scalar(select(Authority).where(Authority.code == "SNV")) is not None:
        return False
    names = _Names()
    pw = hash_password(password)
    authority = Authority(
        code="SNV",
        name="Sở Nội vụ",
        parent_name=PROVINCE_UBND,
        board_name="Phòng Thi đua – Khen thưởng",
        province="Lạng Sơn",
    )
    s.add(authority)
    s.flush()

    ca = create_ca("tdkt Demo CA Lạng Sơn (chỉ dùng thử)", "tdkt demo – không có giá trị pháp lý")
    s.add(
        SigningKey(
            kind="ca",
            subject="tdkt Demo CA Lạng Sơn",
            fingerprint=fingerprint(ca.cert_pem),
            cert_pem=ca.cert_pem,
            key_pem_encrypted=encrypt_key(ca.key_pem, key_passphrase),
        )
    )

    tsa = issue_tsa_certificate(ca, "tdkt Demo TSA Lạng Sơn (chỉ dùng thử)")
    s.add(
        SigningKey(
            kind="tsa",
            subject="tdkt Demo TSA Lạng Sơn",
            fingerprint=fingerprint(tsa.cert_pem),
            cert_pem=tsa.cert_pem,
            key_pem_encrypted=encrypt_key(tsa.key_pem, key_passphrase, secret=True),
        )
    )

    def seal(name: str, *, unit_id: int | None = None, authority_id: int | None = None) -> None:
        short = x509_name(name)
        ck = issue_certificate(
            ca, common_name=short, organization=short, kind="organisation", key_type="ec"
        )
        s.add(
            SigningKey(
                kind="organisation",
                unit_id=unit_id,
                authority_id=authority_id,
                subject=name,
                fingerprint=fingerprint(ck.cert_pem),
                cert_pem=ck.cert_pem,
                key_pem_encrypted=encrypt_key(ck.key_pem, key_passphrase, secret=True),
            )
        )

    def user(
        username: str,
        position: str,
        grant: RoleAssignment,
        where: str = "",
        full_name: str | None = None,
    ) -> None:
        u = User(
            username=username,
            full_name=full_name or names.next(),
            position=position,
            password_hash=pw,
            grants=[grant],
        )
        s.add(u)
        if grant.role in APPROVER_ROLES:
            # The approver's own key pair, unlocked only by their signing PIN.
            s.flush()
            ck = issue_certificate(
                ca,
                common_name=x509_name(u.full_name),
                organization=x509_name(where),
                kind="person",
                key_type="ec",
            )
            s.add(
                SigningKey(
                    kind="person",
                    user_id=u.id,
                    subject=u.full_name,
                    fingerprint=fingerprint(ck.cert_pem),
                    cert_pem=ck.cert_pem,
                    key_pem_encrypted=encrypt_key(ck.key_pem, pin_passphrase(pin, key_passphrase)),
                )
            )

    seal(f"{authority.name} tỉnh {authority.province}", authority_id=authority.id)
    for cluster_code, cluster_name, members, terms in CLUSTERS:
        # Members since the year the source articles first show the cluster (DOMAIN.md).
        since = date(CLUSTER_SINCE[cluster_code], 1, 1)
        cluster = Cluster(
            authority_id=authority.id, code=cluster_code, name=cluster_name, valid_from=since
        )
        s.add(cluster)
        s.flush()
        units: dict[str, Unit] = {}
        for m in members:
            u = Unit(
                authority_id=authority.id,
                cluster_id=cluster.id,
                code=m.code,
                name=m.name,
                parent_name=m.parent,
            )
            s.add(u)
            s.flush()
            s.add(ClusterMembership(cluster_id=cluster.id, unit_id=u.id, valid_from=since))
            units[m.code] = u
            seal(m.name, unit_id=u.id)
            login = m.code.lower()
            user(
                f"{login}.canbo",
                "Chuyên viên phụ trách thi đua, khen thưởng",
                RoleAssignment(role=Role.UNIT_CLERK, unit_id=u.id),
            )
            user(
                f"{login}.thutruong",
                "Thủ trưởng đơn vị",
                RoleAssignment(role=Role.UNIT_HEAD, unit_id=u.id),
                m.name,
            )
        leaders: set[str] = set()
        for year, (head, deputy) in terms.items():
            s.add(
                ClusterTerm(
                    cluster_id=cluster.id,
                    year=year,
                    head_unit_id=units[head].id,
                    deputy_unit_id=units[deputy].id,
                )
            )
            leaders |= {head, deputy}
        for code in sorted(leaders):
            user(
                f"{code.lower()}.cum",
                "Phó Thủ trưởng đơn vị, phụ trách Cụm thi đua",
                RoleAssignment(role=Role.CLUSTER_APPROVER, unit_id=units[code].id),
                units[code].name,
            )
    a = authority.id
    board = f"{authority.board_name}, {authority.name} tỉnh {authority.province}"
    user(
        "ptdkt.chuyenvien",
        "Chuyên viên Phòng Thi đua – Khen thưởng",
        RoleAssignment(role=Role.BOARD_SPECIALIST, authority_id=a),
        board,
    )
    user(
        "ptdkt.truongphong",
        "Trưởng phòng Thi đua – Khen thưởng",
        RoleAssignment(role=Role.BOARD_HEAD, authority_id=a),
        board,
    )
    user("thanhtra", "Thanh tra viên", RoleAssignment(role=Role.AUDITOR, authority_id=a))
    user("admin", "Quản trị hệ thống", RoleAssignment(role=Role.ADMIN, authority_id=a))
    # The Sở's leadership signs its Tờ trình to the Chủ tịch UBND tỉnh: the Giám đốc in
    # their own name, a Phó Giám đốc "KT. GIÁM ĐỐC" (their position decides).
    authority_name = f"{authority.name} tỉnh {authority.province}"
    for username, position in (("snv.giamdoc", "Giám đốc"), ("snv.phogiamdoc", "Phó Giám đốc")):
        user(
            username,
            position,
            RoleAssignment(role=Role.AUTHORITY_LEADER, authority_id=a),
            authority_name,
        )
    # The provincial council's other members (Hội đồng Thi đua – Khen thưởng tỉnh): with
    # the Giám đốc (chair) and the Phòng's head (secretary), a council of 7 for the demo.
    for i, position in enumerate(COUNCIL_POSITIONS, 1):
        user(
            f"hdtd.thanhvien{i}",
            position,
            RoleAssignment(role=Role.COUNCIL_MEMBER, authority_id=a),
            "Hội đồng Thi đua – Khen thưởng tỉnh",
        )
    # The UBND tỉnh: an organisation of its own (its number series "…/QĐ-UBND" and its
    # seal), whose Chủ tịch, or a Phó Chủ tịch "KT. CHỦ TỊCH", signs the award decisions.
    ubnd = Authority(
        code=UBND_CODE,
        name="Ủy ban nhân dân tỉnh Lạng Sơn",
        parent_name="",
        board_name="",
        province="Lạng Sơn",
    )
    s.add(ubnd)
    s.flush()
    seal(ubnd.name, authority_id=ubnd.id)
    for username, position in (("ubnd.chutich", "Chủ tịch"), ("ubnd.phochutich", "Phó Chủ tịch")):
        user(
            username,
            position,
            RoleAssignment(role=Role.DECISION_MAKER, authority_id=ubnd.id),
            ubnd.name,
        )
    login, full_name, position = DEMO_NOMINEE
    bdt = s.scalar(select(Unit).where(Unit.code == "BDT"))
    assert bdt is not None
    user(
        login,
        position,
        RoleAssignment(role=Role.UNIT_MEMBER, unit_id=bdt.id),
        bdt.name,
        full_name,
    )
    seed_agencies(s, user)
    # The Phòng's deputy head appraises like a specialist; while the Trưởng phòng is away
    # they hold the head's role by delegation and sign «KT. TRƯỞNG PHÒNG» (README
    # «Ủy quyền, ký thay»). Last, so that no other demo person's name or id moves.
    user(
        DEMO_DEPUTY_HEAD[0],
        DEMO_DEPUTY_HEAD[2],
        RoleAssignment(role=Role.BOARD_SPECIALIST, authority_id=a),
        board,
        DEMO_DEPUTY_HEAD[1],
    )
    seed_people(s)
    seed_divisions(s, authority.id)
    s.flush()
    return True


DEMO_DIVISION = (
    "15/QĐ-UBND (dữ liệu mẫu)",
    date(2025, 6, 27),
    date(2025, 7, 1),
    "Về việc điều chỉnh cụm, khối thi đua khi kết thúc hoạt động của chính quyền cấp huyện",
    "CUM-5HBG",
)
"""The 2025 reorganisation as the demo records it (an invented number): the district
level ended on 01/7/2025 (DOMAIN.md), so "Cụm thi đua 5 huyện biên giới" is dissolved
from that day; its memberships of 2023 – 30/6/2025 stay as history."""


def seed_divisions(s: Session, authority_id: int) -> None:
    """Record the demo's division decision as the admin would (api/clusters/divisions.py)."""
    number, signed_on, effective_from, title, dissolved = DEMO_DIVISION
    cluster = s.scalar(select(Cluster).where(Cluster.code == dissolved))
    assert cluster is not None
    outcome = division_rules.apply(
        division_rules.Decision(
            number, signed_on, effective_from, [division_rules.Dissolve(cluster.id)]
        ),
        [
            Membership(m.unit_id, m.cluster_id, m.valid_from, m.valid_to)
            for m in division_store.membership_rows(s, authority_id)
        ],
        clusters={
            c.id: (c.valid_from, c.valid_to) for c in division_store.clusters(s, authority_id)
        },
        cluster_codes=division_store.cluster_codes(s),
        unit_ids=[u.id for u in division_store.units(s, authority_id)],
        latest_effective=division_store.latest_effective(s, authority_id),
    )
    division_store.record(
        s,
        authority_id=authority_id,
        number=number,
        signed_on=signed_on,
        effective_from=effective_from,
        title=title,
        note="",
        outcome=outcome,
        created_by=None,
        today=date.today(),
    )


DEMO_PEOPLE = (
    # unit, full name, gender, ethnicity, birth date, identity number, position
    (
        "BDT",
        DEMO_NOMINEE[1],
        "nu",
        "Tày",
        date(1986, 5, 14),
        "020186004517",
        DEMO_NOMINEE[2],
    ),
    ("BDT", "Nguyễn Văn An", "nam", "Kinh", date(1979, 11, 2), "020079001288", "Phó Trưởng ban"),
    ("BDT", "Nông Thị Hoa", "nu", "Nùng", date(1990, 8, 21), "020190007734", "Chuyên viên"),
    ("BQLDA", "Nguyễn Văn Ân", "nam", "Kinh", date(1983, 2, 9), "020083005561", "Kỹ sư"),
)
"""The demo's people in the registry: the demo's individual nominee and a few others
(invented, as every demo person; the identity numbers too, with the Lạng Sơn code 020)."""

DEMO_PARTS = (("BDT", "Phòng Chính sách"),)
"""Parts of units the demo's dossiers propose (the README's collective nominee)."""


def seed_people(s: Session) -> None:
    """The registry's records of the demo: every unit's own collective, the demo's parts
    and people, and Hoàng Thị Ánh Tuyết's grassroots titles of 2023 and 2024."""
    units = {u.code: u for u in s.scalars(select(Unit))}
    for u in units.values():
        if u.cluster_id is not None:
            s.add(Collective(unit_id=u.id, kind="unit", name=u.name, search_name=fold(u.name)))
    for code, name in DEMO_PARTS:
        s.add(Collective(unit_id=units[code].id, kind="part", name=name, search_name=fold(name)))
    people = []
    for code, name, gender, ethnicity, born, identity_no, position in DEMO_PEOPLE:
        p = Person(
            full_name=name,
            search_name=fold(name),
            gender=gender,
            ethnicity=ethnicity,
            birth_date=born,
            identity_no=identity_no,
            unit_id=units[code].id,
            position=position,
        )
        s.add(p)
        people.append(p)
    s.flush()
    bdt = units["BDT"]
    for year in (2023, 2024):
        s.add(
            RegistryAward(
                person_id=people[0].id,
                award="chien_si_thi_dua_co_so",
                year=year,
                decision_number=f"{12 + year % 10}/QĐ-BDT",
                decision_date=date(year, 12, 20),
                issuer=f"Trưởng {bdt.name}",
                source="unit",
                holder_name=people[0].full_name,
                unit_id=bdt.id,
                search_text=fold(f"{people[0].full_name} Chiến sĩ thi đua cơ sở"),
            )
        )


DEMO_AGENCIES = (
    # code, name, reviewer's login, position
    (AgencyCode.TAX, "Thuế tỉnh Lạng Sơn", "thue.canbo", "Chuyên viên Thuế tỉnh"),
    (
        AgencyCode.SOCIAL_INSURANCE,
        "Bảo hiểm xã hội tỉnh Lạng Sơn",
        "bhxh.canbo",
        "Chuyên viên Bảo hiểm xã hội tỉnh",
    ),
    (AgencyCode.ENVIRONMENT, "Sở Nông nghiệp và Môi trường", "snnmt.canbo", "Chuyên viên Sở"),
    (AgencyCode.POLICE, "Công an tỉnh Lạng Sơn", "congan.canbo", "Cán bộ Công an tỉnh"),
)
"""The agencies the board asks for opinions (hiệp y, domain/opinions.py), each with
one reviewer account (invented, as every demo person)."""


def seed_agencies(s: Session, user: Any) -> None:
    for code, name, login, position in DEMO_AGENCIES:
        agency = Agency(code=str(code), name=name)
        s.add(agency)
        s.flush()
        user(login, position, RoleAssignment(role=Role.AGENCY_REVIEWER, agency_id=agency.id), name)
