"""Reading per-test outcomes: the wrapper script run by the host shell, then parsed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from archon_code.errors import ConfigError
from archon_code.integrations.testrun import is_pytest_command, parse_suite, repo_frames, wrap_command
from archon_code.integrations.workspace import list_repo_files
from archon_code.types import ExecResult
from tests.integrations.helpers import fixture_repo


def _run_here(repo: Path, command: str):
    """Run the wrapped command with the host's shell and parse it like a sandbox result."""
    proc = subprocess.run(["sh", "-c", wrap_command(command)], cwd=repo, capture_output=True, text=True, timeout=120)
    result = ExecResult(exit_code=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)
    return parse_suite(command, result, set(list_repo_files(repo)))


def test_pytest_outcomes_and_tracebacks(tmp_path):
    run = _run_here(fixture_repo("calc_bug", tmp_path), "python -m pytest -q")
    assert run.exit_code == 1
    assert [(t.id, t.outcome) for t in run.outcomes] == [
        ("tests/test_calc.py::test_add", "failed"),
        ("tests/test_calc.py::test_add_negative", "failed"),
        ("tests/test_calc.py::test_sub", "passed"),
        ("tests/test_calc.py::test_mul", "passed"),
    ]
    first = run.outcomes[0]
    assert first.message.startswith("assert -1 == 5")
    assert first.frames == (("tests/test_calc.py", 5),)
    assert "2 failed, 2 passed" in run.output
    assert "@@ARCHON" not in run.output


def test_collection_error_names_the_broken_module(tmp_path):
    repo = fixture_repo("calc_bug", tmp_path)
    (repo / "calc.py").write_text("def add(a, b:\n    return a + b\n")
    run = _run_here(repo, "python -m pytest -q")
    assert run.exit_code == 2
    assert [(t.id, t.outcome) for t in run.outcomes] == [("tests/test_calc.py", "error")]
    assert run.outcomes[0].frames == (("tests/test_calc.py", 1), ("calc.py", 1))


def test_a_non_pytest_command_is_one_outcome(tmp_path):
    repo = fixture_repo("calc_bug", tmp_path)
    run = _run_here(repo, "python -c 'import calc; assert calc.add(1, 1) == 2'")
    assert [(t.id, t.outcome) for t in run.outcomes] == [("<command>", "failed")]
    assert run.outcomes[0].message == "python -c 'import calc; assert calc.add(1, 1) == 2': exit code 1"
    assert "AssertionError" in run.outcomes[0].details
    assert not run.ok
    passing = _run_here(repo, "python -c 'import calc; assert calc.mul(2, 3) == 6'")
    assert passing.ok and passing.outcomes == ()


def test_nonzero_exit_without_failing_tests_counts_as_a_failure():
    result = ExecResult(exit_code=1, stdout="@@ARCHON-CWD /w\n@@ARCHON-JUNIT-BEGIN\n<testsuites/>\n@@ARCHON-JUNIT-END\n")
    run = parse_suite("python -m pytest", result, set())
    assert [(t.id, t.outcome, t.message) for t in run.outcomes] == [
        ("<command>", "failed", "python -m pytest: exit code 1")
    ]


def test_frames_are_made_relative_to_the_sandbox_working_directory():
    text = 'File "/work/run/pkg/m.py", line 3, in f\n  File "/usr/lib/python3/x.py", line 9, in g\nsrc/a.py:4: in h'
    assert repo_frames(text, "/work/run", {"pkg/m.py", "src/a.py"}) == (("pkg/m.py", 3), ("src/a.py", 4))


@pytest.mark.parametrize(
    "command, expected",
    [("python -m pytest -q", True), ("pytest", True), ("/usr/bin/py.test -x", True), ("make test", False)],
)
def test_is_pytest_command(command, expected):
    assert is_pytest_command(command) is expected


def test_an_unbalanced_quote_is_a_config_error():
    with pytest.raises(ConfigError, match="--test-cmd \"python -c 'x\": No closing quotation"):
        is_pytest_command("python -c 'x")
