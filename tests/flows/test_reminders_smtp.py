"""Reminders over a real SMTP server on loopback (aiosmtpd, STARTTLS with a self-signed
certificate): a dossier waiting for the board's appraisal since 13/02/2026 (long past its
deadline of 20/03/2026) and one that arrived today. The specialist's daily digest
arrives once with both (Vietnamese subject, plain text and HTML), the board head is told
of the overdue one once, a second run sends nothing, two runs at once send each once,
and a sender killed between its claim and its send is taken over after the lease —
nothing sent twice."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.settings import Settings
from issuing.reminders import run_reminders
from storage.db import Database
from tests.fixtures.modes import no_council_app
from tests.fixtures.route import walk_to
from tests.fixtures.s3 import free_loopback_port
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

AWARD = "bang_khen_ubnd_tinh"
SPECIALIST, HEAD = "ptdkt.chuyenvien", "ptdkt.truongphong"


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "smtp.pem", tmp / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Inbox:
    """What the SMTP server received: (recipients, message, over TLS)."""

    def __init__(self) -> None:
        self.got: list[tuple[list[str], EmailMessage, bool]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        self.got.append((list(envelope.rcpt_tos), msg, session.ssl is not None))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m, _ in self.got if address in rcpt]


@dataclass
class Rt:
    settings: Settings
    db: Database


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Inbox, int, Path]]:
    cert, key = self_signed(tmp_path_factory.mktemp("smtp"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_loopback_port()
    ctl = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    ctl.start()
    try:
        yield inbox, port, cert
    finally:
        ctl.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with no_council_app(tmp_path_factory.mktemp("reminders")) as srv:
        yield srv


def make(server: AppServer, unit: str, name: str) -> int:
    clerk = Api(server, f"{unit}.canbo")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": AWARD,
            "nominees": [{"kind": "individual", "name": name, "achievements": "Hoàn thành."}],
        },
    )
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


@pytest.fixture(scope="module")
def world(server: AppServer, smtp: tuple[Inbox, int, Path]) -> dict[str, Any]:
    old = make(server, "bdt", "Lò Văn Páo")
    new = make(server, "lmhtx", "Nông Văn Khánh")
    assert walk_to(server, old, "board_appraisal")["status"] == "board_appraisal"
    assert walk_to(server, new, "board_appraisal", unit="lmhtx")["status"] == "board_appraisal"
    db_path = server.var_dir / "tdkt.sqlite3"
    with sqlite3.connect(db_path, timeout=60) as db:
        db.execute(
            "update dossier_transitions set created_at = '2026-02-13 02:00:00.000000' "
            "where dossier_id = ?",
            (old,),
        )
        # Only the two accounts of the story have an address; the rest get in-app only.
        db.execute("update users set email = NULL")
        for user in (SPECIALIST, HEAD):
            db.execute("update users set email = ? where username = ?", (f"{user}@tdkt.test", user))
        titles = dict(db.execute("select id, title from dossiers where id in (?, ?)", (old, new)))
    _, port, cert = smtp
    settings = Settings(
        var_dir=server.var_dir,
        database_url=f"sqlite:///{db_path}",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=True,
        smtp_ca_bundle=str(cert),
        smtp_sender="tdkt@tdkt.test",
        digest_hour=0,
        public_url="https://tdkt.test",
        reminder_lease_seconds=600,
    )
    return {"old": old, "new": new, "titles": titles, "settings": settings, "db": db_path}


VN = dt.timezone(dt.timedelta(hours=7))


def ten_oclock(days: int = 0) -> dt.datetime:
    """10:00 in Việt Nam today (+ `days`): a run well inside one Vietnam day."""
    day = dt.datetime.now(VN).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(10), VN).astimezone(dt.UTC)


def reminders(db_path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path, timeout=60) as db:
        return db.execute(
            "select r.kind, u.username, r.subject, r.day, r.sent_at is not null, r.attempts "
            "from reminders r join users u on u.id = r.user_id order by r.id"
        ).fetchall()


def test_digest_and_escalation_once_with_two_runs_at_once(smtp, world):
    inbox, _, _ = smtp
    now = ten_oclock()
    db = Database(world["settings"].database_url)
    rt = Rt(world["settings"], db)
    results: list[dict[str, Any]] = []
    runs = [threading.Thread(target=lambda: results.append(run_reminders(rt, now))) for _ in "ab"]
    for t in runs:
        t.start()
    for t in runs:
        t.join(120)
    assert len(results) == 2
    sent = [r["sent"] for r in results]
    assert sum(s["escalation"] for s in sent) >= 1

    digests = inbox.to(f"{SPECIALIST}@tdkt.test")
    assert len(digests) == 1, [m["Subject"] for m in digests]
    d = digests[0]
    today = now.astimezone(VN).date()
    assert d["Subject"] == f"[TĐKT] Việc chờ xử lý ngày {today:%d/%m/%Y}: 2 hồ sơ, 1 quá hạn"
    text = d.get_body(preferencelist=("plain",)).get_content()
    html = d.get_body(preferencelist=("html",)).get_content()
    old, new = world["old"], world["new"]
    for body in (text, html):
        assert world["titles"][old] in body and world["titles"][new] in body
        assert "20/03/2026" in body and "quá hạn" in body
        assert f"https://tdkt.test/ho-so/{old}" in body
    assert text.index("Quá hạn") < text.index(world["titles"][old]) < text.index("Đang chờ")
    assert all(tls for _, _, tls in inbox.got), "every message went over STARTTLS"

    told = [m for m in inbox.to(f"{HEAD}@tdkt.test") if "quá hạn" in m["Subject"]]
    assert len(told) == 1
    assert world["titles"][old] in told[0]["Subject"]
    assert "20/03/2026" in told[0].get_body(preferencelist=("plain",)).get_content()

    rows = reminders(world["db"])
    keys = [(k, u, s, day) for k, u, s, day, _, _ in rows]
    assert len(keys) == len(set(keys)) and all(r[4] for r in rows)
    assert ("escalation", HEAD, f"dossier:{old}", "2026-03-20") in keys
    assert not any(s == f"dossier:{new}" for _, _, s, _ in keys), "the new one is on time"

    # In-app: the digest and the escalation are notifications too, and audited.
    with sqlite3.connect(world["db"], timeout=60) as conn:
        notes = conn.execute(
            "select u.username, n.message from notifications n join users u on u.id = n.user_id "
            "where n.transition_seq < 0 and n.subject_kind = 'dossier'"
        ).fetchall()
        events = conn.execute(
            "select count(*) from audit_events where kind in ('digest_sent', 'overdue_escalated')"
        ).fetchone()[0]
        escalated = conn.execute(
            "select subject_id, data from audit_events where kind = 'overdue_escalated'"
        ).fetchall()
    assert [d for d, _ in escalated] == [old] * len(escalated) and escalated
    assert all("@" not in data and "Lò Văn Páo" not in data for _, data in escalated)
    assert (SPECIALIST, f"Tổng hợp ngày {today:%d/%m/%Y}: 2 hồ sơ chờ xử lý, 1 quá hạn.") in notes
    assert any(u == HEAD and m.startswith("Quá hạn: hồ sơ") for u, m in notes)
    assert events == len(rows)

    # A second run sends nothing new.
    before = len(inbox.got)
    again = run_reminders(rt, now + dt.timedelta(hours=2))
    assert again["sent"] == {"digest": 0, "escalation": 0} and again["skipped"] == len(rows)
    assert len(inbox.got) == before
    db.dispose()


def test_a_sender_killed_between_claim_and_send_is_taken_over_once(smtp, world, tmp_path):
    """The CLI run of the next day talks to a mail server that never answers: killed
    (SIGKILL) once it has claimed, its claim stays unsent; a run within the lease skips
    it, a run after the lease sends it once."""
    inbox, _, _ = smtp
    next_day = ten_oclock(1)
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(8)  # accepts connections, never greets
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TDKT_")},
        "TDKT_VAR_DIR": str(tmp_path),
        "TDKT_DATABASE_URL": world["settings"].database_url,
        "TDKT_SMTP_HOST": "127.0.0.1",
        "TDKT_SMTP_PORT": str(mute.getsockname()[1]),
        "TDKT_SMTP_TIMEOUT": "300",
        "TDKT_DIGEST_HOUR": "0",
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tdkt", "reminders", "run", "--now", next_day.isoformat()],
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(
            u in (SPECIALIST, HEAD) and not sent for _, u, _, _, sent, _ in reminders(world["db"])
        ):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        mute.close()
    unsent = [r for r in reminders(world["db"]) if not r[4]]
    assert len(unsent) == 1 and unsent[0][0] == "digest" and unsent[0][5] == 1
    who = unsent[0][1]

    before = len(inbox.got)
    db = Database(world["settings"].database_url)
    rt = Rt(world["settings"], db)
    within = run_reminders(rt, next_day + dt.timedelta(minutes=5))
    held = [r for r in reminders(world["db"]) if r[1] == who and r[0] == "digest"]
    assert not held[-1][4], "within the lease the dead sender's claim is left alone"
    after = run_reminders(rt, next_day + dt.timedelta(minutes=11))
    rows = reminders(world["db"])
    assert all(r[4] for r in rows)
    taken = [r for r in rows if r[1] == who and r[0] == "digest" and r[3] == held[-1][3]]
    assert len(taken) == 1 and taken[0][5] == 2, "taken over once, on the second attempt"
    assert within["failed"] == 0 and after["failed"] == 0
    # The next day's digests: one each (no duplicate of the killed one).
    if who == SPECIALIST:
        next_digests = [
            m for m in inbox.to(f"{SPECIALIST}@tdkt.test")[1:] if "Việc chờ" in m["Subject"]
        ]
        assert len(next_digests) == 1
    assert len(inbox.got) > before
    db.dispose()


def test_a_person_who_turns_the_digest_off_gets_none(server, smtp, world):
    """On /tai-khoan the specialist turns the daily digest off (audited without the
    address): the run of the day after next sends the others' digests, not theirs."""
    import re

    import httpx

    from tests.fixtures.server import PASSWORD

    inbox, _, _ = smtp
    client = httpx.Client(base_url=server.base, timeout=60)
    page = client.get("/dang-nhap")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = client.post(
        "/dang-nhap",
        data={"username": SPECIALIST, "password": PASSWORD, "csrf": csrf[1], "tiep": "/"},
    )
    assert r.status_code == 303, r.text
    page = client.get("/tai-khoan")
    assert page.status_code == 200 and "Nhận thư tổng hợp" in page.text
    assert f"{SPECIALIST}@tdkt.test" in page.text and "checked" in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    # A refusal is shown on the page the form was on (POST, redirect, GET), with its status.
    bad = client.post(
        "/tai-khoan/nhac-viec",
        data={"csrf": token[1], "email": "không-hợp-lệ", "digest": "on"},
        follow_redirects=True,
    )
    assert bad.status_code == 422 and "Địa chỉ thư điện tử không hợp lệ" in bad.text
    r = client.post(
        "/tai-khoan/nhac-viec", data={"csrf": token[1], "email": f"{SPECIALIST}@tdkt.test"}
    )
    assert r.status_code == 303, r.text
    page = client.get("/tai-khoan")
    assert "checked" not in page.text
    with sqlite3.connect(world["db"], timeout=60) as conn:
        (data,) = conn.execute(
            "select data from audit_events where kind = 'reminder_settings_changed' "
            "order by id desc limit 1"
        ).fetchone()
    assert "@" not in data and '"digest": false' in data

    before = len(inbox.to(f"{SPECIALIST}@tdkt.test"))
    db = Database(world["settings"].database_url)
    out = run_reminders(Rt(world["settings"], db), ten_oclock(2))
    db.dispose()
    assert out["failed"] == 0
    assert len(inbox.to(f"{SPECIALIST}@tdkt.test")) == before
    with sqlite3.connect(world["db"], timeout=60) as conn:
        mine = conn.execute(
            "select count(*) from reminders r join users u on u.id = r.user_id "
            "where u.username = ? and r.day = ?",
            (SPECIALIST, ten_oclock(2).astimezone(VN).date().isoformat()),
        ).fetchone()[0]
    assert mine == 0
