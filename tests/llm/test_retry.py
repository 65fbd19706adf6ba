"""One-line error text and the transient/permanent split."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archon_code.llm.retry import Transient, classify, describe, one_line


@pytest.mark.parametrize(
    "raw, line",
    [
        (
            "litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: "
            "OpenAIException - request (6030 tokens) exceeds the available context size (4096 tokens)",
            "request (6030 tokens) exceeds the available context size (4096 tokens)",
        ),
        ("litellm.RateLimitError: RateLimitError: OpenAIException - slow down", "slow down"),
        ("\n\n  first line  \nsecond", "first line"),
        ("", "Exception"),
    ],
)
def test_one_line_strips_wrapper_noise(raw, line):
    assert one_line(Exception(raw)) == line


@given(st.text(), st.integers(10, 400))
def test_one_line_is_one_bounded_line(text, limit):
    line = one_line(Exception(text), limit)
    assert "\n" not in line and "\r" not in line
    assert 0 < len(line) <= limit


def test_classify_transient_and_bugs():
    assert classify(Transient("no choices in the answer"), 5) == (
        "returned a malformed response",
        "no choices in the answer",
    )
    with pytest.raises(KeyError):
        classify(KeyError("a bug in the caller"), 5)


def test_describe_grammar():
    exc = Exception("x")
    assert describe("m", "http://h/v1", exc, ("timed out", "no answer within 5s"), 1) == (
        "model m timed out at http://h/v1: no answer within 5s (after 1 attempt)"
    )
    assert describe("m", "http://h/v1", exc, None, 1) == "model m failed at http://h/v1: x"
