"""The compose stack for real: docker-compose.yml with deploy/compose.airgap.yml (images of
`make images`, built from a Debian mirror and PyPI; moto's S3 server over TLS in place of
MinIO), up in a project of its own, one dossier driven over HTTP, down with its volumes.

Run by `make test-compose` (`-m compose`); plain `make test` leaves it out (pyproject.toml's
addopts: `-m "not compose"`). Needs a running Docker engine, the images, and on the host
poppler's pdfsig and NSS's certutil.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.deploy.test_compose import compose_command as installed_compose
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.s3 import free_loopback_port
from tests.fixtures.server import DEMO_ROUTE, minutes_pdf

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
LEASE_S = 15
ROUTE = DEMO_ROUTE


def compose_command() -> list[str]:
    """`docker compose` (the plugin) where it is installed, else Debian bookworm's
    docker-compose 1.29 (tests/deploy/test_compose.py)."""
    command = installed_compose()
    if not command:
        pytest.fail("neither `docker compose` nor docker-compose is installed (make docker)")
    return command


@dataclass
class Stack:
    project: str
    env_file: Path
    base: str
    log: Path
    prefect: str = ""
    # What the checks share, in the file's order: the dossiers driven and, per dossier,
    # its documents' recorded versions (object key → SHA-256).
    dossiers: dict[int, dict[str, str]] = field(default_factory=dict)

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

    def containers(self, service: str) -> list[str]:
        return self.compose("ps", "-a", "-q", service).stdout.split()

    def container(self, service: str) -> str:
        ids = self.containers(service)
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


def write_env(path: Path, port: int, prefect_port: int) -> None:
    """A .env as docs/production.md has the admin write it: random secrets (hex: safe in
    the database URL), free ports on loopback; the outbox lease shortened from 600 s to
    LEASE_S and its re-drive from 30 s to 2 s, so that the step of a killed worker is run
    again within seconds (test_killed_worker)."""
    values = {
        "POSTGRES_PASSWORD": secrets.token_hex(32),
        "MINIO_ROOT_USER": "tdkt-root",
        "MINIO_ROOT_PASSWORD": secrets.token_hex(32),
        "TDKT_S3_ACCESS_KEY": "tdkt-app",
        "TDKT_S3_SECRET_KEY": secrets.token_hex(32),
        "TDKT_SECRET_KEY": secrets.token_hex(32),
        "TDKT_HTTP_PORT": str(port),
        "PREFECT_UI_PORT": str(prefect_port),
        "MINIO_CONSOLE_PORT": str(free_loopback_port()),
        "TDKT_IMAGE": "tdkt:0.1.0",
        "TDKT_WEB_WORKERS": "1",
        "TDKT_OUTBOX_LEASE_SECONDS": str(LEASE_S),
        "TDKT_OUTBOX_REDRIVE_SECONDS": "2",
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
        said = container_logs(stack.container(service)) if state["ExitCode"] else ""
        assert (state["Status"], state["ExitCode"]) == ("exited", 0), f"{service}: {state}{said}"
    # The prestart migrated, then registered the work pool and the deployments.
    out = subprocess.run(
        ["docker", "logs", stack.container("prestart")], capture_output=True, text=True
    )
    said = out.stdout + out.stderr
    assert "Đã cập nhật cấu trúc cơ sở dữ liệu." in said, said
    assert "Đã đăng ký nhóm xử lý 'tdkt'" in said, said
    return healthy


def new_stack(directory: Path, prefix: str) -> Stack:
    """A stack of its own: a random project name, free loopback ports, a generated .env."""
    port, prefect_port = free_loopback_port(), free_loopback_port()
    s = Stack(
        project=f"{prefix}-{secrets.token_hex(3)}",
        env_file=directory / ".env",
        base=f"http://127.0.0.1:{port}",
        log=directory / "compose.log",
        prefect=f"http://127.0.0.1:{prefect_port}/api",
    )
    write_env(s.env_file, port, prefect_port)
    return s


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        pytest.fail("no Docker engine answers: `make docker` starts dockerd")
    s = new_stack(tmp_path_factory.mktemp("compose"), "tdkt-test")
    try:
        up(s)
        yield s
    finally:
        remove(s)


def up(s: Stack) -> None:
    t0 = time.monotonic()
    s.compose("up", "-d", "--no-build", timeout=UP_TIMEOUT_S)
    up_s = time.monotonic() - t0
    healthy = wait_healthy(s)
    print(f"\ncompose up -d ({s.project}): {up_s:.1f} s; then healthy after (s): {healthy}")


def remove(s: Stack) -> None:
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


def new_dossier(stack: Stack, name: str) -> int:
    clerk = Client(stack.base, "bdt.canbo")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [{"kind": "collective", "name": name, "achievements": "Xuất sắc"}],
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
    return dossier


def act(stack: Stack, dossier: int, username: str, action: str) -> Client:
    """One step of ROUTE over HTTP (the appraisal's results before the specialist's
    approval); returns the user's client, the step committed (its flow may still run)."""
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
    return user


def documents(stack: Stack, dossier: int) -> list[dict[str, Any]]:
    r = Client(stack.base, "thanhtra").get(f"/api/v1/dossiers/{dossier}/documents")
    assert r.status_code == 200, r.text
    return list(r.json())


def versions(docs: list[dict[str, Any]]) -> dict[str, str]:
    """object key → SHA-256 of every recorded version of the documents."""
    return {v["object_key"]: v["sha256"] for doc in docs for v in doc["versions"]}


def shape(stack: Stack, dossier: int) -> dict[str, Any]:
    """What must come out the same for every dossier driven along ROUTE: its state, its
    history's kinds in order, and per form how many versions of each rendition."""
    auditor = Client(stack.base, "thanhtra")
    d = auditor.get(f"/api/v1/dossiers/{dossier}").json()
    history = auditor.get(f"/api/v1/dossiers/{dossier}/history").json()
    forms: dict[str, list[str]] = {}
    for doc in documents(stack, dossier):
        forms.setdefault(doc["form"], []).extend(sorted(v["rendition"] for v in doc["versions"]))
    return {
        "state": (d["status"], d["stage"], d["processing"]),
        "history": [e["kind"] for e in history],
        "forms": {k: sorted(v) for k, v in forms.items()},
    }


def audit_verify(stack: Stack) -> str:
    out = stack.exec("app", "tdkt", "audit", "verify", "--json")
    report = json.loads(out)
    assert report["ok"] is True, out
    return out


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
    dossier = new_dossier(stack, "Phòng Chính sách")

    t0 = time.monotonic()
    steps: dict[str, float] = {}
    for username, action in ROUTE:
        s0 = time.monotonic()
        act(stack, dossier, username, action).wait_idle(dossier)
        steps[f"{username} {action}"] = round(time.monotonic() - s0, 1)
    print(f"\nroute: {time.monotonic() - t0:.1f} s; per step (s): {steps}")

    auditor = Client(stack.base, "thanhtra")
    d = auditor.get(f"/api/v1/dossiers/{dossier}").json()
    assert (d["status"], d["stage"]) == ("approved", "done"), d
    docs = documents(stack, dossier)
    forms = [x for x in docs if x["form"] != "attachment"]
    assert len(forms) >= 4, [x["form"] for x in docs]

    roots = auditor.get("/api/v1/trust-roots")
    assert roots.status_code == 200 and b"BEGIN CERTIFICATE" in roots.content
    nss = nss_db(tmp_path / "nss", roots.content)
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

    # Every recorded version is in the bucket, with the SHA-256 the database recorded.
    recorded = versions(docs)
    assert bucket_sha256(stack, sorted(recorded)) == recorded
    stack.dossiers[dossier] = recorded


def docker(*argv: str) -> str:
    r = subprocess.run(["docker", *argv], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"docker {argv}: {r.stderr}"
    return r.stdout


def container_logs(container: str) -> str:
    r = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
    return r.stdout + r.stderr


def transition_runs(stack: Stack, state: str | None = None) -> set[str]:
    """Ids of the Prefect server's subject_transition_flow runs (in `state`)."""
    body: dict[str, Any] = {"flows": {"name": {"any_": ["subject_transition_flow"]}}}
    if state:
        body["flow_runs"] = {"state": {"type": {"any_": [state]}}}
    r = httpx.post(f"{stack.prefect}/flow_runs/filter", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return {run["id"] for run in r.json()}


def wait_workers_healthy(stack: Stack, count: int) -> list[str]:
    deadline = time.monotonic() + HEALTHY_TIMEOUT_S
    while True:
        workers = stack.containers("worker")
        states = [json.loads(docker("inspect", "--format", "{{json .State}}", w)) for w in workers]
        if len(workers) == count and all(
            (st.get("Health") or {}).get("Status") == "healthy" for st in states
        ):
            return workers
        assert time.monotonic() < deadline, f"workers: {states}\n{stack.logs()}"
        time.sleep(2)


def test_killed_worker_its_step_done_once_by_the_other(stack: Stack) -> None:
    """--scale worker=2; a step's flow run frozen (`docker pause`) on the worker that took it,
    then that worker killed (`docker kill`): the app sees the run's lease (LEASE_S) run out,
    marks it Crashed and starts the step again, which the other worker does, once."""
    assert stack.dossiers, "runs after test_stack_runs_a_dossier_over_http"
    reference = shape(stack, next(iter(stack.dossiers)))
    t0 = time.monotonic()
    # As docs/production.md has it (`up -d --scale worker=N`): the one-shots run again.
    r = stack.compose("up", "-d", "--no-build", "--scale", "worker=2", "--no-recreate", check=False)
    assert r.returncode == 0, f"{r.stderr}\n{container_logs(stack.container('prestart'))}"
    workers = wait_workers_healthy(stack, 2)
    print(f"\n--scale worker=2: both healthy after {time.monotonic() - t0:.1f} s")

    dossier = new_dossier(stack, "Phòng Tổ chức cán bộ")
    killed: str | None = None
    for username, action in ROUTE:
        if killed is not None or action != "approve":
            act(stack, dossier, username, action).wait_idle(dossier)
            continue
        # Which worker holds the step: the other one is paused while the step starts, so
        # the run can only go to `held`; once it is Running, `held` is frozen at once.
        held, spare = workers
        before = transition_runs(stack)
        docker("pause", spare)
        try:
            user = act(stack, dossier, username, action)
            deadline = time.monotonic() + 60
            while not (transition_runs(stack, "RUNNING") - before):
                assert time.monotonic() < deadline, "the step's run never ran"
                time.sleep(0.05)
            docker("pause", held)
            if user.get(f"/api/v1/dossiers/{dossier}").json()["processing"]:
                docker("kill", held)  # mid-flow
                killed = held
            else:  # the step ended before the freeze: try the next one
                docker("unpause", held)
        finally:
            docker("unpause", spare)
        k0 = time.monotonic()
        user.wait_idle(dossier, timeout=LEASE_S * 10)
        if killed:
            print(
                f"{username} {action}: worker killed mid-step, done {time.monotonic() - k0:.1f} s"
            )
    assert killed is not None, "every step ended before its worker could be frozen"
    crashed = transition_runs(stack, "CRASHED")
    assert crashed, "the killed worker's run was not marked Crashed"

    # Nothing lost, nothing twice: the same history, forms and versions as the dossier
    # driven without a kill; every version in the bucket; the chain and files verify.
    assert shape(stack, dossier) == reference
    recorded = versions(documents(stack, dossier))
    assert bucket_sha256(stack, sorted(recorded)) == recorded
    stack.dossiers[dossier] = recorded
    audit_verify(stack)


def all_versions(stack: Stack) -> dict[str, str]:
    return {k: v for recorded in stack.dossiers.values() for k, v in recorded.items()}


def test_down_then_up_keeps_everything(stack: Stack) -> None:
    """`down` (volumes kept) then `up`: the dossiers, their documents and the objects are
    still there (moto's state saved on stop and loaded at start, deploy/images/s3-moto)."""
    assert stack.dossiers, "runs after test_stack_runs_a_dossier_over_http"
    before = {d: shape(stack, d) for d in stack.dossiers}
    t0 = time.monotonic()
    stack.compose("down", "--timeout", "20")
    print(f"\ndown: {time.monotonic() - t0:.1f} s")
    up(stack)
    said = container_logs(stack.container("minio"))
    assert "s3: state loaded" in said, said
    assert {d: shape(stack, d) for d in stack.dossiers} == before
    for d, recorded in stack.dossiers.items():
        assert versions(documents(stack, d)) == recorded
    assert bucket_sha256(stack, sorted(all_versions(stack))) == all_versions(stack)
    audit_verify(stack)


def volume_path(stack: Stack, volume: str) -> Path:
    mountpoint = docker("volume", "inspect", "-f", "{{ .Mountpoint }}", f"{stack.project}_{volume}")
    return Path(mountpoint.strip())


def compose_io(
    stack: Stack, *args: str, stdin: Path | None = None, stdout: Path | None = None
) -> None:
    """`docker compose exec -T …` with stdin from / stdout to a file, the docs' `<` and `>`."""
    argv = [*compose_command(), "--project-directory", str(ROOT), "-p", stack.project]
    for f in FILES:
        argv += ["-f", str(ROOT / f)]
    argv += ["--env-file", str(stack.env_file), *args]
    with contextlib.ExitStack() as files:
        i = files.enter_context(stdin.open("rb")) if stdin else subprocess.DEVNULL
        o = files.enter_context(stdout.open("wb")) if stdout else subprocess.DEVNULL
        r = subprocess.run(argv, stdin=i, stdout=o, stderr=subprocess.PIPE, timeout=600, cwd=ROOT)
    assert r.returncode == 0, f"{' '.join(args)}: exit {r.returncode}\n{r.stderr.decode()[-4000:]}"


def test_backup_restored_into_a_fresh_stack(stack: Stack, tmp_path: Path) -> None:
    """docs/production.md «Backups» then «Restore», command for command, into a new project
    (new volumes) with the backed-up .env: the same dossiers and documents, the chain and
    every file verify."""
    assert stack.dossiers, "runs after test_stack_runs_a_dossier_over_http"
    before = {d: shape(stack, d) for d in stack.dossiers}
    backup = tmp_path / "backup"
    backup.mkdir()
    t0 = time.monotonic()
    # 1. The app database.
    dump = backup / "tdkt.dump"
    compose_io(stack, "exec", "-T", "postgres", "pg_dump", "-U", "tdkt", "-Fc", "tdkt", stdout=dump)
    # 2. The bucket: a copy of the S3 service's volume while the service is stopped.
    stack.compose("stop", "minio")
    shutil.copytree(volume_path(stack, "minio"), backup / "minio", symlinks=True)
    stack.compose("start", "minio")
    # 4. .env, with the secrets.
    shutil.copy2(stack.env_file, backup / ".env")
    print(f"\nbackup: {time.monotonic() - t0:.1f} s, dump {dump.stat().st_size} bytes")

    # The old server goes (its loopback ports are the new one's); its volumes stay until
    # the fixture removes them.
    stack.compose("down", "--timeout", "20")
    new = Stack(
        project=f"tdkt-restore-{secrets.token_hex(3)}",
        env_file=backup / ".env",
        base=stack.base,
        log=stack.log,
        prefect=stack.prefect,
    )
    try:
        t0 = time.monotonic()
        # (`up --no-start` of every service would wait forever in docker-compose 1.29 for
        # minio-init to complete: only the S3 service's container and volume.)
        new.compose("up", "--no-start", "--no-build", "minio", timeout=180)
        shutil.copytree(backup / "minio", volume_path(new, "minio"), dirs_exist_ok=True)
        new.compose("up", "-d", "--no-build", "postgres", "minio", timeout=180)
        new.compose("up", "--no-build", "minio-init", timeout=180)
        compose_io(
            new,
            "exec",
            "-T",
            "postgres",
            "pg_restore",
            "-U",
            "tdkt",
            "-d",
            "tdkt",
            "--no-owner",
            stdin=dump,
        )
        up(new)
        print(f"restore: {time.monotonic() - t0:.1f} s")
        out = audit_verify(new)
        assert {d: shape(new, d) for d in stack.dossiers} == before, out
        for d, recorded in stack.dossiers.items():
            assert versions(documents(new, d)) == recorded
        assert bucket_sha256(new, sorted(all_versions(stack))) == all_versions(stack)
    finally:
        remove(new)
