"""Run architectures over problems, grade each final program on tests the pipeline never saw.

The seam is a *solver factory*: ``factory(arch, sample) -> solve`` where
``solve(problem) -> SolveResult``. :func:`architecture_solvers` builds one over
:class:`archon_code.architecture.ArchitectureRunner`; tests may pass any other solver.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Mapping, Optional, Sequence

from archon_code.bench.store import BenchRecord, ResultStore, record_key
from archon_code.errors import ConfigError, ProblemError
from archon_code.judge import JudgeLike
from archon_code.llm.base import Completion, LLM, Message
from archon_code.types import Candidate, Problem

if TYPE_CHECKING:
    from archon_code.architecture.config import ArchitectureConfig
    from archon_code.architecture.runner import SolveResult
    from archon_code.llm.budget import Budget

__all__ = ["BenchTask", "Executor", "OffsetLLM", "SolverFactory", "architecture_solvers", "plan_tasks",
           "run_bench", "run_task"]

Solve = Callable[[Problem], "SolveResult"]
SolverFactory = Callable[[str, int], Solve]
TestSelection = Literal["hidden", "all"]

Executor = Callable[[Sequence["BenchTask"]], Iterable["BenchRecord"]]
"""Runs the tasks still to do and yields their records as they finish (e.g. on Ray,
:mod:`archon_code.distributed`); the default runs them here, ``workers`` at a time."""

_SAMPLE_STRIDE = 1000
"""Draw ``s`` of a bench asks the model for sample indices ``s * 1000 + i``."""


class BenchTask(tuple):
    """(arch, problem, sample) — a plain tuple with names."""

    __slots__ = ()

    def __new__(cls, arch: str, problem: Problem, sample: int) -> "BenchTask":
        return super().__new__(cls, (arch, problem, sample))

    arch = property(lambda self: self[0])
    problem = property(lambda self: self[1])
    sample = property(lambda self: self[2])

    @property
    def key(self) -> str:
        return record_key(self.arch, self.problem.id, self.sample)


class OffsetLLM:
    """An LLM that shifts every ``sample`` index, so draw ``s`` of a bench is an independent
    draw (the cache keys on the sample index). Draw 0 is unshifted: it shares ``solve``'s cache."""

    def __init__(self, llm: LLM, draw: int):
        self.llm = llm
        self.offset = draw * _SAMPLE_STRIDE

    def complete(self, messages: Sequence[Message], *, model: str, temperature: float = 0.0,
                 max_tokens: int = 1024, sample: int = 0, tag: str = "", meter=None,
                 stop: Sequence[str] = ()) -> Completion:
        return self.llm.complete(messages, model=model, temperature=temperature, max_tokens=max_tokens,
                                 sample=sample + self.offset, tag=tag, meter=meter, stop=stop)


def plan_tasks(archs: Sequence[str], problems: Sequence[Problem], samples: int) -> list[BenchTask]:
    """Every (arch, problem, sample), problem-major so early results cover every arch."""
    if samples < 1:
        raise ConfigError(f"option 'samples': must be >= 1, got {samples}")
    return [BenchTask(a, p, s) for p in problems for s in range(samples) for a in archs]


def run_task(task: BenchTask, solve: Solve, grader: JudgeLike, tests: TestSelection = "hidden") -> BenchRecord:
    """Solve (without hidden tests), then grade the final program. Infrastructure faults and
    crashes become ``error`` records; a :class:`ConfigError` propagates (the bench is wrong)."""
    start = time.monotonic()
    base = {"arch": task.arch, "problem": task.problem.id, "sample": task.sample}
    try:
        result = solve(task.problem.without_hidden())
        _raise_on_unreachable_model(result)
        fields = _solve_fields(result)
        graded_from = _tally(grader)
        fields.update(_grade(task.problem, result.program, grader, tests))
        fields.update(_oracle(task.problem, result, fields, grader, tests))
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - recorded, retried on resume
        message = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
        return BenchRecord(**base, status="error", error=message, seconds=time.monotonic() - start)
    return BenchRecord(**base, **fields, **_exec_fields(result, grader, graded_from),
                       seconds=time.monotonic() - start)


class ModelUnavailable(Exception):
    """No program because every model call failed: an infrastructure error, not a fail."""


def _raise_on_unreachable_model(result: SolveResult) -> None:
    failures = [f for f in result.failures if f.kind == "llm"]
    if result.program is None and failures:
        raise ModelUnavailable(f"no program and {len(failures)} failed model calls; first: {failures[0].message}")


def _tally(grader: Any) -> Any:
    """What the grader's execution cache has counted in this thread so far (None: no cache)."""
    tally = getattr(grader, "tally", None)
    return tally() if tally is not None else None


def _exec_fields(result: SolveResult, grader: JudgeLike, graded_from: Any) -> dict:
    """Test executions of the solve (its trace's counts) plus those of the grading, which ran
    in this thread after ``graded_from``."""
    ran, cached = result.executions, result.cached_executions
    if graded_from is not None:
        spent = _tally(grader)
        ran, cached = ran + spent.executed - graded_from.executed, cached + spent.cached - graded_from.cached
    return {"executions": ran, "cached_executions": cached}


def _solve_fields(result: SolveResult) -> dict:
    usage = result.usage
    return {
        "public_passed": result.public_passed, "public_total": result.public_total,
        "calls": usage.calls + usage.cached_calls, "cached_calls": usage.cached_calls,
        "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
        "cost_usd": usage.cost_usd, "candidates_seen": result.candidates_seen,
        "early_exit": bool(result.early_exit), "stopped_by_budget": result.stopped_by_budget,
        "skipped": len(result.skipped),
    }


def _grade(problem: Problem, program: Optional[Candidate], grader: JudgeLike, tests: TestSelection) -> dict:
    graded = problem.tests(tests)
    if not graded:
        raise ProblemError(f"{problem.origin or problem.id}: no {tests} tests to grade the program with")
    if program is None:
        return {"status": "fail", "graded_total": len(graded)}
    judgement = grader.judge(problem, program, graded)
    return {"status": "pass" if judgement.accepted else "fail", "graded_passed": judgement.passed,
            "graded_total": len(graded), "verdict": judgement.verdict.value, "program": program.source}


def _oracle(problem: Problem, result: SolveResult, graded: dict, grader: JudgeLike, tests: TestSelection) -> dict:
    """Grade every candidate the run produced (after the run; no component sees this):
    ``oracle`` is true when some candidate passes every graded test."""
    produced = list(result.candidates)
    if result.program is not None and all(c.source != result.program.source for c in produced):
        produced.append(result.program)
    unique = list({(c.lang, c.source): c for c in produced}.values())
    oracle = graded["status"] == "pass"
    tests_ = problem.tests(tests)
    for cand in unique:
        if oracle:
            break
        if result.program is not None and cand.source == result.program.source:
            continue  # already graded: it failed
        oracle = grader.judge(problem, cand, tests_).accepted
    return {"oracle": oracle, "candidates": len(unique)}


def run_bench(
    tasks: Sequence[BenchTask],
    factory: SolverFactory,
    grader: JudgeLike,
    store: ResultStore,
    *,
    tests: TestSelection = "hidden",
    workers: int = 1,
    on_record: Optional[Callable[[BenchRecord, bool], None]] = None,
    execute: Optional[Executor] = None,
) -> list[BenchRecord]:
    """Run the tasks not already in ``store`` (``workers`` at a time), appending each record as
    it finishes. ``on_record(record, fresh)`` is told of every record (stored ones first,
    ``fresh=False``). Returns the records of ``tasks`` in task order (errors included).
    ``execute`` replaces the local thread pool; records still reach ``store`` only here."""
    done = store.load()
    wanted = {t.key for t in tasks}
    results = {k: r for k, r in done.items() if k in wanted}
    for record in results.values():
        if on_record:
            on_record(record, False)
    todo = [t for t in tasks if t.key not in results]
    fresh = execute(todo) if execute is not None else _execute(todo, factory, grader, tests, max(1, workers))
    for record in fresh:
        store.append(record)
        results[record.key] = record
        if on_record:
            on_record(record, True)
    return [results[t.key] for t in tasks if t.key in results]


def _execute(todo: Sequence[BenchTask], factory: SolverFactory, grader: JudgeLike, tests: TestSelection,
             workers: int) -> Iterable[BenchRecord]:
    if workers == 1:
        for task in todo:
            yield run_task(task, factory(task.arch, task.sample), grader, tests)
        return
    pending, queue = set(), list(reversed(todo))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while queue or pending:
            while queue and len(pending) < workers:
                task = queue.pop()
                pending.add(pool.submit(run_task, task, factory(task.arch, task.sample), grader, tests))
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()


def architecture_solvers(configs: Mapping[str, ArchitectureConfig], llm: LLM, judge: JudgeLike, *,
                         model: Optional[str] = None, lang: str = "py",
                         budget: Optional[Budget] = None) -> SolverFactory:
    """A solver factory over :class:`ArchitectureRunner`: a fresh runner per task, draw ``s``
    through :class:`OffsetLLM`."""
    from archon_code.architecture import ArchitectureRunner

    def make(arch: str, sample: int) -> Solve:
        options = {"model": model, "lang": lang}
        if budget is not None:
            options["budget"] = budget
        runner = ArchitectureRunner(configs[arch], OffsetLLM(llm, sample) if sample else llm, judge, **options)
        return runner.solve

    return make
