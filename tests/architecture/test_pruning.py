"""No wasted model calls: components that cannot change the outcome are skipped, traced and counted."""

from __future__ import annotations

import pytest

from archon_code.architecture import ArchitectureRunner, read_trace
from archon_code.architecture.config import ArchitectureConfig, parse_architecture
from tests.components.conftest import ADD, SUB, fenced, make_problem
from tests.support.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.docker


def _arch(*layers) -> ArchitectureConfig:
    return parse_architecture({"name": "t", "layers": [list(layer) for layer in layers]})


def _solve(judge, arch, answers, tmp_path, early_exit=True):
    llm = ScriptedLLM(lambda messages, sample: answers[sample % len(answers)]
                      if "new test cases" not in messages[-1]["content"] else "no tests")
    runner = ArchitectureRunner(arch, llm, judge, model="scripted", trace_path=tmp_path / "t.jsonl",
                                early_exit=early_exit)
    return runner.solve(make_problem()), llm


GEN2 = {"type": "generator", "samples": 2, "temperature": 0.8}


def test_unit_tests_skipped_when_every_candidate_fails_and_nothing_follows(judge, tmp_path):
    arch = _arch([GEN2], [{"type": "unit_test_generator"}], [{"type": "ranker"}])
    result, llm = _solve(judge, arch, [fenced(SUB)], tmp_path)
    assert result.skipped == ("layer2/unit_test_generator0: no candidate passes every public test "
                              "(best 0/2) and none is added later",)
    assert llm.usage.calls == 2  # the two samples only
    events = [e for e in read_trace(tmp_path / "t.jsonl") if e["event"] == "skipped"]
    assert [(e["component"], e["reason"][:12]) for e in events] == [("layer2/unit_test_generator0", "no candidate")]
    from archon_code.architecture.trace_view import render_trace

    assert [line[11:] for line in render_trace(read_trace(tmp_path / "t.jsonl")).splitlines() if "SKIP" in line] == [
        "SKIP layer2/unit_test_generator0: no candidate passes every public test (best 0/2) and none is added "
        "later (no model call)"]


def test_unit_tests_run_when_a_fuser_follows(judge, tmp_path):
    arch = _arch([GEN2], [{"type": "unit_test_generator"}], [{"type": "fuser", "top_k": 1}])
    result, llm = _solve(judge, arch, [fenced(SUB)], tmp_path)
    assert result.skipped == ()
    assert llm.usage.calls > 3


def test_critic_skipped_without_a_later_fuser(judge, tmp_path):
    arch = _arch([GEN2], [{"type": "evaluator"}], [{"type": "critic", "top_k": 2}], [{"type": "ranker"}])
    result, llm = _solve(judge, arch, [fenced(SUB)], tmp_path)
    assert result.skipped == ("layer3/critic0: no fuser follows to read the critiques",)
    assert llm.usage.calls == 2


def test_early_exit_off_runs_every_component(judge, tmp_path):
    arch = _arch([GEN2], [{"type": "unit_test_generator"}], [{"type": "ranker"}])
    result, llm = _solve(judge, arch, [fenced(SUB)], tmp_path, early_exit=False)
    assert result.skipped == ()
    assert llm.usage.calls > 2


def test_bench_records_count_the_skipped_components(judge, tmp_path):
    from archon_code.bench.runner import _solve_fields

    arch = _arch([GEN2], [{"type": "evaluator"}], [{"type": "critic", "top_k": 2}], [{"type": "ranker"}])
    result, _ = _solve(judge, arch, [fenced(SUB)], tmp_path)
    fields = _solve_fields(result)
    assert (fields["skipped"], fields["calls"], fields["early_exit"]) == (1, 2, False)
