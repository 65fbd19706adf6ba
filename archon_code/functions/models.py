"""The values of host-side function checks: calls, their outcomes, plans.

A :class:`Call` holds its arguments *encoded* (the plain-data JSON of
:mod:`archon_code.functions.codec`), so it is serialisable and goes to the sandbox as is.
A :class:`CallOutcome` holds what came back, *decoded* (plain data only).
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from archon_code.errors import ProblemError
from archon_code.functions.codec import canonical, decode, encode, short_repr
from archon_code.types import Frozen

__all__ = ["Call", "CallOutcome", "FunctionPlan", "UncheckableTest"]


class UncheckableTest(ProblemError):
    """A function test the host cannot decide without running its code (not plain asserts)."""


class Call(Frozen):
    """One call of the entry point, arguments as encoded plain data."""

    args: tuple[Any, ...] = ()
    """Positional arguments, each encoded (see the codec)."""
    kwargs: dict[str, Any] = {}
    """Keyword arguments, each value encoded."""

    @classmethod
    def of(cls, *args: object, **kwargs: object) -> "Call":
        """A call with these plain-data arguments (raises Unserializable otherwise).

        \b
        >>> Call.of(2, 3).to_json()
        {'args': [2, 3], 'kwargs': {}}
        """
        return cls(args=tuple(encode(a) for a in args), kwargs={k: encode(v) for k, v in kwargs.items()})

    def to_json(self) -> dict:
        """The harness's call record: ``{"args": [...], "kwargs": {...}}``."""
        return {"args": list(self.args), "kwargs": dict(self.kwargs)}

    def key(self) -> str:
        """Canonical text of the arguments: equal plain-data arguments, equal keys
        (type-strict: ``f(1)``, ``f(1.0)`` and ``f(True)`` differ)."""
        return canonical([list(self.args), sorted(self.kwargs.items())])

    def describe(self, entry_point: str) -> str:
        """``f(2, 'a', k=[1])`` with bounded reprs."""
        parts = [short_repr(decode(a)) for a in self.args]
        parts += [f"{k}={short_repr(decode(v))}" for k, v in self.kwargs.items()]
        text = f"{entry_point}({', '.join(parts)})"
        return text if len(text) <= 200 else text[:197] + "..."


class CallOutcome(Frozen):
    """What one call gave: a plain-data value, an exception, a non-plain value or nothing."""

    index: int
    """Position of the call in the plan."""
    status: Literal["value", "error", "unserializable", "missing"]
    """value: returned ``value``; error: raised (``detail`` = ``ExcType: message``);
    unserializable: returned something not plain data (``detail`` = its type); missing:
    the program stopped before answering (exit, crash, timeout)."""
    value: Any = None
    """The decoded return value (status value only)."""
    detail: Optional[str] = None
    """The exception text or the type name."""

    def describe(self) -> str:
        """``returned 6`` / ``raised ValueError: bad`` / ..., for messages."""
        if self.status == "value":
            return f"returned {short_repr(self.value)}"
        if self.status == "error":
            return f"raised {self.detail}"
        if self.status == "unserializable":
            return f"returned something that is not plain data ({self.detail})"
        return "gave no result (the program stopped before this call)"


class FunctionPlan(Frozen):
    """What the sandbox must call, and what the host needs to decide afterwards."""

    kind: Literal["asserts", "trusted"]
    """asserts: plain asserts evaluated by the restricted evaluator; trusted: data-set check code."""
    code: str
    """The test code."""
    entry_point: str
    """The function under test."""
    calls: tuple[Call, ...] = ()
    """The calls to make, in evaluation order (for trusted checks: discovered so far)."""
