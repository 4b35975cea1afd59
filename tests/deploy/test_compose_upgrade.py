"""An upgrade in containers: the stack of the previous image (PREVIOUS_IMAGE, built by
`make images-previous` from an older commit of main) with a dossier in it, then
TDKT_IMAGE set to the new image and `up -d`: prestart migrates, the data verifies.

A project of its own (its own volumes), started and removed here; run by
`make test-compose` after tests/deploy/test_compose_stack.py.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.deploy.test_compose_stack import (
    PASSWORD,
    PIN,
    ROUTE,
    Stack,
    act,
    audit_verify,
    bucket_sha256,
    container_logs,
    documents,
    new_dossier,
    new_stack,
    remove,
    shape,
    up,
    versions,
)

pytestmark = pytest.mark.compose

PREVIOUS_IMAGE = os.environ.get("TDKT_PREVIOUS_IMAGE", "tdkt:previous")
NEW_IMAGE = os.environ.get("TDKT_IMAGE", "tdkt:0.1.0")


def set_image(stack: Stack, image: str) -> None:
    lines = [
        line
        for line in stack.env_file.read_text().splitlines()
        if not line.startswith("TDKT_IMAGE=")
    ]
    stack.env_file.write_text("\n".join([*lines, f"TDKT_IMAGE={image}"]) + "\n")


def schema_version(stack: Stack) -> str:
    return stack.exec(
        "postgres",
        "psql",
        "-U",
        "tdkt",
        "-d",
        "tdkt",
        "-tAc",
        "SELECT version_num FROM alembic_version",
    ).strip()


@pytest.fixture(scope="module")
def old_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if subprocess.run(
        ["docker", "image", "inspect", PREVIOUS_IMAGE], capture_output=True
    ).returncode:
        pytest.fail(f"no image {PREVIOUS_IMAGE}: `make images-previous` builds it")
    s = new_stack(tmp_path_factory.mktemp("upgrade"), "tdkt-upgrade")
    set_image(s, PREVIOUS_IMAGE)
    try:
        up(s)
        yield s
    finally:
        remove(s)


def test_upgrade_from_the_previous_image(old_stack: Stack) -> None:
    s = old_stack
    s.exec(
        "app", "tdkt", "seed", "--demo", env={"TDKT_DEMO_PASSWORD": PASSWORD, "TDKT_DEMO_PIN": PIN}
    )
    dossier = new_dossier(s, "Phòng Kế hoạch")
    for username, action in ROUTE:
        act(s, dossier, username, action).wait_idle(dossier)
    before = shape(s, dossier)
    recorded = versions(documents(s, dossier))
    old_version = schema_version(s)
    assert before["state"] == ("approved", "done", False), before

    t0 = time.monotonic()
    set_image(s, NEW_IMAGE)
    up(s)  # the containers of the tdkt image recreated; prestart migrates first
    print(f"upgrade {PREVIOUS_IMAGE} → {NEW_IMAGE}: {time.monotonic() - t0:.1f} s")
    for service in ("app", "worker", "prestart", "prefect-server"):
        image = subprocess.run(
            ["docker", "inspect", "-f", "{{.Config.Image}}", s.container(service)],
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert image == NEW_IMAGE, (service, image)
    new_version = schema_version(s)
    assert new_version != old_version, (
        old_version,
        new_version,
        container_logs(s.container("prestart")),
    )
    # Once: migrating again changes nothing.
    s.exec("app", "tdkt", "db", "upgrade")
    assert schema_version(s) == new_version

    assert shape(s, dossier) == before
    assert versions(documents(s, dossier)) == recorded
    assert bucket_sha256(s, sorted(recorded)) == recorded
    audit_verify(s)
    # The new image works the old data: one more dossier submitted.
    d2 = new_dossier(s, "Phòng Tài chính")
    act(s, d2, *ROUTE[0]).wait_idle(d2)
    print(f"schema {old_version} → {new_version}")
