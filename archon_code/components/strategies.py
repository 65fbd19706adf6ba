"""Differential inputs for function-style problems, drawn with hypothesis.

The argument types come from the literal arguments of the public tests' calls (and of the
starter code's examples) and from the entry point's annotations. Each argument gets a
:class:`Shape` (int, float, bool, str, none, list, tuple, vartuple, dict, set, or one_of),
widened around the examples (ranges doubled, lengths doubled, the examples' alphabet), and
a hypothesis strategy built from it: fresh values, mutations of an example value (small
steps, shuffles, dropped or repeated elements) and lists drawn from a small pool (so
duplicates appear). Boundary calls come first: each argument of the first example replaced
by an empty value, zero, one, one element, a duplicated element, the range ends.

Negative numbers are drawn only when an example has one: with non-negative examples they
are usually outside the function's domain, and programs that disagree on undefined inputs
would split the right answers into several behaviours.

Deterministic drawing (the design choice): the strategy is run by a ``@given`` test under
``@seed(seed)`` with no example database and only the generate phase, collecting every
value it is called with. Same hypothesis version, same seed, same examples -> same inputs.
(``strategy.example()`` is not reproducible and is meant for the REPL.)
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass, field
from typing import Optional, Sequence

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

__all__ = ["Shape", "boundary_calls", "draw", "example_calls", "function_inputs", "join", "shape_of",
           "shape_from_annotation", "signature_shapes", "strategy_for"]

MAX_LIST = 30
MAX_STR = 40
_LOCK = threading.Lock()  # hypothesis' engine is not meant to run in several threads at once


@dataclass(frozen=True)
class Shape:
    """The type of one argument and the ranges seen in the examples."""

    kind: str
    """int, float, bool, str, none, list, tuple, vartuple, dict, set, one_of, any."""
    lo: float = 0
    hi: float = 0
    """Value range (int, float) or length range (str, list, vartuple, dict, set)."""
    alphabet: str = ""
    """Characters seen in example strings."""
    items: tuple["Shape", ...] = ()
    """Element shape(s): list/vartuple/set (one), tuple (one per position), dict (key, value), one_of."""
    examples: tuple = field(default=(), compare=False)
    """Example values (for mutations)."""


ANY = Shape("any")


def shape_of(value: object) -> Shape:
    """The shape of one plain-data value."""
    if isinstance(value, bool):
        return Shape("bool", examples=(value,))
    if isinstance(value, int):
        return Shape("int", value, value, examples=(value,))
    if isinstance(value, float):
        return Shape("float", value, value, examples=(value,))
    if isinstance(value, str):
        return Shape("str", len(value), len(value), alphabet="".join(sorted(set(value))), examples=(value,))
    if value is None:
        return Shape("none")
    if isinstance(value, (list, set, frozenset, tuple)):
        elem = _join_all([shape_of(v) for v in value])
        if isinstance(value, tuple) and elem.kind == "one_of" and len(value) <= 6:
            return Shape("tuple", items=tuple(shape_of(v) for v in value), examples=(value,))
        kind = "vartuple" if isinstance(value, tuple) else "list" if isinstance(value, list) else "set"
        return Shape(kind, len(value), len(value), items=(elem,), examples=(value,))
    if isinstance(value, dict):
        keys, values = _join_all([shape_of(k) for k in value]), _join_all([shape_of(v) for v in value.values()])
        return Shape("dict", len(value), len(value), items=(keys, values), examples=(value,))
    return ANY


def _join_all(shapes: Sequence[Shape]) -> Shape:
    out = ANY
    for shape in shapes:
        out = join(out, shape)
    return out


def join(a: Shape, b: Shape) -> Shape:
    """The smallest shape holding both (ranges and alphabets widened, elements joined)."""
    if a.kind == "any":
        return b
    if b.kind == "any":
        return a
    if {a.kind, b.kind} == {"int", "float"}:
        return Shape("float", min(a.lo, b.lo), max(a.hi, b.hi), examples=a.examples + b.examples)
    if a.kind != b.kind:
        alts = (a.items if a.kind == "one_of" else (a,)) + (b.items if b.kind == "one_of" else (b,))
        return Shape("one_of", items=_merge_alternatives(alts))
    if a.kind == "one_of":
        return Shape("one_of", items=_merge_alternatives(a.items + b.items))
    if a.kind == "tuple" and len(a.items) != len(b.items):
        return Shape("vartuple", min(len(a.items), len(b.items)), max(len(a.items), len(b.items)),
                     items=(_join_all(a.items + b.items),), examples=a.examples + b.examples)
    if a.kind == "tuple":
        items = tuple(join(x, y) for x, y in zip(a.items, b.items))
    else:
        items = tuple(join(x, y) for x, y in zip(a.items, b.items)) or a.items or b.items
    return Shape(a.kind, min(a.lo, b.lo), max(a.hi, b.hi), "".join(sorted(set(a.alphabet + b.alphabet))),
                 items, a.examples + b.examples)


def _merge_alternatives(alts: Sequence[Shape]) -> tuple[Shape, ...]:
    merged: dict[str, Shape] = {}
    for alt in alts:
        merged[alt.kind] = join(merged[alt.kind], alt) if alt.kind in merged else alt
    return tuple(merged.values())


_NAMES = {"int": Shape("int", 0, 10), "float": Shape("float", 0.0, 10.0), "bool": Shape("bool"),
          "str": Shape("str", 0, 8, alphabet="abcxyz"), "None": Shape("none")}
_GENERIC = {"list": "list", "List": "list", "Sequence": "list", "Iterable": "list", "set": "set", "Set": "set",
            "tuple": "tuple", "Tuple": "tuple", "dict": "dict", "Dict": "dict", "Mapping": "dict"}


def shape_from_annotation(node: Optional[ast.expr]) -> Shape:
    """The shape an annotation names (``List[int]``, ``dict[str, float]``, ``Optional[int]``, ...)."""
    if node is None:
        return ANY
    if isinstance(node, ast.Name):
        if node.id in _NAMES:
            return _NAMES[node.id]
        return Shape(_GENERIC[node.id], 0, 5, items=(ANY, ANY) if _GENERIC[node.id] == "dict" else (ANY,)) \
            if node.id in _GENERIC else ANY
    if isinstance(node, ast.Constant) and node.value is None:
        return Shape("none")
    if not isinstance(node, ast.Subscript):
        return ANY
    name = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "")
    args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    if name == "Optional":
        return shape_from_annotation(args[0])  # None is rarely the interesting input
    if name == "Union":
        return _join_all([shape_from_annotation(a) for a in args if not _is_none(a)])
    kind = _GENERIC.get(name)
    if kind == "tuple":
        if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
            return Shape("vartuple", 0, 5, items=(shape_from_annotation(args[0]),))
        return Shape("tuple", items=tuple(shape_from_annotation(a) for a in args))
    if kind == "dict" and len(args) == 2:
        return Shape("dict", 0, 5, items=(shape_from_annotation(args[0]), shape_from_annotation(args[1])))
    if kind in ("list", "set"):
        return Shape(kind, 0, 5, items=(shape_from_annotation(args[0]),))
    return ANY


def _is_none(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or (isinstance(node, ast.Name) and node.id == "None")


def _calls_of(code: str, entry_point: str) -> list[tuple]:
    """Literal positional arguments of every call of ``entry_point`` in ``code`` and in its
    doctest lines (``>>> f(2)``, usually inside a docstring)."""
    pieces = [code] + [line.strip()[4:] for line in code.splitlines() if line.strip().startswith(">>> ")]
    found = []
    for piece in pieces:
        try:
            tree = ast.parse(piece)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == entry_point \
                    and not node.keywords:
                try:
                    found.append(tuple(ast.literal_eval(a) for a in node.args))
                except (ValueError, TypeError, SyntaxError, RecursionError):
                    continue
    return found


def example_calls(tests: Sequence[str], starter_code: Optional[str], entry_point: str) -> list[tuple]:
    """Argument tuples of the public tests' calls, then of the starter code's docstring examples."""
    calls: list[tuple] = []
    for code in list(tests) + [starter_code or ""]:
        calls += [c for c in _calls_of(code, entry_point) if c not in calls]
    return calls


def signature_shapes(starter_code: Optional[str], entry_point: str) -> Optional[list[Shape]]:
    """One shape per parameter from the starter code's ``def`` (None: no such def)."""
    try:
        tree = ast.parse(starter_code or "")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry_point:
            params = node.args.posonlyargs + node.args.args
            return [shape_from_annotation(p.annotation) for p in params]
    return None


def _widen(shape: Shape) -> Shape:
    if shape.kind in ("int", "float"):
        lo, hi = shape.lo, shape.hi
        top = max(hi * 2, 10) if hi >= 0 else 0
        bottom = min(lo * 2, -10) if lo < 0 else 0
        return Shape(shape.kind, bottom, top, examples=shape.examples)
    if shape.kind in ("str", "list", "vartuple", "set", "dict"):
        cap = MAX_STR if shape.kind == "str" else MAX_LIST
        alphabet = shape.alphabet or ("abcxyz" if shape.kind == "str" else "")
        return Shape(shape.kind, 0, min(max(shape.hi * 2, 5), cap), alphabet,
                     tuple(_widen(i) for i in shape.items), shape.examples)
    if shape.kind in ("tuple", "one_of"):
        return Shape(shape.kind, items=tuple(_widen(i) for i in shape.items), examples=shape.examples)
    return shape


def _fresh(shape: Shape) -> st.SearchStrategy:
    kind = shape.kind
    if kind == "int":
        return st.integers(int(shape.lo), int(shape.hi))
    if kind == "float":
        return st.floats(float(shape.lo), float(shape.hi), allow_nan=False, allow_infinity=False).map(
            lambda x: round(x, 3))
    if kind == "bool":
        return st.booleans()
    if kind == "none":
        return st.none()
    if kind == "str":
        return st.text(alphabet=shape.alphabet or "abc", max_size=int(shape.hi))
    if kind == "tuple":
        return st.tuples(*[strategy_for(i) for i in shape.items])
    if kind == "one_of":
        return st.one_of(*[strategy_for(i) for i in shape.items])
    if kind == "any":
        return st.integers(0, 10)
    size = int(shape.hi)
    if kind == "dict":
        return st.dictionaries(strategy_for(shape.items[0]), strategy_for(shape.items[1]), max_size=size)
    elem = strategy_for(shape.items[0])
    plain = st.lists(elem, max_size=size)
    pooled = st.lists(elem, min_size=1, max_size=3).flatmap(
        lambda pool: st.lists(st.sampled_from(pool), min_size=2, max_size=max(2, size)))  # duplicates
    made = st.one_of(plain, pooled)
    if kind == "set":
        return made.map(set)
    return made.map(tuple) if kind == "vartuple" else made


def _mutations(shape: Shape) -> Optional[st.SearchStrategy]:
    """Small changes of an example value: in-domain inputs near the examples."""
    examples = [e for e in shape.examples if e is not None]
    if not examples:
        return None
    base = st.sampled_from(examples)
    if shape.kind == "int":
        low = shape.lo < 0
        return base.flatmap(lambda v: st.integers(v - 3 if low else max(0, v - 3), v + 3))
    if shape.kind in ("list", "vartuple") and shape.items:
        elem = strategy_for(shape.items[0])
        again = tuple if shape.kind == "vartuple" else list
        return base.flatmap(lambda v: st.one_of(
            st.permutations(list(v)) if v else st.just([]),
            st.lists(st.sampled_from(list(v)), max_size=len(v) + 2) if v else st.just([]),
            st.lists(elem, min_size=len(v), max_size=len(v)),
        ).map(again))
    if shape.kind == "str" and shape.alphabet:
        return base.flatmap(lambda v: st.lists(st.sampled_from(sorted(set(v + shape.alphabet))),
                                               min_size=max(0, len(v) - 2), max_size=len(v) + 2).map("".join))
    return base


def strategy_for(shape: Shape) -> st.SearchStrategy:
    """A hypothesis strategy for values of ``shape`` (fresh values and mutations of the examples)."""
    fresh = _fresh(shape)
    mutate = _mutations(shape)
    return fresh if mutate is None else st.one_of(mutate, fresh)


def _boundaries(shape: Shape) -> list:
    kind = shape.kind
    if kind in ("int", "float"):
        cast = int if kind == "int" else float
        values = [cast(0), cast(1), cast(shape.hi)] + ([cast(-1), cast(shape.lo)] if shape.lo < 0 else [])
        return list(dict.fromkeys(values))
    if kind == "str":
        first = next((c for c in shape.alphabet if c.isalnum()), (shape.alphabet or "a")[0])
        return ["", first, first * 2]
    if kind in ("list", "vartuple", "set"):
        item = _some(shape.items[0]) if shape.items else 0
        again = {"list": list, "vartuple": tuple, "set": set}[kind]
        return [again(()), again((item,)), again((item, item))]
    if kind == "dict":
        return [{}]
    if kind == "bool":
        return [False, True]
    return []


def _some(shape: Shape) -> object:
    if shape.examples:
        example = shape.examples[0]
        if shape.kind in ("list", "vartuple", "set", "str") and not example:
            return _boundaries(shape)[0]
        return example
    values = _boundaries(shape)
    return values[1] if len(values) > 1 else values[0] if values else 0


def boundary_calls(first: tuple, shapes: Sequence[Shape]) -> list[tuple]:
    """``first`` with one argument at a time replaced by each boundary value of its shape."""
    calls = []
    for position, shape in enumerate(shapes):
        for value in _boundaries(shape):
            call = first[:position] + (value,) + first[position + 1:]
            if call not in calls and call != first:
                calls.append(call)
    return calls


def draw(strategy: st.SearchStrategy, n: int, seed_value: int) -> list:
    """Up to ``n`` values of ``strategy``, the same ones for the same seed (see the module docstring)."""
    found: list = []

    @settings(max_examples=max(1, n), database=None, deadline=None, phases=[Phase.generate], derandomize=False,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @seed(seed_value)
    @given(strategy)
    def collect(value):
        found.append(value)

    with _LOCK:
        collect()
    return found[:n]


def function_inputs(tests: Sequence[str], starter_code: Optional[str], entry_point: str, n: int,
                    seed_value: int = 0) -> list[tuple]:
    """Up to ``n`` distinct argument tuples: boundary calls first, then hypothesis draws.
    The public examples themselves are left out. Empty when nothing says how to call it."""
    examples = example_calls(tests, starter_code, entry_point)
    declared = signature_shapes(starter_code, entry_point)
    arity = len(examples[0]) if examples else len(declared or [])
    if arity == 0:
        return []
    examples = [e for e in examples if len(e) == arity]
    shapes = [_join_all([shape_of(e[i]) for e in examples]) for i in range(arity)]
    if declared and len(declared) == arity:
        shapes = [s if s.kind not in ("any",) else d for s, d in zip(shapes, declared)]
    widened = [_widen(s if s.kind != "any" else Shape("int", 0, 10)) for s in shapes]
    first = examples[0] if examples else tuple(_some(s) for s in widened)
    calls = boundary_calls(first, widened)[: max(1, n // 2)]
    calls += draw(st.tuples(*[strategy_for(s) for s in widened]), 3 * n, seed_value)
    unique: list[tuple] = []
    seen = {repr(e) for e in examples}
    for call in calls:
        key = repr(call)
        if key not in seen:
            seen.add(key)
            unique.append(call)
    return unique[:n]
