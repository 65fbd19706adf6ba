"""Float tolerance for data sets that compare results approximately (EvalPlus-style ``atol``)."""

from __future__ import annotations

import math

__all__ = ["approx_equal"]


def _is_number(v: object) -> bool:
    return type(v) in (int, float)


def approx_equal(actual: object, expected: object, atol: float = 0.0, rtol: float = 1e-7) -> bool:
    """``actual`` matches ``expected``: numbers within ``atol + rtol * |expected|`` when either is a
    float (nan matches nan), lists and tuples element by element with the same kind and length,
    anything else with ``==``. As EvalPlus does, ``atol`` 0 with a float expected means 1e-6.

    \b
    >>> approx_equal([1.0000001, (2, 3.0)], [1.0, (2, 3.0)])
    True
    >>> approx_equal(0.1 + 0.2, 0.3, atol=0.0), approx_equal(1.01, 1.0, atol=1e-3)
    (True, False)
    >>> approx_equal(True, 1.0), approx_equal([1.0], (1.0,))
    (False, False)
    """
    if _is_number(actual) and _is_number(expected) and float in (type(actual), type(expected)):
        a, e = float(actual), float(expected)
        if math.isnan(a) or math.isnan(e):
            return math.isnan(a) and math.isnan(e)
        if math.isinf(a) or math.isinf(e):
            return a == e
        return abs(a - e) <= (atol or 1e-6) + rtol * abs(e)
    if type(actual) in (list, tuple) and type(actual) is type(expected):
        return len(actual) == len(expected) and all(
            approx_equal(a, e, atol, rtol) for a, e in zip(actual, expected))
    if type(actual) is bool or type(expected) is bool:
        return type(actual) is type(expected) and actual == expected
    return actual == expected
