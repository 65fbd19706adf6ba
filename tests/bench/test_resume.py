"""A bench killed with SIGKILL mid-run resumes with the same command: same records as an
uninterrupted run, no duplicates, nothing that finished computed again (docker)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, require_docker


def _run(out: Path, log: Path, delay: float = 0.0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.bench.resume_script", str(out), str(log), str(delay)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def _records(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        row.pop("seconds")
    return rows


def _key(row: dict) -> tuple:
    return row["arch"], row["problem"], row["sample"]


def test_kill_9_then_resume_matches_an_uninterrupted_run(tmp_path):
    require_docker()
    whole = _run(tmp_path / "whole", tmp_path / "whole.log")
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout.strip() == "12 new of 12"

    out, log = tmp_path / "killed", tmp_path / "killed.log"
    results = out / "results.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "tests.bench.resume_script", str(out), str(log), "0.4"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 4:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {_key(r) for r in _records(results)}
    assert 4 <= len(before) < 12
    calls_before = len(log.read_text().splitlines())

    resumed = _run(out, log)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip() == f"{12 - len(before)} new of 12"

    rows = _records(results)
    assert len(rows) == len({_key(r) for r in rows}) == 12  # no duplicates
    assert sorted(rows, key=_key) == sorted(_records(tmp_path / "whole" / "results.jsonl"), key=_key)
    again = [tuple(line.split()) for line in log.read_text().splitlines()[calls_before:]]
    everything = {(a, p, 0) for a in ("one", "two") for p in [r["problem"] for r in rows]}
    assert {(a, p, int(s)) for a, p, s in again} == everything - before  # finished tasks not recomputed
    assert len(again) == len(everything - before)
