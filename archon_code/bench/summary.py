"""Summaries of bench records: pass@1, pass@k and cost per architecture and per problem."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Optional, Sequence

from archon_code.bench.passk import mean_pass_at_k
from archon_code.bench.store import BenchRecord
from archon_code.types import Frozen

__all__ = ["ArchSummary", "BenchSummary", "Cell", "format_savings", "format_table", "summarize", "table_head", "table_row"]


class Cell(Frozen):
    """One (architecture, problem) outcome over its draws."""

    passed: int = 0
    """Draws whose final program passed every graded test."""
    oracle: int = 0
    """Draws where some candidate (not only the final program) passed every graded test."""
    draws: int = 0
    """Draws that finished (errors excluded)."""
    errors: int = 0
    calls: int = 0
    """LLM calls over the finished draws."""
    tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    """Wall seconds over the finished draws."""


class ArchSummary(Frozen):
    """One architecture over the problem set. Costs are means per finished draw."""

    arch: str
    problems: int
    """Problems with at least one finished draw."""
    draws: int
    errors: int
    solved: int
    """Problems solved by at least one draw."""
    pass_at_1: float
    pass_at_k: dict[int, float]
    """Unbiased pass@k for k = 1, 2, 5, 10, ... up to the draws per problem."""
    oracle: float = 0.0
    """Share of draws (averaged per problem, as pass@1) where some candidate of the run passes
    every graded test: the most a perfect selection could reach."""
    selection: float = 0.0
    """pass@1 / oracle: how much of the ceiling the architecture's choice reaches (0 when the oracle is 0)."""
    generation_misses: int = 0
    """Problems where no candidate of any draw passes: the generator never wrote a right program."""
    calls: float
    tokens: float
    cost_usd: float
    seconds: float
    total_calls: int
    total_tokens: int
    total_cost_usd: float
    total_seconds: float
    total_cached_calls: int = 0
    """Model calls the LLM answer cache served (counted in ``total_calls`` too)."""
    total_executions: int = 0
    """Test executions run in the sandbox (solve and grading)."""
    total_cached_executions: int = 0
    """Test executions the execution cache answered instead of running them."""
    total_skipped: int = 0
    """Components skipped because they could not change the outcome (each >= 1 model call saved)."""
    early_exits: int = 0
    """Draws that stopped before their last layer because the evidence was decisive."""


class BenchSummary(Frozen):
    archs: tuple[ArchSummary, ...]
    problems: tuple[str, ...]
    grid: dict[str, dict[str, Cell]]
    """problem id -> arch -> cell."""


def _ks(max_draws: int) -> list[int]:
    ks = [k for k in (1, 2, 5, 10, 20, 50, 100) if k <= max_draws]
    if max_draws not in ks:
        ks.append(max_draws)
    return ks


def summarize(records: Iterable[BenchRecord], archs: Optional[Sequence[str]] = None) -> BenchSummary:
    """Aggregate records (any order; one per key) into per-arch and per-problem figures."""
    records = list(records)
    arch_order = list(archs) if archs else list(dict.fromkeys(r.arch for r in records))
    problems = list(dict.fromkeys(r.problem for r in records))
    grid: dict[str, dict[str, Cell]] = {p: {} for p in problems}
    by_arch: dict[str, list[BenchRecord]] = defaultdict(list)
    for record in records:
        by_arch[record.arch].append(record)
        grid[record.problem][record.arch] = _add(grid[record.problem].get(record.arch, Cell()), record)
    summaries = tuple(_arch_summary(a, by_arch.get(a, []), grid) for a in arch_order)
    return BenchSummary(archs=summaries, problems=tuple(problems), grid=grid)


def _add(cell: Cell, record: BenchRecord) -> Cell:
    if record.status == "error":
        return cell.model_copy(update={"errors": cell.errors + 1})
    oracle = record.oracle or record.status == "pass"
    return Cell(passed=cell.passed + (record.status == "pass"), oracle=cell.oracle + oracle,
                draws=cell.draws + 1, errors=cell.errors,
                calls=cell.calls + record.calls, tokens=cell.tokens + record.tokens,
                cost_usd=cell.cost_usd + record.cost_usd, seconds=cell.seconds + record.seconds)


def _arch_summary(arch: str, records: list[BenchRecord], grid: dict[str, dict[str, Cell]]) -> ArchSummary:
    cells = [row[arch] for row in grid.values() if arch in row and row[arch].draws > 0]
    finished = [r for r in records if r.status != "error"]
    counts = [(c.draws, c.passed) for c in cells]
    max_draws = max((c.draws for c in cells), default=1)
    n = len(finished) or 1
    total_calls = sum(r.calls for r in finished)
    total_tokens = sum(r.tokens for r in finished)
    total_cost = sum(r.cost_usd for r in finished)
    total_seconds = sum(r.seconds for r in finished)
    pass_at_1 = mean_pass_at_k(counts, 1)
    oracle = sum(c.oracle / c.draws for c in cells) / len(cells) if cells else 0.0
    return ArchSummary(
        arch=arch, problems=len(cells), draws=len(finished), errors=len(records) - len(finished),
        solved=sum(c.passed > 0 for c in cells), pass_at_1=pass_at_1,
        oracle=oracle, selection=pass_at_1 / oracle if oracle else 0.0,
        generation_misses=sum(c.oracle == 0 for c in cells),
        pass_at_k={k: mean_pass_at_k(counts, k) for k in _ks(max_draws)},
        calls=total_calls / n, tokens=total_tokens / n, cost_usd=total_cost / n, seconds=total_seconds / n,
        total_calls=total_calls, total_tokens=total_tokens, total_cost_usd=total_cost, total_seconds=total_seconds,
        total_cached_calls=sum(r.cached_calls for r in finished), total_executions=sum(r.executions for r in finished),
        total_cached_executions=sum(r.cached_executions for r in finished),
        total_skipped=sum(r.skipped for r in finished), early_exits=sum(r.early_exit for r in finished),
    )


def table_head(ks: Sequence[int]) -> list[str]:
    """Column names of the per-architecture table (terminal and HTML)."""
    return (["arch", "problems", "solved", "pass@1"] + [f"pass@{k}" for k in ks]
            + ["oracle", "selection", "gen-miss", "calls/p", "tokens/p", "$/p", "s/p", "errors"])


def table_row(a: ArchSummary, ks: Sequence[int]) -> list[str]:
    """One architecture's cells, in :func:`table_head` order."""
    return ([a.arch, str(a.problems), str(a.solved), f"{a.pass_at_1:.3f}"]
            + [f"{a.pass_at_k[k]:.3f}" if k in a.pass_at_k else "-" for k in ks]
            + [f"{a.oracle:.3f}", f"{a.selection:.3f}", str(a.generation_misses), f"{a.calls:.1f}",
               f"{a.tokens:.0f}", f"{a.cost_usd:.4f}", f"{a.seconds:.1f}", str(a.errors)])


def format_table(summary: BenchSummary) -> str:
    """A fixed-width terminal table, one row per architecture."""
    ks = sorted({k for a in summary.archs for k in a.pass_at_k if k > 1})
    rows = [table_head(ks)] + [table_row(a, ks) for a in summary.archs]
    head = rows[0]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return "\n".join(lines)


def format_savings(summary: BenchSummary) -> str:
    """What the caches and pruning saved, one line per architecture (finished draws).

    \b
        single: caches answered 3 of 10 model calls and 120 of 150 test executions
        full: caches answered 0 of 52 model calls and 0 of 900 test executions; 4 components skipped (each >= 1 call saved); 3 of 10 draws stopped early
    """
    lines = []
    for a in summary.archs:
        line = (f"{a.arch}: caches answered {a.total_cached_calls} of {a.total_calls} model calls and "
                f"{a.total_cached_executions} of {a.total_executions + a.total_cached_executions} test executions")
        if a.total_skipped:
            line += f"; {a.total_skipped} component{'s' if a.total_skipped != 1 else ''} skipped (each >= 1 call saved)"
        if a.early_exits:
            line += f"; {a.early_exits} of {a.draws} draws stopped early"
        lines.append(line)
    return "\n".join(lines)
