"""The whole suggest flow through the REAL sandbox, with a scripted model."""

from __future__ import annotations

import pytest

from archon_code.integrations.models import SuggestConfig
from archon_code.integrations.suggest import Suggester
from tests.integrations.helpers import calc_source, fenced, fixture_repo
from tests.support.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.docker

CALC_FAILING = ("tests/test_calc.py::test_add", "tests/test_calc.py::test_add_negative")


def _suggest(sandbox, repo, answers, **config):
    llm = ScriptedLLM(answers)
    report = Suggester(llm, sandbox, SuggestConfig(**config), model="scripted").run(repo)
    return report, llm


def test_passing_repo_exits_0_without_asking_the_model(sandbox, tmp_path):
    report, llm = _suggest(sandbox, fixture_repo("all_pass", tmp_path), [])
    assert report.status == "passing"
    assert report.exit_code == 0
    assert report.before.counts() == {"passed": 4, "failed": 0, "error": 0, "skipped": 0}
    assert llm.calls == []


def test_correct_fix_is_suggested_with_exit_1(sandbox, tmp_path):
    repo = fixture_repo("calc_bug", tmp_path)
    report, llm = _suggest(sandbox, repo, [fenced(calc_source(add="a + b"))], samples=1)
    assert report.exit_code == 1
    assert report.before.failing_ids == CALC_FAILING
    assert report.suggestion.fixed == CALC_FAILING
    assert report.suggestion.after.counts() == {"passed": 4, "failed": 0, "error": 0, "skipped": 0}
    assert report.suggestion.diff_lines == 2
    assert "-    return a - b\n+    return a + b\n" in report.suggestion.diff
    assert (repo / "calc.py").read_text() == calc_source()  # nothing written
    assert "calc.py" in llm.calls[0].last_user and "def test_add" in llm.calls[0].last_user


def test_wrong_fix_is_rejected_with_exit_3(sandbox, tmp_path):
    report, _ = _suggest(sandbox, fixture_repo("calc_bug", tmp_path), [fenced(calc_source(add="a * b"))], samples=1)
    assert report.exit_code == 3
    assert report.suggestion is None
    assert [(r.origin, r.reason) for r in report.rejected] == [("fixer:calc.py#0", "fixes no failing test")]


def test_fix_that_breaks_a_passing_test_is_rejected(sandbox, tmp_path):
    answer = fenced(calc_source(add="a + b", sub="a + b"))
    report, _ = _suggest(sandbox, fixture_repo("calc_bug", tmp_path), [answer], samples=1)
    assert report.exit_code == 3
    assert [r.reason for r in report.rejected] == ["breaks tests/test_calc.py::test_sub"]


def test_smallest_verified_diff_wins_over_a_larger_one(sandbox, tmp_path):
    # Answer 1 rewrites add in 3 lines and touches the module docstring: two candidates,
    # the whole answer (c1, 6 changed lines) and its changed definitions only (c2, 4).
    larger = calc_source(add="a + b").replace('"""Small', '"""Tiny')
    larger = larger.replace("    return a + b\n", "    total = a\n    total += b\n    return total\n", 1)
    answers = [fenced(larger), fenced(calc_source(add="a + b"))]
    report, _ = _suggest(sandbox, fixture_repo("calc_bug", tmp_path), answers, samples=2)
    assert [(v.id, v.diff_lines) for v in report.verified] == [("c3", 2), ("c2", 4), ("c1", 6)]
    assert report.suggestion.id == "c3"


def test_whole_function_answer_is_spliced_into_the_file(sandbox, tmp_path):
    answer = fenced("def add(a, b):\n    return a + b\n")
    report, _ = _suggest(sandbox, fixture_repo("calc_bug", tmp_path), [answer], samples=1)
    assert report.exit_code == 1
    assert report.suggestion.patches[0].after == calc_source(add="a + b").replace(
        '    """Return the sum of a and b."""\n', ""
    )


def test_fixes_of_two_failures_are_fused_and_verified_again(sandbox, tmp_path):
    repo = fixture_repo("two_bugs", tmp_path)
    text = (repo / "textutil.py").read_text().replace("text.lower() + \"!\"", "text.upper() + \"!\"")
    math = (repo / "mathutil.py").read_text().replace("x * 2", "x * x")

    def answer(messages, sample):
        return fenced(text if "textutil.py" in messages[-1]["content"].split("\n")[0] else math)

    llm = ScriptedLLM(answer)
    report = Suggester(llm, sandbox, SuggestConfig(samples=1), model="scripted").run(repo)
    assert report.exit_code == 1
    assert sorted(report.before.failing_ids) == [
        "tests/test_mathutil.py::test_square",
        "tests/test_textutil.py::test_shout",
    ]
    best = report.suggestion
    assert best.origin == "fuser"
    assert sorted(best.fixed) == sorted(report.before.failing_ids)
    assert sorted(p.path for p in best.patches) == ["mathutil.py", "textutil.py"]
    assert best.after.counts()["passed"] == 4
    assert len(report.verified) == 3


def test_conflicting_fixes_of_one_file_are_fused_by_the_model(sandbox, tmp_path):
    repo = fixture_repo("one_file_two_bugs", tmp_path)
    original = (repo / "helpers.py").read_text()
    # Each answer fixes one function and rewrites the other one (still wrong): the two
    # changes overlap, so no line merge is possible and the model must combine them.
    shout_fixed = original.replace("text.lower()", "text.upper()").replace("x * 2", "2 * x")
    square_fixed = original.replace("x * 2", "x * x").replace('text.lower() + "!"', 'text.lower() + "!" * 1')
    both = original.replace("text.lower()", "text.upper()").replace("x * 2", "x * x")

    def answer(messages, sample):
        if "Combine all of their fixes" in messages[-1]["content"]:
            return fenced(both)
        return fenced(shout_fixed if sample == 0 else square_fixed)

    llm = ScriptedLLM(answer)
    report = Suggester(llm, sandbox, SuggestConfig(samples=2), model="scripted").run(repo)
    assert [c.tag for c in llm.calls] == ["suggest/fixer", "suggest/fixer", "suggest/fuser"]
    fuse_prompt = llm.calls[2].last_user
    assert "## Version 1: makes tests/test_helpers.py::test_shout pass" in fuse_prompt
    assert "## Version 2: makes tests/test_helpers.py::test_square pass" in fuse_prompt
    assert report.suggestion.origin == "fuser"
    assert report.suggestion.patches[0].after == both
    assert sorted(report.suggestion.fixed) == ["tests/test_helpers.py::test_shout", "tests/test_helpers.py::test_square"]


def test_a_failing_fuser_still_leaves_the_best_single_fix(sandbox, tmp_path):
    repo = fixture_repo("one_file_two_bugs", tmp_path)
    original = (repo / "helpers.py").read_text()
    answers = [
        fenced(original.replace("text.lower()", "text.upper()").replace("x * 2", "2 * x")),
        fenced(original.replace("x * 2", "x * x").replace('text.lower() + "!"', 'text.lower() + "!" * 1')),
    ]
    llm = ScriptedLLM(answers, failures={2: "timeout"})
    report = Suggester(llm, sandbox, SuggestConfig(samples=2), model="scripted").run(repo)
    assert report.exit_code == 1
    assert report.suggestion.id == "c1"
    assert report.suggestion.fixed == ("tests/test_helpers.py::test_shout",)
    assert [(r.id, r.origin, r.reason) for r in report.rejected] == [
        ("c3", "fuser", "model failed: scripted timeout on call 2 (model scripted, tag 'suggest/fuser')")
    ]
