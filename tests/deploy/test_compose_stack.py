"""The compose stack for real: docker-compose.yml with deploy/compose.airgap.yml (images of
`make images`, built from a Debian mirror and PyPI; moto's S3 server over TLS in place of
MinIO), up in a project of its own, one dossier driven over HTTP, down with its volumes.

Run by `make test-compose` (`-m compose`); plain `make test` leaves it out (pyproject.toml's
addopts: `-m "not compose"`). Needs a running Docker engine, the images, and on the host
poppler's pdfsig and NSS's certutil.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.s3 import free_loopback_port
from tests.fixtures.server import minutes_pdf

pytestmark = pytest.mark.compose

ROOT = Path(__file__).resolve().parents[2]
FILES = ("docker-compose.yml", "deploy/compose.airgap.yml")
PASSWORD = "mật-khẩu-compose"
PIN = "531864"
BUCKET = "tdkt-archive"
LONG_RUNNING = ("postgres", "minio", "prefect-server", "worker", "app")
ONE_SHOT = ("minio-init", "prestart")
UP_TIMEOUT_S = 900
HEALTHY_TIMEOUT_S = 600
ROUTE = [
    ("bdt.canbo", "submit"),
    ("bdt.thutruong", "approve"),
    ("bqlkkt.cum", "approve"),
    ("ptdkt.chuyenvien", "approve"),
    ("ptdkt.truongphong", "approve"),
    ("snv.phogiamdoc", "approve"),
]


def compose_command() -> list[str]:
    """`docker compose` (the plugin) where it is installed, else Debian bookworm's
    docker-compose 1.29."""
    if shutil.which("docker"):
        r = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if r.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor docker-compose is installed (make docker)")


@dataclass
class Stack:
    project: str
    env_file: Path
    base: str
    log: Path

    def compose(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        argv = [*compose_command(), "--project-directory", str(ROOT), "-p", self.project]
        for f in FILES:
            argv += ["-f", str(ROOT / f)]
        argv += ["--env-file", str(self.env_file), *args]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        with self.log.open("a") as log:
            log.write(f"$ {' '.join(argv)}\n{r.stdout}{r.stderr}\n")
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(args)}: exit {r.returncode}\n{r.stderr[-4000:]}")
        return r

    def container(self, service: str) -> str:
        ids = self.compose("ps", "-a", "-q", service).stdout.split()
        assert len(ids) == 1, f"{service}: containers {ids}"
        return ids[0]

    def state(self, service: str) -> dict[str, Any]:
        out = subprocess.run(
            ["docker", "inspect", "--format", "{{json .State}}", self.container(service)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return dict(json.loads(out))

    def exec(self, service: str, *argv: str, env: dict[str, str] | None = None) -> str:
        cmd = ["docker", "exec"]
        for k, v in (env or {}).items():
            cmd += ["-e", f"{k}={v}"]
        r = subprocess.run(
            [*cmd, self.container(service), *argv], capture_output=True, text=True, timeout=600
        )
        assert r.returncode == 0, f"{service} {argv}: exit {r.returncode}\n{r.stdout}{r.stderr}"
        return r.stdout

    def logs(self) -> str:
        return self.compose("logs", "--no-color", "--tail", "60", check=False).stdout


def write_env(path: Path, port: int) -> None:
    """A .env as docs/production.md has the admin write it: random secrets (hex: safe in
    the database URL), free ports on loopback."""
    values = {
        "POSTGRES_PASSWORD": secrets.token_hex(32),
        "MINIO_ROOT_USER": "tdkt-root",
        "MINIO_ROOT_PASSWORD": secrets.token_hex(32),
        "TDKT_S3_ACCESS_KEY": "tdkt-app",
        "TDKT_S3_SECRET_KEY": secrets.token_hex(32),
        "TDKT_SECRET_KEY": secrets.token_hex(32),
        "TDKT_HTTP_PORT": str(port),
        "PREFECT_UI_PORT": str(free_loopback_port()),
        "MINIO_CONSOLE_PORT": str(free_loopback_port()),
        "TDKT_IMAGE": "tdkt:0.1.0",
        "TDKT_WEB_WORKERS": "1",
    }
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    path.chmod(0o600)


def wait_healthy(stack: Stack) -> dict[str, float]:
    """Seconds from now until each long-running service is healthy; the one-shots exit 0."""
    t0 = time.monotonic()
    healthy: dict[str, float] = {}
    while len(healthy) < len(LONG_RUNNING):
        for service in LONG_RUNNING:
            if service in healthy:
                continue
            state = stack.state(service)
            health = (state.get("Health") or {}).get("Status")
            assert state["Status"] == "running", f"{service}: {state}\n{stack.logs()}"
            if health == "healthy":
                healthy[service] = round(time.monotonic() - t0, 1)
        if time.monotonic() - t0 > HEALTHY_TIMEOUT_S:
            raise AssertionError(f"not healthy: {set(LONG_RUNNING) - set(healthy)}\n{stack.logs()}")
        time.sleep(2)
    for service in ONE_SHOT:
        state = stack.state(service)
        assert (state["Status"], state["ExitCode"]) == ("exited", 0), f"{service}: {state}"
    # The prestart migrated, then registered the work pool and the deployments.
    out = subprocess.run(
        ["docker", "logs", stack.container("prestart")], capture_output=True, text=True
    )
    said = out.stdout + out.stderr
    assert "Đã cập nhật cấu trúc cơ sở dữ liệu." in said, said
    assert "Đã đăng ký nhóm xử lý 'tdkt'" in said, said
    return healthy


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        pytest.fail("no Docker engine answers: `make docker` starts dockerd")
    directory = tmp_path_factory.mktemp("compose")
    port = free_loopback_port()
    s = Stack(
        project=f"tdkt-test-{secrets.token_hex(3)}",
        env_file=directory / ".env",
        base=f"http://127.0.0.1:{port}",
        log=directory / "compose.log",
    )
    write_env(s.env_file, port)
    try:
        t0 = time.monotonic()
        s.compose("up", "-d", "--no-build", timeout=UP_TIMEOUT_S)
        up_s = time.monotonic() - t0
        healthy = wait_healthy(s)
        print(f"\ncompose up -d: {up_s:.1f} s; then healthy after (s): {healthy}")
        yield s
    finally:
        s.compose("down", "-v", "--remove-orphans", "--timeout", "20", check=False)
        label = f"label=com.docker.compose.project={s.project}"
        for kind in ("container", "volume", "network"):
            left = subprocess.run(
                ["docker", kind, "ls", "-q", "--filter", label]
                + (["-a"] if kind == "container" else []),
                capture_output=True,
                text=True,
            ).stdout.split()
            assert not left, f"{kind}s left by the test: {left}"


class Client:
    def __init__(self, base: str, username: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=120)
        r = self.http.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.http.cookies.clear()
        self.http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, **kw)

    def wait_idle(self, dossier_id: int, timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            d = dict(self.get(f"/api/v1/dossiers/{dossier_id}").json())
            if not d["processing"]:
                return d
            assert time.monotonic() < deadline, f"dossier {dossier_id} still processing"
            time.sleep(0.5)


def bucket_sha256(stack: Stack, keys: list[str]) -> dict[str, str]:
    """SHA-256 of each key's latest version, read in the S3 container over its own TLS."""
    script = (
        "import boto3, hashlib, json, sys\n"
        "s3 = boto3.client('s3', endpoint_url='https://minio:9000', region_name='us-east-1',"
        " aws_access_key_id='x', aws_secret_access_key='x', verify='/certs/cert.pem')\n"
        f"print(json.dumps({{k: hashlib.sha256(s3.get_object(Bucket='{BUCKET}', Key=k)"
        "['Body'].read()).hexdigest() for k in json.loads(sys.argv[1])}))\n"
    )
    out = stack.exec("minio", "python3", "-c", script, json.dumps(keys))
    return dict(json.loads(out))


def test_stack_runs_a_dossier_over_http(stack: Stack, tmp_path: Path) -> None:
    assert httpx.get(f"{stack.base}/healthz", timeout=10).status_code == 200

    # The demo data, seeded inside the app container (its database, its secret key).
    stack.exec(
        "app",
        "tdkt",
        "seed",
        "--demo",
        env={"TDKT_DEMO_PASSWORD": PASSWORD, "TDKT_DEMO_PIN": PIN},
    )
    clerk = Client(stack.base, "bdt.canbo")
    assert clerk.get("/api/v1/me").json()["username"] == "bdt.canbo"

    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [
                {"kind": "collective", "name": "Phòng Chính sách", "achievements": "Xuất sắc"},
            ],
        },
    )
    assert r.status_code == 201, r.text
    dossier = int(r.json()["id"])
    r = clerk.post(
        f"/api/v1/dossiers/{dossier}/attachments",
        params={"kind": "bien_ban_binh_xet"},
        files={"file": ("Biên bản họp bình xét.pdf", minutes_pdf(), "application/pdf")},
    )
    assert r.status_code == 201, r.text

    t0 = time.monotonic()
    steps: dict[str, float] = {}
    for username, action in ROUTE:
        user = Client(stack.base, username)
        if username == "ptdkt.chuyenvien":  # the appraisal's results first
            d = user.get(f"/api/v1/dossiers/{dossier}").json()
            items = [{"nominee_id": n["id"], "result": "dat"} for n in d["nominees"]]
            r = user.http.put(
                f"/api/v1/dossiers/{dossier}/appraisal",
                json={"version": d["version"], "items": items},
            )
            assert r.status_code == 200, r.text
        body: dict[str, object] = {"signing_pin": PIN} if action == "approve" else {}
        s0 = time.monotonic()
        r = user.post(f"/api/v1/dossiers/{dossier}/actions/{action}", json=body)
        if r.status_code == 409 and r.json().get("code") == "eligibility_failed":
            # Production holds the eligibility rules and the demo unit has no past titles:
            # the clerk explains each failing rule, the board's specialist overrides it.
            failing = r.json()["failing"]
            if action == "submit":
                explanations: dict[str, dict[str, str]] = {}
                for item in failing:
                    explanations.setdefault(str(item["nominee_id"]), {})[item["rule_code"]] = (
                        "Đơn vị mới thành lập năm 2024; hồ sơ các năm trước ở đơn vị cũ."
                    )
                body["eligibility_explanations"] = explanations
            else:
                for item in failing:
                    o = user.post(
                        f"/api/v1/dossiers/{dossier}/eligibility/overrides",
                        json={
                            "nominee_id": item["nominee_id"],
                            "rule_code": item["rule_code"],
                            "reason": "Hồ sơ các năm trước ở đơn vị cũ, Ban đã đối chiếu.",
                        },
                    )
                    assert o.status_code == 201, o.text
            r = user.post(f"/api/v1/dossiers/{dossier}/actions/{action}", json=body)
        assert r.status_code == 200, f"{username} {action}: {r.text}"
        user.wait_idle(dossier)
        steps[f"{username} {action}"] = round(time.monotonic() - s0, 1)
    print(f"\nroute: {time.monotonic() - t0:.1f} s; per step (s): {steps}")

    auditor = Client(stack.base, "thanhtra")
    d = auditor.get(f"/api/v1/dossiers/{dossier}").json()
    assert (d["status"], d["stage"]) == ("approved", "done"), d
    docs = [x for x in auditor.get(f"/api/v1/dossiers/{dossier}/documents").json()]
    forms = [x for x in docs if x["form"] != "attachment"]
    assert len(forms) >= 4, [x["form"] for x in docs]

    roots = auditor.get("/api/v1/trust-roots")
    assert roots.status_code == 200 and b"BEGIN CERTIFICATE" in roots.content
    nss = nss_db(tmp_path / "nss", roots.content)
    recorded: dict[str, str] = {}
    for doc in forms:
        renditions = {v["rendition"]: v for v in doc["versions"]}
        signed = renditions["pdf-signed"]
        pdf = auditor.get(f"/api/v1/documents/{doc['id']}/content")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert hashlib.sha256(pdf.content).hexdigest() == signed["sha256"]
        path = tmp_path / f"{doc['id']}.pdf"
        path.write_bytes(pdf.content)
        report = pdfsig(path, nss)
        assert "Signature Validation: Signature is Valid." in report, report
        assert "Certificate Validation: Certificate is Trusted." in report, report
        for v in doc["versions"]:
            recorded[v["object_key"]] = v["sha256"]

    # Every recorded version is in the bucket, with the SHA-256 the database recorded.
    assert bucket_sha256(stack, sorted(recorded)) == recorded
