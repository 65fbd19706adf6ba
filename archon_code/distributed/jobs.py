"""The Ray back end of ``bench``, ``search`` and ``problems validate``.

Work units: bench (and each search trial's bench): one (architecture, problem, sample)
task; validate: one problem. The driver keeps the results store: records come back here
and :func:`archon_code.bench.runner.run_bench` appends them to ``results.jsonl`` as today,
so a rerun (local or on Ray) recomputes nothing that finished.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from archon_code.bench.runner import BenchTask, Executor
from archon_code.bench.store import BenchRecord
from archon_code.distributed.cluster import RayCluster
from archon_code.distributed.node import BenchSpec, UnitFailure
from archon_code.errors import SandboxError
from archon_code.problems.validate import ProblemReport
from archon_code.types import Problem

__all__ = ["RayBackend", "collect_reports"]


class RayBackend:
    """Runs bench tasks and validations on a started :class:`RayCluster`."""

    def __init__(self, cluster: RayCluster):
        self.cluster = cluster

    def bench_executor(self, options: Any, configs: Mapping[str, Any]) -> Executor:
        """The executor :func:`~archon_code.bench.session.run` hands to ``run_bench``."""
        from archon_code.bench.session import budget_for

        spec = BenchSpec(configs=dict(configs), model=options.model, lang=options.lang, budget=budget_for(options),
                         tests=options.tests)
        return lambda tasks: self.run_tasks(spec, tasks)

    def run_tasks(self, spec: BenchSpec, tasks: Sequence[BenchTask]) -> Iterable[BenchRecord]:
        """Records of ``tasks`` as they finish; a task given up after lost workers is an error record."""
        if not tasks:
            return
        spec_ref = self.cluster.put(spec)
        problem_refs = {t.problem.id: None for t in tasks}
        for task in tasks:
            if problem_refs[task.problem.id] is None:
                problem_refs[task.problem.id] = self.cluster.put(task.problem)
        units = [(spec_ref, t.arch, problem_refs[t.problem.id], t.sample) for t in tasks]
        for index, result in self.cluster.map("bench", units):
            task = tasks[index]
            if isinstance(result, UnitFailure):
                yield BenchRecord(arch=task.arch, problem=task.problem.id, sample=task.sample, status="error",
                                  error=result.message)
            else:
                yield result

    def validate(self, problems: Sequence[Problem], time_scale: float) -> Iterator[tuple[int, ProblemReport | UnitFailure]]:
        """``(index, report)`` per problem as they finish; an ``infra`` :class:`UnitFailure` for a
        problem that could not be validated (not a FAIL: the command exits 2)."""
        units = [(self.cluster.put(p), time_scale) for p in problems]
        yield from self.cluster.map("validate", units)


def collect_reports(problems: Sequence[Problem], results: Iterable[tuple[int, ProblemReport | UnitFailure]],
                    advance: Callable[[int], Any] = lambda n: None) -> list[ProblemReport]:
    """The reports of :meth:`RayBackend.validate`'s ``results``, in problem order; ``advance(1)``
    after each (the caller's progress bar: library code prints nothing). A problem that could
    not be validated (infrastructure, after retries) is a :class:`~archon_code.errors.SandboxError`,
    as it is locally: never a FAIL."""
    reports: dict[int, ProblemReport] = {}
    failures: list[str] = []
    for index, result in results:
        advance(1)
        if isinstance(result, UnitFailure):
            failures.append(f"{problems[index].id}: {result.message}")
        else:
            reports[index] = result
    if failures:
        raise SandboxError(f"{len(failures)} problem(s) could not be validated on Ray; first: {failures[0]}")
    return [reports[i] for i in range(len(problems))]
