"""Output comparison: tokens, float and exact checkers (pure functions).

Decision: like DeepMind code_contests, the default compares whitespace-separated tokens,
because the data sets' expected outputs were whitespace-stripped by their exporters.
Custom checkers are programs; the judge runs them in the sandbox, never here.
"""

from __future__ import annotations

import math
import re

from archon_code.types import Checker

__all__ = ["check_output", "compare_exact", "compare_float", "compare_tokens", "numbers_close"]

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_SLACK = 1e-9
"""Relative slack on the tolerance so that e.g. 1.000001 vs 1 passes at 1e-6 despite binary rounding."""


def _show(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _count_message(what: str, expected: int, actual: int) -> str:
    return f"expected {expected} {what}{'' if expected == 1 else 's'}, got {actual}"


def _first_difference(want: list[str], got: list[str], unit: str) -> tuple[bool, str]:
    """Equal sequences, or False and a message naming the first differing ``unit``."""
    for index, (a, b) in enumerate(zip(want, got), start=1):
        if a != b:
            return False, f"{unit} {index}: expected {_show(a)}, got {_show(b)}"
    if len(want) != len(got):
        return False, _count_message(unit, len(want), len(got))
    return True, ""


def compare_tokens(expected: str, actual: str) -> tuple[bool, str]:
    """Whitespace-insensitive token equality; the message names the first difference."""
    return _first_difference(expected.split(), actual.split(), "token")


def _lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return (text[:-1] if text.endswith("\n") else text).split("\n")


def compare_exact(expected: str, actual: str) -> tuple[bool, str]:
    """Line-by-line equality after normalising line endings (one final newline is optional)."""
    return _first_difference(_lines(expected), _lines(actual), "line")


def _as_number(token: str) -> float | None:
    return float(token) if _NUMBER.fullmatch(token) else None


def numbers_close(expected: float, actual: float, abs_tol: float, rel_tol: float) -> bool:
    """True when the numbers differ by at most ``abs_tol`` or ``rel_tol`` times the larger
    magnitude (symmetric, like ``math.isclose``). nan equals nan; infinities must match."""
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    if math.isinf(expected) or math.isinf(actual):
        return expected == actual
    allowed = max(abs_tol, rel_tol * max(abs(expected), abs(actual)))
    return abs(expected - actual) <= allowed * (1 + _SLACK)


def compare_float(expected: str, actual: str, abs_tol: float = 1e-6, rel_tol: float = 1e-6) -> tuple[bool, str]:
    """Token by token: numeric tokens within tolerance, other tokens exactly equal."""
    want, got = expected.split(), actual.split()
    for index, (a, b) in enumerate(zip(want, got), start=1):
        x, y = _as_number(a), _as_number(b)
        same = a == b if x is None or y is None else numbers_close(x, y, abs_tol, rel_tol)
        if not same:
            return False, f"token {index}: expected {_show(a)}, got {_show(b)}"
    if len(want) != len(got):
        return False, _count_message("token", len(want), len(got))
    return True, ""


def check_output(checker: Checker, expected: str, actual: str, input_text: str = "") -> tuple[bool, str]:
    """Compare ``actual`` with ``expected`` as ``checker`` says: (accepted, why not).

    ``input_text`` is unused by the built-in checkers (custom checkers receive it in the
    sandbox). A custom checker raises ``ValueError``: the judge runs it in the sandbox.
    """
    if checker.type == "tokens":
        return compare_tokens(expected, actual)
    if checker.type == "float":
        return compare_float(expected, actual, checker.abs_tol, checker.rel_tol)
    if checker.type == "exact":
        return compare_exact(expected, actual)
    raise ValueError(f"checker type {checker.type!r} runs in the sandbox, not in check_output")
