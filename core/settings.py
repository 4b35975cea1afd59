"""One typed settings object for the whole application, read from `TDKT_*` variables.

The embedded defaults keep everything under `./var/`; production overrides them with
environment variables (see `.env.example`). Secrets have no default: in the embedded mode
a random one is generated once and kept in `var/secret.key`, so a laptop needs nothing
configured while a server must be given its secrets explicitly.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_", env_file=None, extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    object_store_url: str = ""
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_secure: bool = True
    s3_ca_bundle: str | None = None
    s3_region: str = "us-east-1"
    s3_object_lock: bool = True
    s3_retention_days: int = 0

    secret_key: str = ""
    """Signs access tokens and encrypts the organisations' private keys at rest."""
    token_minutes: int = 8 * 60
    cookie_secure: bool = False
    """Mark the web pages' session cookie Secure even when the request reached the app
    over plain http (behind a TLS proxy that does not pass on the scheme). Over https it
    is always Secure."""

    prefect_mode: Literal["embedded", "server"] = "embedded"
    """embedded: the app runs each step's flow in its own process, on a local Prefect API.
    server: the app starts a run of the `subject_transition_flow/tdkt` deployment per step
    and `tdkt worker` processes on the work pool run it (PREFECT_API_URL must be set)."""
    prefect_work_pool: str = "tdkt"
    worker_limit: int = 4
    """Flow runs one `tdkt worker` process runs at once (its conversions share the
    converter pool of TDKT_CONVERTER_WORKERS LibreOffice profiles)."""
    converter_workers: int = Field(default_factory=lambda: os.cpu_count() or 2)
    converter_timeout: float = 120.0
    soffice: str = "soffice"
    signing_processes: int | None = Field(default=None, ge=0, le=64)
    """Processes that sign and verify PDFs for this process (documents/signing_pool.py).
    Default: one per core in the embedded mode, where one process does all the work;
    none (in-process) in the server mode, where one worker per core shares the load."""

    council_awards: str = "*"
    """The award codes whose nominees the provincial council votes on before a round is
    submitted (comma-separated); "*": every award of a round (the default); "" or "-":
    none (domain/meetings.py `council_awards`)."""
    council_thresholds: str = ""
    """The province's pass thresholds of its council over the defaults of
    domain/meetings.py: "award=percent,…" (a share of the whole membership; "=70" for any
    award without its own), recorded with each meeting convened."""
    cluster_vote_awards: str = ""
    """The awards whose dossiers wait at their cluster for its year-end secret vote instead
    of one approval there: comma-separated `award` or `award:collective` (only when every
    nominee is a collective); "": domain/cluster_vote.py `VOTED_AWARDS` (the Cờ thi đua and
    the collective Bằng khen); "-": none. Only where the cluster runs its year here (its
    Kế hoạch issued)."""
    eligibility_parameters: str = ""
    """The province's parameters of the eligibility rules over the defaults of
    domain/eligibility.py, per rule set: "rule_set:rule.param=value,…", e.g.
    "nd152_2025:cstd_tinh_chuoi_cstdcs.years=4" (shown as configuration of the province)."""
    eligibility_enforced: bool = True
    """Whether a failing eligibility rule holds a proposal back (the clerk must explain it
    to submit; the board must override it to approve; a second proposal of one achievement
    is refused). False makes the rules advisory — shown and recorded, holding nothing —
    for a province whose registry does not yet hold the past years' awards."""
    place_name: str = "Lạng Sơn"
    """Địa danh printed before the date on the forms."""
    certificate_offset_x_mm: float = 0.0
    certificate_offset_y_mm: float = 0.0
    """Where the printer puts a Bằng khen's text on a pre-printed blank (phôi bằng),
    measured with its test page (GET …/certificates.pdf?test_page=true)."""
    certificate_blank: bool = False
    """Print only the variable text (the phôi bằng has the border, heading and title)."""
    due_soon_working_days: int = Field(default=3, ge=0, le=60)
    """A step waiting on someone is marked «Sắp đến hạn» when this many working days or
    fewer are left before its deadline (domain/deadlines.py)."""
    stats_min_group: int = Field(default=5, ge=1, le=1000)
    """The dashboards (thống kê) show a group's count of women and of ethnic-minority
    people only when the group has at least this many individuals; a smaller group reads
    «—» (a count that small points at someone: NĐ 13/2023 on personal data)."""
    max_upload_bytes: int = 20 * 1024 * 1024
    max_import_bytes: int = 64 * 1024 * 1024
    """The largest file of past awards imported at once (POST /api/v1/registry/imports):
    100 000 rows of the template are about 15 MB as CSV."""
    export_max_rows: int = Field(default=500_000, ge=1)
    """The most rows one export of a list may hold (XLSX or CSV, api/exports/): more is
    refused (422 `export_too_large`) and the reader filters further. Exports stream, so
    this bounds the time and the file's size, not the server's memory."""
    outbox_redrive_seconds: float = 30.0
    outbox_lease_seconds: float = 600.0
    """How long a step's flow run may hold its outbox row without renewing it before
    another process may take it over (a running flow renews it every quarter of this, so
    only a run whose process died loses it; the flow is idempotent)."""
    checkpoint_minutes: float = 15.0
    """How often the app signs the audit chain's head into the archive (0: never; the
    checkpoint is written only when the chain grew since the last one)."""

    smtp_host: str = ""
    """The mail server the reminders are sent through; empty: no email (the reminders are
    still written as in-app notifications)."""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    """Upgrade the connection with STARTTLS before signing in (port 587)."""
    smtp_sender: str = "tdkt@localhost"
    """The From address of the reminders."""
    smtp_timeout: float = 30.0
    smtp_ca_bundle: str | None = None
    """PEM file of the CA the mail server's certificate is checked against (default: the
    system's)."""
    public_url: str = ""
    """The address people open the app at (e.g. https://tdkt.example.gov.vn), put before
    the links in the emails; empty: the links are paths only."""

    reminders_enabled: bool = True
    """Run the daily reminders on their schedule (the embedded app's task; the server
    mode's deployment is paused when off). `tdkt reminders run` runs them regardless."""
    digest_hour: int = Field(default=7, ge=0, le=23)
    """The hour (Vietnam time) from which the daily digest is sent; the daily run at or
    after it sends each person's digest of that day once."""
    reminder_lease_seconds: float = 600.0
    """How long a claimed reminder may stay unsent before another run takes it over (its
    sender died between the claim and the send)."""

    tsa_url: str | None = None
    """RFC 3161 time-stamping service. With it, signatures are PAdES B-LT (time-stamp plus
    the chain and revocation data embedded); without, B-B. The demo serves its own at
    /api/v1/pki/tsa."""

    demo_password: str = "demo"
    demo_pin: str = "123456"

    host: str = "127.0.0.1"
    port: int = 8000
    web_workers: int = Field(default=1, ge=1, le=64)
    """Processes serving HTTP (`tdkt serve`). More than one only in the server mode: in the
    embedded mode the app process also runs the flows and Prefect's local API."""

    def resolved(self) -> Settings:
        """Fill the embedded defaults that depend on `var_dir`. The server mode has none:
        the app and every worker must share one database, one archive and one secret."""
        if self.prefect_mode == "server":
            _check_server_settings(self)
        var = self.var_dir.resolve()
        updates: dict[str, object] = {"var_dir": var}
        if not self.database_url:
            updates["database_url"] = f"sqlite:///{var / 'tdkt.sqlite3'}"
        if not self.object_store_url:
            updates["object_store_url"] = f"file://{var / 'objects'}"
        if not self.secret_key:
            updates["secret_key"] = _embedded_secret(var)
        if self.signing_processes is None:
            embedded = self.prefect_mode == "embedded"
            updates["signing_processes"] = (os.cpu_count() or 2) if embedded else 0
        return self.model_copy(update=updates)

    @property
    def prefect_home(self) -> Path:
        return self.var_dir / "prefect"

    @property
    def converter_profiles(self) -> Path:
        return self.var_dir / "soffice"


def _check_server_settings(settings: Settings) -> None:
    missing = [
        f"TDKT_{name.upper()}"
        for name in ("database_url", "object_store_url", "secret_key")
        if not getattr(settings, name)
    ]
    if missing:
        raise ValueError(f"TDKT_PREFECT_MODE=server needs {', '.join(missing)}")
    if settings.database_url.startswith("sqlite") or settings.object_store_url.startswith("file:"):
        raise ValueError(
            "TDKT_PREFECT_MODE=server needs a shared database and archive "
            "(PostgreSQL and s3://), not a file on one machine"
        )
    if len(settings.secret_key) < 32 or "CHANGE-ME" in settings.secret_key:
        raise ValueError("TDKT_SECRET_KEY must be a random value of at least 32 characters")


def _embedded_secret(var: Path) -> str:
    path = var / "secret.key"
    if path.exists():
        return path.read_text().strip()
    var.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings().resolved()
