"""Output checkers: exact messages, whitespace invariance, float tolerance boundaries."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from archon_code.problems.checkers import check_output, compare_exact, compare_float, compare_tokens, numbers_close
from archon_code.types import Checker

TOKENS = st.lists(st.text(alphabet="abc123-.xyz", min_size=1, max_size=5), max_size=8)
SPACE = st.text(alphabet=" \t\n\r", min_size=1, max_size=3)


def test_tokens_accepts_different_whitespace():
    assert compare_tokens("1 2\n3\n", "1   2 3") == (True, "")


def test_tokens_names_first_different_token():
    assert compare_tokens("4 5 5 7", "4 5 6 7") == (False, "token 3: expected '5', got '6'")


def test_tokens_counts_missing_tokens():
    assert compare_tokens("1 2 3 4", "1 2 3") == (False, "expected 4 tokens, got 3")


def test_tokens_counts_extra_token_singular():
    assert compare_tokens("1", "1 2") == (False, "expected 1 token, got 2")


def test_tokens_message_clips_long_tokens():
    ok, message = compare_tokens("a", "b" * 100)
    assert (ok, message) == (False, "token 1: expected 'a', got '" + "b" * 40 + "...'")


@given(TOKENS, st.data())
def test_tokens_whitespace_invariance(tokens, data):
    spaced = "".join(tok + data.draw(SPACE) for tok in tokens)
    assert compare_tokens(" ".join(tokens), spaced) == (True, "")


@given(TOKENS, TOKENS)
def test_tokens_symmetric_verdict(a, b):
    assert compare_tokens(" ".join(a), " ".join(b))[0] == compare_tokens(" ".join(b), " ".join(a))[0]


def test_exact_normalises_line_endings_and_final_newline():
    assert compare_exact("  #\n ##\n###\n", "  #\r\n ##\r\n###") == (True, "")


def test_exact_sees_leading_spaces():
    assert compare_exact("  #\n ##\n", "#\n##\n") == (False, "line 1: expected '  #', got '#'")


def test_exact_counts_lines():
    assert compare_exact("a\nb\n", "a\n") == (False, "expected 2 lines, got 1")


def test_exact_trailing_space_matters():
    assert compare_exact("a\n", "a \n") == (False, "line 1: expected 'a', got 'a '")


def test_float_within_absolute_tolerance():
    assert compare_float("1.0 2.5", "1.0000009 2.5") == (True, "")


def test_float_boundary_value_from_decimal_rounding_passes():
    assert compare_float("1", "1.000001", abs_tol=1e-6, rel_tol=0.0) == (True, "")


def test_float_outside_tolerance():
    assert compare_float("1.0", "1.00001") == (False, "token 1: expected '1.0', got '1.00001'")


def test_float_relative_tolerance_for_large_values():
    assert compare_float("1000000000", "1000000500", abs_tol=1e-6, rel_tol=1e-6) == (True, "")
    assert compare_float("1000000000", "1000002000", abs_tol=1e-6, rel_tol=1e-6)[0] is False


def test_float_words_compare_exactly():
    assert compare_float("YES 0.5", "yes 0.5") == (False, "token 1: expected 'YES', got 'yes'")


def test_float_word_against_number():
    assert compare_float("1.5", "abc") == (False, "token 1: expected '1.5', got 'abc'")


def test_float_nan_and_inf():
    assert compare_float("nan inf -inf", "NaN Inf -inf") == (True, "")
    assert compare_float("inf", "-inf") == (False, "token 1: expected 'inf', got '-inf'")
    assert compare_float("nan", "1.0")[0] is False


def test_float_token_count():
    assert compare_float("1 2", "1") == (False, "expected 2 tokens, got 1")


def test_float_underscore_numbers_are_words():
    assert compare_float("1000", "1_000") == (False, "token 1: expected '1000', got '1_000'")


FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
TOL = st.sampled_from([1e-9, 1e-6, 1e-4, 1e-2])


@given(FINITE, TOL, st.floats(min_value=0.0, max_value=0.98))
def test_float_accepts_inside_tolerance(x, tol, fraction):
    allowed = max(tol, tol * abs(x))
    y = x + fraction * allowed
    assume(abs(y - x) <= 0.98 * allowed)
    assert numbers_close(x, y, tol, tol) is True
    assert compare_float(repr(x), repr(y), tol, tol)[0] is True


@given(FINITE, TOL, st.floats(min_value=1.02, max_value=100.0))
def test_float_rejects_outside_tolerance(x, tol, factor):
    y = x + factor * max(tol, tol * abs(x)) * (1 + tol)
    assume(abs(y - x) > 1.02 * max(tol, tol * max(abs(x), abs(y))))
    assert numbers_close(x, y, tol, tol) is False


@given(FINITE, FINITE, TOL)
def test_float_symmetric(x, y, tol):
    assert numbers_close(x, y, tol, tol) == numbers_close(y, x, tol, tol)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_reflexive(x):
    assert numbers_close(x, x, 1e-6, 1e-6) is True


def test_check_output_dispatches_on_type():
    assert check_output(Checker(), "1  2", "1 2") == (True, "")
    assert check_output(Checker(type="exact"), "1  2", "1 2") == (False, "line 1: expected '1  2', got '1 2'")
    assert check_output(Checker(type="float", abs_tol=0.1, rel_tol=0.0), "1.0", "1.05") == (True, "")
    assert check_output(Checker(type="float", abs_tol=0.01, rel_tol=0.0), "1.0", "1.05")[0] is False


def test_check_output_refuses_custom():
    with pytest.raises(ValueError, match="runs in the sandbox"):
        check_output(Checker(type="custom", program="pass"), "1", "1")


def test_numbers_close_huge_values():
    assert numbers_close(1e300, 1e300 * (1 + 1e-7), 1e-6, 1e-6) is True
    assert numbers_close(1e300, 1.1e300, 1e-6, 1e-6) is False
