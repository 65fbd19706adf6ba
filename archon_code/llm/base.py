"""The model seam: one call shape every component uses, and usage accounting.

Components receive an object with this ``complete`` method in their constructor
(:class:`archon_code.llm.client.LLMClient` in real runs; a scripted stand-in from
``tests/support/scripted_llm.py`` in unit tests only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Protocol, Sequence, runtime_checkable

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from archon_code.llm.budget import BudgetMeter

__all__ = ["Completion", "LLM", "Message", "Usage"]

Message = dict  # {"role": "system"|"user"|"assistant", "content": str}


class Usage(BaseModel):
    """Calls (requests sent, failed attempts and retries included), tokens, dollars and
    seconds; adds up with ``+``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            calls=self.calls + other.calls,
            cached_calls=self.cached_calls + other.cached_calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
            seconds=self.seconds + other.seconds,
        )


class Completion(BaseModel):
    """One model answer and what it cost."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    model: str
    usage: Usage = Usage()
    cached: bool = False


@runtime_checkable
class LLM(Protocol):
    """Anything that can complete a chat. ``sample`` distinguishes the i-th of N samples
    with otherwise identical arguments (it is part of the cache key and of the seed)."""

    def complete(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        sample: int = 0,
        tag: str = "",
        meter: Optional["BudgetMeter"] = None,
        stop: Sequence[str] = (),
    ) -> Completion:
        """Return the completion; raise :class:`archon_code.errors.LLMError` on failure.
        ``tag`` names the caller (e.g. ``layer2/fuser``) for usage accounting and traces.
        ``stop``: strings that end the answer where they first occur (not included in it).
        With ``meter``, every attempt is reserved in it first and settled after (a refused
        one raises :class:`archon_code.llm.budget.BudgetExceeded`); cache hits are recorded."""
        ...
