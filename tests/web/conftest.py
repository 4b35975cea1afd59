"""What every page test module shares: the real app (one per module, seeded with the demo),
Debian's Chromium driven by Playwright, and the module's screenshots — in
tests/artifacts/web/<SHOTS>/ when the module names a folder `SHOTS`, else at the top."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.fixtures.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Shots
from tests.fixtures.server import AppServer


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    name = request.module.__name__.rsplit(".", 1)[-1]
    # A module may set more TDKT_* settings for its server (`SERVER_ENV`).
    env = getattr(request.module, "SERVER_ENV", {})
    srv = AppServer(tmp_path_factory.mktemp(name), env).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-system-deps` installs Debian's Chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(request: pytest.FixtureRequest) -> Shots:
    folder = getattr(request.module, "SHOTS", None)
    return Shots(ARTIFACTS / folder if folder else ARTIFACTS)
