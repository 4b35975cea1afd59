"""docker-compose.yml is coherent: checked by reading it (no Docker needed), and by
`docker compose config` where the Docker client has the compose plugin."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SECRETS = ("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "TDKT_S3_SECRET_KEY", "TDKT_SECRET_KEY")
ONE_SHOT = {"minio-init", "prestart"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text()))


def env_example() -> dict[str, str]:
    """`NAME=value` lines of .env.example; commented `# NAME=…` lines count as documented."""
    found: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        m = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if m:
            found.setdefault(m.group(1), "" if line.startswith("#") else m.group(2))
    return found


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def test_services_wait_for_what_they_need(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {
        "postgres",
        "minio",
        "minio-init",
        "prefect-server",
        "prestart",
        "worker",
        "app",
    } <= set(services)
    for name, service in services.items():
        for target, condition in depends_on(service).items():
            assert target in services, f"{name} depends on unknown service {target}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no health check"
            elif condition == "service_completed_successfully":
                assert target in ONE_SHOT, f"{target} is not a one-shot service"
            else:
                pytest.fail(f"{name} → {target}: wait for health or completion, not {condition}")
    # Migrations and deployments first; the app and the workers after them.
    for name in ("app", "worker"):
        assert depends_on(services[name])["prestart"] == "service_completed_successfully"
    assert depends_on(services["prestart"]) == {
        "postgres": "service_healthy",
        "minio-init": "service_completed_successfully",
        "prefect-server": "service_healthy",
    }
    assert "tdkt db upgrade" in " ".join(services["prestart"]["command"])
    assert "tdkt deploy" in " ".join(services["prestart"]["command"])


def test_long_running_services_have_health_checks_and_restart(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
            continue
        assert "healthcheck" in service, f"{name} has no health check"
        assert service.get("restart") == "unless-stopped", name


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = service["image"]
        if image.startswith("${TDKT_IMAGE"):
            default = image.split(":-", 1)[1].rstrip("}")
            assert ":" in default and not default.endswith(":latest"), image
            assert "build" in service, f"{name} runs the tdkt image: it must be buildable"
            continue
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest" and "$" not in tag, f"{name}: {image}"
    # The MinIO community edition publishes no new images: pinned to a release tag.
    assert compose["services"]["minio"]["image"].startswith("minio/minio:RELEASE.")
    assert compose["services"]["minio-init"]["image"].startswith("minio/mc:RELEASE.")


def test_workers_can_be_scaled(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    # `docker compose up --scale worker=4`: no fixed name, no host port, no shared volume.
    assert "container_name" not in worker and "ports" not in worker
    assert "volumes" not in worker
    assert worker["command"] == ["tdkt", "worker"]
    assert worker["environment"]["TDKT_PREFECT_MODE"] == "server"
    assert "localhost:8080/health" in " ".join(worker["healthcheck"]["test"])


def test_every_variable_is_documented_and_no_secret_has_a_default(compose: dict[str, Any]) -> None:
    text = COMPOSE.read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))
    documented = env_example()
    assert used - set(documented) == set(), "variables used in compose, missing in .env.example"
    for name in SECRETS:
        assert documented[name] == "", f"{name} must have no value in .env.example"
        # Compose refuses to start without it (`${NAME:?…}`), never falls back to a default.
        assert re.findall(rf"\$\{{{name}(:[-?][^}}]*)?\}}", text), name
        assert all(m.startswith(":?") for m in re.findall(rf"\$\{{{name}(:[-?][^}}]*)\}}", text))


def test_every_setting_is_in_env_example() -> None:
    text = ENV_EXAMPLE.read_text()
    missing = [
        f"TDKT_{name.upper()}"
        for name in Settings.model_fields
        if f"TDKT_{name.upper()}" not in text
    ]
    assert missing == []


def test_mounted_files_and_named_volumes_exist(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes", {}))
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).is_file(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"


def compose_command() -> list[str]:
    """`docker compose` (the plugin), else Debian bookworm's docker-compose 1.29; [] if none."""
    if shutil.which("docker") is not None:
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else []


@pytest.mark.skipif(not compose_command(), reason="neither `docker compose` nor docker-compose")
@pytest.mark.parametrize("files", [[COMPOSE], [COMPOSE, ROOT / "deploy/compose.airgap.yml"]])
def test_docker_compose_config(tmp_path: Path, files: list[Path]) -> None:
    env = tmp_path / "test.env"
    values = {**env_example(), **{name: "0123456789abcdef" * 4 for name in SECRETS}}
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items() if v or k == "TDKT_TSA_URL"))

    def config(env_file: Path) -> subprocess.CompletedProcess[str]:
        given = [arg for f in files for arg in ("-f", str(f))]
        argv = [*compose_command(), "--project-directory", str(ROOT), "--env-file", str(env_file)]
        return subprocess.run(
            [*argv, *given, "config", "-q"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,  # no stray .env of the developer's
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(Path.home())},
        )

    ok = config(env)
    assert ok.returncode == 0, ok.stderr
    # Without the secrets compose refuses, naming one that is missing (whichever it
    # meets first).
    bare = tmp_path / "bare.env"
    bare.write_text(ENV_EXAMPLE.read_text())
    refused = config(bare)
    assert refused.returncode != 0
    # compose v2: "required variable X is missing"; 1.29: "Missing mandatory value … set X in .env"
    assert any(
        f"required variable {name} is missing" in refused.stderr
        or ("Missing mandatory value" in refused.stderr and f"set {name} in .env" in refused.stderr)
        for name in SECRETS
    ), refused.stderr
