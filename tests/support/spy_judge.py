"""A judge for tests that delegates to the real one and records every call."""

from __future__ import annotations

from typing import NamedTuple, Sequence

from archon_code.functions import Call, CallOutcome
from archon_code.judge import JudgeLike
from archon_code.types import Candidate, ExecResult, Judgement, Problem, TestCase

__all__ = ["SpyCall", "SpyJudge"]


class SpyCall(NamedTuple):
    """One call: the problem, the tests (``run_inputs``' inputs and ``call_function``'s calls as
    generated tests) and the sources run."""

    problem: Problem
    tests: tuple[TestCase, ...]
    sources: tuple[str, ...]


class SpyJudge:
    """The real judge (``inner``); ``calls`` holds every :class:`SpyCall` in order."""

    def __init__(self, inner: JudgeLike):
        self.inner = inner
        self.calls: list[SpyCall] = []
        sandbox = getattr(inner, "sandbox", None)
        self.workers = sandbox.workers if sandbox is not None else 1

    def judge(self, problem: Problem, candidate: Candidate, tests: Sequence[TestCase]) -> Judgement:
        self.calls.append(SpyCall(problem, tuple(tests), (candidate.source,)))
        return self.inner.judge(problem, candidate, tests)

    def judge_many(self, problem: Problem, candidates: Sequence[Candidate],
                   tests: Sequence[TestCase]) -> list[Judgement]:
        self.calls.append(SpyCall(problem, tuple(tests), tuple(c.source for c in candidates)))
        return self.inner.judge_many(problem, candidates, tests)

    def call_function(self, problem: Problem, candidate: Candidate, calls: Sequence[Call]) -> list[CallOutcome]:
        tests = tuple(TestCase(input=c.model_dump_json(), kind="generated") for c in calls)
        self.calls.append(SpyCall(problem, tests, (candidate.source,)))
        return self.inner.call_function(problem, candidate, calls)

    def run_inputs(self, problem: Problem, candidate: Candidate, inputs: Sequence[str]) -> list[ExecResult]:
        tests = tuple(TestCase(input=i, kind="generated") for i in inputs)
        self.calls.append(SpyCall(problem, tests, (candidate.source,)))
        return self.inner.run_inputs(problem, candidate, inputs)
