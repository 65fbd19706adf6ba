"""bench/readme_table.py: the README table from a results.jsonl (partial runs compare like with like)."""

import runpy

from archon_code.bench.store import BenchRecord, ResultStore
from tests.conftest import ROOT

table = runpy.run_path(str(ROOT / "bench" / "readme_table.py"))["table"]


def test_only_problems_finished_by_every_arch_count(tmp_path):
    store = ResultStore(tmp_path / "results.jsonl")
    for arch, problem, status, calls in [("single", "a", "pass", 1), ("full", "a", "pass", 5),
                                         ("single", "b", "fail", 1), ("full", "b", "pass", 7),
                                         ("single", "c", "pass", 1)]:  # c: full not finished yet
        store.append(BenchRecord(arch=arch, problem=problem, status=status, calls=calls, seconds=2.0))
    assert table(store.path, ["single", "full"]).splitlines() == [
        f"{store.path}: 2 problems finished by every architecture:",
        "",
        "| architecture | pass@1 | solved | LLM calls / problem | tokens / problem | seconds / problem | errors |",
        "|---|---|---|---|---|---|---|",
        "| single | 0.500 | 1/2 | 1.0 | 0 | 2.0 | 0 |",
        "| full | 1.000 | 2/2 | 6.0 | 0 | 2.0 | 0 |",
    ]
