"""Shared values for component tests: a small stdio problem, candidates, verdict rows."""

from __future__ import annotations

import pytest

from archon_code.components import State
from archon_code.types import Candidate, Judgement, Problem, TestCase, TestResult, Verdict

ADD = "a, b = map(int, input().split())\nprint(a + b)\n"
SUB = "a, b = map(int, input().split())\nprint(a - b)\n"
CRASH = "raise SystemExit(3)\n"


def fenced(code: str) -> str:
    return f"Here you go:\n```python\n{code}```\n"


def make_problem(**update) -> Problem:
    base = Problem(
        id="add",
        title="Add",
        statement="Read two integers a and b on one line and print a+b.",
        public_tests=(TestCase(input="1 2\n", output="3\n"), TestCase(input="5 5\n", output="10\n")),
        hidden_tests=(TestCase(input="HIDDEN-INPUT-7c1\n", output="HIDDEN-OUTPUT-7c1\n", kind="hidden"),),
    )
    return base.model_copy(update=update)


def judgement(cid: str, verdicts: str, kinds: str = "", stdout: tuple = ()) -> Judgement:
    """``verdicts`` like "AA W": one letter per test (A=AC, W=WA, R=RE, T=TLE); ``kinds`` p/g per test."""
    letters = {"A": Verdict.AC, "W": Verdict.WA, "R": Verdict.RE, "T": Verdict.TLE}
    rows = []
    for i, letter in enumerate(verdicts.replace(" ", "")):
        kind = "generated" if kinds and kinds[i] == "g" else "public"
        rows.append(TestResult(index=i, kind=kind, verdict=letters[letter],
                               stdout=stdout[i] if i < len(stdout) else ""))
    overall = next((r.verdict for r in rows if r.verdict is not Verdict.AC), Verdict.AC)
    return Judgement(candidate_id=cid, verdict=overall, tests=tuple(rows))


def state_with(candidates: dict[str, str], verdicts: dict[str, Judgement], tests=()) -> State:
    cands = tuple(Candidate(id=cid, source=src) for cid, src in candidates.items())
    n = len(make_problem().public_tests) + len(tests)
    return State(candidates=cands, verdicts=verdicts, tests=tuple(tests),
                 coverage={cid: n for cid in verdicts})


@pytest.fixture
def problem() -> Problem:
    return make_problem().without_hidden()
