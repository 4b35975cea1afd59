"""The cluster's year: membership (filled by its own work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["clusters"])
