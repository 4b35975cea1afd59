"""The OpenAPI explorer at /docs, served entirely by the app.

FastAPI's own /docs loads Swagger UI from a CDN and starts it with an inline script; our
security policy (api/guards.py: scripts from this site only, no inline script) blocks
both, and the provincial data centres the app runs in may not reach a CDN at all. The
files come from the `fastapi-offline` wheel (Swagger UI's dist files, pinned in uv.lock
like any dependency) and are served under /docs/assets; the page starts Swagger UI with
a script file of ours. ReDoc is turned off rather than served: one explorer is enough,
and its bundle would need its own check against the policy."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles


def swagger_ui_files() -> Path:
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fastapi-offline (Swagger UI's files) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


PAGE = """<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} – API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_files()), name="docs-assets")
    page = PAGE.format(title=app.title, openapi_url=app.openapi_url)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)
