"""The problems shipped in problems/: shape requirements, and every one validates in the sandbox."""

from __future__ import annotations

from collections import Counter

import pytest

from archon_code.problems import load_problems
from archon_code.problems.validate import validate_problem
from archon_code.resources import resource_dir

SHIPPED = load_problems(resource_dir("problems"))


def test_at_least_twelve_problems():
    assert len(SHIPPED) >= 12


@pytest.mark.parametrize("problem", SHIPPED, ids=[p.id for p in SHIPPED])
def test_each_problem_is_complete(problem):
    assert problem.statement.strip()
    assert len(problem.public_tests) >= 2
    assert len(problem.hidden_tests) >= 4
    assert any(s.correct for s in problem.solutions)
    assert problem.origin.endswith(f"{problem.id}.yaml")


def test_required_kinds_are_present():
    by_id = {p.id: p for p in SHIPPED}
    checkers = Counter(p.checker.type for p in SHIPPED)
    assert checkers["float"] >= 1 and checkers["custom"] >= 1
    assert any(p.style == "function" and p.entry_point for p in SHIPPED)
    assert any(s.lang == "cpp" and s.correct for p in SHIPPED for s in p.solutions)
    assert len([p for p in SHIPPED if "easy" in p.tags]) >= 3
    assert "multiple-test-cases" in by_id["gcd-lcm"].tags
    big = max(len(t.input) for t in by_id["max-subarray"].hidden_tests)
    assert 1_000_000 <= big <= 1_500_000


def test_large_input_problem_ships_a_naive_incorrect_solution():
    problem = next(p for p in SHIPPED if p.id == "max-subarray")
    assert problem.time_limit_s <= 2
    assert any(not s.correct and "for r in range(l, n)" in s.source for s in problem.solutions)


@pytest.mark.parametrize("problem", SHIPPED, ids=[p.id for p in SHIPPED])
def test_shipped_problem_validates(judge, problem):
    report = validate_problem(judge, problem)
    assert report.reasons == ()
    assert report.ok is True
