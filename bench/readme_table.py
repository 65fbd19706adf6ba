"""Print bench results as the Markdown table the README shows.

Usage: python bench/readme_table.py SUMMARY_JSON | RESULTS_JSONL [ARCH ...]

SUMMARY_JSON is the output of ``archon-code bench --json``; RESULTS_JSONL a run's
``results.jsonl`` (also while the run is still going: only problems every architecture has
finished are counted, so the figures compare like with like).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from archon_code.bench.store import ResultStore
from archon_code.bench.summary import summarize


def _rows(archs: list[dict]) -> list[str]:
    return [f"| {a['arch']} | {a['pass_at_1']:.3f} | {a['solved']}/{a['problems']} | {a.get('oracle', 0):.3f} | "
            f"{a.get('selection', 0):.3f} | {a.get('generation_misses', 0)} | {a['calls']:.1f} | "
            f"{a['tokens']:.0f} | {a['seconds']:.1f} | {a['errors']} |" for a in archs]


def _from_results(path: Path, archs: list[str]) -> tuple[str, list[dict]]:
    records = list(ResultStore(path).load().values())
    archs = archs or list(dict.fromkeys(r.arch for r in records))
    done = {p for p in {r.problem for r in records}
            if all(any(r.arch == a and r.problem == p for r in records) for a in archs)}
    summary = summarize([r for r in records if r.problem in done and r.arch in archs], archs)
    return f"{path}: {len(done)} problems finished by every architecture", [a.model_dump() for a in summary.archs]


def table(path: Path, archs: list[str]) -> str:
    if path.suffix == ".jsonl":
        title, rows = _from_results(path, archs)
    else:
        summary = json.loads(path.read_text(encoding="utf-8"))
        s = summary["settings"]
        title = (f"{s['problems']}, first {s.get('limit', 'all')} problems, model `{s.get('model', 'default')}`, "
                 f"graded on {s['tests']} tests")
        rows = summary["archs"]
    head = ["| architecture | pass@1 | solved | oracle | selection | gen-miss | LLM calls / problem | tokens / problem "
            "| seconds / problem | errors |", "|---|---|---|---|---|---|---|---|---|---|"]
    return "\n".join([title + ":", "", *head, *_rows(rows)])


if __name__ == "__main__":
    print(table(Path(sys.argv[1]), sys.argv[2:]))
