"""Every operation of the OpenAPI schema, fed generated requests (schemathesis, bounded):
none may answer with a server error."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from core.settings import Settings
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

# The schema as the app publishes it at /openapi.json; built offline so that collection
# needs no server.
_app = create_app(Settings(var_dir=Path(tempfile.mkdtemp()), secret_key="s" * 48))
SCHEMA = schemathesis.openapi.from_dict(_app.openapi()).exclude(
    path_regex=r"^/api/v1/auth/logout$"  # would sign the fuzzer itself out
)
EXAMPLES = 12


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("fuzz"), {}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def auth(server: AppServer) -> dict[str, str]:
    # A clerk: may create and edit, cannot approve (so no PIN is ever tried).
    return Api(server, "bdt.canbo").headers


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
def test_no_operation_answers_with_a_server_error(case, server: AppServer, auth: dict) -> None:
    response = case.call(base_url=server.base, headers=auth, timeout=30)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        body = response.json()
        assert "detail" in body and "code" in body, body  # our error shape, always
