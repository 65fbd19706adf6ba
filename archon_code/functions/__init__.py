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

__all__ = [
    "AssertCheck",
    "Call",
    "CallOutcome",
    "FunctionPlan",
    "HarnessReport",
    "UncheckableTest",
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

FunctionCheck = Union[AssertCheck]


def plan_test(test_code: str, entry_point: str, trusted: bool) -> FunctionCheck:
    """The check for one function test: plain asserts when the code is plain (always tried
    first), else trusted check code run on the host (only when ``trusted``); raises
    :class:`UncheckableTest` otherwise (LLM-written tests must be plain asserts).
    """
    try:
        return AssertCheck(plan_asserts(test_code, entry_point))
    except UncheckableTest:
        if not trusted:
            raise
    raise UncheckableTest("trusted checks are not implemented yet")
