"""The bench runner with the real sandbox and a scripted model (docker)."""

import pytest

from archon_code.bench.runner import BenchTask, OffsetLLM, plan_tasks, run_bench, run_task
from archon_code.bench.store import ResultStore
from archon_code.errors import ConfigError
from archon_code.llm.base import Usage
from archon_code.types import Candidate
from tests.bench.support import (FUNCTION_NAMES, HIDDEN_MARK, Outcome, make_problem, one_shot_solver, right_answer,
                                 wrong_on_hidden)
from tests.support.scripted_llm import ScriptedLLM
from tests.support.spy_judge import SpyJudge

PROBLEMS = [make_problem(n) for n in FUNCTION_NAMES[:3]]


def _script(messages, sample):
    text = messages[-1]["content"]
    if "double" in text:
        return right_answer("double")
    if "triple" in text:
        return wrong_on_hidden("triple")
    return "I cannot do that."


def _bench(tmp_path, llm, judge, *, workers=1, samples=1):
    spy = SpyJudge(judge)
    store = ResultStore(tmp_path / "results.jsonl")
    tasks = plan_tasks(["one"], PROBLEMS, samples)
    records = run_bench(tasks, lambda arch, s: one_shot_solver(OffsetLLM(llm, s), spy), judge, store,
                        workers=workers)
    return records, spy, store


def test_grades_on_hidden_tests_only_the_bench_saw(tmp_path, judge):
    llm = ScriptedLLM(_script)
    records, spy, _ = _bench(tmp_path, llm, judge)
    assert [(r.problem, r.status, r.graded_passed, r.graded_total, r.public_passed, r.verdict) for r in records] == [
        ("double", "pass", 4, 4, 1, "AC"),
        ("triple", "fail", 0, 4, 1, "WA"),
        ("square", "fail", 0, 4, 0, ""),
    ]
    assert [r.calls for r in records] == [1, 1, 1]
    assert records[0].program == "def double(x):\n    return 2 * x\n"
    # hidden tests never reached the model nor the pipeline's judge calls
    assert len(llm.calls) == 3
    assert not any(HIDDEN_MARK in m["content"] for call in llm.calls for m in call.messages)
    assert spy.calls and all(not p.hidden_tests for p, _, _ in spy.calls)
    assert not any(HIDDEN_MARK in t.input for _, tests, _ in spy.calls for t in tests)


def test_rerun_recomputes_nothing(tmp_path, judge):
    first, _, store = _bench(tmp_path, ScriptedLLM(_script), judge)
    llm = ScriptedLLM(_script)
    second, _, _ = _bench(tmp_path, llm, judge)
    assert llm.calls == []
    assert second == first
    assert len(store.path.read_text().splitlines()) == 3


def test_infrastructure_errors_are_recorded_and_retried(tmp_path, judge):
    first, _, store = _bench(tmp_path, ScriptedLLM(_script, failures={1: "timeout"}), judge)
    assert [r.status for r in first] == ["pass", "error", "fail"]
    assert first[1].error.startswith("ScriptedTimeout: scripted timeout on call 1")
    llm = ScriptedLLM(_script)
    second, _, _ = _bench(tmp_path, llm, judge)
    assert [r.status for r in second] == ["pass", "fail", "fail"]
    assert [c.last_user.split()[1] for c in llm.calls] == ["triple(x)"]
    assert len(store.path.read_text().splitlines()) == 4


def test_draws_use_shifted_sample_indices(tmp_path, judge):
    llm = ScriptedLLM(_script)
    records, _, _ = _bench(tmp_path, llm, judge, samples=2, workers=2)
    assert sorted(c.sample for c in llm.calls) == [0, 0, 0, 1000, 1000, 1000]
    assert [(r.problem, r.sample) for r in records] == [(p.id, s) for p in PROBLEMS for s in (0, 1)]


def test_plan_rejects_zero_samples():
    with pytest.raises(ConfigError, match="option 'samples': must be >= 1, got 0"):
        plan_tasks(["a"], PROBLEMS, 0)


def _outcome(program, *others):
    return Outcome(program=program, public_passed=1, public_total=1, usage=Usage(calls=1),
                   candidates=(program, *others))


def test_every_candidate_is_graded_for_the_oracle_after_the_run(judge):
    spy = SpyJudge(judge)
    wrong = Candidate(id="w", source="def triple(x):\n    return 9\n")
    right = Candidate(id="r", source="def triple(x):\n    return 3 * x\n")
    same = Candidate(id="w2", source=wrong.source)
    task = BenchTask("one", PROBLEMS[1], 0)
    record = run_task(task, lambda p: _outcome(wrong, same, right), spy)
    assert (record.status, record.oracle, record.candidates) == ("fail", True, 2)
    assert [len(tests) for _, tests, _ in spy.calls] == [4, 4]  # the final program, then the other distinct one
    alone = run_task(task, lambda p: _outcome(wrong, same), judge)
    assert (alone.status, alone.oracle, alone.candidates) == ("fail", False, 1)
    solved = run_task(task, lambda p: _outcome(right, wrong), judge)
    assert (solved.status, solved.oracle, solved.candidates) == ("pass", True, 2)
