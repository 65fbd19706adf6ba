"""A scripted stand-in for an LLM, for unit tests only.

It implements the :class:`archon_code.llm.base.LLM` protocol without any model: answers
come from a list (in call order), a callable ``(messages, sample) -> str`` or a dict keyed
by a substring of the last user message. Given calls can be made to fail with a scripted
``LLMError``, rate limit or timeout. Every call is recorded and accounted in :class:`Usage`
with fake token counts (``len(text) // 4``).

This module lives under ``tests/`` on purpose: it is never selectable as a model.

Example::

    llm = ScriptedLLM(["```python\\nprint(1)\\n```"])
    llm = ScriptedLLM(lambda messages, sample: f"answer {sample}")
    llm = ScriptedLLM({"write tests": "assert f(1) == 2", "": "fallback"})
    llm = ScriptedLLM(["ok"], failures={0: "rate_limit"})  # first call fails, second returns "ok"
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Callable, Mapping, Sequence, Union

from pydantic import BaseModel, ConfigDict

from archon_code.extract import cut_at_stop
from archon_code.errors import LLMError
from archon_code.llm.base import Completion, Message, Usage
from archon_code.llm.budget import BudgetMeter

__all__ = ["ScriptedCall", "ScriptedLLM", "ScriptedRateLimit", "ScriptedTimeout"]

Script = Union[Sequence[str], Callable[[Sequence[Message], int], str], Mapping[str, str]]


class ScriptedRateLimit(LLMError):
    """A scripted rate-limit failure (an :class:`LLMError`, as the real client raises after retries)."""


class ScriptedTimeout(LLMError):
    """A scripted timeout (an :class:`LLMError`, as the real client raises after retries)."""


_FAILURES = {
    "error": (LLMError, "scripted LLM error"),
    "rate_limit": (ScriptedRateLimit, "scripted rate limit (429)"),
    "timeout": (ScriptedTimeout, "scripted timeout"),
}


class ScriptedCall(BaseModel):
    """One recorded call (made or failed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    messages: tuple[dict, ...]
    model: str
    temperature: float
    max_tokens: int
    sample: int
    tag: str
    text: str | None
    """The answer, or None when the call was scripted to fail."""
    failure: str | None = None
    """``error``, ``rate_limit``, ``timeout`` or None."""
    stop: tuple[str, ...] = ()
    """The call's stop strings."""

    @property
    def last_user(self) -> str:
        return _last_user(self.messages)


def _last_user(messages: Sequence[Message]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def _fake_tokens(text: str) -> int:
    return len(text) // 4


class ScriptedLLM:
    """Deterministic LLM stand-in for unit tests.

    ``script`` is a list (answers in call order; running out raises ``LLMError``), a
    callable ``(messages, sample) -> str``, or a dict mapping a substring of the last user
    message to the answer (first matching key in insertion order; the key ``""`` matches
    everything, so put it last as a fallback). ``failures`` maps a 0-based call index to
    ``"error"``, ``"rate_limit"`` or ``"timeout"``; a failed call consumes no list answer.
    ``delay`` makes every call wait that many seconds before it answers, so that calls sent at
    once overlap; ``max_in_flight`` counts the most that did.
    """

    def __init__(self, script: Script, *, failures: Mapping[int, str] | None = None, delay: float = 0.0) -> None:
        for index, kind in (failures or {}).items():
            if kind not in _FAILURES:
                raise ValueError(f"failures[{index}]: unknown kind {kind!r}; allowed: {sorted(_FAILURES)}")
        self._script = script
        self._failures = dict(failures or {})
        self._next = 0
        self._lock = threading.Lock()
        self._delay = delay
        self._in_flight = 0
        self.max_in_flight = 0
        """Most calls in flight at once (each takes ``delay`` seconds before it answers)."""
        self.calls: list[ScriptedCall] = []
        self.usage = Usage()
        self.usage_by_tag: dict[str, Usage] = defaultdict(Usage)

    def complete(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        sample: int = 0,
        tag: str = "",
        meter: BudgetMeter | None = None,
        stop: Sequence[str] = (),
    ) -> Completion:
        """One scripted call; with ``meter`` it is reserved first and settled after, like the
        real client's attempts (a scripted failure spends one call). ``stop`` cuts the scripted
        answer where a stop string first occurs, as a server does."""
        reservation = meter.reserve(0, max_tokens) if meter is not None else None
        spent = Usage(calls=1)
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self._delay:
                time.sleep(self._delay)
            completion = self._complete(messages, model, temperature, max_tokens, sample, tag, tuple(stop))
            spent = completion.usage
            return completion
        finally:
            with self._lock:
                self._in_flight -= 1
            if meter is not None:
                meter.settle(reservation, spent)

    def _complete(self, messages: Sequence[Message], model: str, temperature: float, max_tokens: int,
                  sample: int, tag: str, stop: tuple[str, ...] = ()) -> Completion:
        with self._lock:
            index = len(self.calls)
            failure = self._failures.get(index)
            text = None if failure else cut_at_stop(self._answer(messages, sample), stop)
            self.calls.append(
                ScriptedCall(
                    messages=tuple(dict(m) for m in messages),
                    model=model,
                    temperature=temperature,
                    max_tokens=max_tokens,
                    sample=sample,
                    tag=tag,
                    text=text,
                    stop=stop,
                    failure=failure,
                )
            )
            if failure:
                cls, message = _FAILURES[failure]
                raise cls(f"{message} on call {index} (model {model}, tag {tag!r})")
            usage = Usage(
                calls=1,
                prompt_tokens=sum(_fake_tokens(str(m.get("content", ""))) for m in messages),
                completion_tokens=_fake_tokens(text),
            )
            self.usage = self.usage + usage
            self.usage_by_tag[tag] = self.usage_by_tag[tag] + usage
            return Completion(text=text, model=model, usage=usage)

    def _answer(self, messages: Sequence[Message], sample: int) -> str:
        script = self._script
        if callable(script):
            return script(messages, sample)
        if isinstance(script, Mapping):
            last = _last_user(messages)
            for key, answer in script.items():
                if key in last:
                    return answer
            raise LLMError(f"ScriptedLLM: no scripted answer matches last user message {last[:80]!r}")
        if self._next >= len(script):
            raise LLMError(f"ScriptedLLM: script exhausted after {len(script)} answers")
        answer = script[self._next]
        self._next += 1
        return answer
