"""The pre-commit hook's logic through the real sandbox (scripted model)."""

from __future__ import annotations

import pytest

from archon_code.integrations.models import SuggestConfig
from archon_code.integrations.precommit import run_precommit
from archon_code.sandbox import DockerSandbox, SandboxConfig
from tests.integrations.helpers import calc_source, fenced, fixture_repo
from tests.support.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.docker


class _Shared:
    """Lends the session's sandbox to run_precommit without closing it."""

    def __init__(self, sandbox):
        self.sandbox = sandbox

    def __enter__(self):
        return self.sandbox

    def __exit__(self, *exc):
        return None


def _hook(repo, sandbox_factory, llm, *, fix=False, allow=False, files=("calc.py",)):
    lines: list[str] = []
    status = run_precommit(
        repo, list(files), config=SuggestConfig(model="scripted", samples=1), fix=fix, allow_unavailable=allow,
        sandbox=sandbox_factory, llm=lambda: llm, echo=lines.append,
    )
    return status, lines


def test_passing_tests_let_the_commit_through(sandbox, tmp_path):
    status, lines = _hook(fixture_repo("all_pass", tmp_path), lambda: _Shared(sandbox), ScriptedLLM([]))
    assert (status, lines) == (0, ["archon-code: tests pass (4 passed): nothing to fix"])


def test_failing_tests_block_and_show_the_verified_fix(sandbox, tmp_path):
    repo = fixture_repo("calc_bug", tmp_path)
    status, lines = _hook(repo, lambda: _Shared(sandbox), ScriptedLLM([fenced(calc_source(add="a + b"))]))
    assert status == 1
    assert lines[:3] == [
        "archon-code: 2 failing test(s); verified fix found: 2 fixed, none broken, 2 changed line(s)",
        "  FAILED tests/test_calc.py::test_add: assert -1 == 5",
        "  FAILED tests/test_calc.py::test_add_negative: assert -2 == 0",
    ]
    assert "-    return a - b\n+    return a + b" in lines[3]
    assert lines[4].startswith("archon-code: run 'archon-code precommit --fix'")
    assert (repo / "calc.py").read_text() == calc_source()


def test_fix_applies_the_patch_and_still_blocks(sandbox, tmp_path):
    repo = fixture_repo("calc_bug", tmp_path)
    status, lines = _hook(repo, lambda: _Shared(sandbox), ScriptedLLM([fenced(calc_source(add="a + b"))]), fix=True)
    assert status == 1
    assert lines[-1] == "archon-code: fix applied to the work tree; review it, stage it and commit again"
    assert (repo / "calc.py").read_text() == calc_source(add="a + b")


def test_model_unavailable_is_one_line_and_blocks(sandbox, tmp_path):
    llm = ScriptedLLM([], failures={0: "error"})
    status, lines = _hook(fixture_repo("calc_bug", tmp_path), lambda: _Shared(sandbox), llm)
    assert (status, lines) == (1, [
        "archon-code: tests fail; model unavailable, no fix suggested: "
        "scripted LLM error on call 0 (model scripted, tag 'suggest/fixer')",
        "  FAILED tests/test_calc.py::test_add: assert -1 == 5",
        "  FAILED tests/test_calc.py::test_add_negative: assert -2 == 0",
    ])


@pytest.mark.parametrize("allow, expected", [(False, 1), (True, 0)])
def test_sandbox_unavailable_is_one_line_and_allow_unavailable_decides(sandbox, tmp_path, allow, expected):
    missing = lambda: DockerSandbox(SandboxConfig(image="archon-code-sandbox:no-such-tag"))  # noqa: E731
    status, lines = _hook(fixture_repo("calc_bug", tmp_path), missing, ScriptedLLM([]), allow=allow)
    assert status == expected
    assert len(lines) == 1
    verdict = "not blocking the commit" if allow else "blocking the commit (--allow-unavailable to skip)"
    assert lines[0].startswith(f"archon-code: sandbox unavailable, tests not run, {verdict}: sandbox image ")


def test_no_python_file_staged_skips_the_run(tmp_path):
    def never():
        raise AssertionError("the sandbox must not be opened")

    assert _hook(tmp_path, never, ScriptedLLM([]), files=("README.md",)) == (0, [])

