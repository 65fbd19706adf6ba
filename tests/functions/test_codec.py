"""The plain-data codec shared by the harness and the host."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code.functions import Call, canonical, decode, encode, short_repr
from archon_code.functions.codec import harness

hashable = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=-(1 << 300), max_value=1 << 300)
    | st.floats(allow_nan=False) | st.text() | st.binary(),
    lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=4), max_leaves=10)
plain = st.recursive(
    hashable | st.floats(allow_nan=True) | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner) | st.dictionaries(hashable, inner, max_size=4)
                   | st.sets(hashable, max_size=4) | st.frozensets(hashable, max_size=4)),
    max_leaves=20)


def same(a: object, b: object) -> bool:
    """Equal with the same types all the way down (nan equals nan, -0.0 differs from 0.0)."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a) and all(
            same(x, y) for x, y in zip(a, b))
    if type(a) in (set, frozenset):
        return canonical(encode(a)) == canonical(encode(b))
    return a == b


@settings(max_examples=200, deadline=None)
@given(plain)
def test_round_trip_keeps_value_and_types(value: object) -> None:
    text = canonical(encode(value))
    assert same(decode(__import__("json").loads(text)), value)


@given(st.sets(st.text(), max_size=6))
def test_equal_sets_encode_identically_whatever_the_order(value: set) -> None:
    assert canonical(encode(value)) == canonical(encode(set(sorted(value, reverse=True))))


def test_encodings_are_tagged_and_unambiguous() -> None:
    assert encode({"$t": [1]}) == {"$d": [["$t", [1]]]}
    assert encode((1,)) == {"$t": [1]}
    assert encode(b"\x00") == {"$b": "AA=="}
    assert encode(1 << 60) == {"$i": "1000000000000000"}
    assert encode(-(1 << 60)) == {"$i": "-1000000000000000"}
    assert encode(float("-inf")) == {"$f": "-inf"}
    assert encode(-0.0) == -0.0 and math.copysign(1, encode(-0.0)) == -1
    assert encode({2, 1}) == {"$s": [1, 2]}
    assert decode(encode(10 ** 5000)) == 10 ** 5000


class Sneaky(int):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = int.__hash__


class Thing:
    pass


@pytest.mark.parametrize("value,name", [
    (Sneaky(3), "Sneaky"), ([1, Sneaky(3)], "Sneaky"), (Thing(), "Thing"), ({1: Thing()}, "Thing"),
    (range(3), "range"), ((x for x in ()), "generator"), (1j, "complex"), (type("S", (str,), {})("a"), "S"),
    (Ellipsis, "ellipsis"), ({"a": print}, "builtin_function_or_method"),
])
def test_non_plain_values_are_refused_by_type(value: object, name: str) -> None:
    with pytest.raises(harness().Unserializable) as info:
        encode(value)
    assert info.value.args[0] == name


def test_depth_and_size_limits() -> None:
    deep: list = []
    for _ in range(harness().MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(harness().Unserializable, match="too deep"):
        encode(deep)
    with pytest.raises(harness().Unserializable, match="too large"):
        encode(["x" * 1000] * 5000)
    with pytest.raises(ValueError, match="too deep"):
        decode(__import__("json").loads("[" * 300 + "]" * 300))


@pytest.mark.parametrize("obj", [
    {"$x": 1}, {"$t": 1}, {"$d": [[1]]}, {"$d": [[1, 2, 3]]}, {"a": 1}, {"$t": [1], "$s": [1]}, {"$i": ""},
    {"$f": "1.5"}, {"$b": "!!"}, {"$s": [[1]]}, float("nan"), {"$d": [[[1], 2]]},
])
def test_invalid_encodings_are_refused(obj: object) -> None:
    with pytest.raises(ValueError):
        decode(obj)


def test_call_keys_are_type_strict_and_describe_is_bounded() -> None:
    assert len({Call.of(1).key(), Call.of(1.0).key(), Call.of(True).key(), Call.of((1,)).key()}) == 4
    assert Call.of(1, k="a").key() == Call(args=(1,), kwargs={"k": "a"}).key()
    assert Call.of([1, 2], x=b"ab").describe("f") == "f([1, 2], x=b'ab')"
    assert Call.of(10 ** 400).describe("f") == "f(<int of 1329 bits>)"
    assert len(Call.of("x" * 10_000).describe("f")) <= 200
    assert short_repr(list(range(20))) == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...]"
