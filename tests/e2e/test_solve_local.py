"""End to end: the real embedded default model (1.5B, Q6_K tensors as Q8_0) at temperature 0 solves shipped easy
problems through the CLI and the real sandbox, and the chosen programs pass the hidden tests too.
(The 0.5B model's greedy answer to sum-two reads its input wrongly with the AVX-512 llama.cpp
build of ``archon-code local build``: the kernels' rounding differs, so its answers do.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, require_docker, require_model

pytestmark = [pytest.mark.model, pytest.mark.docker]

ENTRY = "import sys; from archon_code.cli import main; sys.argv[0] = 'archon-code'; main()"


def archon_code(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("problem_id", ["sum-two", "reverse-string"])
def test_local_model_solves_an_easy_problem(problem_id, tmp_path):
    require_docker()
    require_model()
    program = tmp_path / "solution.py"
    trace = tmp_path / "trace.jsonl"
    solved = archon_code("solve", f"problems/{problem_id}.yaml", "--model", "local/qwen2.5-coder-1.5b-q8",
                         "--arch", "single", "--no-cache", "--json", "--out", str(program), "--trace", str(trace),
                         timeout=600)
    assert solved.returncode == 0, solved.stderr
    result = json.loads(solved.stdout)
    assert result["problem_id"] == problem_id
    assert result["solved_public"] is True
    assert result["public_passed"] == result["public_total"] > 0
    assert result["usage"]["calls"] == 1
    assert program.read_text() == result["program"]["source"]
    assert "layer 1 (generator): 1 candidate," in solved.stderr
    judged = archon_code("judge", f"problems/{problem_id}.yaml", str(program), "--tests", "hidden", "--json",
                         timeout=120)
    assert judged.returncode == 0, judged.stdout + judged.stderr
    assert json.loads(judged.stdout)["verdict"] == "AC"
