"""Plain assert tests decided on the host, never executed.

Phase 1, :func:`plan_asserts`: parse the test code (``import math`` / ``from math import
isclose`` setup lines and ``assert`` statements only), evaluate it with the restricted
evaluator in plan mode and collect every call of the entry point, with its plain-data
arguments, in evaluation order. Phase 2, :func:`evaluate`: evaluate every assert again
with each entry-point call replaced by the decoded result the sandbox reported. Results
are plain data, so the comparison is the test's own (``==``, set equality,
``math.isclose``...) and no candidate-defined ``__eq__`` ever runs.

\b
>>> plan = plan_asserts("assert add(2, 3) == 5", "add")
>>> [c.to_json() for c in plan.calls]
[{'args': [2, 3], 'kwargs': {}}]
>>> evaluate(plan, [CallOutcome(index=0, status="value", value=6)])
(False, 'add(2, 3) returned 6, expected 5')
"""

from __future__ import annotations

import ast
import math
from typing import Optional, Sequence

from archon_code.functions.codec import short_repr
from archon_code.functions.models import Call, CallOutcome, FunctionPlan, UncheckableTest
from archon_code.functions.restricted import PENDING, EvalLimit, Evaluator, Unsupported

__all__ = ["AssertCheck", "evaluate", "plan_asserts"]

MAX_CODE_CHARS = 1_000_000
"""Longest assert test accepted."""
MAX_CALLS = 10_000
"""Most entry-point calls in one test."""


class _Parsed:
    """The asserts of a test, the names its setup bound, and its entry-point calls."""

    def __init__(self, code: str, entry_point: str) -> None:
        if len(code) > MAX_CODE_CHARS:
            raise UncheckableTest(f"the test is longer than {MAX_CODE_CHARS} characters")
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            raise UncheckableTest(f"the test does not parse: {str(exc)[:200]}") from None
        self.code, self.entry_point = code, entry_point
        self.names: dict = {}
        self.asserts: list[ast.Assert] = []
        for stmt in tree.body:
            self._statement(stmt)
        if not self.asserts:
            raise UncheckableTest("the test has no assert")
        self.calls: list[Call] = []
        self.nodes: dict[int, int] = {}
        for stmt in self.asserts:
            self._plan(stmt)
        if not self.calls:
            raise UncheckableTest(f"the test never calls {entry_point}")

    def _statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assert):
            self.asserts.append(stmt)
        elif isinstance(stmt, ast.Import) and all(a.name == "math" for a in stmt.names):
            self.names.update({a.asname or "math": math for a in stmt.names})
        elif isinstance(stmt, ast.ImportFrom) and stmt.module == "math" and stmt.level == 0:
            for a in stmt.names:
                if a.name == "*" or not hasattr(math, a.name):
                    raise UncheckableTest(f"line {stmt.lineno}: from math import {a.name}")
                self.names[a.asname or a.name] = getattr(math, a.name)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            pass  # a docstring or comment string
        elif not isinstance(stmt, ast.Pass):
            raise UncheckableTest(f"line {stmt.lineno}: not a plain assert ({type(stmt).__name__})")

    def _plan(self, stmt: ast.Assert) -> None:
        def on_call(node: ast.Call, args: list, kwargs: dict) -> object:
            if any(v is PENDING for v in [*args, *kwargs.values()]):
                raise UncheckableTest(f"line {node.lineno}: the arguments of {self.entry_point} are not "
                                      "literal plain data")
            if len(self.calls) >= MAX_CALLS:
                raise UncheckableTest(f"more than {MAX_CALLS} calls")
            try:
                call = Call.of(*args, **kwargs)
            except ValueError as exc:
                raise UncheckableTest(f"line {node.lineno}: an argument is not plain data ({exc})") from None
            self.nodes[id(node)] = len(self.calls)
            self.calls.append(call)
            return PENDING

        try:
            Evaluator(self.entry_point, on_call, self.names, planning=True).eval(stmt.test)
        except Unsupported as exc:
            raise UncheckableTest(f"line {stmt.lineno}: not a plain assert ({exc})") from None
        except EvalLimit as exc:
            raise UncheckableTest(f"line {stmt.lineno}: the test exceeds the evaluator's limits ({exc})") from None
        except RecursionError:
            raise UncheckableTest(f"line {stmt.lineno}: the assert is nested too deeply") from None


def plan_asserts(code: str, entry_point: str) -> FunctionPlan:
    """The calls a plain assert test makes, in evaluation order; raises UncheckableTest."""
    parsed = _Parsed(code, entry_point)
    return FunctionPlan(kind="asserts", code=code, entry_point=entry_point, calls=tuple(parsed.calls))


class _Failed(Exception):
    """An entry-point call that gave no plain value: the assert fails with this message."""


def evaluate(plan: FunctionPlan, outcomes: Sequence[CallOutcome]) -> tuple[bool, str]:
    """Decide the test from the calls' outcomes: ``(passed, message)``; message is "" on a pass."""
    parsed = _Parsed(plan.code, plan.entry_point)
    if tuple(parsed.calls) != plan.calls:
        raise ValueError("the plan does not belong to its code")
    by_index = {o.index: o for o in outcomes}
    for stmt in parsed.asserts:
        message = _evaluate_one(parsed, stmt, by_index)
        if message is not None:
            return False, message
    return True, ""


def _evaluate_one(parsed: _Parsed, stmt: ast.Assert, outcomes: dict[int, CallOutcome]) -> Optional[str]:
    seen: list[int] = []

    def on_call(node: ast.Call, args: list, kwargs: dict) -> object:
        index = parsed.nodes[id(node)]
        seen.append(index)
        outcome = _outcome(outcomes, index)
        if outcome.status != "value":
            raise _Failed(f"{parsed.calls[index].describe(parsed.entry_point)} {outcome.describe()}")
        return outcome.value

    try:
        result = Evaluator(parsed.entry_point, on_call, parsed.names).eval(stmt.test)
        if bool(result):
            return None
    except _Failed as exc:
        return str(exc)
    except (Unsupported, EvalLimit) as exc:
        return _with_calls(f"line {stmt.lineno}: the result cannot be checked ({exc})", parsed, seen, outcomes)
    except Exception as exc:  # the assert raised, as it would have in Python: a failure
        return _with_calls(f"line {stmt.lineno}: the assert raised {type(exc).__name__}: {str(exc)[:200]}",
                           parsed, seen, outcomes)
    return _failure_message(parsed, stmt, seen, outcomes)


def _outcome(outcomes: dict[int, CallOutcome], index: int) -> CallOutcome:
    return outcomes.get(index) or CallOutcome(index=index, status="missing")


def _with_calls(message: str, parsed: _Parsed, seen: list[int], outcomes: dict[int, CallOutcome]) -> str:
    shown = [f"{parsed.calls[i].describe(parsed.entry_point)} {_outcome(outcomes, i).describe()}" for i in seen[:3]]
    return "; ".join([message, *shown])


def _failure_message(parsed: _Parsed, stmt: ast.Assert, seen: list[int], outcomes: dict[int, CallOutcome]) -> str:
    test = stmt.test
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
            and len(seen) == 1):
        for call_node, other in ((test.left, test.comparators[0]), (test.comparators[0], test.left)):
            if id(call_node) in parsed.nodes and id(other) not in parsed.nodes:
                expected = _constant(parsed, other)
                if expected is not PENDING:
                    index = parsed.nodes[id(call_node)]
                    return (f"{parsed.calls[index].describe(parsed.entry_point)} "
                            f"{_outcome(outcomes, index).describe()}, expected {short_repr(expected)}")
    source = ast.get_source_segment(parsed.code, test) or ast.dump(test)[:200]
    source = source if len(source) <= 200 else source[:197] + "..."
    return _with_calls(f"line {stmt.lineno}: assert {source} failed", parsed, seen, outcomes)


def _constant(parsed: _Parsed, node: ast.AST) -> object:
    def no_call(*_: object) -> object:
        return PENDING

    try:
        return Evaluator(parsed.entry_point, no_call, parsed.names, planning=True).eval(node)
    except Exception:
        return PENDING


class AssertCheck:
    """A plain assert test as a check: one round of calls, then the verdict.

    The same two methods as :class:`~archon_code.functions.trusted.TrustedCheck`.
    """

    def __init__(self, plan: FunctionPlan) -> None:
        self.plan = plan

    @property
    def calls(self) -> tuple[Call, ...]:
        """Every call asked for so far."""
        return self.plan.calls

    def next_calls(self, outcomes: Sequence[CallOutcome]) -> tuple[Call, ...]:
        """The calls still to make given the outcomes so far (all of them, then none)."""
        return self.plan.calls[len(outcomes):]

    def verdict(self, outcomes: Sequence[CallOutcome]) -> tuple[bool, str]:
        """``(passed, message)`` from the outcomes of every call."""
        return evaluate(self.plan, outcomes)
