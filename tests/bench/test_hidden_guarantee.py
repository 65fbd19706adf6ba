"""Hidden tests never reach a component: not in any LLM message, not in any judge call the
pipeline makes (real ArchitectureRunner, real sandbox, scripted model; docker)."""

import pytest

from archon_code.architecture import load_architecture
from archon_code.bench.runner import architecture_solvers, plan_tasks, run_bench
from archon_code.bench.store import ResultStore
from tests.bench.support import HIDDEN_MARK, make_problem, right_answer, wrong_on_hidden
from tests.support.scripted_llm import ScriptedLLM
from tests.support.spy_judge import SpyJudge

NAMES = ("double", "square")
PROBLEMS = [make_problem(n) for n in NAMES]


def _answer(messages, sample):
    """Generators write wrong programs (one fails the public test); the brute force and the fuser
    write the right one."""
    text = messages[-1]["content"]
    name = next(n for n in NAMES if f"`{n}`" in text or f"{n}(" in text)
    if "new checks" in text:
        return f"```python\nassert {name}(2) == 4\n```"
    if "Critique this solution" in text:
        return "It returns a constant; it must compute the value from x."
    if "Write one corrected" in text or "simplest possible CORRECT" in text:
        return right_answer(name)
    return wrong_on_hidden(name) if sample % 2 else f"```python\ndef {name}(x):\n    return None\n```"


@pytest.mark.parametrize("arch", ["codet", "full"])
def test_hidden_tests_never_reach_the_pipeline(tmp_path, judge, arch):
    llm = ScriptedLLM(_answer)
    spy = SpyJudge(judge)
    factory = architecture_solvers({arch: load_architecture(arch)}, llm, spy, model="scripted")
    records = run_bench(plan_tasks([arch], PROBLEMS, 2), factory, judge, ResultStore(tmp_path / "r.jsonl"))
    assert [r.status for r in records] == (["pass"] * 4 if arch == "full" else ["fail"] * 4)
    assert all(r.graded_total == 4 for r in records)
    messages = [m["content"] for call in llm.calls for m in call.messages]
    tags = {call.tag.split("/")[1].rstrip("0123456789") for call in llm.calls}
    assert tags == ({"generator", "differential", "critic", "fuser"} if arch == "full"
                    else {"generator", "differential"})
    assert not any(HIDDEN_MARK in m for m in messages)
    assert not any(f"{n}({x})" in m for m in messages for n in NAMES for x in (-7, 1000))
    assert spy.calls
    for problem, tests, _ in spy.calls:
        assert problem.hidden_tests == () and problem.generated_tests == ()
        assert not any(HIDDEN_MARK in t.input for t in tests)
