"""Run one blocking request so that its caller never waits past a deadline or a stop request.

The request runs in a daemon thread that holds a concurrency slot until it really ends; the
caller waits for it in short slices. At the budget's deadline it gives up (:class:`BudgetCut`),
past the timeout (plus a little slack, for servers that trickle bytes and so never trip a
read timeout) it raises ``TimeoutError``, and on a stop request :class:`Interrupted`. An
abandoned request ends by itself: it was sent with the same timeout.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional, TypeVar

from archon_code import interrupts

__all__ = ["BudgetCut", "run_bounded"]

T = TypeVar("T")

_SLICE = 0.1
_SLACK = 1.0


class BudgetCut(Exception):
    """The seconds budget ended before the request answered."""


def _acquire(slots: threading.Semaphore, deadline: Optional[float]) -> None:
    while not slots.acquire(timeout=_SLICE):
        interrupts.check()
        if deadline is not None and time.monotonic() >= deadline:
            raise BudgetCut()


def run_bounded(slots: threading.Semaphore, request: Callable[[float], T], timeout_s: float,
                budget_left: Optional[float]) -> T:
    """``request(timeout)`` with one of ``slots``, waited for at most ``min(timeout_s, budget_left)``."""
    started = time.monotonic()
    deadline = None if budget_left is None else started + budget_left
    interrupts.check()
    if deadline is not None and budget_left <= 0:
        raise BudgetCut()
    _acquire(slots, deadline)
    now = time.monotonic()
    cut = deadline is not None and deadline - now < timeout_s
    limit = (deadline - now) if cut else timeout_s
    box: dict = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["value"] = request(max(limit, 0.001))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            box["error"] = exc
        finally:
            slots.release()
            done.set()

    threading.Thread(target=work, name="archon-llm-request", daemon=True).start()
    give_up = now + limit + (0.0 if cut else _SLACK)
    while not done.wait(min(_SLICE, max(0.0, give_up - time.monotonic()))):
        interrupts.check()
        if time.monotonic() >= give_up:
            if cut:
                raise BudgetCut()
            raise TimeoutError(f"no answer within {timeout_s:g}s")
    if "error" in box:
        if cut and time.monotonic() >= give_up - 0.2:
            raise BudgetCut()  # the request's own timeout fired at the deadline
        raise box["error"]
    return box["value"]
