"""Critic and fuser see concrete failures; fused candidates are new candidates."""

from __future__ import annotations

from archon_code.components import Critic, CriticConfig, Fuser, FuserConfig
from archon_code.types import Judgement, TestResult, Verdict
from tests.components.conftest import ADD, SUB, fenced, judgement, state_with
from tests.support.scripted_llm import ScriptedLLM


def _sub_judgement() -> Judgement:
    return Judgement(candidate_id="s", verdict=Verdict.WA, tests=(
        TestResult(index=0, verdict=Verdict.WA, stdout="-1\n", message="expected '3', got '-1'"),
        TestResult(index=1, verdict=Verdict.WA, stdout="0\n", stderr="warning: x" * 100)))


def test_critic_prompt_holds_input_expected_actual_and_truncated_stderr(problem):
    llm = ScriptedLLM(["It subtracts; add instead."])
    state = state_with({"s": SUB, "a": ADD}, {"s": _sub_judgement(), "a": judgement("a", "AA")})
    critic = Critic(CriticConfig(type="critic", top_k=1), llm, None, tag="layer4/critic0", model="m")
    out = critic.run(problem, state.model_copy(update={"ranking": ("s", "a")}))
    assert out.critiques == {"a": "It subtracts; add instead."}  # top-1 by evidence is "a"
    out = Critic(CriticConfig(type="critic", top_k=2, parallel=1), ScriptedLLM(["ok", "bad sign"]), None,
                 tag="layer4/critic0", model="m").run(problem, state)
    assert out.critiques == {"a": "ok", "s": "bad sign"}


def test_critic_sees_failures(problem):
    llm = ScriptedLLM(["bad sign"])
    state = state_with({"s": SUB}, {"s": _sub_judgement()})
    Critic(CriticConfig(type="critic"), llm, None, tag="layer4/critic0", model="m").run(problem, state)
    prompt = llm.calls[0].last_user
    assert "failed 2 test(s) (of 2)" in prompt
    assert "Test 1 (public): verdict WA (expected '3', got '-1')" in prompt
    assert "Input:\n```\n1 2\n```" in prompt
    assert "Expected output:\n```\n3\n```" in prompt
    assert "Actual output:\n```\n-1\n```" in prompt
    assert "[500 more characters]" in prompt  # stderr of 1000 characters cut to 500


def test_critic_failure_is_recorded(problem):
    llm = ScriptedLLM([], failures={0: "rate_limit"})
    state = state_with({"s": SUB}, {"s": _sub_judgement()})
    out = Critic(CriticConfig(type="critic"), llm, None, tag="layer4/critic0", model="m").run(problem, state)
    assert out.critiques == {} and [f.kind for f in out.failures] == ["llm"]


def test_fuser_writes_a_new_candidate_from_critiques_and_failures(problem):
    llm = ScriptedLLM([fenced(ADD)])
    state = state_with({"s": SUB}, {"s": _sub_judgement()}).model_copy(update={"critiques": {"s": "use +"}})
    out = Fuser(FuserConfig(type="fuser"), llm, None, tag="layer5/fuser0", model="m").run(problem, state)
    assert [(c.id, c.origin, c.source) for c in out.candidates] == [
        ("s", "", SUB), ("layer5/fuser0#0", "fuser:m#0", ADD)]
    prompt = llm.calls[0].last_user
    assert "## Candidate 1: passed 0 of 2 tests" in prompt
    assert "Critique:\nuse +" in prompt
    assert "Actual output:\n```\n-1\n```" in prompt
    assert "fused" not in out.candidates[1].id


def test_fuser_garbage_and_empty_state(problem):
    state = state_with({"s": SUB}, {"s": _sub_judgement()})
    out = Fuser(FuserConfig(type="fuser"), ScriptedLLM(["no idea"]), None, tag="layer5/fuser0", model="m").run(
        problem, state)
    assert [c.id for c in out.candidates] == ["s"]
    assert out.rejected[0].reason == "no Python program found in the answer"
    empty = state_with({}, {})
    out = Fuser(FuserConfig(type="fuser"), ScriptedLLM([]), None, tag="layer5/fuser0", model="m").run(problem, empty)
    assert out.notes == ("layer5/fuser0: no candidates to fuse",)


def test_fuser_model_failure_is_recorded(problem):
    state = state_with({"s": SUB}, {"s": _sub_judgement()})
    llm = ScriptedLLM([], failures={0: "rate_limit"})
    out = Fuser(FuserConfig(type="fuser"), llm, None, tag="layer5/fuser0", model="m").run(problem, state)
    assert [c.id for c in out.candidates] == ["s"]
    assert out.failures[0].message == "scripted rate limit (429) on call 0 (model m, tag 'layer5/fuser0')"


def test_critic_and_fuser_take_the_best_distinct_programs(problem):
    # "s2" is "s" with trailing spaces and a blank last line: the same program, so the critic
    # writes one critique for both and takes the next distinct program ("a") as its second.
    copy = "\n".join(line + "  " for line in SUB.splitlines()) + "\n\n"
    verdicts = {"s": _sub_judgement(), "s2": _sub_judgement().model_copy(update={"candidate_id": "s2"}),
                "a": judgement("a", "WW")}
    state = state_with({"s": SUB, "s2": copy, "a": ADD}, verdicts).model_copy(update={"ranking": ("s", "s2", "a")})
    llm = ScriptedLLM(["bad sign", "reads wrong"])
    out = Critic(CriticConfig(type="critic", top_k=2, parallel=1), llm, None, tag="layer4/critic0",
                 model="m").run(problem, state)
    assert len(llm.calls) == 2 and "a + b" in llm.calls[1].last_user
    assert out.critiques == {"s": "bad sign", "s2": "bad sign", "a": "reads wrong"}
    fuser_llm = ScriptedLLM([fenced(ADD)])
    Fuser(FuserConfig(type="fuser", top_k=2), fuser_llm, None, tag="layer5/fuser0", model="m").run(problem, out)
    prompt = fuser_llm.calls[0].last_user
    assert prompt.count("## Candidate") == 2 and "a - b" in prompt and "a + b" in prompt
    assert "Critique:\nbad sign" in prompt and "Critique:\nreads wrong" in prompt
    # one distinct program only: one critique, whatever top_k says
    only = state_with({"s": SUB, "s2": copy}, {k: verdicts[k] for k in ("s", "s2")})
    llm = ScriptedLLM(["bad sign"])
    out = Critic(CriticConfig(type="critic", top_k=3), llm, None, tag="layer4/critic0", model="m").run(problem, only)
    assert len(llm.calls) == 1 and out.critiques == {"s": "bad sign", "s2": "bad sign"}


def test_critic_ends_where_the_model_opens_a_program(problem):
    answer = ("It subtracts; the expected output is\n```\n3\n```\nso add instead. Fixed:\n"
              "```python\nprint(sum(map(int, input().split())))\n```\nThis sums the two numbers.")
    state = state_with({"s": SUB}, {"s": _sub_judgement()})
    llm = ScriptedLLM([answer])
    out = Critic(CriticConfig(type="critic"), llm, None, tag="layer4/critic0", model="m").run(problem, state)
    # an untagged fence (a quoted output) is kept; the program's ```python ends the critique
    assert out.critiques == {"s": "It subtracts; the expected output is\n```\n3\n```\nso add instead. Fixed:"}
    assert "\n```py" in llm.calls[0].stop and "\n```cpp" in llm.calls[0].stop
    llm = ScriptedLLM([answer])
    whole = Critic(CriticConfig(type="critic", stop_at_code=False), llm, None, tag="layer4/critic0",
                   model="m").run(problem, state)
    assert whole.critiques == {"s": answer} and llm.calls[0].stop == ()
