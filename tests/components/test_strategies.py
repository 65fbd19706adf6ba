"""Differential-input strategies for function problems: shapes, strategies, seeded draws."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code.components.strategies import (Shape, boundary_calls, draw, example_calls, function_inputs, join,
                                               shape_from_annotation, shape_of, signature_shapes, strategy_for)
from archon_code.components.strategies import _widen

_plain = st.recursive(
    st.one_of(st.integers(-50, 50), st.floats(-5, 5, allow_nan=False), st.text("abc ", max_size=5), st.booleans()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.text("xy", max_size=2), inner, max_size=3)),
    max_leaves=8)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


@settings(max_examples=60, deadline=None)
@given(value=_plain, data=st.data())
def test_drawn_values_have_the_example_s_outer_type(value, data):
    drawn = data.draw(strategy_for(_widen(shape_of(value))))
    assert _kind(drawn) == _kind(value)


@settings(max_examples=100, deadline=None)
@given(a=_plain, b=_plain)
def test_join_is_symmetric_in_kind_and_widens_ranges(a, b):
    ab, ba = join(shape_of(a), shape_of(b)), join(shape_of(b), shape_of(a))
    assert ab.kind == ba.kind
    if ab.kind in ("int", "float"):
        assert (ab.lo, ab.hi) == (min(a, b), max(a, b))


def test_shapes_of_examples():
    assert shape_of([3, 1, 2]) == Shape("list", 3, 3, items=(Shape("int", 1, 3),))
    assert shape_of((3, 4, 5)) == Shape("vartuple", 3, 3, items=(Shape("int", 3, 5),))
    assert shape_of((1, "a")).kind == "tuple"
    assert shape_of({"a": 1.5}) == Shape("dict", 1, 1, items=(Shape("str", 1, 1, alphabet="a"),
                                                               Shape("float", 1.5, 1.5)))
    assert join(shape_of(2), shape_of(0.5)) == Shape("float", 0.5, 2)


def test_annotations_name_shapes():
    parse = lambda text: shape_from_annotation(ast.parse(text, mode="eval").body)  # noqa: E731
    assert parse("List[int]") == Shape("list", 0, 5, items=(Shape("int", 0, 10),))
    assert parse("Tuple[int, ...]").kind == "vartuple"
    assert parse("dict[str, float]").items[1] == Shape("float", 0.0, 10.0)
    assert parse("Optional[str]").kind == "str"
    starter = "from typing import List\n\ndef f(xs: List[float], t: float) -> bool:\n    ...\n"
    assert [s.kind for s in signature_shapes(starter, "f")] == ["list", "float"]
    assert signature_shapes(starter, "g") is None


def test_examples_come_from_public_asserts_and_doctests():
    tests = ["assert f([1, 2], 3) == 4", "assert f([], 0) == 0 and f(x, 1) == 2"]
    starter = 'def f(xs, k):\n    """\n    >>> f([5], 1)\n    6\n    """\n'
    assert example_calls(tests, starter, "f") == [([1, 2], 3), ([], 0), ([5], 1)]


def test_boundary_calls_replace_one_argument_at_a_time():
    shapes = [_widen(shape_of([4, 7])), _widen(shape_of(3))]
    assert boundary_calls(([4, 7], 3), shapes) == [([], 3), ([4], 3), ([4, 4], 3), ([4, 7], 0), ([4, 7], 1),
                                                   ([4, 7], 10)]


def test_negative_numbers_only_when_an_example_has_one():
    assert _widen(shape_of(5)) == Shape("int", 0, 10)
    assert _widen(shape_of(-5)) == Shape("int", -10, 0)
    positive = function_inputs(["assert f(5) == 1"], None, "f", 30, 0)
    assert positive and all(args[0] >= 0 for args in positive)


def test_draws_are_deterministic_per_seed_and_leave_out_the_examples():
    tests = ["assert f([3, 1, 2], 'ab') == 1"]
    first = function_inputs(tests, None, "f", 15, seed_value=7)
    assert first == function_inputs(tests, None, "f", 15, seed_value=7)
    assert first != function_inputs(tests, None, "f", 15, seed_value=8)
    assert len(first) == 15 and len({repr(a) for a in first}) == 15
    assert ([3, 1, 2], "ab") not in first
    assert all(isinstance(a, list) and isinstance(b, str) and set(b) <= set("ab") for a, b in first)
    assert draw(st.integers(0, 3), 3, 1) == draw(st.integers(0, 3), 3, 1)


def test_no_examples_and_no_signature_gives_no_inputs():
    assert function_inputs(["assert g(1) == 2"], None, "f", 10) == []
    annotated = function_inputs([], "def f(n: int) -> int:\n    ...\n", "f", 5)
    assert len(annotated) == 5 and all(isinstance(n, int) for (n,) in annotated)
