"""One run's spending limits (:class:`Budget`) and their live accounting (:class:`BudgetMeter`).

Budgets are exact because every attempt *reserves* before it starts: one call, its prompt
tokens (estimated) plus its ``max_tokens`` (the most it may answer), and its estimated
dollars. A reservation is settled with what the attempt really spent, failed attempts and
retries included (a failed attempt spends one call). So parallel samples cannot all pass a
check made before any of them finished, and a retry cannot run once the calls are used up.
The seconds limit is a deadline: an attempt never waits past it.

Example::

    meter = Budget(calls=1, tokens=300).meter()
    client.complete(messages, model=m, meter=meter)   # the second call raises BudgetExceeded
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

from pydantic import BaseModel, ConfigDict, Field

from archon_code.llm.base import Usage

__all__ = ["MIN_ANSWER_TOKENS", "Budget", "BudgetExceeded", "BudgetMeter", "Reservation"]

MIN_ANSWER_TOKENS = 16
"""A call is refused when the token budget leaves room for fewer answer tokens than this."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class BudgetExceeded(Exception):
    """A call/token/dollar/seconds budget is used up; ``which`` names it.

    Deliberately not an :class:`~archon_code.errors.ArchonError`: running out of budget is
    a planned stop, not a fault (components record it, the runner stops cleanly).
    """

    def __init__(self, which: str, message: str) -> None:
        super().__init__(message)
        self.which = which


class Budget(BaseModel):
    """Limits of one run; None is unlimited. Cache hits cost nothing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    calls: Optional[int] = Field(default=None, ge=1)
    """Most model requests, every attempt counted (failed ones and retries too)."""
    tokens: Optional[int] = Field(default=None, ge=1)
    """Most prompt + completion tokens; a call reserves its prompt plus its ``max_tokens``."""
    dollars: Optional[float] = Field(default=None, gt=0)
    """Most dollars of model cost."""
    seconds: Optional[float] = Field(default=None, gt=0)
    """Most wall seconds from the start of the run; a call in flight is cut off at the deadline."""

    def meter(self, clock: Callable[[], float] = time.monotonic) -> "BudgetMeter":
        """A fresh meter of this budget whose seconds start now."""
        return BudgetMeter(self, clock=clock)


@dataclass(frozen=True)
class Reservation:
    """What one attempt claimed: its answer-token allowance and the estimates held back."""

    max_tokens: int
    """The ``max_tokens`` the attempt may send (the request's, or less to fit the token budget)."""
    tokens: int
    """Prompt estimate + ``max_tokens``."""
    dollars: float


class BudgetMeter:
    """Live accounting of a :class:`Budget`, shared by the threads of one run."""

    def __init__(self, budget: Budget, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock
        self.started = clock()
        self._lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._spent = Usage()
        self._calls_held = 0
        self._tokens_held = 0
        self._dollars_held = 0.0
        self.stopped: Optional[str] = None
        """The first limit that refused a call (or was found used up), if any."""

    @property
    def spent(self) -> Usage:
        """Everything settled so far (cache hits in ``cached_calls``)."""
        with self._lock:
            return self._spent

    def remaining_seconds(self) -> Optional[float]:
        """Seconds left before the deadline (None: no seconds limit)."""
        if self.budget.seconds is None:
            return None
        return self.budget.seconds - (self._clock() - self.started)

    def exhausted(self) -> Optional[str]:
        """Which limit is used up by settled spending (calls, tokens, dollars, seconds), if any."""
        with self._lock:
            return self._exhausted(self._spent)

    def _exhausted(self, spent: Usage) -> Optional[str]:
        b = self.budget
        if b.calls is not None and spent.calls >= b.calls:
            return "calls"
        if b.tokens is not None and spent.tokens >= b.tokens:
            return "tokens"
        if b.dollars is not None and spent.cost_usd >= b.dollars:
            return "dollars"
        left = self.remaining_seconds()
        if left is not None and left <= 0:
            return "seconds"
        return None

    def stop(self, which: str, message: str) -> BudgetExceeded:
        """Note that ``which`` limit stopped the run; the exception to raise for it."""
        with self._stop_lock:
            self.stopped = self.stopped or which
        return BudgetExceeded(which, message)

    def reserve(self, prompt_tokens: int, max_tokens: int,
                price: Callable[[int, int], float] = lambda prompt, answer: 0.0) -> Reservation:
        """Claim one attempt, or raise :class:`BudgetExceeded` (nothing is claimed then).

        ``prompt_tokens`` is an estimate of the prompt; ``price(prompt, answer)`` estimates
        dollars. With a token limit, ``max_tokens`` shrinks to what is left."""
        b = self.budget
        with self._lock:
            spent = self._spent
            if b.calls is not None and spent.calls + self._calls_held + 1 > b.calls:
                raise self.stop("calls", f"call budget of {_plural(b.calls, 'call')} used up")
            granted = max_tokens
            if b.tokens is not None:
                left = b.tokens - spent.tokens - self._tokens_held - prompt_tokens
                if left < min(MIN_ANSWER_TOKENS, max_tokens):
                    raise self.stop("tokens", f"token budget of {_plural(b.tokens, 'token')} used up "
                                                 f"({spent.tokens} spent, {self._tokens_held} reserved)")
                granted = min(max_tokens, left)
            dollars = float(price(prompt_tokens, granted))
            if b.dollars is not None and spent.cost_usd + self._dollars_held + dollars >= b.dollars:
                raise self.stop("dollars", f"dollar budget of ${b.dollars:g} used up "
                                              f"(${spent.cost_usd:.4f} spent)")
            left_s = self.remaining_seconds()
            if left_s is not None and left_s <= 0:
                raise self.stop("seconds", f"seconds budget of {b.seconds:g}s used up")
            reservation = Reservation(max_tokens=granted, tokens=prompt_tokens + granted, dollars=dollars)
            self._calls_held += 1
            self._tokens_held += reservation.tokens
            self._dollars_held += dollars
            return reservation

    def settle(self, reservation: Reservation, usage: Usage) -> None:
        """Release ``reservation`` and add what the attempt spent (a failed one: ``Usage(calls=1)``)."""
        with self._lock:
            self._calls_held -= 1
            self._tokens_held -= reservation.tokens
            self._dollars_held -= reservation.dollars
            self._spent = self._spent + usage

    def record(self, usage: Usage) -> None:
        """Add usage that needed no reservation (a cache hit)."""
        with self._lock:
            self._spent = self._spent + usage
