"""Benchmarks: architectures over problem sets, graded on hidden tests, resumable."""

from archon_code.bench.passk import mean_pass_at_k, pass_at_k
from archon_code.bench.runner import BenchTask, OffsetLLM, architecture_solvers, plan_tasks, run_bench, run_task
from archon_code.bench.store import BenchRecord, ResultStore, record_key
from archon_code.bench.summary import ArchSummary, BenchSummary, Cell, format_table, summarize

__all__ = [
    "ArchSummary",
    "BenchRecord",
    "BenchSummary",
    "BenchTask",
    "Cell",
    "OffsetLLM",
    "ResultStore",
    "architecture_solvers",
    "format_table",
    "mean_pass_at_k",
    "pass_at_k",
    "plan_tasks",
    "record_key",
    "run_bench",
    "run_task",
    "summarize",
]
