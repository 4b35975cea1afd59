"""The 2026 year of Lạng Sơn's Cụm I (CUM1-QLCN) played through the public HTTP API by
the demo accounts, as its people would: the head unit (`bqlkkt.cum`) drafts and issues the
plan with its criteria and calendar; each member's clerk enters its commitments, the head
unit opens the covenant and the members' heads sign it one after another (`signed_by`),
the head unit seals it once all five have; four members register on time, the fifth
(`late_unit`) only once the deadline has passed; every member scores its mid-year and
submits, the head unit adjusts one criterion with a reason; the sơ kết is recorded, its
Báo cáo downloaded as DOCX, edited with python-docx, uploaded back, signed and sent; at
the year end three members' dossiers (two collective Bằng khen, a Cờ thi đua) sent by
their heads wait at the cluster for its vote (bình xét, suy tôn), which the demo leaves
to the user.

Idempotent: each step looks at what the API says first and skips what is done, so a
second run (or a run after a stop half-way) continues from where the year is. `tdkt demo
cluster-year --url URL` runs it; `make run` runs it against the demo server."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from docx import Document

YEAR = 2026
CLUSTER_CODE = "CUM1-QLCN"
HEAD = "bqlkkt.cum"  # the Trưởng cụm 2026's cluster approver
MEMBERS = ("LMHTX", "BQLKKT", "VPDPNTM", "BDT", "BQLDA")
SIGN_ORDER = ("BDT", "LMHTX", "BQLKKT", "VPDPNTM", "BQLDA")
DEMO_SIGNERS = SIGN_ORDER[:4]  # the demo: four of five heads have signed, not sealed
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ADDED = "Các đơn vị trong Cụm thống nhất đẩy mạnh phong trào thi đua sáu tháng cuối năm 2026."
ADJUSTED = ("BDT", "1.2", "19.5", "Có minh chứng bổ sung: Đề án chuyển đổi số đã được phê duyệt.")

YEAR_END = (
    ("BDT", "bang_khen_ubnd_tinh", "Tập thể Ban Dân tộc tỉnh Lạng Sơn"),
    ("LMHTX", "bang_khen_ubnd_tinh", "Tập thể Liên minh Hợp tác xã tỉnh Lạng Sơn"),
    ("VPDPNTM", "co_thi_dua_ubnd_tinh", "Văn phòng Điều phối nông thôn mới tỉnh Lạng Sơn"),
)
AWARD_TITLES = {
    "bang_khen_ubnd_tinh": "Bằng khen của Chủ tịch UBND tỉnh",
    "co_thi_dua_ubnd_tinh": "Cờ thi đua của UBND tỉnh",
}
ACHIEVEMENTS = (
    "Hoàn thành xuất sắc nhiệm vụ chính trị năm 2026; dẫn đầu Cụm về cải cách hành chính "
    "và chuyển đổi số; tổ chức hiệu quả các phong trào thi đua."
)

GOALS = (
    "Đẩy mạnh phong trào thi đua yêu nước năm 2026, thi đua hoàn thành xuất sắc nhiệm vụ "
    "chính trị của từng cơ quan; phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến; "
    "khen thưởng kịp thời, chính xác, đúng người, đúng việc."
)
CRITERIA: list[dict[str, Any]] = [
    {
        "group_name": "Thực hiện nhiệm vụ chính trị, chuyên môn",
        "code": "1.1",
        "title": "Hoàn thành các chỉ tiêu, nhiệm vụ được UBND tỉnh giao năm 2026",
        "max_points": "40",
        "mandatory": True,
        "evidence": "Báo cáo kết quả thực hiện nhiệm vụ, số liệu thống kê",
    },
    {
        "group_name": "Thực hiện nhiệm vụ chính trị, chuyên môn",
        "code": "1.2",
        "title": "Cải cách hành chính, chuyển đổi số",
        "max_points": "20",
        "mandatory": False,
        "evidence": "Kết quả chấm chỉ số cải cách hành chính",
    },
    {
        "group_name": "Công tác thi đua, khen thưởng",
        "code": "2.1",
        "title": "Tổ chức, hưởng ứng các phong trào thi đua; tham gia hoạt động của Cụm",
        "max_points": "25",
        "mandatory": False,
        "evidence": "Kế hoạch, báo cáo phong trào thi đua",
    },
    {
        "group_name": "Công tác thi đua, khen thưởng",
        "code": "2.2",
        "title": "Phát hiện, nhân rộng điển hình tiên tiến",
        "max_points": "15",
        "mandatory": False,
        "evidence": "",
    },
]
SELF_SCORES = {  # per criterion, in CRITERIA's order
    "LMHTX": ["36", "17.5", "22", "12"],
    "BQLKKT": ["38", "18", "24", "14"],
    "VPDPNTM": ["35.5", "16", "22", "14"],
    "BDT": ["37", "16", "23", "13"],
    "BQLDA": ["34", "15", "20", "11.5"],
}
COMMITMENTS = {
    "LMHTX": [
        ("Số hợp tác xã thành lập mới", "≥ 30 HTX"),
        ("Tỷ lệ HTX hoạt động hiệu quả", "≥ 70%"),
    ],
    "BQLKKT": [
        ("Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn", "≥ 98%"),
        ("Kim ngạch xuất nhập khẩu qua các cửa khẩu", "≥ 5 tỷ USD"),
    ],
    "VPDPNTM": [("Số xã đạt chuẩn nông thôn mới nâng cao", "≥ 10 xã")],
    "BDT": [
        ("Tỷ lệ chính sách dân tộc được triển khai đúng hạn", "100%"),
        ("Số người có uy tín được tập huấn", "≥ 500 người"),
    ],
    "BQLDA": [("Tỷ lệ giải ngân vốn đầu tư công được giao", "≥ 95%")],
}
REGISTRATIONS = {
    "LMHTX": [
        ("collective", "tap_the_lao_dong_xuat_sac", 0),
        ("individual", "lao_dong_tien_tien", 18),
    ],
    "BQLKKT": [
        ("collective", "tap_the_lao_dong_xuat_sac", 0),
        ("collective", "co_thi_dua_ubnd_tinh", 0),
        ("individual", "lao_dong_tien_tien", 42),
        ("individual", "chien_si_thi_dua_co_so", 4),
    ],
    "VPDPNTM": [
        ("collective", "tap_the_lao_dong_xuat_sac", 0),
        ("individual", "lao_dong_tien_tien", 12),
    ],
    "BDT": [
        ("collective", "tap_the_lao_dong_xuat_sac", 0),
        ("individual", "lao_dong_tien_tien", 25),
    ],
    "BQLDA": [
        ("collective", "tap_the_lao_dong_xuat_sac", 0),
        ("individual", "lao_dong_tien_tien", 30),
    ],
}


def calendar(today: date, year: int = YEAR) -> dict[str, date]:
    """The plan's dates: the usual ones (covenant 20/02, registrations by 15/03, sơ kết
    15/07, tổng kết 10/12) — unless the year is already under way past them, where the
    registration deadline is today (members could not register on time otherwise) and the
    reviews follow it; a year already over keeps the usual dates (every registration late)."""
    usual = {
        "covenant_signing_on": date(year, 2, 20),
        "registration_deadline": date(year, 3, 15),
        "midyear_review_on": date(year, 7, 15),
        "yearend_review_on": date(year, 12, 10),
    }
    if (
        today.year != year
        or today <= usual["registration_deadline"]
        or (today.month == 12 and today.day > 28)
    ):
        return usual
    deadline = today
    midyear = max(usual["midyear_review_on"], deadline + timedelta(days=1))
    yearend = max(usual["yearend_review_on"], midyear + timedelta(days=1))
    return {
        "covenant_signing_on": min(usual["covenant_signing_on"], deadline),
        "registration_deadline": deadline,
        "midyear_review_on": midyear,
        "yearend_review_on": yearend,
    }


class StoryError(RuntimeError):
    """The API refused a step of the story."""


@dataclass
class Story:
    base_url: str
    password: str
    pin: str
    signed_by: Sequence[str] = DEMO_SIGNERS
    """The members whose heads sign the covenant, in this order (codes)."""
    seal: bool = False
    """The head unit seals the covenant once every member has signed."""
    late_unit: str = "BQLDA"
    """The member that does not register by the deadline (registers once it has passed)."""
    today: date | None = None
    """The day the plan's calendar is chosen for (default: today in Việt Nam)."""
    after_plan: Callable[[], None] | None = None
    """Called once the plan is out (a test moves the deadline there, as time would)."""
    log: Callable[[str], None] = print
    timeout: float = 240
    _tokens: dict[str, str] = field(default_factory=dict)
    _client: httpx.Client | None = None

    # ------------------------------------------------------------ HTTP
    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(base_url=self.base_url, timeout=120)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def call(
        self, user: str, method: str, path: str, ok: tuple[int, ...] = (200,), **kw: Any
    ) -> httpx.Response:
        if user not in self._tokens:
            r = self.client.post(
                "/api/v1/auth/token", data={"username": user, "password": self.password}
            )
            self.client.cookies.clear()
            if r.status_code != 200:
                raise StoryError(f"{user} không đăng nhập được: {r.status_code} {r.text}")
            self._tokens[user] = r.json()["access_token"]
        r = self.client.request(
            method, path, headers={"Authorization": f"Bearer {self._tokens[user]}"}, **kw
        )
        self.client.cookies.clear()
        if r.status_code not in ok:
            raise StoryError(f"{user} {method} {path}: {r.status_code} {r.text[:500]}")
        return r

    def get(self, user: str, path: str, **kw: Any) -> Any:
        return self.call(user, "GET", path, **kw).json()

    # ------------------------------------------------------------ the year
    def run(self) -> dict[str, Any]:
        """Every step in order, each skipped when already done; what the year holds then."""
        try:
            self.cluster_id = self.find_cluster()
            self.base = f"/api/v1/clusters/{self.cluster_id}/years/{YEAR}"
            year = self.get(HEAD, self.base)
            self.units = {m["code"]: m["unit_id"] for m in year["members"]}
            missing = set(MEMBERS) - set(self.units)
            if missing:
                raise StoryError(f"Cụm I năm {YEAR} thiếu thành viên: {sorted(missing)}")
            plan = self.plan()
            if self.after_plan is not None:
                self.after_plan()
            self.covenant()
            self.registrations()
            self.scores(plan)
            review = self.review()
            waiting = self.year_end_dossiers()
            return {
                "cluster_id": self.cluster_id,
                "plan": plan,
                "review": review,
                "waiting": waiting,
            }
        finally:
            self.close()

    def find_cluster(self) -> int:
        for c in self.get(HEAD, "/api/v1/clusters"):
            if c.get("code") == CLUSTER_CODE:
                return int(c["id"])
        raise StoryError(f"Không thấy cụm {CLUSTER_CODE}")

    def plan(self) -> dict[str, Any]:
        path = f"{self.base}/plan"
        plan = self.get(HEAD, path)
        if plan["status"] != "issued":
            days = calendar(self.today or _today_vn())
            body = {
                "version": plan["version"],
                "goals": GOALS,
                **{k: v.isoformat() for k, v in days.items()},
                "criteria": CRITERIA,
            }
            plan = self.call(HEAD, "PUT", path, json=body).json()
            if plan["problems"]:
                raise StoryError("Kế hoạch chưa ban hành được: " + " ".join(plan["problems"]))
            self.call(HEAD, "POST", f"{path}/actions/issue", json={"signing_pin": self.pin})
            self.log(f"Kế hoạch {YEAR}: đã ký ban hành")
        else:
            self.log(f"Kế hoạch {YEAR}: đã ban hành từ trước ({plan['number']})")
        deadline = time.monotonic() + self.timeout
        while not (plan["document_id"] and plan["number"]):
            if time.monotonic() > deadline:
                raise StoryError(f"Kế hoạch chưa được cấp số, đóng dấu: {plan}")
            time.sleep(0.5)
            plan = self.get(HEAD, path)
        return dict(plan)

    def covenant(self) -> None:
        path = f"{self.base}/covenant"
        cov = self.get(HEAD, path)
        if cov["status"] == "draft":
            for m in cov["members"]:
                if not m["commitments"]:
                    items = [{"indicator": i, "target": t} for i, t in COMMITMENTS[m["code"]]]
                    clerk = f"{m['code'].lower()}.canbo"
                    self.call(
                        clerk, "PUT", f"{path}/commitments/{m['unit_id']}", json={"items": items}
                    )
                    self.log(f"Giao ước: {m['code']} đã nhập chỉ tiêu")
            cov = self.call(HEAD, "POST", f"{path}/actions/open").json()
            self.log("Giao ước: đã mở ký")
        signed = {m["code"] for m in cov["members"] if m["signed"]}
        for code in self.signed_by:
            if code not in signed and cov["status"] == "signing":
                head = f"{code.lower()}.thutruong"
                cov = self.call(
                    head, "POST", f"{path}/actions/sign", json={"signing_pin": self.pin}
                ).json()
                self.log(f"Giao ước: {code} đã ký ({cov['signed_count']}/{len(cov['members'])})")
        if self.seal and cov["status"] == "signing" and not cov["waiting"]:
            cov = self.call(HEAD, "POST", f"{path}/actions/seal").json()
            self.log("Giao ước: đơn vị Trưởng cụm đã đóng dấu")

    def registrations(self) -> None:
        path = f"{self.base}/registrations"
        table = self.get(HEAD, path)
        for r in table["registrations"]:
            code = r["unit_code"]
            if r["state"] != "missing" or (code == self.late_unit and not table["deadline_passed"]):
                continue
            items = [
                {"kind": k, "award": a, **({"count": n} if n else {})}
                for k, a, n in REGISTRATIONS[code]
            ]
            self.call(
                f"{code.lower()}.canbo", "PUT", f"{path}/{r['unit_id']}", json={"items": items}
            )
            self.log(f"Đăng ký thi đua: {code}" + (" (muộn)" if table["deadline_passed"] else ""))

    def scores(self, plan: dict[str, Any]) -> None:
        path = f"{self.base}/scores"
        got = self.get(HEAD, path, params={"period": "midyear"})
        criteria = {c["code"]: c["id"] for c in got["criteria"]}
        ids = [criteria[c["code"]] for c in CRITERIA]
        for sheet in got["sheets"]:
            code, unit = sheet["unit_code"], sheet["unit_id"]
            if sheet["status"] == "submitted":
                continue
            clerk = f"{code.lower()}.canbo"
            scores = [
                {
                    "criterion_id": c,
                    "points": p,
                    "evidence": f"Báo cáo sơ kết 6 tháng đầu năm {YEAR} của đơn vị",
                }
                for c, p in zip(ids, SELF_SCORES[code], strict=True)
            ]
            self.call(clerk, "PUT", f"{path}/midyear/{unit}", json={"scores": scores})
            self.call(clerk, "POST", f"{path}/midyear/{unit}/submit")
            self.log(f"Chấm điểm sơ kết: {code} đã tự chấm và gửi")
        code, crit, points, reason = ADJUSTED
        got = self.get(HEAD, path, params={"period": "midyear"})
        sheet = next(x for x in got["sheets"] if x["unit_code"] == code)
        row = next(x for x in sheet["scores"] if x["criterion_id"] == criteria[crit])
        if row["reviewed_points"] is None:
            body = {
                "adjustments": [
                    {"criterion_id": criteria[crit], "points": points, "reason": reason}
                ]
            }
            self.call(HEAD, "POST", f"{path}/midyear/{sheet['unit_id']}/review", json=body)
            self.log(f"Chấm điểm sơ kết: Trưởng cụm điều chỉnh tiêu chí {crit} của {code}")

    def review(self) -> dict[str, Any]:
        path = f"{self.base}/reviews"
        review = next((r for r in self.get(HEAD, path) if r["period"] == "midyear"), None)
        if review is None:
            today = self.today or _today_vn()
            held = calendar(today)["midyear_review_on"]
            if today.year == YEAR and today < held:
                held = today  # recorded once held: never on a day still to come
            names = {
                "BQLKKT": ("Nông Văn Hùng", "Phó Trưởng ban"),
                "LMHTX": ("Hà Văn Đức", "Phó Chủ tịch"),
                "VPDPNTM": ("Lý Thị Mai", "Chánh Văn phòng"),
                "BDT": ("Nông Thị Hoa", "Phó Trưởng ban"),
                "BQLDA": ("Vi Văn Tú", "Phó Giám đốc"),
            }
            body = {
                "period": "midyear",
                "held_on": held.isoformat(),
                "place": "Hội trường Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn",
                "agenda": (
                    "1. Thông qua dự thảo Báo cáo sơ kết 6 tháng đầu năm 2026 của Cụm.\n"
                    "2. Các đơn vị báo cáo kết quả tự chấm điểm; Trưởng cụm thông báo kết quả.\n"
                    "3. Thảo luận nhiệm vụ, giải pháp 6 tháng cuối năm."
                ),
                "board_rep_name": "Hoàng Thị Lan",
                "board_rep_position": "Chuyên viên Phòng Thi đua – Khen thưởng, Sở Nội vụ",
                "attendees": [
                    {"unit_id": self.units[c], "name": n, "position": p}
                    for c, (n, p) in names.items()
                ],
            }
            review = self.call(HEAD, "POST", path, ok=(201,), json=body).json()
            self.log("Sơ kết: đã ghi hội nghị")
        report = f"{path}/{review['id']}/report"
        if not review["report"]["uploaded"] and not review["report"]["signed_pdf"]:
            draft = self.call(HEAD, "GET", f"{report}/draft.docx").content
            files = {"file": ("bao-cao-so-ket-2026.docx", edited_report(draft), DOCX)}
            review = self.call(HEAD, "POST", report, files=files).json()
            self.log("Sơ kết: đã tải lên báo cáo đã chỉnh sửa")
        if not review["report"]["signed_pdf"]:
            review = self.call(
                HEAD, "POST", f"{report}/actions/sign", json={"signing_pin": self.pin}
            ).json()
            self.log(f"Sơ kết: báo cáo số {review['report']['number']} đã ký, gửi Phòng TĐKT")
        return dict(review)

    def year_end_dossiers(self) -> dict[str, int]:
        """Three members' year-end dossiers sent by their heads, waiting at the cluster
        for its vote (bình xét, suy tôn): two collective Bằng khen and a Cờ thi đua."""
        found: dict[str, int] = {}
        for code, award, nominee in YEAR_END:
            unit = code.lower()
            clerk, head = f"{unit}.canbo", f"{unit}.thutruong"
            title = f"{AWARD_TITLES[award]} năm {YEAR} – {nominee}"
            listed = self.get(
                clerk,
                "/api/v1/dossiers",
                params={"year": YEAR, "award": award, "unit_id": self.units[code]},
            )["items"]
            d = next((x for x in listed if x["title"] == title), None)
            if d is None:
                body = {
                    "year": YEAR,
                    "award": award,
                    "title": title,
                    "nominees": [
                        {"kind": "collective", "name": nominee, "achievements": ACHIEVEMENTS}
                    ],
                }
                d = self.call(clerk, "POST", "/api/v1/dossiers", ok=(201,), json=body).json()
                if award == "bang_khen_ubnd_tinh":
                    files = {
                        "file": ("Biên bản họp bình xét.pdf", unit_minutes(), "application/pdf")
                    }
                    self.call(
                        clerk,
                        "POST",
                        f"/api/v1/dossiers/{d['id']}/attachments",
                        ok=(201,),
                        params={"kind": "bien_ban_binh_xet"},
                        files=files,
                    )
                self.log(f"Cuối năm: {code} lập hồ sơ đề nghị «{title}»")
            did = int(d["id"])
            found[code] = did
            d = self.idle(clerk, did)
            if d["status"] == "draft":
                self.call(clerk, "POST", f"/api/v1/dossiers/{did}/actions/submit", json={})
                d = self.idle(clerk, did)
            if d["status"] == "unit_review":
                self.call(
                    head,
                    "POST",
                    f"/api/v1/dossiers/{did}/actions/approve",
                    json={"signing_pin": self.pin},
                )
                d = self.idle(clerk, did)
                self.log(f"Cuối năm: hồ sơ số {did} của {code}: {d['status_label']}")
        return found

    def idle(self, user: str, dossier_id: int) -> dict[str, Any]:
        """The dossier once its last step's flow has run."""
        deadline = time.monotonic() + self.timeout
        while True:
            d = self.get(user, f"/api/v1/dossiers/{dossier_id}")
            if not d["processing"]:
                return dict(d)
            if time.monotonic() > deadline:
                raise StoryError(f"hồ sơ số {dossier_id} chưa xử lý xong")
            time.sleep(0.3)


def unit_minutes() -> bytes:
    """The unit council's own Biên bản bình xét, uploaded with a Bằng khen dossier (a
    small real PDF; the law asks for it, domain/required_documents.py)."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 760, "Bien ban hop Hoi dong Thi dua - Khen thuong don vi, nam 2026")
    c.save()
    return buf.getvalue()


def edited_report(docx: bytes) -> bytes:
    """The drafted Báo cáo as the host unit edits it in Word: a sentence added to the part
    it is to complete."""
    doc = Document(io.BytesIO(docx))
    target = next(
        (p for p in doc.paragraphs if p.text.startswith("(Đơn vị đăng cai bổ sung")),
        doc.paragraphs[-1],
    )
    target.add_run(" " + ADDED)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _today_vn() -> date:
    from documents.vn import today_vn

    return today_vn()


def wait_healthy(base_url: str, timeout: float) -> None:
    """Until the server answers its health endpoint."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise StoryError(f"{base_url} không trả lời sau {timeout:.0f} giây")
        time.sleep(1)
