"""The scripted stand-in behaves as documented (other helpers' unit tests rely on it)."""

from __future__ import annotations

import pytest

from archon_code.errors import LLMError
from archon_code.llm.base import LLM, Usage
from tests.support.scripted_llm import ScriptedLLM, ScriptedRateLimit, ScriptedTimeout


def _user(text: str) -> list[dict]:
    return [{"role": "system", "content": "sys!"}, {"role": "user", "content": text}]


def test_list_answers_in_order_then_exhausted():
    llm = ScriptedLLM(["first", "second"])
    assert isinstance(llm, LLM)
    assert llm.complete(_user("a"), model="m").text == "first"
    assert llm.complete(_user("b"), model="m", sample=3, tag="t").text == "second"
    with pytest.raises(LLMError, match="script exhausted after 2 answers"):
        llm.complete(_user("c"), model="m")
    assert [c.sample for c in llm.calls] == [0, 3]
    assert [c.last_user for c in llm.calls] == ["a", "b"]


def test_callable_receives_messages_and_sample():
    llm = ScriptedLLM(lambda messages, sample: f"{messages[-1]['content']}#{sample}")
    assert llm.complete(_user("hi"), model="m", sample=2).text == "hi#2"


def test_dict_matches_substring_of_last_user_message():
    llm = ScriptedLLM({"write tests": "T", "solve": "S", "": "fallback"})
    assert llm.complete(_user("please write tests now"), model="m").text == "T"
    assert llm.complete(_user("solve it"), model="m").text == "S"
    assert llm.complete(_user("other"), model="m").text == "fallback"
    with pytest.raises(LLMError, match="no scripted answer matches"):
        ScriptedLLM({"x": "y"}).complete(_user("zzz"), model="m")


def test_scripted_failures_and_usage_accounting():
    llm = ScriptedLLM(["12345678"], failures={0: "rate_limit", 1: "timeout", 2: "error"})
    with pytest.raises(ScriptedRateLimit):
        llm.complete(_user("u"), model="m")
    with pytest.raises(ScriptedTimeout):
        llm.complete(_user("u"), model="m")
    with pytest.raises(LLMError, match="scripted LLM error on call 2"):
        llm.complete(_user("u"), model="m")
    done = llm.complete(_user("12345678"), model="m", tag="layer1/gen")
    assert done.text == "12345678"
    # prompt: "sys!" -> 1, "12345678" -> 2; completion "12345678" -> 2
    assert done.usage == Usage(calls=1, prompt_tokens=3, completion_tokens=2)
    assert llm.usage == Usage(calls=1, prompt_tokens=3, completion_tokens=2)
    assert llm.usage_by_tag["layer1/gen"] == Usage(calls=1, prompt_tokens=3, completion_tokens=2)
    assert [c.failure for c in llm.calls] == ["rate_limit", "timeout", "error", None]


def test_unknown_failure_kind_is_rejected():
    with pytest.raises(ValueError, match="failures\\[1\\]: unknown kind 'boom'"):
        ScriptedLLM(["x"], failures={1: "boom"})
