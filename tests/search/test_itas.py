"""ITAS end to end with the real ArchitectureRunner and sandbox and a scripted model (docker)."""

import optuna
import pytest

from archon_code.architecture import load_architecture
from archon_code.search import SearchOptions, SearchSpace, run_search, suggest
from archon_code.search.report import format_search, render_search_html
from archon_code.search.study import study_name
from tests.bench.support import FUNCTION_NAMES, make_problem, right_answer, wrong_on_hidden
from tests.support.scripted_llm import ScriptedLLM

PROBLEMS = [make_problem(n) for n in FUNCTION_NAMES[:4]]
SPACE = SearchSpace(models=("scripted",), ensemble=False, samples=(1, 2), temperature=(0.5, 0.5),
                    num_tests=(0, 1), expected=("brute_force",), fuser_layers=(0, 1), fuser_top_k=(1, 1),
                    critic=("none", "before_fuser"), ranker=("none",), verifier=("none",), greedy=(False,),
                    differential=(False,))


def _answer(messages, sample):
    """Generators are wrong on hidden tests; brute force and fuser are right. So exactly the
    architectures with a generated (trusted) test AND a fuser solve the problems."""
    text = messages[-1]["content"]
    name = next(n for n in FUNCTION_NAMES if f"`{n}`" in text)
    if "new checks" in text:
        return f"```python\nassert {name}(5) == {eval(right_answer(name).split('return ')[1].split(chr(10))[0], {'x': 5})}\n```"
    if "Critique this solution" in text:
        return "It returns a constant."
    if "Write one corrected" in text or "simplest possible CORRECT" in text:
        return right_answer(name)
    return wrong_on_hidden(name)


def _options(trials, strategy="random"):
    return SearchOptions(problems="scripted", strategy=strategy, trials=trials, dev_ids=("double", "triple"),
                         test_ids=("square", "negate"))


def _search(tmp_path, trials, strategy="random", lines=None):
    llm = ScriptedLLM(_answer)
    result = run_search(_options(trials, strategy), SPACE, tmp_path, PROBLEMS, llm=llm, judge=pytest.judge_,
                        progress=None if lines is None else lines.append)
    return result, llm


@pytest.fixture(autouse=True)
def _judge(judge):
    pytest.judge_ = judge


def test_search_scores_trials_writes_best_and_checks_it_on_test(tmp_path):
    result, llm = _search(tmp_path, 4)
    assert [t.state for t in result.trials] == ["COMPLETE"] * 4 and result.new_trials == 4
    for t in result.trials:
        solves = t.params.get("num_tests") == 1 and t.params.get("fuser_layers") == 1
        assert t.pass_at_1 == (1.0 if solves else 0.0), t.params
    front = [next(t for t in result.trials if t.number == n) for n in result.front]
    for t in result.trials:  # the front, from its definition (not from pareto_front itself)
        beaten = any(o.pass_at_1 >= t.pass_at_1 and o.cost <= t.cost and (o.pass_at_1, o.cost) != (t.pass_at_1, t.cost)
                     for o in result.trials)
        assert (t.number in result.front) is not beaten, (t.number, t.pass_at_1, t.cost)
    assert [t.cost for t in front] == sorted(t.cost for t in front)  # by increasing cost
    best = next(t for t in result.trials if t.number == result.best)
    assert best.pass_at_1 == max(t.pass_at_1 for t in result.trials)
    assert load_architecture(str(result.best_path)).model_dump(mode="json")["name"] == best.label
    assert (result.dev, result.test) == (("double", "triple"), ("square", "negate"))
    assert result.test_summary.problems == 2
    assert result.test_summary.pass_at_1 == best.pass_at_1  # same scripted behaviour on test
    assert "Pareto front (trials):" in format_search(result)
    assert render_search_html(result).count("<svg") == 1


def test_search_resumes_and_extends(tmp_path):
    first, _ = _search(tmp_path, 3)
    again, llm = _search(tmp_path, 3)
    assert again.new_trials == 0 and llm.calls == []
    assert again.trials == first.trials and again.best == first.best
    lines = []
    more, _ = _search(tmp_path, 5, lines=lines)
    assert more.new_trials == 2
    assert [line.split(":")[1] for line in lines] == [" trial 3", " trial 4"]  # one line per new trial
    assert all(" [t-" in line and "new records]" in line for line in lines), lines
    assert [t.state for t in more.trials] == ["COMPLETE"] * 5
    assert more.trials[:3] == first.trials


def test_a_killed_trial_is_failed_and_its_params_run_again(tmp_path):
    options = _options(2)
    storage = f"sqlite:///{tmp_path / 'search.db'}"
    study = optuna.create_study(study_name=study_name(options, SPACE), storage=storage,
                                directions=["maximize", "minimize"])
    stale = study.ask()
    params = suggest(stale, SPACE)  # then the process "dies": the trial stays RUNNING
    result, _ = _search(tmp_path, 2)
    assert [t.state for t in result.trials] == ["FAIL", "COMPLETE", "COMPLETE"]
    assert result.trials[1].params == stale.params == {k: v for k, v in params.model_dump().items() if k in stale.params}


def test_tpe_strategy_runs(tmp_path):
    result, _ = _search(tmp_path, 2, strategy="tpe")
    assert [t.state for t in result.trials] == ["COMPLETE", "COMPLETE"]
