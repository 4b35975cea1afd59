"""The served app: the API and pages (api/) with the machinery beside them (flows/).

The one place that puts the two together, so api/ never imports flows/. `tdkt serve`
runs `create_app`; with several web processes uvicorn imports it by name
(`tdkt.app:create_app`, a factory).
"""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app as api_app
from core.settings import Settings
from flows.lifecycle import machinery


def create_app(settings: Settings | None = None) -> FastAPI:
    return api_app(settings, background=machinery)
