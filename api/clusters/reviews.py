"""The cluster's year: reviews (filled by its own work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["clusters"])
