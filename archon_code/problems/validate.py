"""Validate problems: recorded correct solutions must pass every test, incorrect ones must
be rejected. A rejected correct solution gets a likely cause (interactive, several
answers, float output, too slow in Python, ...)."""

from __future__ import annotations

import re
import time
from typing import Sequence

from pydantic import BaseModel, ConfigDict

from archon_code.errors import ProblemError
from archon_code.judge import JudgeLike
from archon_code.problems.detect import MULTIPLE_ANSWERS_TAG
from archon_code.types import Candidate, Judgement, Problem, Solution, TestCase, TestResult, Verdict

__all__ = ["ProblemReport", "likely_cause", "validate_problem"]

_FLOATISH = re.compile(r"(?<![\w.])[+-]?\d+\.\d+(?:[eE][+-]?\d+)?(?![\w.])")


class ProblemReport(BaseModel):
    """The outcome of validating one problem."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Problem id."""
    origin: str = ""
    """File (and record) the problem came from."""
    ok: bool
    """Every correct solution accepted and every incorrect one rejected."""
    reasons: tuple[str, ...] = ()
    """Why not OK, one line each."""
    solutions: int = 0
    """Solutions judged."""
    tests: int = 0
    """Tests of the problem (public + hidden + generated)."""
    test_runs: int = 0
    """Executions done: solutions x tests."""
    seconds: float = 0.0
    """Wall time spent on this problem."""


def _first_failure(judgement: Judgement) -> TestResult | None:
    return next((t for t in judgement.tests if t.verdict is not Verdict.AC), None)


def _wrong_answer_cause(problem: Problem, test: TestCase) -> str:
    if problem.style == "function":
        return "an assertion failed: the test or the solution is wrong"
    if MULTIPLE_ANSWERS_TAG in problem.tags and problem.checker.type != "custom":
        return "several answers are accepted: the problem needs a custom checker"
    if problem.checker.type not in ("float", "custom") and _FLOATISH.search(test.output or ""):
        return "float output: the problem needs the float checker"
    return "wrong answer: the expected output or the solution is wrong, or several answers are accepted"


def likely_cause(problem: Problem, solution: Solution, failed: TestResult, test: TestCase) -> str:
    """A one-line guess at why a known-correct solution was rejected on ``test``."""
    if problem.interactive:
        return "interactive problem: it cannot be judged on stdin/stdout alone"
    verdict = failed.verdict
    if verdict is Verdict.CE:
        return "the solution does not compile"
    if verdict is Verdict.TLE:
        if failed.cpu_s < 0.8 * problem.time_limit_s:
            return (f"wall-time limit hit after only {failed.cpu_s:.2f} s of CPU: the machine is overloaded "
                    "or the program waits (for input, sleep)")
        if solution.lang == "py":
            return f"too slow in Python for {problem.time_limit_s:g} s (raise time_limit_s or record a C++ solution)"
        return f"too slow for {problem.time_limit_s:g} s"
    if verdict is Verdict.MLE:
        return f"memory limit of {problem.memory_limit_mb} MB exceeded"
    if verdict is Verdict.OLE:
        return "output limit exceeded"
    if verdict is Verdict.RE:
        last = (failed.stderr.strip().splitlines() or [failed.message])[-1]
        if "RecursionError" in failed.stderr:
            return "deep recursion: Python's recursion limit or stack"
        return f"runtime error: {last[:160]}"
    return _wrong_answer_cause(problem, test)


def _describe(index: int, solution: Solution) -> str:
    return f"{'correct' if solution.correct else 'incorrect'} solution[{index}] ({solution.lang})"


def _check(problem: Problem, tests: Sequence[TestCase], index: int, solution: Solution,
           judgement: Judgement) -> str | None:
    failed = _first_failure(judgement)
    if solution.correct and failed is not None:
        where = f"test {failed.index} ({failed.kind})"
        detail = f": {failed.message}" if failed.message else ""
        cause = likely_cause(problem, solution, failed, tests[failed.index])
        return f"{_describe(index, solution)} rejected on {where}: {failed.verdict.value}{detail} (likely: {cause})"
    if not solution.correct and failed is None:
        return f"{_describe(index, solution)} accepted on all {len(tests)} tests: the tests do not catch it"
    return None


def validate_problem(judge: JudgeLike, problem: Problem) -> ProblemReport:
    """Judge every recorded solution of ``problem`` on all its tests."""
    start = time.monotonic()
    tests = problem.tests("all")
    base = {"id": problem.id, "origin": problem.origin, "tests": len(tests)}
    if not tests:
        return ProblemReport(ok=False, reasons=("the problem has no tests",), **base)
    if not any(s.correct for s in problem.solutions):
        return ProblemReport(ok=False, reasons=("no correct solution is recorded",), **base)
    candidates = [Candidate(id=f"{problem.id}/solution[{i}]", source=s.source, lang=s.lang, origin="recorded")
                  for i, s in enumerate(problem.solutions)]
    try:
        judgements = judge.judge_many(problem, candidates, tests)
    except ProblemError as exc:  # a broken custom checker is the problem's fault, not fatal
        return ProblemReport(ok=False, reasons=(str(exc),), solutions=len(candidates), **base)
    reasons = [_check(problem, tests, i, s, j) for i, (s, j) in enumerate(zip(problem.solutions, judgements))]
    reasons = [r for r in reasons if r]
    return ProblemReport(ok=not reasons, reasons=tuple(reasons), solutions=len(candidates),
                         test_runs=len(candidates) * len(tests), seconds=round(time.monotonic() - start, 3), **base)
