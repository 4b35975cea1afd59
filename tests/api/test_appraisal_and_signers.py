"""Who signs what, as the templates of the law say, and an appraisal that is one: through
the HTTP API of the real server process, embedded (SQLite + local folder) and
production-like (PostgreSQL + S3 over TLS), every PDF checked by pyHanko and by
poppler's pdfsig against the demo CA.

- The specialist records a result per nominee; the Báo cáo thẩm định prints exactly that,
  carries the specialist's own signature and no seal; the board's Tờ trình lists only who
  passed and is signed "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" by the demo Phó Giám đốc, then sealed.
- An individual linked to their account signs their own achievement report before the
  unit head, whose approval waits for it; the seal comes last.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.modes import MODES, app_in_mode
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD, CLUSTER = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum"
SPECIALIST, BOARD_HEAD, LEADER, AUDITOR = (
    "ptdkt.chuyenvien",
    "ptdkt.truongphong",
    "snv.phogiamdoc",
    "thanhtra",
)
MEMBER, PERSON = "bdt.anhtuyet", "Hoàng Thị Ánh Tuyết"  # a member of Ban Dân tộc tỉnh

PASSED = "Phòng Chính sách <Dân tộc> & Đoàn kết"
FAILED = "Nguyễn Văn Bình"
FAILED_NOTE = 'Chưa đủ 02 năm "hoàn thành xuất sắc nhiệm vụ" (< 2 năm) & {{ x }}.'
STRUCK = "Lê Thị Hoa"
STRIKE_REASON = "Đang trong thời gian xem xét kỷ luật <khiển trách>."
OTHER = "Phòng Tổng hợp"
OTHER_AWARD = "Giấy khen của Trưởng ban Dân tộc"


@pytest.fixture(scope="module", params=MODES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    with app_in_mode(tmp_path_factory.mktemp(f"signers-{request.param}"), request.param) as srv:
        yield srv


@pytest.fixture(scope="module")
def nss(server: AppServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    roots = Api(server, AUDITOR).get("/api/v1/trust-roots")
    return nss_db(tmp_path_factory.mktemp("nss"), roots.content)


def create(server: AppServer, nominees: list[dict[str, Any]]) -> dict[str, Any]:
    clerk = Api(server, CLERK)
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])  # the Biên bản bình xét the award requires
    return r.json()


def act(server: AppServer, user: str, d: dict[str, Any], action: str) -> dict[str, Any]:
    api = Api(server, user)
    r = api.act(d["id"], action, signing_pin=PIN)
    assert r.status_code == 200, r.text
    return api.wait_idle(d["id"])


def appraise(server: AppServer, d: dict[str, Any], items: list[dict[str, Any]], user=SPECIALIST):
    api = Api(server, user)
    version = api.get(f"/api/v1/dossiers/{d['id']}").json()["version"]
    return api.request(
        "PUT", f"/api/v1/dossiers/{d['id']}/appraisal", json={"version": version, "items": items}
    )


def issued(server: AppServer, d: dict[str, Any], form: str) -> list[dict[str, Any]]:
    docs = Api(server, AUDITOR).get(f"/api/v1/dossiers/{d['id']}/documents").json()
    return [doc for doc in docs if doc["form"] == form]


def signatures(server: AppServer, doc: dict[str, Any], nss: str, tmp: Path) -> list[dict]:
    """The signatures pyHanko reports (all valid, trusted), after pdfsig agreed."""
    pdf = Api(server, AUDITOR).get(f"/api/v1/documents/{doc['id']}/content").content
    path = tmp / f"{doc['id']}.pdf"
    path.write_bytes(pdf)
    report = pdfsig(path, nss)
    v = Api(server, AUDITOR).get(f"/api/v1/documents/{doc['id']}/verify").json()
    n = len(v["signatures"])
    assert v["ok"] and n, v
    assert report.count("Signature Validation: Signature is Valid.") == n, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == n, report
    assert all(s["trusted"] and s["intact"] and s["valid"] for s in v["signatures"]), v
    return v["signatures"]


def name_of(server: AppServer, user: str) -> str:
    return Api(server, user).get("/api/v1/me").json()["full_name"]


def flat(text: str) -> str:
    return " ".join(text.split())


def reading(pdf: bytes, tmp: Path) -> str:
    """The PDF's text in reading order (a table cell's lines together), on one line."""
    path = tmp / "reading.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return flat(out.stdout)


def test_the_appraisal_prints_what_was_recorded_and_decides_the_board_submission(
    server: AppServer, nss: str, tmp_path: Path
):
    d = create(
        server,
        [
            {"kind": "collective", "name": PASSED, "achievements": "Hoàn thành xuất sắc."},
            {"kind": "individual", "name": FAILED, "achievements": "Hoàn thành tốt."},
            {"kind": "individual", "name": STRUCK, "achievements": "Hoàn thành xuất sắc."},
            {"kind": "collective", "name": OTHER, "achievements": "Hoàn thành tốt."},
        ],
    )
    for user in (CLERK, HEAD, CLUSTER):
        d = act(server, user, d, "submit" if user == CLERK else "approve")
    assert d["status"] == "board_appraisal"
    ids = {n["name"]: n["id"] for n in d["nominees"]}
    specialist = Api(server, SPECIALIST)
    path = f"/api/v1/dossiers/{d['id']}/appraisal"

    # Nothing recorded: approving is refused, naming everyone missing.
    r = specialist.act(d["id"], "approve", signing_pin=PIN)
    assert (r.status_code, r.json()["code"]) == (409, "appraisal_incomplete")
    for name in (PASSED, FAILED, STRUCK, OTHER):
        assert f"«{name}»" in r.json()["detail"]
    # The unit and the cluster do not read the specialist's working results.
    for user in (CLERK, HEAD, CLUSTER):
        r = Api(server, user).get(path)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")
    # Only the specialist records them.
    r = appraise(server, d, [{"nominee_id": ids[PASSED], "result": "dat"}], user=CLERK)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")

    # What cannot stand is refused with a reason per field, and nothing is kept.
    r = appraise(
        server,
        d,
        [
            {"nominee_id": ids[OTHER], "result": "hinh_thuc_khac"},
            {"nominee_id": ids[STRUCK], "struck": True, "strike_reason": "  "},
        ],
    )
    body = r.json()
    assert (r.status_code, body["code"]) == (422, "appraisal_invalid"), body
    assert {e["field"] for e in body["errors"]} == {"items.0.other_award", "items.1.strike_reason"}
    assert f"«{OTHER}»: Hãy ghi hình thức khen thưởng khác" in body["detail"]
    assert specialist.get(path).json()["missing"] == [PASSED, FAILED, STRUCK, OTHER]
    r = specialist.request("PUT", path, json={"version": d["version"] - 1, "items": []})
    assert (r.status_code, r.json()["code"]) == (409, "stale_version")

    # One at a time: the others are still missing.
    assert appraise(server, d, [{"nominee_id": ids[FAILED], "result": "dat"}]).status_code == 200
    r = specialist.act(d["id"], "approve", signing_pin=PIN)
    assert (r.status_code, r.json()["code"]) == (409, "appraisal_incomplete")
    assert f"«{FAILED}»" not in r.json()["detail"] and f"«{STRUCK}»" in r.json()["detail"]

    # Nobody passes: approving is refused (reject or return instead).
    results = [
        {"nominee_id": ids[PASSED], "result": "khong_dat"},
        {"nominee_id": ids[FAILED], "result": "khong_dat", "note": FAILED_NOTE},
        {"nominee_id": ids[STRUCK], "struck": True, "strike_reason": STRIKE_REASON},
        {"nominee_id": ids[OTHER], "result": "hinh_thuc_khac", "other_award": OTHER_AWARD},
    ]
    assert appraise(server, d, results).status_code == 200
    r = specialist.act(d["id"], "approve", signing_pin=PIN)
    assert (r.status_code, r.json()["code"]) == (409, "appraisal_nobody_passes")
    r = appraise(server, d, [{"nominee_id": ids[PASSED], "result": "dat", "note": "Đủ hồ sơ."}])
    view = r.json()
    assert view["missing"] == [] and view["passed"] == 1 and view["editable"]
    by_name = {x["name"]: x for x in view["items"]}
    assert by_name[FAILED]["note"] == FAILED_NOTE
    assert by_name[STRUCK]["result_label"] == "Loại khỏi danh sách"
    assert by_name[OTHER]["result_label"] == f"Đề nghị hình thức khác: {OTHER_AWARD}"
    assert by_name[PASSED]["recorded_by"] == name_of(server, SPECIALIST)

    d = act(server, SPECIALIST, d, "approve")
    assert d["status"] == "board_decision"
    # Read-only now, for the Phòng's head, the Sở's leadership and auditors.
    for user in (BOARD_HEAD, AUDITOR, SPECIALIST):
        view = Api(server, user).get(path).json()
        assert not view["editable"] and view["passed"] == 1
    r = appraise(server, d, [{"nominee_id": ids[PASSED], "result": "khong_dat"}])
    assert (r.status_code, r.json()["code"]) == (409, "not_in_appraisal")
    # Every change is in the history, with what it was before.
    history = Api(server, AUDITOR).get(f"/api/v1/dossiers/{d['id']}/history").json()
    changes = [
        c for h in history if h["kind"] == "appraisal_recorded" for c in h["data"]["changes"]
    ]
    assert len(changes) == 6  # 1 + 4 + 1: the refused attempts left nothing
    last = changes[-1]
    assert (last["name"], last["before"]["result"], last["after"]["result"]) == (
        PASSED,
        "khong_dat",
        "dat",
    )

    # The Báo cáo thẩm định: exactly what was recorded; the specialist's own signature,
    # no seal, no number.
    [report] = issued(server, d, "phieu_tham_dinh")
    assert report["number"] is None
    pdf = Api(server, AUDITOR).get(f"/api/v1/documents/{report['id']}/content").content
    text = reading(pdf, tmp_path)
    assert "Không đạt" in text and flat(FAILED_NOTE) in text
    assert "Loại khỏi danh sách" in text and STRIKE_REASON in text
    assert OTHER_AWARD in text and "Đủ hồ sơ." in text
    assert "Đạt — Hồ sơ đủ thành phần" not in text and "CHUYÊN VIÊN" in text
    [only] = signatures(server, report, nss, tmp_path)
    assert only["signer"] == name_of(server, SPECIALIST)  # and nobody's seal

    # The Phòng's head passes it on; the Phó Giám đốc signs the Sở's Tờ trình.
    d = act(server, BOARD_HEAD, d, "approve")
    assert d["status"] == "leadership_review"
    assert not issued(server, d, "to_trinh_ban")[0]["number"]  # prepared, not yet issued
    d = act(server, LEADER, d, "approve")
    assert d["status"] == "approved"
    [board] = issued(server, d, "to_trinh_ban")
    pdf = Api(server, AUDITOR).get(f"/api/v1/documents/{board['id']}/content").content
    text = reading(pdf, tmp_path)
    leader = name_of(server, LEADER)
    assert re.search("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC .*" + leader, text)
    assert "TL." not in text
    listed = text[text.index("DANH SÁCH TẬP THỂ, CÁ NHÂN") :]
    assert PASSED in listed
    for name in (FAILED, STRUCK, OTHER):
        assert name not in listed
    assert "cho 01 tập thể" in text and "00 cá nhân" not in text  # only the passed one
    assert f"hình thức khen thưởng khác: {OTHER} ({OTHER_AWARD})" in text
    leader_signature, seal = signatures(server, board, nss, tmp_path)
    assert leader_signature["signer"] == leader
    assert leader_signature["modification_level"] == "form_filling"
    assert seal["signer"].startswith("Sở Nội vụ")


def test_an_individual_signs_their_own_report_before_the_unit_head(
    server: AppServer, nss: str, tmp_path: Path
):
    clerk = Api(server, CLERK)
    person = {"kind": "individual", "name": PERSON, "job_title": "Trưởng phòng"}
    group = {"kind": "collective", "name": "Văn phòng Ban", "achievements": "Hoàn thành tốt."}
    # A link must be to the person's own account in the unit.
    for wrong, code in (
        ({**person, "account": CLERK}, "account_name_mismatch"),
        ({**group, "account": MEMBER}, "account_for_collective"),
        ({**person, "account": "vpdpntm.canbo"}, "account_not_in_unit"),
    ):
        r = clerk.post("/api/v1/dossiers", json={"year": 2026, "nominees": [wrong]})
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
    d = create(server, [group, {**person, "achievements": "Xuất sắc 3 năm.", "account": MEMBER}])
    assert [n["account"] for n in d["nominees"]] == [None, MEMBER]
    member = Api(server, MEMBER)
    assert member.get(f"/api/v1/dossiers/{d['id']}").status_code == 200  # her own dossier

    d = act(server, CLERK, d, "submit")
    assert d["status"] == "unit_review"
    assert d["id"] in [x["id"] for x in member.get("/api/v1/inbox").json()]
    mine = member.get(f"/api/v1/dossiers/{d['id']}").json()
    assert mine["can_sign_own_report"] and mine["allowed_actions"] == []
    assert [n["own_report"] for n in mine["nominees"]] == [None, "waiting"]

    # The head's approval waits for her, and says so.
    r = Api(server, HEAD).act(d["id"], "approve", signing_pin=PIN)
    assert (r.status_code, r.json()["code"]) == (409, "own_report_unsigned")
    assert f"«{PERSON}»" in r.json()["detail"]
    # Nobody else signs it for her; her PIN is checked like an approver's.
    sign = f"/api/v1/dossiers/{d['id']}/own-report/sign"
    r = clerk.post(sign, json={"signing_pin": PIN})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")
    r = member.post(sign, json={"signing_pin": "000000"})
    assert (r.status_code, r.json()["code"]) == (403, "wrong_pin")
    r = member.post(sign, json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unit_review" and not r.json()["can_sign_own_report"]
    assert [n["own_report"] for n in r.json()["nominees"]] == [None, "signed"]
    r = member.post(sign, json={"signing_pin": PIN})
    assert (r.status_code, r.json()["code"]) == (409, "already_signed")
    assert d["id"] not in [x["id"] for x in member.get("/api/v1/inbox").json()]

    d = act(server, HEAD, d, "approve")
    assert d["status"] == "cluster_review"
    reports = {
        2 if doc["title"].endswith(PERSON) else 1: doc
        for doc in issued(server, d, "bao_cao_thanh_tich")
    }
    head, unit = name_of(server, HEAD), "Ban Dân tộc tỉnh"

    # Her report: her signature (certifying), the head's, then the unit's seal.
    own, by_head, seal = signatures(server, reports[2], nss, tmp_path)
    assert (own["signer"], by_head["signer"]) == (PERSON, head)
    assert own["modification_level"] == by_head["modification_level"] == "form_filling"
    assert seal["signer"].startswith(unit)
    pdf = Api(server, AUDITOR).get(f"/api/v1/documents/{reports[2]['id']}/content").content
    text = reading(pdf, tmp_path)
    assert "THỦ TRƯỞNG ĐƠN VỊ XÁC NHẬN, ĐỀ NGHỊ (Ký, đóng dấu)" in text
    assert "NGƯỜI BÁO CÁO THÀNH TÍCH (Ký, ghi rõ họ và tên)" in text
    # The collective's report: its head's signature and the seal.
    by_head, seal = signatures(server, reports[1], nss, tmp_path)
    assert by_head["signer"] == head and seal["signer"].startswith(unit)
    pdf = Api(server, AUDITOR).get(f"/api/v1/documents/{reports[1]['id']}/content").content
    text = reading(pdf, tmp_path)
    assert "THỦ TRƯỞNG ĐƠN VỊ (Ký, đóng dấu)" in text and "NGƯỜI BÁO CÁO" not in text

    history = Api(server, AUDITOR).get(f"/api/v1/dossiers/{d['id']}/history").json()
    [signed] = [h for h in history if h["kind"] == "report_signed"]
    assert (signed["actor_role"], signed["actor_unit"]) == ("unit_member", unit)
    assert len(signed["data"]["signed"][0]["sha256"]) == 64
