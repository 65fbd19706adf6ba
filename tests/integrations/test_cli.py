"""``archon-code suggest`` through click and the real sandbox; the model is scripted by
replacing the CLI's LLM factory (the scripted stand-in never becomes a selectable model)."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from archon_code.cli import cli
from tests.integrations.helpers import calc_source, fenced, fixture_repo
from tests.support.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.docker


@pytest.fixture
def scripted(monkeypatch, sandbox):
    """Make the CLI use a ScriptedLLM with the given answers; returns a setter."""
    holder = {}

    def use(answers):
        holder["llm"] = ScriptedLLM(answers)
        monkeypatch.setattr("archon_code.integrations.runtime.make_llm", lambda **options: holder["llm"])
        return holder["llm"]

    return use


def _invoke(*args):
    # the model string only has to pass the up-front check: the scripted stand-in answers
    return CliRunner().invoke(cli, ["suggest", *args, "--quiet", "--model", "openai/scripted"], catch_exceptions=False)


def test_exit_0_and_markdown_when_tests_pass(scripted, tmp_path):
    scripted([])
    result = _invoke(str(fixture_repo("all_pass", tmp_path)))
    assert result.exit_code == 0
    assert result.stdout == (
        "### archon-code suggest: tests pass (4 passed): nothing to fix\n\n"
        "`python -m pytest -q` in the sandbox: 4 passed.\n"
    )


def test_exit_1_diff_output_and_write(scripted, tmp_path):
    scripted([fenced(calc_source(add="a + b"))])
    repo = fixture_repo("calc_bug", tmp_path)
    result = _invoke(str(repo), "--samples", "1", "--format", "diff", "--write")
    assert result.exit_code == 1
    assert result.stdout == (
        "--- a/calc.py\n+++ b/calc.py\n@@ -3,7 +3,7 @@\n \n def add(a, b):\n"
        '     """Return the sum of a and b."""\n-    return a - b\n+    return a + b\n \n \n def sub(a, b):\n'
    )
    assert (repo / "calc.py").read_text() == calc_source(add="a + b")


def test_exit_3_json_to_a_file_and_nothing_written(scripted, tmp_path):
    scripted([fenced(calc_source(add="a * b"))])
    repo = fixture_repo("calc_bug", tmp_path)
    out = tmp_path / "report.json"
    result = _invoke(str(repo), "--samples", "1", "--json", "--write", "--out", str(out))
    assert result.exit_code == 3
    assert result.stdout == ""
    data = json.loads(out.read_text())
    assert (data["status"], data["exit_code"], data["suggestion"]) == ("unfixed", 3, None)
    assert [r["reason"] for r in data["rejected"]] == ["fixes no failing test"]
    assert data["rejected"][0]["diff"] == _ADD_DIFF.replace("a + b", "a * b")
    assert data["summary"] == "2 failing test(s); no verified fix found (1 candidate(s) rejected)"
    assert (repo / "calc.py").read_text() == calc_source()


_ADD_DIFF = (
    "--- a/calc.py\n+++ b/calc.py\n@@ -3,7 +3,7 @@\n \n def add(a, b):\n"
    '     """Return the sum of a and b."""\n-    return a - b\n+    return a + b\n \n \n def sub(a, b):\n'
)


def test_markdown_shows_rejected_candidates_collapsed_with_their_diff(scripted, tmp_path):
    scripted([fenced(calc_source(add="a * b"))])
    result = _invoke(str(fixture_repo("calc_bug", tmp_path)), "--samples", "1")
    assert result.exit_code == 3
    assert result.stdout.endswith(
        "No candidate fix made a failing test pass without breaking another.\n\n"
        "Candidates tried: 1; verified: 0; rejected: 1.\n\n"
        "<details><summary>rejected <code>c1</code> (fixer:calc.py#0): fixes no failing test; 2 changed line(s)"
        "</summary>\n\n```diff\n" + _ADD_DIFF.replace("a + b", "a * b").rstrip("\n") + "\n```\n\n</details>\n"
    )


def test_markdown_says_0_candidates_produced_when_the_model_gave_no_code(scripted, tmp_path):
    scripted(["I cannot help with that."])
    result = _invoke(str(fixture_repo("calc_bug", tmp_path)), "--samples", "1")
    assert result.exit_code == 3
    assert result.stdout.startswith(
        "### archon-code suggest: 2 failing test(s); no verified fix found (0 candidates produced)\n"
    )
    assert result.stdout.endswith("0 candidates produced.\n- note: no usable answer for calc.py\n")


def test_direct_requirement_is_refused_before_any_container_starts(tmp_path):
    repo = fixture_repo("calc_bug", tmp_path)
    (repo / "requirements.txt").write_text("six==1.16.0\ngit+https://127.0.0.1:9/pkg.git\n")
    proc = subprocess.run(["archon-code", "suggest", str(repo), "--quiet"], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "error: requirements.txt:2: 'git+https://127.0.0.1:9/pkg.git' is a direct requirement or index option "
        "(installed from an address other than PyPI, with the network on); refused: pass "
        "--allow-direct-requirements to install it\n"
    )


def test_markdown_pr_comment_has_failures_change_and_evidence(scripted, tmp_path):
    scripted([fenced(calc_source(add="a + b"))])
    result = _invoke(str(fixture_repo("calc_bug", tmp_path)), "--samples", "1")
    assert result.exit_code == 1
    text = result.stdout
    assert text.startswith(
        "### archon-code suggest: 2 failing test(s); verified fix found: 2 fixed, none broken, 2 changed line(s)\n"
    )
    assert "**Failing** (`python -m pytest -q`: 2 failed, 2 passed):\n- `tests/test_calc.py::test_add`: assert -1 == 5\n" in text
    assert "```diff\n--- a/calc.py\n" in text
    assert "- before: 2 failed, 2 passed\n- after: 4 passed\n" in text


@pytest.mark.parametrize(
    "test_cmd, message",
    [
        ("python -m pytest --no-such-flag", "error: --test-cmd 'python -m pytest --no-such-flag': pytest usage error"),
        ("no-such-program", "error: --test-cmd 'no-such-program': command not found in the sandbox"),
    ],
)
def test_bad_test_command_is_a_one_line_error_with_exit_2(sandbox, tmp_path, test_cmd, message):
    repo = fixture_repo("calc_bug", tmp_path)
    proc = subprocess.run(
        ["archon-code", "suggest", str(repo), "--quiet", "--test-cmd", test_cmd],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(message)
    assert len(proc.stderr.strip().splitlines()) == 1


def test_missing_repo_is_a_usage_error(tmp_path):
    proc = subprocess.run(["archon-code", "suggest", str(tmp_path / "nope")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Directory" in proc.stderr and "does not exist" in proc.stderr
