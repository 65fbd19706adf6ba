"""The execution cache: a judge that does not run a program again on a test it has seen.

:class:`CachedJudge` has the judge's interface (``judge``, ``judge_many``, ``run_inputs``,
``call_function``; ``sandbox``/``time_scale`` as the module functions expect) and
wraps a :class:`~archon_code.judge.Judge`. :func:`build_judge` is the one place the pipeline
(solve, bench, search, Ray nodes, :func:`~archon_code.architecture.solve_problem`) makes it.

Decision: one cached verdict per *test*, not per candidate. A key is the sha256 of the
program (source, language), the one test (input, expected output; for function-style tests
the test code, kind and source, which decide whether it is trusted check code), the problem
fields a verdict depends on (style, entry point, starter code, scaled time limit, memory
limit, checker with its tolerances or custom program), the sandbox back end and image id,
and :func:`judge_version` (a hash of the judge, the function-test host code, the checkers,
the sandbox client and the runner/harness files), so a sandbox change invalidates every
entry. A test added to an old candidate reuses the old tests' verdicts and runs alone.

Never stored: a TLE (a loaded machine fakes them), an MLE whose peak stayed under the limit
(the machine, not the program, ran out), anything from a call in which a job was stopped by
the host watchdog, left its container unclean, ended early, or whose compile hit a limit;
an infrastructure failure (:class:`~archon_code.errors.SandboxError`) or a crashed custom
checker raises and stores nothing. Programs that are not deterministic keep their first
verdict.

The store is ``$ARCHON_CODE_CACHE_DIR/exec/executions.sqlite3`` (beside the LLM cache's
``llm/``), sqlite in WAL mode, one connection per operation, safe under threads and
processes. The cache only ever saves work: a row that does not parse is a miss (said once,
replaced when the program runs again) and a store that cannot be read or written is
skipped with one warning.

\b
    with open_sandbox() as sandbox:
        judge = build_judge(sandbox)              # cached unless --no-cache / ARCHON_CODE_NO_EXEC_CACHE=1
        judge.judge(problem, candidate, tests)    # the second identical call runs nothing
        judge.last_count()                        # ExecCount(executed=0, cached=3)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Sequence

from pydantic import BaseModel, ConfigDict

from archon_code.exec_store import ExecStore
from archon_code.types import Candidate, ExecResult, Judgement, Problem, TestCase, TestResult, Verdict

__all__ = ["CachedJudge", "ExecCount", "ExecStore", "build_judge", "default_exec_cache_dir", "exec_cache_enabled",
           "judge_version"]

_log = logging.getLogger(__name__)
_PACKAGE = Path(__file__).resolve().parent
_JUDGE_FILES = ("judge.py", "function_judge.py", "exec_cache.py", "exec_store.py", "types.py",
                "problems/checkers.py", "functions", "sandbox")


@dataclass(frozen=True)
class ExecCount:
    """Test executions of one call (or a sum of calls): run in the sandbox, or answered by the cache."""

    executed: int = 0
    cached: int = 0

    def __add__(self, other: "ExecCount") -> "ExecCount":
        return ExecCount(self.executed + other.executed, self.cached + other.cached)

    def __sub__(self, other: "ExecCount") -> "ExecCount":
        return ExecCount(self.executed - other.executed, self.cached - other.cached)


def default_exec_cache_dir() -> Path:
    """``$ARCHON_CODE_CACHE_DIR/exec`` or ``~/.cache/archon-code/exec``."""
    env = os.environ.get("ARCHON_CODE_CACHE_DIR")
    return (Path(env).expanduser() if env else Path.home() / ".cache" / "archon-code") / "exec"


def exec_cache_enabled(cache: bool = True) -> bool:
    """``cache`` (False with ``--no-cache``) unless ``ARCHON_CODE_NO_EXEC_CACHE`` is set true."""
    flag = os.environ.get("ARCHON_CODE_NO_EXEC_CACHE", "").strip().lower()
    return cache and flag not in ("1", "true", "yes", "on")


@lru_cache(maxsize=1)
def judge_version() -> str:
    """sha256 (16 hex) of the package version and every file that decides a verdict."""
    from archon_code import __version__
    from archon_code.resources import resource_dir

    digest = hashlib.sha256(__version__.encode())
    paths = []
    for name in _JUDGE_FILES:
        path = _PACKAGE / name
        paths += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    sandbox = resource_dir("sandbox")
    paths += sorted(p for p in sandbox.iterdir() if p.is_file())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _image_identity(sandbox: Any) -> str:
    """The back end and, for Docker, the image's id (its tag when the engine will not say)."""
    kind = type(sandbox).__name__
    tag = getattr(sandbox, "image", None)
    if not tag:
        return kind
    try:
        client = getattr(sandbox, "_client", None)
        if client is None:
            from archon_code.sandbox.docker import connect

            client = connect()
        return f"{kind}:{client.images.get(tag).id}"
    except Exception:  # noqa: BLE001 - the tag already carries a hash of the image's inputs
        return f"{kind}:{tag}"


class _Watch:
    """The sandbox the inner judge sees: forwards jobs and notes, per thread, whether every
    job of the current call ended cleanly enough to be cached."""

    def __init__(self, sandbox: Any) -> None:
        self.inner = sandbox
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def workers(self) -> int:
        return self.inner.workers

    def begin(self) -> None:
        self._local.sound = True

    @property
    def sound(self) -> bool:
        return getattr(self._local, "sound", True)

    def run_job(self, job, files_dir=None, keep=None):
        result = self.inner.run_job(job, files_dir=files_dir, keep=keep)
        compile_limited = result.compile is not None and (result.compile.timed_out or result.compile.memory_limit)
        if result.watchdog or not result.clean or not result.complete or compile_limited:
            self._local.sound = False
        return result


class _Outcomes(BaseModel):
    """A call_function result as stored: each outcome with its value in the codec's encoding."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: tuple[dict, ...]

    @classmethod
    def keep(cls, outcomes: Sequence[Any]) -> Optional["_Outcomes"]:
        from archon_code.functions.codec import encode

        try:
            return cls(rows=tuple({**o.model_dump(exclude={"value"}), "value": encode(o.value)} for o in outcomes))
        except Exception:  # noqa: BLE001 - a value the codec cannot write is simply not cached
            return None

    def restore(self) -> list[Any]:
        from archon_code.functions import CallOutcome
        from archon_code.functions.codec import decode

        return [CallOutcome(**{**row, "value": decode(row["value"])}) for row in self.rows]


def _storable(verdict: Optional[Verdict], memory_kb: int, limit_mb: int) -> bool:
    if verdict is Verdict.TLE:
        return False
    return verdict is not Verdict.MLE or memory_kb >= limit_mb * 1024


def _digest(payload: dict) -> str:
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", errors="surrogatepass")).hexdigest()


class CachedJudge:
    """A :class:`~archon_code.judge.Judge` over ``sandbox`` whose verdicts go through ``store``
    (None: nothing cached, executions still counted)."""

    def __init__(self, sandbox: Any, *, time_scale: float = 1.0, store: Optional[ExecStore] = None) -> None:
        from archon_code.judge import Judge

        self.sandbox = _Watch(sandbox)
        self.time_scale = time_scale
        self.store = store
        self.inner = Judge(self.sandbox, time_scale=time_scale)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._image: Optional[str] = None
        self.total = ExecCount()
        """Every call's count since this judge was made."""

    # counts ------------------------------------------------------------------------------
    def last_count(self) -> ExecCount:
        """What the calling thread's last ``judge``/``judge_many``/``run_inputs`` executed and reused."""
        return getattr(self._local, "count", ExecCount())

    def tally(self) -> ExecCount:
        """Everything the calling thread's calls have executed and reused so far (the bench takes
        the difference around its grading)."""
        return getattr(self._local, "tally", ExecCount())

    def _counted(self, count: ExecCount) -> None:
        self._local.count = count
        self._local.tally = self.tally() + count
        with self._lock:
            self.total = self.total + count

    # judge interface ---------------------------------------------------------------------
    def judge(self, problem: Problem, candidate: Candidate, tests: Sequence[TestCase]) -> Judgement:
        """Verdicts of ``candidate`` on ``tests``, in order; only the tests not cached are run."""
        judgement, count = self._judge(problem, candidate, tests)
        self._counted(count)
        return judgement

    def judge_many(self, problem: Problem, candidates: Sequence[Candidate],
                   tests: Sequence[TestCase]) -> list[Judgement]:
        """Judge several candidates concurrently; identical programs (same source and language)
        run once when caching is on."""
        if not candidates:
            self._counted(ExecCount())
            return []
        first: dict[tuple, Candidate] = {}
        for c in candidates:
            first.setdefault(self._program(c), c)
        unique = list(first.values())
        workers = max(1, min(self.inner.sandbox.workers, len(unique)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = dict(zip(first, pool.map(lambda c: self._judge(problem, c, tests), unique)))
        out, count = [], ExecCount()
        for c in candidates:
            judgement, one = done[self._program(c)]
            count = count + (one if first[self._program(c)] is c else ExecCount(cached=len(tests)))
            out.append(judgement.model_copy(update={"candidate_id": c.id}))
        self._counted(count)
        return out

    def run_inputs(self, problem: Problem, candidate: Candidate, inputs: Sequence[str]) -> list[ExecResult]:
        """Raw executions of a stdin/stdout program on each input; only inputs not cached are run."""
        keys = [self._raw_key(problem, candidate, text) for text in inputs]
        found = self._lookup(keys, ExecResult)
        missing = [i for i in range(len(inputs)) if i not in found]
        if missing:
            self.sandbox.begin()
            fresh = self.inner.run_inputs(problem, candidate, [inputs[i] for i in missing])
            if self.store is not None and self.sandbox.sound:
                rows = [(keys[i], r.model_dump_json(), "") for i, r in zip(missing, fresh) if self._keep_raw(problem, r)]
                self.store.put_many(rows)
            found.update({i: (r, "") for i, r in zip(missing, fresh)})
        self._counted(ExecCount(executed=len(missing), cached=len(inputs) - len(missing)))
        return [found[i][0] for i in range(len(inputs))]

    def call_function(self, problem: Problem, candidate: Candidate, calls: Sequence[Any]) -> list[Any]:
        """What ``candidate``'s entry point gives for each call (one process, as
        :func:`~archon_code.function_judge.call_function`); the whole call list is one entry, kept
        only when every call answered (none ``missing``: no crash, no limit)."""
        from archon_code.function_judge import call_function

        if not calls:
            self._counted(ExecCount())
            return []
        key = _digest({**self._base(problem, candidate, "function"), "call": "call_function",
                       "calls": [c.to_json() for c in calls]})
        found = self._lookup([key], _Outcomes)
        if found:
            self._counted(ExecCount(cached=len(calls)))
            return found[0][0].restore()
        self.sandbox.begin()
        outcomes = call_function(self, problem, candidate, calls)
        if self.store is not None and self.sandbox.sound and all(o.status != "missing" for o in outcomes):
            stored = _Outcomes.keep(outcomes)
            if stored is not None:
                self.store.put_many([(key, stored.model_dump_json(), "")])
        self._counted(ExecCount(executed=len(calls)))
        return outcomes

    # internals ---------------------------------------------------------------------------
    def _program(self, candidate: Candidate) -> tuple:
        """What makes two candidates one program (each is its own when nothing is cached)."""
        return (candidate.lang, candidate.source) if self.store is not None else (id(candidate),)

    def _judge(self, problem: Problem, candidate: Candidate,
               tests: Sequence[TestCase]) -> tuple[Judgement, ExecCount]:
        keys = [self._test_key(problem, candidate, t) for t in tests]
        found = self._lookup(keys, TestResult)
        missing = [i for i in range(len(tests)) if i not in found]
        compile_output = next((c for _, c in found.values()), "")
        if missing or not tests:
            self.sandbox.begin()
            fresh = self.inner.judge(problem, candidate, [tests[i] for i in missing])
            compile_output = fresh.compile_output
            if self.store is not None and self.sandbox.sound:
                self.store.put_many([(keys[i], row.model_dump_json(), fresh.compile_output)
                                     for i, row in zip(missing, fresh.tests)
                                     if _storable(row.verdict, row.memory_kb, problem.memory_limit_mb)])
            found.update({i: (row, fresh.compile_output) for i, row in zip(missing, fresh.tests)})
        rows = tuple(found[i][0].model_copy(update={"index": i, "kind": t.kind}) for i, t in enumerate(tests))
        overall = next((r.verdict for r in rows if r.verdict is not Verdict.AC), Verdict.AC)
        judgement = Judgement(candidate_id=candidate.id, verdict=overall, tests=rows, compile_output=compile_output)
        return judgement, ExecCount(executed=len(missing), cached=len(tests) - len(missing))

    def _lookup(self, keys: list[str], model: type) -> dict[int, tuple[Any, str]]:
        if self.store is None:
            return {}
        rows = self.store.get_many(keys, model)
        return {i: rows[k] for i, k in enumerate(keys) if k in rows}

    @staticmethod
    def _keep_raw(problem: Problem, result: ExecResult) -> bool:
        from archon_code.judge import verdict_of

        return _storable(verdict_of(result)[0], result.memory_kb, problem.memory_limit_mb)

    def _base(self, problem: Problem, candidate: Candidate, style: str) -> dict:
        if self._image is None:
            self._image = _image_identity(self.sandbox.inner)
        base = {"v": judge_version(), "image": self._image, "lang": candidate.lang, "source": candidate.source,
                "style": style, "cpu_s": problem.time_limit_s * self.time_scale, "memory_mb": problem.memory_limit_mb}
        if style == "function":
            base.update(entry=problem.entry_point, starter=problem.starter_code)
        else:
            base.update(checker=problem.checker.model_dump(mode="json"))
        return base

    def _test_key(self, problem: Problem, candidate: Candidate, test: TestCase) -> str:
        payload = {**self._base(problem, candidate, problem.style), "call": "judge", "input": test.input,
                   "output": test.output}
        if problem.style == "function":
            payload.update(kind=test.kind, source=test.source, trust=test.trust)
        return _digest(payload)

    def _raw_key(self, problem: Problem, candidate: Candidate, text: str) -> str:
        return _digest({**self._base(problem, candidate, "stdio"), "call": "run_inputs", "input": text})


def build_judge(sandbox: Any, *, cache: bool = True, time_scale: float = 1.0,
                directory: Optional[Path] = None) -> CachedJudge:
    """The pipeline's judge over ``sandbox``: cached in ``directory`` (default
    :func:`default_exec_cache_dir`) when ``cache`` and ``ARCHON_CODE_NO_EXEC_CACHE`` allow."""
    store = ExecStore(directory or default_exec_cache_dir()) if exec_cache_enabled(cache) else None
    return CachedJudge(sandbox, time_scale=time_scale, store=store)
