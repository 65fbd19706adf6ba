"""Both ends of the harness protocol on the host: the request and the result lines.

The request is the harness's stdin; the result lines come from its private channel (its
original stdout). The lines are *claims*: anything that is not exactly the protocol
(a line that is not JSON, an index out of range or twice, an invalid encoding) is a
``protocol_error``, which the judge counts as a failed test, never as an infrastructure
fault and never as a pass.
"""

from __future__ import annotations

import json
from typing import Optional, Sequence

from archon_code.functions.codec import decode
from archon_code.functions.models import Call, CallOutcome
from archon_code.types import Frozen

__all__ = ["HarnessReport", "read_results", "request_json"]


def request_json(calls: Sequence[Call]) -> str:
    """The harness's stdin for these calls.

    \b
    >>> request_json([Call.of(2, 3)])
    '{"calls": [{"args": [2, 3], "kwargs": {}}]}'
    """
    return json.dumps({"calls": [c.to_json() for c in calls]}, ensure_ascii=True, allow_nan=False)


class HarnessReport(Frozen):
    """What one harness run said, decoded."""

    outcomes: tuple[CallOutcome, ...]
    """One per call, in call order; ``missing`` where no line came."""
    load_error: Optional[str] = None
    """``ExcType: message`` when the solution failed to load (every outcome is then missing)."""
    done: bool = False
    """The harness reached its end (``{"done": n}`` with the right n)."""
    protocol_error: Optional[str] = None
    """The first departure from the protocol, if any."""


def _outcome(record: dict, n: int) -> CallOutcome:
    index = record.get("i")
    if type(index) is not int or not 0 <= index < n or len(record) != 2:
        raise ValueError(f"bad result record keys {sorted(map(str, record))[:4]}")
    if "value" in record:
        return CallOutcome(index=index, status="value", value=decode(record["value"]))
    for status in ("error", "unserializable"):
        if status in record and type(record[status]) is str:
            return CallOutcome(index=index, status=status, detail=record[status][:1000])
    raise ValueError("a result record is neither value, error nor unserializable")


def read_results(text: str, calls: int, start: int = 0) -> HarnessReport:
    """Decode the harness's channel output for a request of ``calls`` calls; outcome indexes
    are ``start`` + the position in the request (pass ``len(outcomes so far)`` when a round
    sends only the new calls).

    \b
    >>> read_results('{"i": 0, "value": {"$t": [5]}}\\n{"done": 1}\\n', 1, start=3).outcomes
    (CallOutcome(index=3, status='value', value=(5,), detail=None),)
    """
    found: dict[int, CallOutcome] = {}
    load_error, done, problem = None, False, None
    for number, line in enumerate(text.splitlines()[: calls + 2], 1):
        try:
            record = json.loads(line)
            if type(record) is not dict:
                raise ValueError("not a JSON object")
            if done:
                raise ValueError("a line after done")
            if "load_error" in record and len(record) == 1 and type(record["load_error"]) is str:
                load_error = record["load_error"][:1000]
            elif "done" in record and len(record) == 1:
                done = record["done"] == calls and len(found) == calls
                if not done:
                    raise ValueError(f"done after {len(found)} of {calls} results")
            else:
                outcome = _outcome(record, calls)
                if outcome.index in found:
                    raise ValueError(f"result {outcome.index} twice")
                found[outcome.index] = outcome
        except (ValueError, RecursionError, MemoryError) as exc:  # JSONDecodeError is a ValueError
            problem = f"line {number}: {str(exc)[:200]}"
            break
    if problem is None and len(text.splitlines()) > calls + 2:
        problem = "more lines than the protocol allows"
    outcomes = tuple((found[i].model_copy(update={"index": start + i}) if i in found
                      else CallOutcome(index=start + i, status="missing")) for i in range(calls))
    return HarnessReport(outcomes=outcomes, load_error=load_error, done=done, protocol_error=problem)
