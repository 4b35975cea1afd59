"""The public register of award decisions, through the real server and without sign-in:
an issued decision shows its number, date, signer's title and the list of those it
awarded (name, position, unit, award) on its own public page, on the register
`/cong-khai/quyet-dinh` and on the round's published list — never a nominee's date of
birth nor their achievements; a draft decision is not public at all. A decision whose
round was never published for consultation is on the register too. The unit that
submitted sees, per nominee, what the decision did: awarded (number, date, số vào sổ) or
not, with the reason — in `GET /api/v1/dossiers/{id}` and on the dossier's page.

The rounds and decisions are written straight into the server's database
(tests/fixtures/decisions_seed.py): the decision's issuing (signature, number, seal,
award records) is tested in test_decisions.py; here what matters is what the public sees
of what was issued."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from tests.fixtures.decisions_seed import decided_round, new_dossier
from tests.fixtures.modes import app_in_mode
from tests.fixtures.server import PASSWORD, Api, AppServer

pytestmark = pytest.mark.slow

CLERK = "bdt.canbo"
PERSON, TEAM = "Hoàng Thị Mai <b>", "Phòng Dân tộc & Tôn giáo"
BORN = date(1987, 3, 14)
CCCD = "001187012345"  # Hà Nội, a woman born in 1987
SECRET_ACHIEVEMENT = "Thành tích riêng: sáng kiến cấp tỉnh số 42"
OTHER_PERSON = "Lục Văn Sáu"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with app_in_mode(
        tmp_path_factory.mktemp("public-register"), "embedded", {"TDKT_COUNCIL_AWARDS": "-"}
    ) as srv:
        yield srv


def no_personal_data(html: str) -> None:
    for shown in ("14/03/1987", "1987-03-14", "14-03-1987", "1987", CCCD):
        assert shown not in html, shown
    assert SECRET_ACHIEVEMENT not in html


def test_an_issued_decision_is_public_with_its_list_and_no_personal_data(server):
    dossier = new_dossier(
        server,
        [
            {
                "kind": "individual",
                "name": PERSON,
                "job_title": "Chuyên viên",
                "unit_name": "Phòng Tổng hợp",
                "achievements": SECRET_ACHIEVEMENT,
                "birth_date": BORN.isoformat(),
                "gender": "nu",
                "identity_no": CCCD,
            },
            {"kind": "collective", "name": TEAM, "achievements": SECRET_ACHIEVEMENT},
        ],
    )
    # The date of birth is in the dossier (its unit sees it): the public must not.
    seen = Api(server, CLERK).get(f"/api/v1/dossiers/{dossier}").json()["nominees"][0]
    assert seen["birth_date"] == BORN.isoformat()
    _rid, decision_id, token = decided_round(
        server,
        "Đợt khen thưởng công khai 2026",
        dossier,
        number="07/QĐ-UBND",
        decided_on=date(2026, 11, 20),
        published=True,
    )
    assert token is not None
    web = httpx.Client(base_url=server.base, timeout=60)  # no sign-in

    # The register lists it: number, date, signer's title, how many, the link.
    r = web.get("/cong-khai/quyet-dinh")
    assert r.status_code == 200, r.text
    assert "07/QĐ-UBND" in r.text and "20/11/2026" in r.text and "CHỦ TỊCH" in r.text
    assert f'href="/cong-khai/quyet-dinh/{decision_id}"' in r.text
    # The consultation register links to it.
    assert 'href="/cong-khai/quyet-dinh"' in web.get("/cong-khai").text

    # Its own page: the list, names escaped, position and unit; nothing personal.
    r = web.get(f"/cong-khai/quyet-dinh/{decision_id}")
    assert r.status_code == 200, r.text
    assert "Quyết định số 07/QĐ-UBND ngày 20/11/2026" in r.text
    assert "Hoàng Thị Mai &lt;b&gt;" in r.text and "Phòng Dân tộc &amp; Tôn giáo" in r.text
    assert "Chuyên viên" in r.text and "Phòng Tổng hợp" in r.text
    assert "Bằng khen của Chủ tịch UBND tỉnh" in r.text
    no_personal_data(r.text)

    # The round's published page shows the decision once issued.
    r = web.get(f"/cong-khai/dot/{token}")
    assert r.status_code == 200, r.text
    assert "Đã có quyết định khen thưởng" in r.text and "07/QĐ-UBND" in r.text
    no_personal_data(r.text)

    # The same in JSON, field by field: nothing beyond what the page shows.
    got = web.get(f"/api/v1/public/decisions/{decision_id}").json()
    assert got["number"] == "07/QĐ-UBND" and got["decided_on"] == "2026-11-20"
    assert {tuple(sorted(a)) for a in got["awardees"]} == {
        ("award_name", "kind", "name", "notes", "position", "revoked", "unit_name")
    }
    assert all(a["notes"] == [] and a["revoked"] is False for a in got["awardees"])
    assert got["amendments"] == []
    assert [a["name"] for a in got["awardees"]] == [PERSON, TEAM]
    public = web.get(f"/api/v1/public/consultations/{token}").json()
    assert public["decision"]["number"] == "07/QĐ-UBND"
    no_personal_data(str(got) + str(public))
    web.close()
    # Kept on the nominee's record in the registry (its unit sees it), never in a log line.
    clerk = Api(server, CLERK)
    record = clerk.get(f"/api/v1/people/{seen['person_id']}").json()
    assert record["identity_no"] == CCCD
    log = server.log.read_text(errors="replace")
    assert CCCD not in log and "14/03/1987" not in log and "1987-03-14" not in log


def test_a_decision_never_published_for_consultation_is_on_the_register_a_draft_is_not(
    server,
):
    issued = new_dossier(server, [{"kind": "individual", "name": OTHER_PERSON}])
    _r, issued_id, _t = decided_round(
        server,
        "Đợt không lấy ý kiến 2026",
        issued,
        number="09/QĐ-UBND",
        decided_on=date(2026, 11, 25),
        published=False,
    )
    draft = new_dossier(server, [{"kind": "individual", "name": "Người Chưa Quyết"}])
    _r2, draft_id, _t2 = decided_round(
        server, "Đợt còn dự thảo 2026", draft, number=None, decided_on=None, published=False
    )
    web = httpx.Client(base_url=server.base, timeout=60)
    r = web.get("/cong-khai/quyet-dinh")
    assert "09/QĐ-UBND" in r.text and "Đợt không lấy ý kiến 2026" in r.text
    assert "Đợt còn dự thảo 2026" not in r.text
    numbers = [x["number"] for x in web.get("/api/v1/public/decisions").json()]
    assert numbers[:2] == ["09/QĐ-UBND", "07/QĐ-UBND"]  # the newest first
    assert OTHER_PERSON in web.get(f"/cong-khai/quyet-dinh/{issued_id}").text
    # A draft is not public: neither its page nor its JSON.
    r = web.get(f"/api/v1/public/decisions/{draft_id}")
    assert (r.status_code, r.json()["code"]) == (404, "decision_not_found")
    assert web.get(f"/cong-khai/quyet-dinh/{draft_id}").status_code == 404
    web.close()


def signed_in(server: AppServer, username: str) -> httpx.Client:
    """A browser-like client signed in through the sign-in form."""
    client = httpx.Client(base_url=server.base, timeout=60)
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/dang-nhap").text)
    assert found
    r = client.post(
        "/dang-nhap",
        data={"username": username, "password": PASSWORD, "csrf": found[1], "tiep": "/"},
    )
    assert r.status_code == 303, r.text
    return client


def test_the_unit_sees_per_nominee_who_was_awarded_and_why_not(server):
    won, lost = "Nông Văn Được", "Lý Thị Không"
    reason = "Chưa đủ thời gian công tác <3 năm>"
    dossier = new_dossier(
        server, [{"kind": "individual", "name": won}, {"kind": "individual", "name": lost}]
    )
    clerk = Api(server, CLERK)
    before = clerk.get(f"/api/v1/dossiers/{dossier}").json()["nominees"]
    assert [n["award_result"] for n in before] == [None, None]
    page = signed_in(server, CLERK)
    assert "Kết quả khen thưởng" not in page.get(f"/ho-so/{dossier}").text

    _r, decision_id, _t = decided_round(
        server,
        "Đợt có người không được khen 2026",
        dossier,
        number="11/QĐ-UBND",
        decided_on=date(2026, 12, 1),
        published=False,
        refused={lost: reason},
    )
    got = {
        n["name"]: n["award_result"]
        for n in clerk.get(f"/api/v1/dossiers/{dossier}").json()["nominees"]
    }
    book = decision_id * 100 + 1  # what the seed numbers the first awarded one
    awarded = f"Được khen thưởng — Quyết định số 11/QĐ-UBND ngày 01/12/2026, số vào sổ {book}/2026"
    assert got[won] == {
        "awarded": True,
        "reason": "",
        "decision_number": "11/QĐ-UBND",
        "decision_date": "2026-12-01",
        "certificate_no": book,
        "certificate_year": 2026,
        "revoked_by": None,
        "text": awarded,
    }
    assert got[lost]["awarded"] is False and got[lost]["reason"] == reason
    assert got[lost]["certificate_no"] is None
    assert got[lost]["text"] == f"Không được khen thưởng: {reason}"

    html = page.get(f"/ho-so/{dossier}").text
    assert "Kết quả khen thưởng" in html
    assert awarded in html
    assert "Không được khen thưởng: Chưa đủ thời gian công tác &lt;3 năm&gt;" in html
    page.close()
