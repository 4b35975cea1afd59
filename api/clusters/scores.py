"""The cluster's year: scores (filled by its own work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["clusters"])
