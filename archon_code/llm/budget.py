"""A per-run spending limit on new LLM calls, tokens and dollars."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from archon_code.llm.base import Usage

__all__ = ["Budget", "BudgetExceeded"]


class BudgetExceeded(Exception):
    """A configured call/token/dollar budget is used up (the architecture runner catches it).

    Deliberately not an :class:`~archon_code.errors.ArchonError`: running out of budget is
    a planned stop, not a fault.
    """


class Budget(BaseModel):
    """Limits counted from ``start`` (the client's usage when the budget was set)."""

    model_config = ConfigDict(extra="forbid")

    calls: int | None = None
    """Most new (uncached) calls; None = unlimited."""
    tokens: int | None = None
    """Most prompt + completion tokens; None = unlimited."""
    dollars: float | None = None
    """Most dollars; None = unlimited."""
    start: Usage = Usage()
    """Usage already spent when the budget was set."""
    in_flight: int = 0
    """Calls reserved and not yet finished."""

    def reserve(self, usage: Usage) -> None:
        """Claim one call, or raise :class:`BudgetExceeded` (call under the client's lock)."""
        calls = usage.calls - self.start.calls + self.in_flight
        tokens = usage.tokens - self.start.tokens
        dollars = usage.cost_usd - self.start.cost_usd
        if self.calls is not None and calls + 1 > self.calls:
            raise BudgetExceeded(f"call budget of {self.calls} calls used up")
        if self.tokens is not None and tokens >= self.tokens:
            raise BudgetExceeded(f"token budget of {self.tokens} tokens used up ({tokens} spent)")
        if self.dollars is not None and dollars >= self.dollars:
            raise BudgetExceeded(f"dollar budget of ${self.dollars:g} used up (${dollars:.4f} spent)")
        self.in_flight += 1

    def release(self) -> None:
        """Return the claim of a finished (or failed) call."""
        self.in_flight -= 1
