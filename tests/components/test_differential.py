"""Differential testing and behaviour clusters in the real sandbox, with the scripted LLM."""

from __future__ import annotations

import pytest

from archon_code.components import Differential, DifferentialConfig, Ranker, RankerConfig, State
from archon_code.components.clusters import clusters, decisive, disagreements, expected_outputs, reference_agreement
from archon_code.components.evidence import solved
from archon_code.types import Candidate, Problem, TestCase
from tests.components.conftest import ADD, SUB, fenced, make_problem
from tests.support.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.docker

DOUBLE = Problem(id="double", statement="Write double(x) returning 2 * x for an integer x.", style="function",
                 entry_point="double", public_tests=(TestCase(input="assert double(3) == 6"),))
RIGHT = "def double(x):\n    return 2 * x\n"
RIGHT_TOO = "def double(x):\n    return x + x\n"
CONSTANT = "def double(x):\n    return 6\n"
PLUS3 = "def double(x):\n    return x + 3\n"
FAILS_PUBLIC = "def double(x):\n    return 0\n"


def _state(*sources: str) -> State:
    return State(candidates=tuple(Candidate(id=f"c{i}", source=s) for i, s in enumerate(sources)))


def _differential(judge, llm, **config) -> Differential:
    settings = DifferentialConfig(type="differential", **config)
    return Differential(settings, llm, judge, tag="layer2/differential0", model="scripted")


def test_function_candidates_are_clustered_and_the_largest_cluster_is_ranked_first(judge):
    llm = ScriptedLLM(lambda messages, sample: fenced(CONSTANT))  # a wrong brute force: it fails nothing public
    state = _differential(judge, llm, inputs=8, brute_force=False).run(
        DOUBLE, _state(CONSTANT, PLUS3, RIGHT, RIGHT_TOO, FAILS_PUBLIC))
    assert len(llm.calls) == 0  # no brute force asked, no extra samples (batch 0)
    behaviour = state.behaviour
    assert len(behaviour.probes) == 8
    assert behaviour.reference is None
    assert set(behaviour.outputs) == {"c0", "c1", "c2", "c3"}  # c4 fails the public test: never run
    assert [c.members for c in clusters(state, 1)] == [("c2", "c3"), ("c0",), ("c1",)]
    assert set(behaviour.outputs["c0"]) == {"=6"}
    assert behaviour.outputs["c2"] == behaviour.outputs["c3"] != behaviour.outputs["c1"]
    assert not decisive(state, 1)  # 2 of 4 < min_size 3
    ranked = Ranker(RankerConfig(type="ranker"), None, judge, tag="layer3/ranker0", model="scripted").run(DOUBLE, state)
    assert ranked.ranking[:2] == ("c2", "c3")
    assert any("8 differential inputs, clusters [2, 1, 1] without a brute force, not decisive" in n
               for n in state.notes)


def test_brute_force_is_the_reference_and_makes_it_decisive(judge):
    llm = ScriptedLLM(lambda messages, sample: fenced(RIGHT))
    state = _differential(judge, llm, inputs=6).run(DOUBLE, _state(CONSTANT, PLUS3, RIGHT))
    assert len(llm.calls) == 1 and "simplest possible" in llm.calls[0].messages[-1]["content"]
    behaviour = state.behaviour
    assert behaviour.reference == behaviour.outputs["c2"]
    assert decisive(state, 1)
    assert [e.source for e in expected_outputs(state, 1)] == ["brute-force"] * len(behaviour.probes)
    ranked = Ranker(RankerConfig(type="ranker"), None, judge, tag="r", model="scripted").run(DOUBLE, state)
    assert ranked.ranking[0] == "c2"


def test_more_samples_are_drawn_until_decisive(judge):
    answers = {500: fenced(RIGHT), 501: fenced(RIGHT_TOO), 502: fenced(RIGHT), 503: fenced(RIGHT)}
    llm = ScriptedLLM(lambda messages, sample: answers.get(sample, fenced(PLUS3)))
    state = _differential(judge, llm, inputs=6, brute_force=False, batch=2, max_candidates=8).run(
        DOUBLE, _state(CONSTANT, RIGHT))
    # round 1: 2 right ones -> cluster of 3 of 4 = decisive, stop
    assert [c.sample for c in llm.calls] == [500, 501]
    assert [c.id for c in state.candidates] == ["c0", "c1", "layer2/differential0#0", "layer2/differential0#1"]
    assert [len(c.members) for c in clusters(state, 1)] == [3, 1]
    assert decisive(state, 1)


def test_sampling_stops_at_max_candidates(judge):
    llm = ScriptedLLM(lambda messages, sample: fenced(PLUS3 if sample % 2 else CONSTANT))
    state = _differential(judge, llm, inputs=4, brute_force=False, batch=2, max_candidates=5).run(
        DOUBLE, _state(RIGHT))
    assert [c.sample for c in llm.calls] == [500, 501, 502, 503]
    assert len(state.candidates) == 5
    assert not decisive(state, 1)


def test_disagreements_name_the_candidates_and_the_reference(judge):
    llm = ScriptedLLM(lambda messages, sample: fenced(RIGHT))
    state = _differential(judge, llm, inputs=4, seed=1).run(DOUBLE, _state(CONSTANT, RIGHT, RIGHT_TOO))
    cases = disagreements(state, 1, {"c0": "candidate 1", "c1": "candidate 2"}, limit=2)
    assert len(cases) == 2
    first = cases[0]
    probe = state.behaviour.probes[0]
    x = int(probe.label[len("double("):-1])
    assert first.input == f"double({x})"
    assert first.groups == (("candidate 1", "return 6"), ("candidate 2 and 1 other candidate", f"return {2 * x}"))
    assert first.reference == f"return {2 * x}"


def test_inputs_every_candidate_crashes_on_are_dropped(judge):
    picky = "def double(x):\n    if x > 6:\n        raise ValueError('too big')\n    return 2 * x\n"
    llm = ScriptedLLM([])
    state = _differential(judge, llm, inputs=10, brute_force=False).run(DOUBLE, _state(picky))
    labels = [p.label for p in state.behaviour.probes]
    assert labels and all(int(label[len("double("):-1]) <= 6 for label in labels)
    assert any("inputs every candidate passing the public tests crashed on" in n for n in state.notes)


STDIO_GEN = fenced("import json, random\nseed = int(input())\nrandom.seed(seed)\n"
                   "print(json.dumps([f'{random.randint(-9, 9)} {random.randint(-9, 9)}\\n' for _ in range(3)]))\n")
VALIDATOR = fenced("a, b = map(int, input().split())\nraise SystemExit(0 if -100 <= a <= 100 else 1)\n")
BRUTE = fenced("import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n")


def _stdio_script(messages, sample):
    user = messages[-1]["content"]
    if "reads one integer SEED" in user:
        return STDIO_GEN
    if "exits with status 0" in user:
        return VALIDATOR
    if "simplest possible" in user:
        return BRUTE
    return fenced(ADD)


def test_stdio_inputs_come_from_the_generator_run_with_several_seeds(judge):
    plus_or_abs = "a, b = map(int, input().split())\nprint(a + b if a > 0 else abs(a) + b)\n"
    llm = ScriptedLLM(_stdio_script)
    problem = make_problem().without_hidden()
    state = _differential(judge, llm, inputs=9, generator_seeds=3).run(problem, _state(ADD, plus_or_abs, SUB))
    prompts = [c.messages[-1]["content"] for c in llm.calls]
    assert sum("reads one integer SEED" in p for p in prompts) == 1
    assert sum("exits with status 0" in p for p in prompts) == 1
    behaviour = state.behaviour
    assert 1 <= len(behaviour.probes) <= 9
    assert set(behaviour.outputs) == {"c0", "c1"}  # SUB fails the public tests
    assert behaviour.reference == behaviour.outputs["c0"]
    ranked = Ranker(RankerConfig(type="ranker"), None, judge, tag="r", model="scripted").run(problem, state)
    assert ranked.ranking[0] == "c0"


def test_a_big_cluster_is_decisive_unless_it_contradicts_the_brute_force_on_most_inputs(judge):
    evens = "def double(x):\n    return 2 * x if x % 2 else 2 * x + 0\n"
    llm = ScriptedLLM(lambda messages, sample: fenced(CONSTANT))  # brute force: a constant, passes the example
    state = _differential(judge, llm, inputs=6).run(DOUBLE, _state(RIGHT, RIGHT_TOO, evens))
    assert [len(c.members) for c in clusters(state, 1)] == [3]
    assert not decisive(state, 1)  # the brute force answers 6 everywhere: it disagrees with the cluster
    brute = "def double(x):\n    return 0 if x == 10 else 2 * x\n"  # wrong on one boundary input only
    llm = ScriptedLLM(lambda messages, sample: fenced(brute))
    state = _differential(judge, llm, inputs=6).run(DOUBLE, _state(RIGHT, RIGHT_TOO, evens))
    behaviour = state.behaviour
    assert "double(10)" in [p.label for p in behaviour.probes]
    assert reference_agreement(behaviour, "c0") == len(behaviour.probes) - 1
    assert decisive(state, 1)  # 3 of 3 agree, and with the brute force on all but one input


def _brute_or(answer: str):
    """Brute-force prompts get RIGHT, every other prompt ``answer``."""
    return lambda messages, sample: fenced(RIGHT if "simplest possible" in messages[-1]["content"] else answer)


def test_the_first_batch_is_asked_for_with_the_brute_force_when_nothing_passes_yet(judge):
    # nothing passes the public test: the first batch is drawn whatever the brute force says
    together = ScriptedLLM(_brute_or(FAILS_PUBLIC), delay=0.5)
    state = _differential(judge, together, inputs=4, batch=2, max_candidates=4,
                          brute_force_candidate=False).run(DOUBLE, _state(FAILS_PUBLIC))
    assert together.max_in_flight == 3  # brute force + 2 samples in one batch
    apart = ScriptedLLM(_brute_or(FAILS_PUBLIC), delay=0.5)
    alone = _differential(judge, apart, inputs=4, batch=2, max_candidates=4, brute_force_candidate=False,
                          overlap=False).run(DOUBLE, _state(FAILS_PUBLIC))
    assert apart.max_in_flight == 2  # the brute force, then the samples
    # the same calls, candidates and samples either way (the answer cache keys stay the same)
    assert sorted(c.sample for c in together.calls) == sorted(c.sample for c in apart.calls) == [0, 500, 501, 502]
    assert [c.id for c in state.candidates] == [c.id for c in alone.candidates]
    # a candidate that passes already: the brute force may make it decisive, so it comes first
    first = ScriptedLLM(_brute_or(RIGHT), delay=0.3)
    state = _differential(judge, first, inputs=4, batch=2).run(DOUBLE, _state(RIGHT))
    assert first.max_in_flight == 1 and [c.sample for c in first.calls] == [0]
    assert decisive(state, 1)


def test_a_passing_brute_force_joins_when_no_sample_passes_the_public_tests(judge):
    llm = ScriptedLLM(_brute_or(FAILS_PUBLIC))
    state = _differential(judge, llm, inputs=4, batch=2, max_candidates=4).run(DOUBLE, _state(FAILS_PUBLIC))
    ids = [c.id for c in state.candidates]
    assert ids[-1] == "layer2/differential0/brute_force" and len(ids) == 5  # c0, 3 samples (max 4), brute force
    assert state.candidates[-1].source == RIGHT and state.candidates[-1].origin.startswith("brute_force:")
    assert decisive(state, 1) and solved(state, 1) == "layer2/differential0/brute_force"
    assert any("the brute force does: it joins the candidates" in n for n in state.notes)
    # not when a sample passes, nor when it is turned off
    llm = ScriptedLLM(_brute_or(RIGHT_TOO))
    state = _differential(judge, llm, inputs=4, batch=2, max_candidates=4).run(DOUBLE, _state(FAILS_PUBLIC))
    assert "layer2/differential0/brute_force" not in [c.id for c in state.candidates]
    llm = ScriptedLLM(_brute_or(FAILS_PUBLIC))
    state = _differential(judge, llm, inputs=4, batch=2, max_candidates=4, brute_force_candidate=False).run(
        DOUBLE, _state(FAILS_PUBLIC))
    assert "layer2/differential0/brute_force" not in [c.id for c in state.candidates]
    assert solved(state, 1) is None
    # a brute force that fails the public test never joins
    llm = ScriptedLLM(lambda messages, sample: fenced(FAILS_PUBLIC))
    state = _differential(judge, llm, inputs=4, batch=2, max_candidates=4).run(DOUBLE, _state(FAILS_PUBLIC))
    assert all(p.origin.split(":")[0] != "brute_force" for p in state.candidates)


def test_executions_in_pool_threads_are_traced_under_the_differential_layer(judge, tmp_path):
    import json

    from archon_code.architecture.trace import GuardedJudge, Tracer

    tracer = Tracer(tmp_path / "trace.jsonl")
    guarded = GuardedJudge(judge, tracer)
    guarded.bind("layer2/differential0")  # as the runner binds each component's thread
    llm = ScriptedLLM(lambda messages, sample: fenced(RIGHT))
    state = _differential(guarded, llm, inputs=4).run(DOUBLE, _state(CONSTANT, RIGHT, RIGHT_TOO))
    tracer.close()
    events = [json.loads(line) for line in (tmp_path / "trace.jsonl").read_text().splitlines()]
    ran = [e for e in events if e.get("event") == "execution" and e["call"] == "call_function"]
    assert {c for e in ran for c in e["candidates"]} >= {"c0", "c1", "c2"}  # observed in pool threads
    assert {e["tag"] for e in events if e.get("event") == "execution"} == {"layer2/differential0"}
    assert state.behaviour is not None and decisive(state, 1)
