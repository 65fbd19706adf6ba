"""A restricted evaluator over Python's ``ast``: plain data, a few operators, a whitelist.

It never executes the text it reads: it walks the expression and computes only what it
knows (literals, arithmetic with size bounds, comparisons, boolean operators,
subscripts, whitelisted builtins, ``math`` functions and methods of plain types). Calls
of the entry point are delegated to ``on_call``; in plan mode that returns
:data:`PENDING`, and every operation touching a pending value is pending itself.

Two kinds of refusal: :class:`Unsupported` (syntax or a name outside the whitelist, the
test is not plain) and :class:`EvalLimit` (a value would exceed the size bounds).
"""

from __future__ import annotations

import ast
import math
import operator
from typing import Callable, Optional

__all__ = ["EvalLimit", "Evaluator", "PENDING", "Unsupported", "units"]

MAX_UNITS = 4_000_000
"""Largest value built: one unit per element/character, 64 bits of an int per unit."""
MAX_BITS = 1 << 20
"""Largest int built by ``*``, ``**`` and ``<<``."""


class Unsupported(Exception):
    """Syntax or a name the evaluator does not handle."""


class EvalLimit(Exception):
    """A value would exceed the evaluator's size bounds."""


class _Pending:
    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


PENDING = _Pending()
"""The result of an entry-point call not known yet (plan mode)."""

_TYPES = (int, float, str, bool, list, tuple, dict, set, frozenset, bytes, type(None))
_MATH = {name: getattr(math, name) for name in (
    "isclose", "fabs", "sqrt", "floor", "ceil", "isnan", "isinf", "isfinite", "pi", "e", "inf", "nan")}
_METHODS = {
    str: {"lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith",
          "endswith", "count", "find", "rfind", "index", "isdigit", "isalpha", "isalnum", "isspace",
          "isupper", "islower", "title", "capitalize", "swapcase", "casefold", "join"},
    bytes: {"startswith", "endswith", "count", "find", "index", "decode"},
    list: {"count", "index"}, tuple: {"count", "index"},
    dict: {"keys", "values", "items", "get"},
    set: {"union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint"},
}
_METHODS[frozenset] = _METHODS[set]
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
           ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitAnd: operator.and_,
           ast.BitOr: operator.or_, ast.BitXor: operator.xor}
_CMPOPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
           ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
           ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Invert: operator.invert, ast.Not: operator.not_}
_SINGLETONS = (None, True, False)


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


def _check_binop(op: type, a: object, b: object) -> None:
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
    if op is ast.Mod and isinstance(a, (str, bytes)):
        raise Unsupported("%-formatting")


def _checked_call(fn: Callable, args: list, kwargs: dict) -> object:
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
        if not all(any(k is t for t in _TYPES) for k in kinds):
            raise Unsupported("isinstance with a type outside the builtins")
    if fn is type and len(args) != 1:
        raise Unsupported("type() with other than one argument")
    if fn is bytes and args and isinstance(args[0], int) and args[0] > MAX_UNITS:
        raise EvalLimit("bytes too large")
    if getattr(fn, "__name__", "") == "join" and isinstance(getattr(fn, "__self__", None), str) and args:
        items = args[0]
        count = len(items) if hasattr(items, "__len__") else MAX_UNITS
        if units(items) + len(fn.__self__) * count > MAX_UNITS:
            raise EvalLimit("join too large")
    return fn(*args, **kwargs)


_BUILTINS = {f.__name__: f for f in (
    set, frozenset, sorted, list, tuple, len, abs, round, sum, min, max, all, any, int, float, str, bool,
    isinstance, dict, bytes, reversed, type)}
_CALLABLE_IDS = {id(f) for f in (*_BUILTINS.values(), *[v for v in _MATH.values() if callable(v)])}


class Evaluator:
    """Evaluates restricted expressions; ``on_call(node, args, kwargs)`` answers entry-point calls.

    ``names`` maps the extra names a setup line bound (``math``, ``isclose``...). In plan
    mode (``planning``) an error of Python's own (TypeError, ZeroDivisionError...) makes the
    value pending instead: it is raised again, and judged, when the assert is evaluated.
    """

    def __init__(self, entry_point: str, on_call: Callable, names: Optional[dict] = None,
                 planning: bool = False) -> None:
        self.entry_point = entry_point
        self.planning = planning
        self.on_call = on_call
        self.names = {**_BUILTINS, **(names or {})}
        self.locals: list[dict] = []

    def eval(self, node: ast.AST) -> object:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(f"{type(node).__name__} expressions")
        if not self.planning:
            return method(node)
        try:
            return method(node)
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError):
            return PENDING  # plan mode: the error comes back when the assert is evaluated

    def _Constant(self, node: ast.Constant) -> object:
        if not isinstance(node.value, (int, float, str, bytes, type(None))):
            raise Unsupported(f"{type(node.value).__name__} literals")
        return node.value

    def _seq(self, nodes: list) -> list:
        out = []
        for n in nodes:
            if isinstance(n, ast.Starred):
                value = self.eval(n.value)
                out.extend([PENDING] if value is PENDING else self._iterable(value))
            else:
                out.append(self.eval(n))
        return out

    def _iterable(self, value: object) -> list:
        if not isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
            raise TypeError(f"{type(value).__name__} is not iterable")
        return list(value)

    def _List(self, node: ast.List) -> object:
        items = self._seq(node.elts)
        return PENDING if PENDING in items else items

    def _Tuple(self, node: ast.Tuple) -> object:
        items = self._seq(node.elts)
        return PENDING if any(i is PENDING for i in items) else tuple(items)

    def _Set(self, node: ast.Set) -> object:
        items = self._seq(node.elts)
        return PENDING if any(i is PENDING for i in items) else set(items)

    def _Dict(self, node: ast.Dict) -> object:
        if any(k is None for k in node.keys):
            raise Unsupported("** in a dict display")
        keys, values = self._seq(node.keys), self._seq(node.values)
        return PENDING if any(v is PENDING for v in keys + values) else dict(zip(keys, values))

    def _Name(self, node: ast.Name) -> object:
        for scope in reversed(self.locals):
            if node.id in scope:
                return scope[node.id]
        if node.id == self.entry_point or node.id not in self.names:
            raise Unsupported(f"the name {node.id!r}" + (" outside a call" if node.id == self.entry_point else ""))
        return self.names[node.id]

    def _Attribute(self, node: ast.Attribute) -> object:
        if isinstance(node.value, ast.Name) and self.names.get(node.value.id) is math and node.attr in _MATH:
            return _MATH[node.attr]
        raise Unsupported(f"the attribute {node.attr!r}")

    def _UnaryOp(self, node: ast.UnaryOp) -> object:
        value = self.eval(node.operand)
        return PENDING if value is PENDING else _UNARY[type(node.op)](value)

    def _BinOp(self, node: ast.BinOp) -> object:
        if type(node.op) not in _BINOPS:
            raise Unsupported(f"the operator {type(node.op).__name__}")
        a, b = self.eval(node.left), self.eval(node.right)
        if a is PENDING or b is PENDING:
            return PENDING
        _check_binop(type(node.op), a, b)
        return _BINOPS[type(node.op)](a, b)

    def _BoolOp(self, node: ast.BoolOp) -> object:
        result: object = None
        for i, sub in enumerate(node.values):
            result = self.eval(sub)
            if result is PENDING:  # plan mode: visit the rest for their calls
                for rest in node.values[i + 1:]:
                    self.eval(rest)
                return PENDING
            if bool(result) is isinstance(node.op, ast.Or):
                return result
        return result

    def _Compare(self, node: ast.Compare) -> object:
        for op, right in zip(node.ops, node.comparators):
            if isinstance(op, (ast.Is, ast.IsNot)) and not any(
                    isinstance(n, ast.Constant) and n.value in _SINGLETONS and type(n.value) in (bool, type(None))
                    for n in (node.left, right)):
                raise Unsupported("'is' with anything but None, True or False")
        left = self.eval(node.left)
        values = [self.eval(c) for c in node.comparators]
        if left is PENDING or any(v is PENDING for v in values):
            return PENDING
        for op, right in zip(node.ops, values):
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> object:
        test = self.eval(node.test)
        if test is PENDING:
            self.eval(node.body), self.eval(node.orelse)
            return PENDING
        return self.eval(node.body if test else node.orelse)

    def _Subscript(self, node: ast.Subscript) -> object:
        value, index = self.eval(node.value), self.eval(node.slice)
        return PENDING if value is PENDING or index is PENDING else value[index]

    def _Slice(self, node: ast.Slice) -> object:
        parts = [None if p is None else self.eval(p) for p in (node.lower, node.upper, node.step)]
        return PENDING if PENDING in parts else slice(*parts)

    def _Lambda(self, node: ast.Lambda) -> object:
        a = node.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or a.posonlyargs:
            raise Unsupported("lambda with anything but plain parameters")
        if any(isinstance(n, ast.Name) and n.id == self.entry_point for n in ast.walk(node.body)):
            raise Unsupported(f"{self.entry_point} called inside a lambda")
        return _LambdaFunction(self, [p.arg for p in a.args], node.body)

    def _Call(self, node: ast.Call) -> object:
        if any(k.arg is None for k in node.keywords):
            raise Unsupported("** arguments")
        is_entry = isinstance(node.func, ast.Name) and node.func.id == self.entry_point
        method = None
        if is_entry:
            fn = None
        elif isinstance(node.func, ast.Attribute) and not (
                isinstance(node.func.value, ast.Name) and self.names.get(node.func.value.id) is math):
            method = node.func.attr
            if not any(method in names for names in _METHODS.values()):
                raise Unsupported(f"the method {method!r}")
            fn = self.eval(node.func.value)
        else:
            fn = self.eval(node.func)
        args = self._seq(node.args)
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords}
        if is_entry:
            return self.on_call(node, args, kwargs)
        if fn is PENDING or any(v is PENDING for v in [*args, *kwargs.values()]):
            return PENDING
        if method is not None:
            if method not in _METHODS.get(type(fn), ()):
                raise Unsupported(f"the method {method!r} of {type(fn).__name__}")
            return _checked_call(getattr(fn, method), args, kwargs)
        if id(fn) not in _CALLABLE_IDS and not isinstance(fn, _LambdaFunction):
            raise Unsupported("calling a value that is not a whitelisted function")
        return _checked_call(fn, args, kwargs)



class _LambdaFunction:
    """A restricted lambda: its body evaluated by the same evaluator, parameters bound."""

    def __init__(self, evaluator: Evaluator, params: list[str], body: ast.AST) -> None:
        self.evaluator, self.params, self.body = evaluator, params, body

    def __call__(self, *values: object) -> object:
        if len(values) != len(self.params):
            raise TypeError("lambda called with the wrong number of arguments")
        self.evaluator.locals.append(dict(zip(self.params, values)))
        try:
            return self.evaluator.eval(self.body)
        finally:
            self.evaluator.locals.pop()
