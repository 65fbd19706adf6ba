"""Generator with the scripted LLM: samples, models, garbage, model failures."""

from __future__ import annotations

from archon_code.components import Failure, Generator, GeneratorConfig, Rejected, State
from archon_code.types import Candidate
from tests.components.conftest import ADD, SUB, fenced
from tests.support.scripted_llm import ScriptedLLM


def _generator(llm, **config) -> Generator:
    return Generator(GeneratorConfig(type="generator", **config), llm, None, tag="layer1/generator0", model="m1")


def test_samples_become_candidates_with_ids_and_origins(problem):
    llm = ScriptedLLM(lambda messages, sample: fenced(ADD if sample % 2 == 0 else SUB))
    state = _generator(llm, samples=3, temperature=0.7).run(problem, State())
    assert state.candidates == (
        Candidate(id="layer1/generator0#0", source=ADD, origin="generator:m1#0"),
        Candidate(id="layer1/generator0#1", source=SUB, origin="generator:m1#1"),
        Candidate(id="layer1/generator0#2", source=ADD, origin="generator:m1#2"),
    )
    assert sorted((c.sample, c.temperature, c.tag, c.model) for c in llm.calls) == [
        (0, 0.7, "layer1/generator0", "m1"), (1, 0.7, "layer1/generator0", "m1"), (2, 0.7, "layer1/generator0", "m1")]
    assert "Read two integers a and b" in llm.calls[0].last_user


def test_several_models_are_each_sampled(problem):
    llm = ScriptedLLM(lambda messages, sample: fenced(ADD))
    state = _generator(llm, samples=2, models=("a", "b")).run(problem, State())
    assert [c.origin for c in state.candidates] == ["generator:a#0", "generator:a#1", "generator:b#0", "generator:b#1"]
    assert sorted(c.model for c in llm.calls) == ["a", "a", "b", "b"]


def test_garbage_answer_is_recorded_not_a_candidate(problem):
    llm = ScriptedLLM(["I cannot solve this, sorry."])
    state = _generator(llm, parallel=1).run(problem, State())
    assert state.candidates == ()
    assert state.rejected == (Rejected(tag="layer1/generator0", model="m1", sample=0,
                                       reason="no Python program found in the answer",
                                       text="I cannot solve this, sorry."),)


def test_rate_limit_and_timeout_are_recorded_and_the_rest_continues(problem):
    llm = ScriptedLLM([fenced(ADD)], failures={0: "rate_limit", 1: "timeout"})
    state = _generator(llm, samples=3, parallel=1).run(problem, State())
    assert [c.id for c in state.candidates] == ["layer1/generator0#2"]
    assert [f.kind for f in state.failures] == ["llm", "llm"]
    assert state.failures[0] == Failure(
        tag="layer1/generator0", model="m1", kind="llm",
        message="scripted rate limit (429) on call 0 (model m1, tag 'layer1/generator0')")
    assert state.failures[1].message == "scripted timeout on call 1 (model m1, tag 'layer1/generator0')"
    assert state.rejected == ()


def test_function_style_prompt_names_the_entry_point(problem):
    fn = problem.model_copy(update={"style": "function", "entry_point": "add", "public_tests": ()})
    answer = fenced("def helper():\n    return 1\n") + fenced("def add(a, b):\n    return a + b\n")
    llm = ScriptedLLM(lambda messages, sample: answer)
    state = _generator(llm).run(fn, State())
    assert state.candidates[0].source == "def add(a, b):\n    return a + b\n"
    assert "Write the complete function `add`" in llm.calls[0].last_user
    # the answer stopped after the helper block (no `add`): asked again, without the stop
    from archon_code.extract import PROGRAM_STOP

    assert [(c.stop, c.sample) for c in llm.calls] == [(PROGRAM_STOP, 0), ((), 0)]
    assert "def add" not in llm.calls[0].text and "def add" in llm.calls[1].text


def test_program_requests_stop_at_the_closing_fence(problem):
    """Samples ask the model to stop after the code block: the trailing explanation and the
    block of asserts a model likes to add are never decoded, and the program is still read."""
    from archon_code.extract import PROGRAM_STOP

    chatty = (f"```python\n{ADD}```\n\nThis reads a and b and prints their sum.\n\n"
              f"```python\nassert True\n```\n")
    llm = ScriptedLLM(lambda messages, sample: chatty)
    state = _generator(llm, samples=2).run(problem, State())
    assert [c.source for c in state.candidates] == [ADD, ADD]
    assert {c.stop for c in llm.calls} == {PROGRAM_STOP}
    assert all(c.text == f"```python\n{ADD.rstrip()}" for c in llm.calls)
