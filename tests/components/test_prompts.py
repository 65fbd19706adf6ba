"""Every prompt template renders with StrictUndefined; missing variables fail loudly."""

from __future__ import annotations

import jinja2
import pytest

from archon_code.components import render
from archon_code.components.clusters import Disagreement
from archon_code.components.feedback import FailureView
from archon_code.resources import resource_dir
from archon_code.types import Candidate
from tests.components.conftest import ADD, make_problem

TEMPLATES = sorted(p.stem for p in resource_dir("prompts").glob("*.j2") if not p.stem.startswith("_"))
"""Every template in prompts/ (partials, ``_*.j2``, are rendered through the templates that include them)."""
SUGGEST = {"suggest_fix", "suggest_fuse", "suggest_system"}
CASE = Disagreement(input="add(2, 1)", groups=(("candidate 1, candidate 2", "return 3"), ("candidate 3", "return 4")),
                    reference="return 3")
FAIL = FailureView(number=2, kind="public", verdict="WA", message="expected '10', got '0'", input="5 5\n",
                   expected="10\n", actual="0\n", stderr="Traceback: boom")


def _variables(name: str) -> dict:
    cand = Candidate(id="c", source=ADD)
    item = {"source": ADD, "passed": 1, "total": 2, "critique": "wrong sign", "failures": [FAIL]}
    return {"critic": {"candidate": cand, "failures": [FAIL], "total": 2, "disagreements": [CASE]},
            "fuser": {"items": [item], "disagreements": [CASE]},
            "unit_tests": {"num_tests": 4}, "input_generator": {"num_tests": 4},
            "differential_inputs": {"num_tests": 4},
            "ranker": {"candidates": [cand, cand]}, "verifier": {"candidate": cand},
            "suggest_fix": {"path": "calc.py", "content": "def add(a, b):\n    return a - b\n",
                            "failures": [{"id": "tests/test_calc.py::test_add", "test_source": "assert add(1, 2) == 3",
                                          "error": "AssertionError"}]},
            "suggest_fuse": {"path": "calc.py", "original": "x = 1\n",
                             "versions": [{"fixes": ["t1", "t2"], "content": "x = 2\n"}]}}.get(name, {})


def test_the_templates_are_found():
    assert {"system", "generator", "critic", "fuser", "ranker", "verifier", "suggest_fix"} <= set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("lang", ["py", "cpp"])
@pytest.mark.parametrize("style", ["stdio", "function"])
def test_template_renders_and_holds_no_hidden_test(name, lang, style):
    problem = make_problem(style=style, entry_point="add" if style == "function" else None,
                           starter_code="def add(a, b):\n    ..." if style == "function" else None)
    text = render(name, lang=lang, problem=problem.without_hidden(), **_variables(name))
    assert text.strip() != ""
    assert "HIDDEN" not in text
    if name not in ("system", "system_tests") and name not in SUGGEST:
        assert "Read two integers a and b" in text


@pytest.mark.parametrize("name", sorted(SUGGEST - {"suggest_system"}))
def test_suggest_templates_show_what_they_are_given(name):
    text = render(name, **_variables(name))
    pieces = {"suggest_fix": ["tests/test_calc.py::test_add", "assert add(1, 2) == 3", "return a - b", "`calc.py`"],
              "suggest_fuse": ["Version 1: makes t1, t2 pass", "x = 2", "x = 1"]}[name]
    assert [p for p in pieces if p not in text] == []


def test_critic_prompt_shows_the_failing_test():
    text = render("critic", lang="py", problem=make_problem().without_hidden(), **_variables("critic"))
    for piece in ("5 5", "verdict WA", "Expected output:\n```\n10\n", "Actual output:\n```\n0\n", "Traceback: boom"):
        assert piece in text


def test_missing_variable_is_an_error():
    with pytest.raises(jinja2.UndefinedError):
        render("critic", lang="py", problem=make_problem())


@pytest.mark.parametrize("name", ["critic", "fuser"])
def test_critic_and_fuser_show_the_disagreements(name):
    text = render(name, lang="py", problem=make_problem().without_hidden(), **_variables(name))
    assert ("- On input `add(2, 1)`: candidate 1, candidate 2 return 3; candidate 3 return 4; a brute-force "
            "reference solution (it passes the examples) does return 3.") in text
    quiet = {**_variables(name), "disagreements": []}
    assert "disagree" not in render(name, lang="py", problem=make_problem().without_hidden(), **quiet)
