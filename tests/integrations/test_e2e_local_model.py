"""End to end: the real embedded 0.5B model (temperature 0) fixes a planted bug, verified
in the real sandbox, through the installed ``archon-code`` command."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import require_model
from tests.integrations.helpers import calc_source, fixture_repo

pytestmark = [pytest.mark.model, pytest.mark.docker]


def test_local_model_fixes_add(sandbox, tmp_path):
    require_model()
    repo = fixture_repo("calc_bug", tmp_path)
    proc = subprocess.run(
        ["archon-code", "suggest", str(repo), "--model", "local/qwen2.5-coder-0.5b", "--samples", "1",
         "--no-cache", "--json", "--write", "--quiet"],
        capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    best = report["suggestion"]
    assert report["status"] == "fixed"
    assert sorted(best["fixed"]) == ["tests/test_calc.py::test_add", "tests/test_calc.py::test_add_negative"]
    assert best["diff_lines"] == 2
    assert "-    return a - b\n+    return a + b\n" in best["diff"]
    assert report["usage"]["calls"] == 1
    assert (repo / "calc.py").read_text() == calc_source(add="a + b")


def test_commit_hook_with_the_local_model_blocks_and_applies_the_fix(sandbox, tmp_path):
    require_model()
    from tests.integrations.test_hook import _env, _git, _project

    env = _env(tmp_path)
    args = ["--model", "local/qwen2.5-coder-0.5b", "--fix", "--quiet"]
    repo = _project(tmp_path, "calc_bug", args, env)
    proc = _git(repo, "commit", "-m", "first", env=env)
    assert proc.returncode == 1
    assert "archon-code: 2 failing test(s); verified fix found: 2 fixed, none broken, 2 changed line(s)" in proc.stderr
    assert "archon-code: fix applied to the work tree; review it, stage it and commit again" in proc.stderr
    assert (repo / "calc.py").read_text() == calc_source(add="a + b")
    _git(repo, "add", "calc.py", env=env)
    assert _git(repo, "commit", "-m", "fixed", env=env).returncode == 0
