"""Trusted data-set check code (HumanEval's ``check(candidate)``) decided on the host.

The candidate runs only in the sandbox; the trusted check runs only in a host subprocess
(``trusted_driver.py``: ``python -s``, clean environment, PYTHONHASHSEED=0, ``random``
seeded identically every run, a timeout, killed on overrun; never in the host process),
where the entry point is a recording proxy:

* discovery (:meth:`TrustedCheck.next_calls`): calls already answered are replayed with
  their recorded plain-data results, new calls get a neutral placeholder and are
  reported with their plain-data arguments (a call whose arguments hold a placeholder
  waits for the next round); failing asserts do not stop discovery. The judge runs the
  new calls in the sandbox and asks again, at most ``max_rounds`` times.
* verdict (:meth:`TrustedCheck.verdict`): the check runs as written with only recorded
  results; it passes iff it ends without an exception.

\b
>>> check = TrustedCheck("def check(c):\\n    assert c(2) == 4\\ncheck(sq)\\n", "sq")
>>> [c.to_json() for c in check.next_calls([])]
[{'args': [2], 'kwargs': {}}]
>>> check.verdict([CallOutcome(index=0, status="value", value=5)])
(False, 'line 2: assert c(2) == 4 failed (AssertionError)')
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from archon_code.errors import SandboxError
from archon_code.functions.codec import encode, harness_path
from archon_code.functions.models import Call, CallOutcome, FunctionPlan, UncheckableTest
from archon_code.types import Frozen

__all__ = ["DriverResult", "TrustedCheck"]

_DRIVER = Path(__file__).with_name("trusted_driver.py")


class DriverResult(Frozen):
    """What one run of the trusted check said."""

    new_calls: tuple[Call, ...] = ()
    """Calls without a recorded result (discovery)."""
    unplain: Optional[str] = None
    """Type of a non-plain argument the check passed, if any."""
    end: str = "timeout"
    """ok, raised, stopped (call cap), timeout."""
    error: Optional[str] = None
    """``ExcType: message`` when the check raised."""
    line: Optional[int] = None
    """Line of the check where it raised."""
    source: str = ""
    """That line's text."""
    recorded_index: Optional[int] = None
    """The call whose recorded exception propagated, if that is what ended the check."""


class TrustedCheck:
    """Trusted check code for one entry point; ``prelude`` is trusted code run first
    (e.g. the problem's prompt, which defines helpers such as HumanEval's ``poly``)."""

    def __init__(self, code: str, entry_point: str, prelude: str = "", max_rounds: int = 6,
                 timeout_s: float = 60.0, max_calls: int = 20_000) -> None:
        self.code, self.entry_point, self.prelude = code, entry_point, prelude
        self.max_rounds, self.timeout_s, self.max_calls = max_rounds, timeout_s, max_calls
        self.calls: list[Call] = []
        self.rounds = 0

    @property
    def plan(self) -> FunctionPlan:
        """The check as a serialisable plan (calls discovered so far)."""
        return FunctionPlan(kind="trusted", code=self.code, entry_point=self.entry_point, calls=tuple(self.calls))

    def next_calls(self, outcomes: Sequence[CallOutcome]) -> tuple[Call, ...]:
        """New calls given the outcomes of every call asked so far; () when discovery is over.

        Raises UncheckableTest when the check passes arguments that are not plain data.
        """
        if len(outcomes) != len(self.calls):
            raise ValueError(f"{len(outcomes)} outcomes for {len(self.calls)} calls")
        if self.rounds >= self.max_rounds or len(self.calls) >= self.max_calls:
            return ()
        self.rounds += 1
        result = self.run("discover", outcomes)
        if result.unplain:
            raise UncheckableTest(f"the check passes a {result.unplain} to {self.entry_point}, not plain data")
        new = result.new_calls[: self.max_calls - len(self.calls)]
        self.calls.extend(new)
        return new

    def verdict(self, outcomes: Sequence[CallOutcome]) -> tuple[bool, str]:
        """``(passed, message)``: the check run as written against the recorded results."""
        if len(outcomes) != len(self.calls):
            raise ValueError(f"{len(outcomes)} outcomes for {len(self.calls)} calls")
        result = self.run("strict", outcomes)
        if result.end == "ok":
            return True, ""
        if result.end == "timeout":
            return False, f"the check did not finish within {self.timeout_s:g} s of CPU on the recorded results"
        if result.end == "stopped":
            return False, f"the check made more than {self.max_calls} calls"
        where = f"line {result.line}: {result.source} failed" if result.line else "the check failed"
        if result.recorded_index is not None and result.recorded_index < len(self.calls):
            i = result.recorded_index
            return False, f"{self.calls[i].describe(self.entry_point)} {outcomes[i].describe()} ({where})"
        error = (result.error or "").removesuffix(": ")
        return False, f"{where} ({error})"

    def run(self, mode: str, outcomes: Sequence[CallOutcome]) -> DriverResult:
        """One run of the driver subprocess in ``mode`` (discover or strict)."""
        request = {"mode": mode, "code": self.code, "prelude": self.prelude, "entry_point": self.entry_point,
                   "max_calls": self.max_calls,
                   "recorded": [_recorded(c, o) for c, o in zip(self.calls, outcomes)]}
        return _parse(_run_driver(json.dumps(request, ensure_ascii=True), self.timeout_s))


def _recorded(call: Call, outcome: CallOutcome) -> dict:
    value = encode(outcome.value) if outcome.status == "value" else None
    return {"key": call.key(), "status": outcome.status, "value": value, "detail": outcome.detail}


def _run_driver(request: str, timeout_s: float) -> str:
    """The driver's output. ``timeout_s`` is CPU time (``RLIMIT_CPU`` in the driver): a check
    that spends it, slowed by what the candidate returned, ends without an ``end`` record, the
    candidate's failure. The wall-clock bound (3x + 10 s) only catches a stalled machine, and
    that is an infrastructure error, never a wrong answer (red-team round 4: a loaded host
    used to turn a slow check into a cached WA)."""
    env = {"PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "PATH": os.defpath}
    wall = 3 * timeout_s + 10
    with tempfile.TemporaryDirectory(prefix="archon-check-") as cwd:
        try:
            proc = subprocess.Popen([sys.executable, "-s", str(_DRIVER), str(harness_path()), f"{timeout_s:g}"],
                                    cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise SandboxError(f"cannot start the trusted-check subprocess: {exc}") from None
        try:
            out, _ = proc.communicate(request.encode("ascii"), timeout=wall)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise SandboxError(f"the trusted-check subprocess used under {timeout_s:g} s of CPU in {wall:g} s of "
                               "wall time: the machine is too loaded to check (retry)") from None
    return out.decode("ascii", "replace")


def _parse(text: str) -> DriverResult:
    new: list[Call] = []
    fields: dict = {}
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            break  # a line cut by the timeout
        if "call" in record:
            new.append(Call(args=tuple(record["call"]["args"]), kwargs=record["call"]["kwargs"]))
        elif "unplain" in record:
            fields.setdefault("unplain", str(record["unplain"]))
        elif "end" in record:
            fields.update({k: v for k, v in record.items() if k in DriverResult.model_fields})
    return DriverResult(new_calls=tuple(new), **fields)
