"""Test-only helpers for bench tests: made-up problems and a one-call solver seam.

``one_shot_solver`` stands where :class:`ArchitectureRunner` stands in real runs: it asks
the (scripted) LLM once and judges the answer on the public tests with the real judge.
"""

from __future__ import annotations

import re
from typing import Optional

from archon_code.architecture.runner import SolveResult
from archon_code.llm.base import Usage
from archon_code.types import Candidate, Problem, TestCase

FUNCTION_NAMES = ("double", "triple", "square", "negate", "halve", "inc")
_BODIES = {"double": "2 * x", "triple": "3 * x", "square": "x * x", "negate": "-x", "halve": "x // 2",
           "inc": "x + 1"}
HIDDEN_MARK = "HIDDEN-SENTINEL"


def make_problem(name: str) -> Problem:
    """A function-style problem whose hidden tests carry a sentinel comment."""
    body = _BODIES[name]
    public = TestCase(input=f"assert {name}(3) == {eval(body, {'x': 3})}")
    hidden = tuple(
        TestCase(input=f"# {HIDDEN_MARK} {name} {x}\nassert {name}({x}) == {eval(body, {'x': x})}", kind="hidden")
        for x in (-7, 0, 12, 1000)
    )
    return Problem(id=name, statement=f"Write {name}(x) returning {body} for an integer x.", style="function",
                   entry_point=name, public_tests=(public,), hidden_tests=hidden)


def right_answer(name: str) -> str:
    return f"```python\ndef {name}(x):\n    return {_BODIES[name]}\n```"


def wrong_on_hidden(name: str) -> str:
    """Passes the public test (x = 3) only."""
    value = eval(_BODIES[name], {"x": 3})
    return f"```python\ndef {name}(x):\n    return {value}\n```"


def Outcome(*, program: Optional[Candidate], public_passed: int, public_total: int, usage: Usage,
            candidates_seen: int = 1, candidates: tuple[Candidate, ...] = ()) -> SolveResult:
    """The :class:`SolveResult` a one-shot run returns (the real type, with a stand-in's defaults)."""
    return SolveResult(problem_id="", architecture="one-shot", model="scripted", program=program,
                       public_passed=public_passed, public_total=public_total, usage=usage, seconds=0.0,
                       candidates_seen=candidates_seen, early_exit=False, stopped_by_budget=None,
                       trace_path=None, candidates=candidates)


def one_shot_solver(llm, judge, *, model: str = "scripted"):
    def solve(problem: Problem) -> SolveResult:
        prompt = problem.statement + "\n" + "\n".join(t.input for t in problem.tests("all"))
        completion = llm.complete([{"role": "user", "content": prompt}], model=model, tag="one-shot")
        match = re.search(r"```(?:python)?\n(.*?)```", completion.text, re.S)
        if not match:
            return Outcome(program=None, public_passed=0, public_total=len(problem.public_tests),
                           usage=completion.usage, candidates_seen=0)
        candidate = Candidate(id="c0", source=match.group(1))
        verdict = judge.judge(problem, candidate, problem.public_tests)
        return Outcome(program=candidate, public_passed=verdict.passed, public_total=len(problem.public_tests),
                       usage=completion.usage)

    return solve
