import pytest

from archon_code.bench.report import render_html
from archon_code.bench.store import BenchRecord
from archon_code.bench.summary import Cell, format_table, summarize


def _rec(arch, problem, sample, status, calls=2, tokens=100, seconds=1.0, oracle=False):
    return BenchRecord(arch=arch, problem=problem, sample=sample, status=status, calls=calls,
                       prompt_tokens=tokens, completion_tokens=0, seconds=seconds, oracle=oracle)


RECORDS = [
    _rec("single", "p1", 0, "pass"), _rec("single", "p1", 1, "fail"),
    _rec("single", "p2", 0, "fail", oracle=True), _rec("single", "p2", 1, "fail"),
    _rec("full", "p1", 0, "pass", calls=10), _rec("full", "p1", 1, "pass", calls=10),
    _rec("full", "p2", 0, "pass", calls=10), _rec("full", "p2", 1, "error", calls=0, tokens=0),
]


def test_summary_figures():
    summary = summarize(RECORDS, ["single", "full"])
    single, full = summary.archs
    assert (single.arch, single.problems, single.draws, single.errors, single.solved) == ("single", 2, 4, 0, 1)
    assert single.pass_at_1 == pytest.approx(0.25)  # (1/2 + 0/2) / 2
    assert single.pass_at_k == {1: pytest.approx(0.25), 2: pytest.approx(0.5)}
    assert (single.calls, single.tokens, single.seconds) == (2.0, 100.0, 1.0)
    assert (full.draws, full.errors, full.solved) == (3, 1, 2)
    assert full.pass_at_1 == pytest.approx(1.0)
    assert full.pass_at_k == {1: pytest.approx(1.0), 2: pytest.approx(1.0)}  # p2 has 1 draw: skipped at k=2
    assert full.total_calls == 30
    assert summary.grid["p2"]["full"] == Cell(passed=1, oracle=1, draws=1, errors=1, calls=10, tokens=100,
                                              seconds=1.0)
    assert summary.grid["p1"]["single"] == Cell(passed=1, oracle=1, draws=2, calls=4, tokens=200, seconds=2.0)
    assert summary.grid["p2"]["single"] == Cell(passed=0, oracle=1, draws=2, calls=4, tokens=200, seconds=2.0)
    assert summary.problems == ("p1", "p2")


def test_oracle_selection_and_generation_misses():
    single, full = summarize(RECORDS, ["single", "full"]).archs
    # single: p1 oracle 1/2 (a pass is an oracle draw), p2 1/2 (a candidate passed, the final program did not)
    assert (single.oracle, single.selection, single.generation_misses) == (0.5, 0.5, 0)
    assert (full.oracle, full.selection, full.generation_misses) == (1.0, 1.0, 0)
    missed = summarize([_rec("a", "p1", 0, "fail"), _rec("a", "p2", 0, "pass")], ["a"]).archs[0]
    assert (missed.pass_at_1, missed.oracle, missed.selection, missed.generation_misses) == (0.5, 0.5, 1.0, 1)
    nothing = summarize([_rec("a", "p1", 0, "fail")], ["a"]).archs[0]
    assert (nothing.oracle, nothing.selection, nothing.generation_misses) == (0.0, 0.0, 1)


def test_table_has_one_row_per_arch():
    table = format_table(summarize(RECORDS, ["single", "full"]))
    assert table.splitlines() == [
        "arch    problems  solved  pass@1  pass@2  oracle  selection  gen-miss  calls/p  tokens/p     $/p  s/p  errors",
        "single         2       1   0.250   0.500   0.500      0.500         0      2.0       100  0.0000  1.0       0",
        "full           2       2   1.000   1.000   1.000      1.000         0     10.0       100  0.0000  1.0       1",
    ]


def test_html_is_self_contained():
    html = render_html(summarize(RECORDS, ["single", "full"]), {"problems": "x"})
    assert html.count("<svg") == 2
    assert "<script" not in html
    assert "http://" not in html.replace('"http://www.w3.org/2000/svg"', "").replace('"http://www.w3.org/1999/xlink"', "")
    assert "https://" not in html
    assert '<td class="part">1/2 · oracle 1/2 · 2 calls · 1s</td>' in html
    assert '<td class="pass">1/1 +1err · oracle 1/1 · 10 calls · 1s</td>' in html
    assert "<th>oracle</th>" in html and "<td>0.500</td>" in html


def test_savings_count_skipped_components_and_early_exits():
    from archon_code.bench.summary import format_savings

    records = [
        BenchRecord(arch="full", problem="p1", status="pass", calls=5, skipped=2, early_exit=True),
        BenchRecord(arch="full", problem="p2", status="fail", calls=9, skipped=1, cached_calls=3,
                    executions=40, cached_executions=10),
        BenchRecord(arch="full", problem="p3", status="error", skipped=7, early_exit=True),  # not counted
        BenchRecord(arch="single", problem="p1", status="pass", calls=1),
    ]
    full, single = summarize(records, ["full", "single"]).archs
    assert (full.total_skipped, full.early_exits, single.total_skipped, single.early_exits) == (3, 1, 0, 0)
    assert format_savings(summarize(records, ["full", "single"])).splitlines() == [
        "full: caches answered 3 of 14 model calls and 10 of 50 test executions; 3 components skipped "
        "(each >= 1 call saved); 1 of 2 draws stopped early",
        "single: caches answered 0 of 1 model calls and 0 of 0 test executions"]
