"""The web pages (Vietnamese, server-rendered with Jinja2, no single-page app): sign-in,
each role's home, the clerk's editor, the dossier with its documents, history and actions,
the auditor's search and checks, administration. Static CSS and JS are served by us."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import (
    account,
    admin,
    audit,
    auth,
    cluster_covenant,
    cluster_divisions,
    cluster_plan,
    cluster_proposal,
    cluster_registrations,
    cluster_reviews,
    cluster_scores,
    cluster_vote,
    clusters,
    dashboards,
    decisions,
    delegations,
    documents,
    dossiers,
    editor,
    errors,
    home,
    meetings,
    notifications,
    opinions,
    people,
    public,
    registry,
    reports,
    rounds,
    work_calendar,
)

STATIC = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    for module in (
        auth,
        home,
        dossiers,
        editor,
        rounds,
        public,
        decisions,
        people,
        documents,
        audit,
        admin,
        account,
        opinions,
        meetings,
        notifications,
        registry,
        clusters,
        cluster_plan,
        cluster_covenant,
        cluster_registrations,
        cluster_scores,
        cluster_reviews,
        cluster_vote,
        cluster_proposal,
        cluster_divisions,
        work_calendar,
        delegations,
        reports,
        dashboards,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)  # unknown addresses, POST addresses opened, server errors: pages
