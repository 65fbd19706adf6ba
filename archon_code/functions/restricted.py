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

from archon_code.functions.limits import EvalLimit, Unsupported, check_binop, check_spread, checked_call, units

__all__ = ["EvalLimit", "Evaluator", "PENDING", "Unsupported", "units"]


class _Pending:
    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


PENDING = _Pending()
"""The result of an entry-point call not known yet (plan mode)."""

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
        if any(i is PENDING for i in items):
            return PENDING
        check_spread(items)  # {*result}
        return set(items)

    def _Dict(self, node: ast.Dict) -> object:
        if any(k is None for k in node.keys):
            raise Unsupported("** in a dict display")
        keys, values = self._seq(node.keys), self._seq(node.values)
        if any(v is PENDING for v in keys + values):
            return PENDING
        check_spread(keys)
        return dict(zip(keys, values))

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
        check_binop(type(node.op), a, b)
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
            return checked_call(getattr(fn, method), args, kwargs)
        if id(fn) not in _CALLABLE_IDS and not isinstance(fn, _LambdaFunction):
            raise Unsupported("calling a value that is not a whitelisted function")
        return checked_call(fn, args, kwargs)



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
