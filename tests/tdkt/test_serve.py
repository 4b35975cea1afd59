"""`tdkt serve --workers`: several HTTP processes only where flows run elsewhere."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tdkt.cli import cmd_serve
from tdkt.settings import Settings


def test_several_web_processes_are_refused_in_the_embedded_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    # In the embedded mode the app process also runs the flows and Prefect's local API:
    # two of them would each start one on the same files.
    settings = Settings(var_dir=tmp_path).resolved()
    args = argparse.Namespace(host=None, port=None, workers=2)
    assert cmd_serve(settings, args) == 2
    assert "TDKT_PREFECT_MODE=server" in capsys.readouterr().err
