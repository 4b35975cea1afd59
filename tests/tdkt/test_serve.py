"""`tdkt serve --workers`: several HTTP processes only where flows run elsewhere."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.settings import Settings
from tdkt.cli import cmd_serve
from tests.fixtures.procs import all_pids, cmdline, descendants, running
from tests.fixtures.s3 import free_loopback_port
from tests.fixtures.server import Api, AppServer

ROOT = Path(__file__).resolve().parents[2]


def test_several_web_processes_are_refused_in_the_embedded_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    # In the embedded mode the app process also runs the flows and Prefect's local API:
    # two of them would each start one on the same files.
    settings = Settings(var_dir=tmp_path).resolved()
    args = argparse.Namespace(host=None, port=None, workers=2)
    assert cmd_serve(settings, args) == 2
    assert "TDKT_PREFECT_MODE=server" in capsys.readouterr().err


def _wait(until: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if until():
            return True
        time.sleep(0.2)
    return until()


def test_a_killed_app_leaves_no_prefect_server_libreoffice_or_signer_behind(tmp_path: Path) -> None:
    """`make run` killed hard (SIGKILL, out of memory): what it started stops by itself, so
    the next start does not find a second Prefect server on var/prefect, stray
    LibreOffice instances or signing processes."""
    app = AppServer(tmp_path / "app", {}).start()
    assert app.proc is not None
    pid = app.proc.pid

    def left() -> list[int]:
        """What the app started, and every process working in its folder, still running."""
        mine = [p for p in all_pids() if str(tmp_path) in cmdline(p)]
        return [p for p in {*started, *mine} if running(p)]

    started: list[int] = []
    try:
        assert _wait(lambda: any("soffice.bin" in cmdline(p) for p in descendants(pid)), 120), (
            "LibreOffice was never warmed"
        )
        assert _wait(lambda: sum("spawn_main" in cmdline(p) for p in descendants(pid)) >= 2, 60), (
            "the signing processes were never started"
        )
        started = descendants(pid)
        assert any("prefect_local_app" in cmdline(p) for p in started), started
        app.proc.kill()
        app.proc.wait(10)
        assert _wait(lambda: not left(), 30), [cmdline(p)[:120] for p in left()]
    finally:
        app.stop()
        for child in left():
            os.kill(child, signal.SIGKILL)


def test_ctrl_c_while_a_step_runs_lets_it_finish_then_stops(tmp_path: Path) -> None:
    """Ctrl-C in the terminal of `make run` signals every process of its group. The app
    finishes the step under way (Prefect's local API and the signing processes must
    still be there for it), then stops, and nothing it started stays behind."""
    app = AppServer(tmp_path / "app", {}, own_group=True).start()
    assert app.proc is not None
    clerk = Api(app, "bdt.canbo")
    created = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [
                {
                    "kind": "collective",
                    "name": 'Phòng <Chính sách> & "Dân tộc"',
                    "achievements": "Hoàn thành xuất sắc {{ nhiệm vụ }}.",
                }
            ],
        },
    )
    assert created.status_code == 201, created.text
    dossier = created.json()["id"]
    clerk.attach(dossier)  # the Biên bản bình xét the law requires
    started = descendants(app.proc.pid)
    try:
        submitted = clerk.act(dossier, "submit")
        assert submitted.status_code == 200, submitted.text
        os.killpg(app.proc.pid, signal.SIGINT)
        app.proc.wait(120)  # TimeoutExpired: the app hung on the step it was finishing
        assert _wait(lambda: not [p for p in started if running(p)], 30)
        app.start()  # the same folder: what the step issued is there
        done = Api(app, "bdt.canbo").wait_idle(dossier)
        assert done["status"] != "draft"
        # The submission's step prepared what the unit head signs (only they see drafts).
        head = Api(app, "bdt.thutruong")
        prepared = head.get(f"/api/v1/dossiers/{dossier}/documents").json()
        renditions = {v["rendition"] for d in prepared for v in d["versions"]}
        assert "pdf-prepared" in renditions, renditions
    finally:
        app.stop()


def test_a_prefect_server_whose_app_died_while_it_started_stops(tmp_path: Path) -> None:
    """The app is killed while its local Prefect server is still starting (it takes
    seconds): the server, re-parented before it could note its parent, must still end."""
    port = free_loopback_port()
    starter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from flows.local_prefect import _server_command; "
            f"print(_server_command({port}).pid, flush=True)",  # and exit at once, as if killed
        ],
        cwd=ROOT,
        env={**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")},
        stdout=subprocess.PIPE,  # the server inherits it: read one line, not to the end
        text=True,
    )
    assert starter.stdout is not None
    with starter.stdout:
        server = int(starter.stdout.readline())
    starter.wait(60)
    try:
        assert _wait(lambda: not running(server), 180), "the orphaned Prefect server runs on"
    finally:
        if running(server):
            os.kill(server, signal.SIGKILL)
