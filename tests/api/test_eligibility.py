"""Eligibility through the real app (embedded): a person's registry decides what the
dossier's eligibility says; a failing rule refuses the submission until the clerk
explains it; a second proposal of one achievement is refused with its code; at the
board's appraisal a failing rule blocks the approval until the specialist overrides it,
which the history records.

People, registry rows and the nominee's link to a person are written straight into the
app's database (their own API is built elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Nominee, Person, RegistryAward
from tests.fixtures.server import ELIGIBILITY_ENFORCED, PIN, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD, CLUSTER, SPECIALIST = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum", "ptdkt.chuyenvien"
YEAR = 2026


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("eligibility"), ELIGIBILITY_ENFORCED).start()
    yield srv
    srv.stop()


def db(server: AppServer) -> Database:
    return Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")


def person(server: AppServer, name: str, titles: dict[str, list[int]]) -> int:
    """A person with yearly titles in the registry: {award: [years]}."""
    d = db(server)
    with d.write() as s:
        p = Person(full_name=name, search_name=name.lower())
        s.add(p)
        s.flush()
        for award, years in titles.items():
            for y in years:
                s.add(registry(p.id, name, award, y))
        pid = p.id
    d.dispose()
    return pid


def registry(person_id: int, name: str, award: str, year: int) -> RegistryAward:
    return RegistryAward(
        person_id=person_id,
        award=award,
        year=year,
        occasion="yearly",
        decision_number=f"{year}/QĐ-BDT",
        decision_date=date(year, 12, 20),
        issuer="Trưởng ban Dân tộc",
        source="unit",
        holder_name=name,
    )


def add_title(server: AppServer, person_id: int, award: str, year: int) -> None:
    d = db(server)
    with d.write() as s:
        name = s.get(Person, person_id).full_name  # type: ignore[union-attr]
        s.add(registry(person_id, name, award, year))
    d.dispose()


def link(server: AppServer, dossier: dict[str, Any], person_id: int) -> None:
    """The nominee (the dossier's only one) is that person."""
    d = db(server)
    with d.write() as s:
        n = s.scalars(select(Nominee).where(Nominee.dossier_id == dossier["id"])).one()
        n.person_id = person_id
    d.dispose()


def create(server: AppServer, award: str, name: str, **nominee: Any) -> dict[str, Any]:
    clerk = Api(server, CLERK)
    body = {
        "award": award,
        "year": YEAR,
        "nominees": [
            {"kind": "individual", "name": name, "achievements": "Hoàn thành xuất sắc.", **nominee}
        ],
    }
    r = clerk.post("/api/v1/dossiers", json=body)
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return r.json()


def eligibility(server: AppServer, d: dict[str, Any], user: str = CLERK) -> dict[str, Any]:
    r = Api(server, user).get(f"/api/v1/dossiers/{d['id']}/eligibility")
    assert r.status_code == 200, r.text
    return r.json()


def rule(e: dict[str, Any], code: str) -> dict[str, Any]:
    [nominee] = e["nominees"]
    return next(x for x in nominee["rules"] if x["code"] == code)


def act(server: AppServer, user: str, d: dict[str, Any], action: str, **body: Any) -> Any:
    api = Api(server, user)
    r = api.act(d["id"], action, signing_pin=PIN, **body)
    assert r.status_code == 200, r.text
    return api.wait_idle(d["id"])


def test_a_missing_year_refuses_the_submission_until_explained(server: AppServer):
    clerk = Api(server, CLERK)
    pid = person(server, "Trần Thị Mai", {"chien_si_thi_dua_co_so": [2023, 2024]})
    d = create(server, "chien_si_thi_dua_cap_tinh", "Trần Thị Mai")
    cert = clerk.attach(d["id"], "giay_chung_nhan_sang_kien", "Giấy chứng nhận sáng kiến.pdf")
    initiative = {
        "title": "Số hóa hồ sơ thi đua",
        "scope": "tinh",
        "recognized_by": "Hội đồng sáng kiến tỉnh",
        "recognized_on": "2025-11-20",
        "applied": True,
        "document_id": cert.json()["id"],
    }
    nominee = {
        "kind": "individual",
        "name": "Trần Thị Mai",
        "achievements": "Hoàn thành xuất sắc.",
        "initiatives": [initiative],
    }
    version = clerk.get(f"/api/v1/dossiers/{d['id']}").json()["version"]
    r = clerk.patch(f"/api/v1/dossiers/{d['id']}", json={"version": version, "nominees": [nominee]})
    assert r.status_code == 200, r.text
    # Sent again without them (as the page's editor does), the initiatives are kept.
    again = {k: v for k, v in nominee.items() if k != "initiatives"}
    again["achievements"] = "Hoàn thành xuất sắc nhiệm vụ; sáng kiến cấp tỉnh."
    r = clerk.patch(
        f"/api/v1/dossiers/{d['id']}", json={"version": r.json()["version"], "nominees": [again]}
    )
    assert r.status_code == 200, r.text
    assert rule(eligibility(server, d), "cstd_tinh_sang_kien")["result"] == "pass"
    nominee_id = r.json()["nominees"][0]["id"]
    link(server, d, pid)

    e = eligibility(server, d)
    assert e["rule_set"]["code"] == "nd152_2025"
    assert "152/2025" in e["rule_set"]["legal_basis"]
    chain = rule(e, "cstd_tinh_chuoi_cstdcs")
    assert chain["result"] == "fail"
    assert chain["evidence"] == "Chiến sĩ thi đua cơ sở: 2023, 2024 — thiếu 2025"
    assert "06/2022/QH15" in chain["legal_basis"] and chain["effective_from"] == "2025-07-01"
    assert rule(e, "cstd_tinh_sang_kien")["result"] == "pass"
    assert rule(e, "bang_khen_ca_nhan")["result"] == "not_applicable"

    r = clerk.act(d["id"], "submit")
    body = r.json()
    assert (r.status_code, body["code"]) == (409, "eligibility_failed"), body
    assert [(x["nominee_id"], x["rule_code"]) for x in body["failing"]] == [
        (nominee_id, "cstd_tinh_chuoi_cstdcs")
    ]
    assert "thiếu 2025" in body["detail"]
    assert clerk.get(f"/api/v1/dossiers/{d['id']}").json()["status"] == "draft"

    because = "Năm 2025 đã được bình xét Chiến sĩ thi đua cơ sở, quyết định đang ban hành."
    act(
        server,
        CLERK,
        d,
        "submit",
        eligibility_explanations={str(nominee_id): {"cstd_tinh_chuoi_cstdcs": because}},
    )
    e = eligibility(server, d, HEAD)
    chain = rule(e, "cstd_tinh_chuoi_cstdcs")
    assert chain["explanation"]["reason"] == because
    assert chain["explanation"]["kind"] == "explanation" and chain["explanation"]["by"]
    history = clerk.get(f"/api/v1/dossiers/{d['id']}/history").json()
    submitted = next(h for h in history if h["kind"] == "submit")
    assert because in str(submitted)

    # The 2025 title entered: the rule passes.
    add_title(server, pid, "chien_si_thi_dua_co_so", 2025)
    chain = rule(eligibility(server, d), "cstd_tinh_chuoi_cstdcs")
    assert chain["result"] == "pass"
    assert chain["evidence"] == "Chiến sĩ thi đua cơ sở: 2023, 2024, 2025"


def test_one_achievement_is_proposed_once(server: AppServer):
    clerk = Api(server, CLERK)
    pid = person(server, "Lò Văn Hùng", {"chien_si_thi_dua_co_so": [2024, 2025]})
    first = create(server, "bang_khen_ubnd_tinh", "Lò Văn Hùng")
    link(server, first, pid)
    assert rule(eligibility(server, first), "bang_khen_ca_nhan")["result"] == "pass"
    act(server, CLERK, first, "submit")

    second = create(server, "bang_khen_ubnd_tinh", "Lò Văn Hùng")
    link(server, second, pid)
    once = rule(eligibility(server, second), "mot_thanh_tich_mot_lan")
    assert once["result"] == "fail" and once["refusal_code"] == "duplicate_proposal"
    assert f"hồ sơ số {first['id']}" in once["evidence"]
    nominee_id = second["nominees"][0]["id"]
    r = clerk.act(
        second["id"],
        "submit",
        eligibility_explanations={str(nominee_id): {"mot_thanh_tich_mot_lan": "Đề nghị lại."}},
    )
    assert (r.status_code, r.json()["code"]) == (409, "duplicate_proposal"), r.text

    # Already in the registry for that award and year.
    holder = person(server, "Vi Thị Lan", {"chien_si_thi_dua_co_so": [2024, 2025]})
    add_title(server, holder, "bang_khen_ubnd_tinh", YEAR)
    third = create(server, "bang_khen_ubnd_tinh", "Vi Thị Lan")
    link(server, third, holder)
    r = clerk.act(third["id"], "submit")
    assert (r.status_code, r.json()["code"]) == (409, "already_awarded"), r.text
    assert "Đã được tặng Bằng khen của Chủ tịch UBND tỉnh năm 2026" in r.json()["detail"]


def test_a_failing_rule_blocks_the_appraisal_until_overridden(server: AppServer):
    pid = person(server, "Nông Văn Dũng", {"chien_si_thi_dua_co_so": [2025]})
    d = create(server, "bang_khen_ubnd_tinh", "Nông Văn Dũng")
    link(server, d, pid)
    nominee_id = d["nominees"][0]["id"]
    d = act(
        server,
        CLERK,
        d,
        "submit",
        eligibility_explanations={
            str(nominee_id): {"bang_khen_ca_nhan": "Có thành tích xuất sắc đột xuất năm 2026."}
        },
    )
    for user in (HEAD, CLUSTER):
        d = act(server, user, d, "approve")
    assert d["status"] == "board_appraisal"
    specialist = Api(server, SPECIALIST)
    r = specialist.request(
        "PUT",
        f"/api/v1/dossiers/{d['id']}/appraisal",
        json={"version": d["version"], "items": [{"nominee_id": nominee_id, "result": "dat"}]},
    )
    assert r.status_code == 200, r.text

    r = specialist.act(d["id"], "approve", signing_pin=PIN)
    body = r.json()
    assert (r.status_code, body["code"]) == (409, "eligibility_failed"), body
    assert [x["rule_code"] for x in body["failing"]] == ["bang_khen_ca_nhan"]
    e = eligibility(server, d, SPECIALIST)
    assert e["can_override"] and rule(e, "bang_khen_ca_nhan")["blocking"]
    assert not eligibility(server, d, CLERK)["can_override"]

    path = f"/api/v1/dossiers/{d['id']}/eligibility/overrides"
    wanted = {"nominee_id": nominee_id, "rule_code": "bang_khen_ca_nhan"}
    r = Api(server, CLERK).post(path, json={**wanted, "reason": "Xin chấp thuận."})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")
    r = specialist.post(path, json={**wanted, "reason": "   "})
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    r = specialist.post(path, json={**wanted, "rule_code": "mot_thanh_tich_mot_lan", "reason": "x"})
    assert (r.status_code, r.json()["code"]) == (409, "nothing_to_override")
    reason = "Thành tích đột xuất năm 2026 được Ban ghi nhận (Công văn 12/BDT)."
    r = specialist.post(path, json={**wanted, "reason": reason})
    assert r.status_code == 201, r.text
    overridden = rule(r.json(), "bang_khen_ca_nhan")
    assert overridden["override"]["reason"] == reason and not overridden["blocking"]

    d = act(server, SPECIALIST, d, "approve")
    assert d["status"] == "board_decision"
    history = specialist.get(f"/api/v1/dossiers/{d['id']}/history").json()
    event = next(h for h in history if h["kind"] == "eligibility_overridden")
    assert event["reason"] == reason


def test_advisory_rules_hold_nothing_but_still_show_what_fails(
    tmp_path_factory: pytest.TempPathFactory,
):
    """TDKT_ELIGIBILITY_ENFORCED=false (a province whose registry lacks the past years):
    the same failing rule is shown, the submission and a second proposal go through."""
    srv = AppServer(tmp_path_factory.mktemp("advisory"), {}).start()
    try:
        clerk = Api(srv, CLERK)
        pid = person(srv, "Lý Văn Hùng", {"chien_si_thi_dua_co_so": [2024]})
        d = create(srv, "bang_khen_ubnd_tinh", "Lý Văn Hùng")
        link(srv, d, pid)
        assert rule(eligibility(srv, d), "bang_khen_ca_nhan")["result"] == "fail"
        assert clerk.act(d["id"], "submit").status_code == 200
        again = create(srv, "bang_khen_ubnd_tinh", "Lý Văn Hùng")
        link(srv, again, pid)
        assert rule(eligibility(srv, again), "mot_thanh_tich_mot_lan")["result"] == "fail"
        r = clerk.act(again["id"], "submit")
        assert r.status_code == 200, r.text
    finally:
        srv.stop()


def test_the_dossier_echoes_its_initiatives_and_a_collectives_counts(server: AppServer):
    clerk = Api(server, CLERK)
    d = create(server, "chien_si_thi_dua_cap_tinh", "Lò Văn Páo")
    cert = clerk.attach(d["id"], "giay_chung_nhan_sang_kien", "Giấy chứng nhận.pdf").json()
    initiative = {
        "title": "Bản đồ số vùng đồng bào",
        "scope": "toan_quoc",
        "recognized_by": "Bộ Dân tộc và Tôn giáo",
        "recognized_on": "2025-10-02",
        "applied": True,
        "document_id": cert["id"],
    }
    nominee = {"kind": "individual", "name": "Lò Văn Páo", "achievements": "Xuất sắc."}
    url = f"/api/v1/dossiers/{d['id']}"
    r = clerk.patch(
        url,
        json={"version": d["version"], "nominees": [{**nominee, "initiatives": [initiative]}]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["nominees"][0]["initiatives"] == [initiative]
    assert clerk.get(url).json()["nominees"][0]["initiatives"] == [initiative]

    # A certificate that is not the dossier's attachment: refused, naming the field.
    other = {**initiative, "title": "Khác", "document_id": cert["id"] + 10_000}
    r = clerk.patch(
        url,
        json={
            "version": r.json()["version"],
            "nominees": [{**nominee, "initiatives": [initiative, other]}],
        },
    )
    body = r.json()
    assert (r.status_code, body["code"]) == (422, "certificate_not_attached"), body
    assert body["field"] == "nominees.0.initiatives.1.document_id"
    assert clerk.get(url).json()["nominees"][0]["initiatives"] == [initiative]

    counts = {
        "members": 12,
        "completed_duties": 12,
        "lao_dong_tien_tien": 9,
        "chien_si_thi_dua_co_so": 1,
        "disciplined_canh_cao_or_above": 0,
    }
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "award": "tap_the_lao_dong_xuat_sac",
            "year": YEAR,
            "nominees": [
                {
                    "kind": "collective",
                    "name": "Phòng Chính sách",
                    "achievements": "Hoàn thành xuất sắc.",
                    "collective_counts": counts,
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    [n] = clerk.get(f"/api/v1/dossiers/{r.json()['id']}").json()["nominees"]
    assert n["collective_counts"] == counts and n["initiatives"] == []
    # The unit head, who may see the dossier, reads them too (they are not personal data).
    [n] = Api(server, HEAD).get(f"/api/v1/dossiers/{r.json()['id']}").json()["nominees"]
    assert n["collective_counts"] == counts
