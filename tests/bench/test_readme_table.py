"""bench/readme_table.py: the README table from a results.jsonl (partial runs compare like with like)."""

import runpy

from archon_code.bench.store import BenchRecord, ResultStore
from tests.conftest import ROOT

table = runpy.run_path(str(ROOT / "bench" / "readme_table.py"))["table"]


def test_only_problems_finished_by_every_arch_count(tmp_path):
    store = ResultStore(tmp_path / "results.jsonl")
    for arch, problem, status, calls, oracle in [("single", "a", "pass", 1, True), ("full", "a", "pass", 5, True),
                                                 ("single", "b", "fail", 1, False), ("full", "b", "fail", 7, True),
                                                 ("single", "c", "pass", 1, True)]:  # c: full not finished yet
        store.append(BenchRecord(arch=arch, problem=problem, status=status, calls=calls, seconds=2.0, oracle=oracle))
    assert table(store.path, ["single", "full"]).splitlines() == [
        f"{store.path}: 2 problems finished by every architecture:",
        "",
        "| architecture | pass@1 | solved | oracle | selection | gen-miss | LLM calls / problem | tokens / problem "
        "| seconds / problem | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
        "| single | 0.500 | 1/2 | 0.500 | 1.000 | 1 | 1.0 | 0 | 2.0 | 0 |",
        "| full | 0.500 | 1/2 | 1.000 | 0.500 | 0 | 6.0 | 0 | 2.0 | 0 |",
    ]
