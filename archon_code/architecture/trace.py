"""Run traces (JSONL) and the metered wrappers that feed them.

Every LLM call (tag, model, messages, text, usage), every execution (candidates, tests,
verdicts) and every layer's candidates and scores become one JSON line. The wrappers also
enforce the run's budget (:class:`MeteredLLM`) and that no hidden test ever reaches the
judge (:class:`GuardedJudge`).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Optional, Sequence

from archon_code import interrupts
from archon_code.judge import JudgeLike
from archon_code.errors import ArchonError, ConfigError, LLMError
from archon_code.llm.base import LLM, Completion, Message, Usage
from archon_code.llm.budget import Budget, BudgetExceeded, BudgetMeter
from archon_code.textio import read_text
from archon_code.types import Candidate, ExecResult, Judgement, Problem, TestCase

__all__ = ["Budget", "GuardedJudge", "MeteredLLM", "Tracer", "read_trace"]

_CLIP = 4000


def _clip(text: str, limit: int = _CLIP) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more]"


class Tracer:
    """Appends JSON lines to ``path`` (or keeps nothing when ``path`` is None). Thread-safe."""

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self.start = time.monotonic()
        self._lock = threading.Lock()
        self._file = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = path.open("w", encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"trace file {path}: cannot write: {exc.strerror or exc}") from None

    def event(self, kind: str, **data: Any) -> None:
        if self._file is None:
            return
        record = {"t": round(time.monotonic() - self.start, 3), "event": kind, **data}
        line = json.dumps(record, default=str)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class MeteredLLM:
    """Wraps the run's LLM: meters every attempt against the budget, traces every call.

    The inner LLM reserves each attempt in :attr:`meter` before sending it (failed ones and
    retries count), so parallel components cannot overshoot a limit together."""

    def __init__(self, inner: LLM, budget: Budget, tracer: Tracer) -> None:
        self.inner = inner
        self.budget = budget
        self.tracer = tracer
        self.meter = budget.meter()

    @property
    def usage(self) -> Usage:
        """Everything this run spent (attempts, tokens, dollars; cache hits in ``cached_calls``)."""
        return self.meter.spent

    @property
    def stopped(self) -> Optional[str]:
        """The limit that refused a call, if one did."""
        return self.meter.stopped

    def exhausted(self) -> Optional[str]:
        """Which budget is used up (calls, tokens, dollars, seconds), if any."""
        return self.meter.exhausted()

    def complete(self, messages: Sequence[Message], *, model: str, temperature: float = 0.0,
                 max_tokens: int = 1024, sample: int = 0, tag: str = "",
                 meter: Optional[BudgetMeter] = None, stop: Sequence[str] = ()) -> Completion:
        interrupts.check()
        try:
            done = self.inner.complete(messages, model=model, temperature=temperature, max_tokens=max_tokens,
                                       sample=sample, tag=tag, meter=self.meter, stop=stop)
        except BudgetExceeded as exc:
            self.tracer.event("budget_stop", tag=tag, model=model, sample=sample, which=exc.which, error=str(exc))
            raise
        except LLMError as exc:
            self.tracer.event("llm_error", tag=tag, model=model, sample=sample, error=str(exc))
            raise
        self.tracer.event("llm_call", tag=tag, model=model, sample=sample, temperature=temperature,
                          stop=list(stop), messages=[dict(m) for m in messages], text=done.text, cached=done.cached,
                          usage=done.usage.model_dump())
        return done


def _test_view(test: TestCase) -> dict:
    return {"input": _clip(test.input, 400), "output": None if test.output is None else _clip(test.output, 400),
            "kind": test.kind, "trust": test.trust, "source": test.source}


def _count(inner: Any, executed: int) -> tuple[int, int]:
    """(run in the sandbox, answered by the execution cache) of ``inner``'s last call in this
    thread; a judge without a cache ran everything."""
    last = getattr(inner, "last_count", None)
    if last is None:
        return executed, 0
    count = last()
    return count.executed, count.cached


def _judgement_view(j: Judgement) -> dict:
    return {"verdict": j.verdict.value, "tests": [t.verdict.value for t in j.tests],
            "compile_output": _clip(j.compile_output, 400)}


class GuardedJudge:
    """Wraps the judge: refuses hidden tests (an internal error if it ever happens), traces
    every execution under the tag bound to the calling thread."""

    def __init__(self, inner: JudgeLike, tracer: Tracer) -> None:
        self.inner = inner
        self.tracer = tracer
        self._local = threading.local()
        self.executed = 0
        """Test executions run in the sandbox for this run (a test of a candidate, or an input)."""
        self.cached = 0
        """Test executions the execution cache answered instead."""
        self._count_lock = threading.Lock()

    def _counted(self, executed: int) -> dict:
        ran, cached = _count(self.inner, executed)
        with self._count_lock:
            self.executed += ran
            self.cached += cached
        return {"executed": ran, "cached": cached}

    def bind(self, tag: str) -> None:
        self._local.tag = tag

    @property
    def tag(self) -> str:
        return getattr(self._local, "tag", "runner")

    def _guard(self, problem: Problem, tests: Sequence[TestCase]) -> None:
        interrupts.check()
        if problem.hidden_tests or problem.generated_tests or any(t.kind == "hidden" for t in tests):
            raise ArchonError(f"internal error: {self.tag} tried to run hidden tests of {problem.id}")

    def judge(self, problem: Problem, candidate: Candidate, tests: Sequence[TestCase]) -> Judgement:
        return self.judge_many(problem, [candidate], tests)[0]

    def judge_many(self, problem: Problem, candidates: Sequence[Candidate],
                   tests: Sequence[TestCase]) -> list[Judgement]:
        self._guard(problem, tests)
        judgements = self.inner.judge_many(problem, list(candidates), list(tests))
        counts = self._counted(len(candidates) * len(tests))
        self.tracer.event("execution", tag=self.tag, call="judge_many", **counts,
                          candidates=[c.id for c in candidates], tests=[_test_view(t) for t in tests],
                          verdicts={c.id: _judgement_view(j) for c, j in zip(candidates, judgements)})
        return judgements

    def run_inputs(self, problem: Problem, candidate: Candidate, inputs: Sequence[str]) -> list[ExecResult]:
        self._guard(problem, ())
        results = self.inner.run_inputs(problem, candidate, list(inputs))
        counts = self._counted(len(inputs))
        self.tracer.event("execution", tag=self.tag, call="run_inputs", **counts, candidates=[candidate.id],
                          source=_clip(candidate.source, 2000), inputs=[_clip(i, 400) for i in inputs],
                          results=[{"exit_code": r.exit_code, "stdout": _clip(r.stdout, 400),
                                    "stderr": _clip(r.stderr, 400), "timed_out": r.timed_out} for r in results])
        return results

    def call_function(self, problem: Problem, candidate: Candidate, calls: Sequence) -> list:
        """Raw plain-data results of a function's entry point on ``calls`` (differential testing)."""
        from archon_code.function_judge import call_function

        self._guard(problem, ())
        inner = getattr(self.inner, "call_function", None)
        outcomes = inner(problem, candidate, calls) if inner else call_function(self.inner, problem, candidate, calls)
        counts = self._counted(len(calls))
        self.tracer.event("execution", tag=self.tag, call="call_function", **counts, candidates=[candidate.id],
                          calls=[_clip(json.dumps(c.to_json(), default=str), 400) for c in calls],
                          outcomes=[_clip(o.describe(), 200) for o in outcomes])
        return outcomes


def read_trace(path: Path) -> list[dict]:
    """The events of a trace file; a clear error for a missing or corrupt file."""
    lines = read_text(path, ConfigError, "trace file").splitlines()
    events = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise ConfigError(f"trace file {path}: line {number} is not JSON") from None
        if not isinstance(record, dict) or "event" not in record:
            raise ConfigError(f"trace file {path}: line {number} has no 'event' field")
        events.append(record)
    if not events:
        raise ConfigError(f"trace file {path}: empty (no events)")
    return events
