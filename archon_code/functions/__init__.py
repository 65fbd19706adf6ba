"""Function-style tests decided on the host (issue 8, item 3).

The sandbox only reports what the candidate's function returned for each call, as plain
data (``sandbox/harness.py``); no expected value ever enters it. The host decides:
plain asserts with a restricted evaluator that never executes test code
(:mod:`~archon_code.functions.asserts`), trusted data-set check code (HumanEval's
``check(candidate)``) by replaying the recorded results in a host subprocess
(:mod:`~archon_code.functions.trusted`).

\b
The judge's loop, the same for both kinds:
    check = plan_test(test.input, problem.entry_point, trusted=...)
    outcomes = []
    while calls := check.next_calls(outcomes):
        outcomes += run_in_sandbox(calls)          # harness.py; read_results(...)
    passed, message = check.verdict(outcomes)
"""

from __future__ import annotations

from typing import Union

from archon_code.functions.asserts import AssertCheck, evaluate, plan_asserts
from archon_code.functions.channel import HarnessReport, read_results, request_json
from archon_code.functions.codec import canonical, decode, encode, harness_path, short_repr
from archon_code.functions.models import Call, CallOutcome, FunctionPlan, UncheckableTest
from archon_code.functions.tolerance import approx_equal
from archon_code.functions.trusted import TrustedCheck

__all__ = [
    "AssertCheck",
    "Call",
    "CallOutcome",
    "FunctionPlan",
    "HarnessReport",
    "TrustedCheck",
    "UncheckableTest",
    "approx_equal",
    "canonical",
    "decode",
    "encode",
    "evaluate",
    "harness_path",
    "plan_asserts",
    "plan_test",
    "read_results",
    "request_json",
    "short_repr",
]

FunctionCheck = Union[AssertCheck, TrustedCheck]
"""Both have ``calls``, ``next_calls(outcomes) -> tuple[Call, ...]`` and ``verdict(outcomes) -> (bool, str)``."""


def plan_test(test_code: str, entry_point: str, trusted: bool, prelude: str = "") -> FunctionCheck:
    """The check for one function test: plain asserts when the code is plain (always tried
    first), else trusted check code run in a host subprocess (only when ``trusted``: the
    problem's own tests from a data set or problem file); raises :class:`UncheckableTest`
    otherwise (LLM-written tests must be plain asserts). ``prelude`` is trusted code the
    check needs (e.g. the HumanEval prompt defining ``poly``); only trusted checks use it.
    """
    try:
        return AssertCheck(plan_asserts(test_code, entry_point))
    except UncheckableTest:
        if not trusted:
            raise
    return TrustedCheck(test_code, entry_point, prelude=prelude)
