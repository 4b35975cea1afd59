"""The cluster's year page: its plan section, and the section's own forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from api.clusters.service import YearContext
from api.web.pages import WebRoute
from api.web.session import Visitor

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def section(s: Session, ctx: YearContext, visitor: Visitor) -> dict[str, Any]:
    """What the year page's plan section shows (cluster_year/_plan.html)."""
    del s, ctx, visitor
    return {}
