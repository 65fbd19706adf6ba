"""Slow: validate a few real CodeContests records through the CLI (needs ../shared/data)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_docker

pytestmark = [pytest.mark.slow, pytest.mark.docker]

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "codecontests-dev.jsonl"
# Two records whose recorded solution passes, one whose tokens checker cannot accept the
# reference (several valid answers).
IDS = ["110_E. Lucky Tree", "1338_B. Edge Weight Assignment", "1217_D. Coloring Edges"]


def test_validate_codecontests_records_via_cli():
    if not DATA.exists():
        pytest.skip(f"{DATA} is not present")
    require_docker()
    cmd = [sys.executable, "-c", "from archon_code.cli import main; main()", "problems", "validate", str(DATA),
           "--ids", ",".join(IDS), "--json", "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    status = {p["id"]: p["ok"] for p in report["problems"]}
    assert status == {IDS[0]: True, IDS[1]: True, IDS[2]: False}
    [reason] = next(p["reasons"] for p in report["problems"] if p["id"] == IDS[2])
    assert reason.endswith("(likely: several answers are accepted: the problem needs a custom checker)")
    assert report["totals"]["problems"] == 3 and report["totals"]["test_runs"] == 30
