"""The runner in the real sandbox with the scripted LLM: presets, early exit, budgets,
failures, hidden-test isolation and traces."""

from __future__ import annotations

import time

import pytest

from archon_code.architecture import ArchitectureRunner, Budget, load_architecture, parse_architecture, read_trace
from archon_code.architecture.trace_view import render_trace
from archon_code.errors import LLMError
from tests.components.conftest import ADD, SUB, fenced, make_problem
from tests.support.scripted_llm import ScriptedLLM
from tests.support.spy_judge import SpyJudge

pytestmark = pytest.mark.docker

TESTS = "```input\n7 8\n```\n```output\n15\n```\n```input\n-4 4\n```\n```output\n1\n```"
BRUTE = fenced("import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n")


def script(messages, sample):
    """A model that writes SUB first, garbage second, ADD third; answers every other prompt."""
    user = messages[-1]["content"]
    if "new test cases" in user:
        return TESTS
    if "simplest possible" in user:
        return BRUTE
    if "Critique this" in user:
        return "It subtracts; it must add."
    if "corrected, complete solution" in user:
        return fenced(ADD)
    return [fenced(SUB), "no idea", fenced(ADD), fenced(SUB)][sample % 4]


def _run(judge, arch, llm=None, **options):
    llm = llm or ScriptedLLM(script)
    runner = ArchitectureRunner(load_architecture(arch), llm, judge, model="scripted", **options)
    return runner.solve(make_problem()), llm


def test_single_is_judged_on_public_tests_at_the_end(judge):
    result, llm = _run(judge, "single")
    assert (result.program.source, result.public_passed, result.public_total) == (SUB, 0, 2)
    assert (result.candidates_seen, result.early_exit, result.stopped_by_budget) == (1, False, None)
    assert result.solved_public is False
    assert result.usage == llm.usage
    assert result.usage.calls == 1


def test_best_of_n_picks_the_passing_sample_and_exits_early(judge):
    result, llm = _run(judge, "best-of-n")
    assert result.program.source == ADD
    assert result.program.id == "layer1/generator0#2"
    assert (result.public_passed, result.early_exit, result.candidates_seen) == (2, True, 3)
    assert result.usage.calls == 4


UNIT_TESTS = {"name": "unit-tests", "layers": [
    [{"type": "generator", "samples": 4, "temperature": 0.8}],
    [{"type": "unit_test_generator", "num_tests": 5}], [{"type": "evaluator"}], [{"type": "ranker"}]]}


def test_unit_test_generator_adds_trusted_tests(judge):
    runner = ArchitectureRunner(parse_architecture(UNIT_TESTS), ScriptedLLM(script), judge, model="scripted",
                                early_exit=False)
    result = runner.solve(make_problem())
    assert result.program.source == ADD
    assert result.generated_tests == 2
    assert "layer2/unit_test_generator0: 2 generated tests kept (brute-force)" in result.notes


def test_full_fuses_a_repair_when_every_sample_fails(judge):
    def samples_fail(messages, sample):
        if "Write a complete Python 3 program" in messages[-1]["content"]:
            return fenced(SUB)
        return script(messages, sample)

    result, _ = _run(judge, "full", llm=ScriptedLLM(samples_fail))
    assert result.program.origin == "fuser:scripted#0"
    assert result.public_passed == 2


def test_hidden_tests_never_reach_a_prompt_or_the_judge(judge):
    recorder = SpyJudge(judge)
    result, llm = _run(recorder, "full", early_exit=False)
    assert result.public_total == 2
    assert recorder.calls and llm.calls
    for call in llm.calls:
        for message in call.messages:
            assert "HIDDEN" not in message["content"]
    for problem, tests, _ in recorder.calls:
        assert problem.hidden_tests == () and problem.generated_tests == ()
        assert all("HIDDEN" not in t.input and "HIDDEN" not in (t.output or "") for t in tests)


def test_call_budget_stops_cleanly_with_the_best_so_far(judge):
    result, llm = _run(judge, "best-of-n", budget=Budget(calls=2), trace_path=None)
    assert result.stopped_by_budget == "calls"
    assert result.usage.calls == 2
    assert [f.kind for f in result.failures] == ["budget", "budget"]
    assert result.program.source == SUB
    assert result.public_passed == 0


def test_seconds_budget_stops_between_layers(judge):
    def slow(messages, sample):
        time.sleep(0.3)
        return script(messages, sample)

    result, llm = _run(judge, "repair", llm=ScriptedLLM(slow), budget=Budget(seconds=0.2))
    assert result.stopped_by_budget == "seconds"
    assert len(llm.calls) == 1
    assert (result.program.source, result.public_passed) == (SUB, 0)


def test_every_model_call_failing_is_a_clear_error(judge):
    llm = ScriptedLLM([], failures={i: "rate_limit" for i in range(4)})
    with pytest.raises(LLMError, match="no candidate for add: all 4 model calls failed; first: scripted rate "
                                       "limit \\(429\\) on call"):
        _run(judge, "best-of-n", llm=llm)


def test_garbage_only_gives_no_program(judge):
    result, _ = _run(judge, "best-of-n", llm=ScriptedLLM(lambda m, s: "sorry"))
    assert result.program is None and result.solved_public is False
    assert result.candidates_seen == 0


def test_trace_records_calls_executions_layers_and_renders(judge, tmp_path):
    path = tmp_path / "run.jsonl"
    result, llm = _run(judge, "best-of-n", trace_path=path)
    events = read_trace(path)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end"
    assert kinds.count("llm_call") == 4 and kinds.count("layer") == 2
    calls = [e for e in events if e["event"] == "llm_call"]
    assert {c["tag"] for c in calls} == {"layer1/generator0"}
    assert sorted(c["text"] for c in calls) == sorted(c.text for c in llm.calls)
    assert calls[0]["messages"] == [dict(m) for m in llm.calls[0].messages]
    assert all(c["stop"] == ["\n```\n"] for c in calls)  # program requests stop at the closing fence
    execution = next(e for e in events if e["event"] == "execution")
    assert execution["tag"] == "layer2/evaluator0"
    assert execution["verdicts"]["layer1/generator0#2"] == {"verdict": "AC", "tests": ["AC", "AC"],
                                                           "compile_output": ""}
    assert result.trace_path == str(path)
    text = render_trace(events)
    assert "EXEC layer2/evaluator0  judge_many: 3 candidates x 2 tests (2 public)" in text
    assert "END  program layer1/generator0#2  public 2/2  calls 4" in text
    assert "stop '\\n```\\n'" in text


def test_solve_problem_api_and_lang_check(judge):
    from archon_code.architecture import solve_problem
    from archon_code.errors import ProblemError

    result = solve_problem(make_problem(), "best-of-n", "scripted", llm=ScriptedLLM(script), judge=judge)
    assert (result.program.source, result.architecture, result.model) == (ADD, "best-of-n", "scripted")
    function = make_problem(style="function", entry_point="add", public_tests=())
    with pytest.raises(ProblemError, match="problem 'add' is function-style \\(Python\\); lang 'cpp' is only for "
                                           "stdio problems"):
        solve_problem(function, "single", "scripted", llm=ScriptedLLM(script), judge=judge, lang="cpp")


def test_an_architecture_has_the_components_call_shape(judge):
    from archon_code.components import State

    runner = ArchitectureRunner(load_architecture("best-of-n"), ScriptedLLM(script), judge, model="scripted")
    state = runner.run(make_problem(), State())
    assert [c.source for c in state.candidates] == [SUB, ADD, SUB]
    assert state.verdicts["layer1/generator0#2"].accepted is True
    assert state.usage.calls == 4
    assert len(state.rejected) == 1
