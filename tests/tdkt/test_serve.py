"""`tdkt serve --workers`: several HTTP processes only where flows run elsewhere."""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tdkt.cli import cmd_serve
from tdkt.settings import Settings
from tests.fixtures.server import AppServer


def test_several_web_processes_are_refused_in_the_embedded_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    # In the embedded mode the app process also runs the flows and Prefect's local API:
    # two of them would each start one on the same files.
    settings = Settings(var_dir=tmp_path).resolved()
    args = argparse.Namespace(host=None, port=None, workers=2)
    assert cmd_serve(settings, args) == 2
    assert "TDKT_PREFECT_MODE=server" in capsys.readouterr().err


def _children(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == parent:
                    found.append(int(entry.name))
                    todo.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # an exited orphan nobody reaped yet counts as gone


def _wait(until: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if until():
            return True
        time.sleep(0.2)
    return until()


def _all_pids() -> list[int]:
    return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]


def test_a_killed_app_leaves_no_prefect_server_or_libreoffice_behind(tmp_path: Path) -> None:
    """`make run` killed hard (SIGKILL, out of memory): what it started stops by itself, so
    the next start does not find a second Prefect server on var/prefect or stray
    LibreOffice instances."""
    app = AppServer(tmp_path / "app", {}).start()
    assert app.proc is not None
    pid = app.proc.pid

    def left() -> list[int]:
        """What the app started, and every process working in its folder, still running."""
        mine = [p for p in _all_pids() if str(tmp_path) in _cmdline(p)]
        return [p for p in {*started, *mine} if _running(p)]

    started: list[int] = []
    try:
        assert _wait(lambda: any("soffice.bin" in _cmdline(p) for p in _children(pid)), 120), (
            "LibreOffice was never warmed"
        )
        started = _children(pid)
        assert any("prefect_local_app" in _cmdline(p) for p in started), started
        app.proc.kill()
        app.proc.wait(10)
        assert _wait(lambda: not left(), 30), [_cmdline(p)[:120] for p in left()]
    finally:
        app.stop()
        for child in left():
            os.kill(child, signal.SIGKILL)
