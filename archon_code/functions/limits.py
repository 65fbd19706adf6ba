"""Size bounds of the restricted evaluator: what a test (or a result) may make it build.

Every operation that can grow a value (``*``, ``**``, ``<<``, ``+`` of sequences,
``round``, ``sum`` of sequences, ``bytes(n)``, ``str.join``) is checked *before* it runs,
so ``10 ** 10 ** 10`` or ``[0] * 10 ** 12`` is refused in microseconds.
"""

from __future__ import annotations

import ast
from typing import Callable

__all__ = ["EvalLimit", "MAX_BITS", "MAX_UNITS", "TYPES", "Unsupported", "check_binop", "check_spread", "checked_call",
           "units"]

MAX_UNITS = 4_000_000
"""Largest value built: one unit per element/character, 64 bits of an int per unit."""
MAX_BITS = 1 << 20
"""Largest int built by ``*``, ``**`` and ``<<``."""
MAX_DIVISION = 1 << 36
"""Most (quotient bits x divisor bits) of one ``%`` or ``//`` on ints: about 0.1 s. Claimed
results may be 16M-bit ints, and ``f(2) % f(1)`` on 6M- and 3M-bit claims cost the host 13 s
(red-team round 4); no test of ordinary numbers comes near it."""


class Unsupported(Exception):
    """Syntax or a name the evaluator does not handle."""


class EvalLimit(Exception):
    """A value would exceed the evaluator's size bounds."""


TYPES = (int, float, str, bool, list, tuple, dict, set, frozenset, bytes, type(None))
"""The types ``isinstance`` may test against."""


def units(value: object, cap: int = MAX_UNITS) -> int:
    """Size of ``value`` in units, counting stops soon after ``cap``."""
    total, stack = 0, [value]
    while stack and total <= cap:
        v = stack.pop()
        total += 1
        if isinstance(v, (str, bytes)):
            total += len(v)
        elif isinstance(v, int):
            total += v.bit_length() >> 6
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
    return total


def _bits(v: object) -> int:
    return max(1, abs(v).bit_length()) if isinstance(v, int) else 0


def check_binop(op: type, a: object, b: object) -> None:
    ints = isinstance(a, int) and isinstance(b, int)
    if op is ast.Mult and ints and _bits(a) + _bits(b) > MAX_BITS:
        raise EvalLimit("int product too large")
    if op is ast.Mult and not ints:
        seq, n = (a, b) if isinstance(b, int) else (b, a)
        if isinstance(n, int) and isinstance(seq, (str, bytes, list, tuple)) and n > 0:
            if units(seq, MAX_UNITS // n + 1) * n > MAX_UNITS:
                raise EvalLimit("repeated sequence too large")
    if op is ast.Pow and ints and b > 0 and abs(a) > 1 and _bits(a) * b > MAX_BITS:
        raise EvalLimit("power too large")
    if op is ast.LShift and ints and b > 0 and _bits(a) + b > MAX_BITS:
        raise EvalLimit("shift too large")
    if op is ast.Add and isinstance(a, (str, bytes, list, tuple)) and units(a) + units(b) > MAX_UNITS:
        raise EvalLimit("concatenation too large")
    if op in (ast.Mod, ast.FloorDiv) and ints and max(0, _bits(a) - _bits(b)) * _bits(b) > MAX_DIVISION:
        raise EvalLimit("int division too large")  # schoolbook: O(quotient bits x divisor bits)
    if op is ast.Mod and isinstance(a, (str, bytes)):
        raise Unsupported("%-formatting")


def check_spread(items: object) -> None:
    """:class:`EvalLimit` when too many of ``items`` share a hash (a set or dict built from
    them would cost quadratic time: ``harness.check_spread``)."""
    from archon_code.functions.codec import harness

    try:
        harness().check_spread(items)
    except ValueError as exc:
        raise EvalLimit(str(exc)) from None


def checked_call(fn: Callable, args: list, kwargs: dict) -> object:
    owner = type(getattr(fn, "__self__", None))
    if fn in (set, frozenset) or owner in (set, frozenset):  # set(xs), s.union(xs), s.issubset(xs), ...
        # iterators (reversed(xs)) are read once, so into a list first; views (d.values()) as they are
        args = [list(a) if hasattr(a, "__next__") else a for a in args]
        for arg in args:
            if hasattr(arg, "__iter__"):
                check_spread(arg)
    if fn is dict and args and isinstance(args[0], (list, tuple)):
        check_spread(pair[0] for pair in args[0] if isinstance(pair, (list, tuple)) and len(pair) == 2)
    if fn is round and (len(args) > 1 or "ndigits" in kwargs):
        digits = args[1] if len(args) > 1 else kwargs["ndigits"]
        if isinstance(digits, int) and abs(digits) > 400:
            raise EvalLimit("round to too many digits")
    if fn is sum and (len(args) > 1 or "start" in kwargs):
        start = args[1] if len(args) > 1 else kwargs["start"]
        if not isinstance(start, (int, float)) and units(args[0]) * 2 > 100_000:
            raise EvalLimit("sum of sequences too large")
    if fn is isinstance and len(args) == 2:
        kinds = args[1] if isinstance(args[1], tuple) else (args[1],)
        if not all(any(k is t for t in TYPES) for k in kinds):
            raise Unsupported("isinstance with a type outside the builtins")
    if fn is type and len(args) != 1:
        raise Unsupported("type() with other than one argument")
    if fn is bytes and args and isinstance(args[0], int) and args[0] > MAX_UNITS:
        raise EvalLimit("bytes too large")
    if getattr(fn, "__name__", "") == "join" and isinstance(getattr(fn, "__self__", None), str) and args:
        items = args[0]
        count = len(items) if hasattr(items, "__len__") else MAX_UNITS
        if len(fn.__self__) * count > MAX_UNITS or units(items) + len(fn.__self__) * count > MAX_UNITS:
            raise EvalLimit("join too large")
    return fn(*args, **kwargs)
