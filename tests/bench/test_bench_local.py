"""End to end: ``archon-code bench`` with the real embedded 1.5B model and the real sandbox;
the same command again recomputes nothing (model + docker)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, require_docker, require_model

pytestmark = [pytest.mark.model, pytest.mark.docker]

ENTRY = "import sys; from archon_code.cli import main; sys.argv[0] = 'archon-code'; main()"


def _bench(out, *extra: str) -> subprocess.CompletedProcess:
    args = ["bench", "problems/", "--arch", "single", "--model", "local/qwen2.5-coder-1.5b-q8", "--ids",
            "sum-two,reverse-string", "--no-cache", "--out", str(out), "--json", *extra]
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


def test_bench_cli_with_the_local_model_then_resume(tmp_path):
    require_docker()
    require_model()
    first = _bench(tmp_path)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    (single,) = summary["archs"]
    assert (single["arch"], single["problems"], single["draws"], single["errors"]) == ("single", 2, 2, 0)
    assert single["pass_at_1"] == 1.0  # both easy problems pass their hidden tests
    assert single["calls"] == 1.0
    assert summary["new_records"] == 2
    assert sorted(summary["problems"]) == ["reverse-string", "sum-two"]
    assert (tmp_path / "report.html").read_text().count("<svg") == 2
    # single at 1 worker: one request in flight, one slot; the threads follow the load at start
    assert re.search(r"^bench: embedded model local/qwen2.5-coder-1.5b-q8: 1 slot, \d+ threads?$", first.stderr,
                     re.MULTILINE), first.stderr

    again = _bench(tmp_path)
    assert again.returncode == 0, again.stderr
    resumed = json.loads(again.stdout)
    assert resumed["new_records"] == 0
    assert resumed["archs"] == summary["archs"]
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == 2
