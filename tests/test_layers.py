"""The import contracts of pyproject.toml ([tool.importlinter], run by `make lint`) hold for
the tree, and each of them fails when a module breaks it: a copy of the source packages
is given one forbidden import and `lint-imports` must name the contract it breaks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
NAMES = {c["id"]: c["name"] for c in CONFIG["contracts"]}
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(tree: Path) -> tuple[int, dict[str, str]]:
    """Run `lint-imports` on the packages in `tree`: its exit code and each contract's
    verdict ("KEPT" or "BROKEN") by contract id."""
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the copy, not the installed project
    done = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    verdicts = {}
    for cid, name in NAMES.items():
        for line in done.stdout.splitlines():
            if line.startswith(name) and line[len(name) :].strip() in ("KEPT", "BROKEN"):
                verdicts[cid] = line[len(name) :].strip()
    assert set(verdicts) == set(NAMES), done.stdout + done.stderr
    return done.returncode, verdicts


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the source packages and of pyproject.toml."""
    copy = tmp_path_factory.mktemp("layers")
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_the_tree_keeps_every_contract() -> None:
    code, verdicts = lint_imports(ROOT)
    assert code == 0
    assert set(verdicts.values()) == {"KEPT"}


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        # The API starting a flow itself, as api/app.py did before tdkt/app.py (and so,
        # through flows/, importing Prefect).
        (
            "api/_forbidden.py",
            "from flows.dispatch import dispatcher_for\n",
            {"layers", "api-without-flows", "prefect-in-flows-only"},
        ),
        ("issuing/_forbidden.py", "from prefect import flow\n", {"prefect-in-flows-only"}),
        ("domain/_forbidden.py", "from sqlalchemy import select\n", {"pure-domain"}),
        ("core/_forbidden.py", "from storage.db import Database\n", {"layers", "core-is-a-leaf"}),
        # A repository reaching up into the use cases that call it.
        ("storage/_forbidden.py", "from issuing.forms import FormJob\n", {"layers"}),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tree: Path, module: str, source: str, broken: set[str]
) -> None:
    path = tree / module
    path.write_text(source)
    try:
        code, verdicts = lint_imports(tree)
    finally:
        path.unlink()
    assert code != 0
    assert {cid for cid, verdict in verdicts.items() if verdict == "BROKEN"} == broken
