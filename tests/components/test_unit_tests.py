"""Unit-test generator in the real sandbox: brute force, agreement, prediction, crash filter."""

from __future__ import annotations

import pytest

from archon_code.components import State, UnitTestGenerator, UnitTestGeneratorConfig
from archon_code.types import Candidate, TestCase
from tests.components.conftest import ADD, CRASH, SUB, fenced, make_problem
from tests.support.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.docker

LITERAL = ("```input\n7 8\n```\n```output\n15\n```\n"
           "```input\n100 1\n```\n```output\n999\n```\n"
           "```input\nnot numbers\n```\n```output\n?\n```\n"
           "```input\n1 2\n```\n```output\n3\n```")
BRUTE = fenced("import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n")


def _state(*sources: str) -> State:
    return State(candidates=tuple(Candidate(id=f"c{i}", source=s) for i, s in enumerate(sources)))


def _gen(llm, **config) -> UnitTestGenerator:
    return UnitTestGenerator(UnitTestGeneratorConfig(type="unit_test_generator", **config), llm, judge_ref[0],
                             tag="layer2/unit_test_generator0", model="m")


judge_ref: list = []


@pytest.fixture(autouse=True)
def _judge(judge):
    judge_ref[:] = [judge]


def _script(tests: str, brute: str):
    return {"new test cases": tests, "simplest possible": brute, "": "unused"}


def test_brute_force_passing_public_tests_gives_trusted_outputs():
    problem = make_problem().without_hidden()
    llm = ScriptedLLM(_script(LITERAL, BRUTE))
    out = _gen(llm).run(problem, _state(ADD, ADD, SUB))
    # "not numbers" crashes every candidate; "1 2" is a public input; the rest use the brute force.
    assert out.tests == (
        TestCase(input="7 8\n", output="15\n", kind="generated", trust=0.8, source="brute-force"),
        TestCase(input="100 1\n", output="101\n", kind="generated", trust=0.8, source="brute-force"),
    )
    assert out.notes == ("layer2/unit_test_generator0: dropped 1 inputs every candidate crashed on",
                         "layer2/unit_test_generator0: 2 generated tests kept (brute-force)")
    assert set(out.verdicts) == {"c0", "c1", "c2"}  # public verdicts of the candidates were needed


def test_wrong_brute_force_is_dropped_and_agreement_used():
    problem = make_problem().without_hidden()
    llm = ScriptedLLM(_script(LITERAL, fenced("print(0)\n")))
    out = _gen(llm).run(problem, _state(ADD, ADD, ADD + "\n", SUB))
    assert out.tests == (
        TestCase(input="7 8\n", output="15\n", kind="generated", trust=1.0, source="agreement"),
        TestCase(input="100 1\n", output="101\n", kind="generated", trust=1.0, source="agreement"),
    )
    assert "layer2/unit_test_generator0: brute force dropped, it fails the public tests (WA)" in out.notes


def test_prediction_when_no_other_source():
    problem = make_problem().without_hidden()
    llm = ScriptedLLM(_script(LITERAL, "no code"))
    out = _gen(llm, expected="auto").run(problem, _state(SUB))
    assert out.tests == (
        TestCase(input="7 8\n", output="15\n", kind="generated", trust=0.3, source="prediction"),
        TestCase(input="100 1\n", output="999\n", kind="generated", trust=0.3, source="prediction"),
    )


def test_input_generator_program_runs_in_the_sandbox():
    problem = make_problem().without_hidden()
    program = fenced("import json\nprint(json.dumps(['2 3', '9 9', '1 2']))\n")
    llm = ScriptedLLM({"JSON list": program, "simplest possible": BRUTE, "": "unused"})
    out = _gen(llm, inputs="program").run(problem, _state(ADD, CRASH))
    assert [(t.input, t.output, t.source) for t in out.tests] == [
        ("2 3\n", "5\n", "brute-force"), ("9 9\n", "18\n", "brute-force")]


def test_validator_rejects_inputs_out_of_range():
    problem = make_problem().without_hidden()
    validator = fenced("a, b = map(int, input().split())\nassert abs(a) <= 100 and abs(b) <= 100\n")
    llm = ScriptedLLM({"new test cases": LITERAL, "exits with status 0": validator,
                       "simplest possible": BRUTE, "": "unused"})
    out = _gen(llm, validator=True).run(problem, _state(ADD))
    assert [t.input for t in out.tests] == ["7 8\n", "100 1\n"]
    out = _gen(ScriptedLLM({"new test cases": "```input\n500 1\n```\n```input\n5 1\n```",
                            "exits with status 0": validator, "simplest possible": BRUTE, "": "x"}),
               validator=True).run(problem, _state(ADD))
    assert [t.input for t in out.tests] == ["5 1\n"]
    assert "layer2/unit_test_generator0: validator rejected 1 inputs" in out.notes


def test_function_style_asserts_confirmed_by_brute_force():
    problem = make_problem(style="function", entry_point="add",
                           public_tests=(TestCase(input="assert add(1, 2) == 3"),)).without_hidden()
    asserts = fenced("assert add(2, 2) == 4\nassert add(2, 2) == 5\nassert add(undefined) == 1\nassert other(1)\n")
    llm = ScriptedLLM({"new checks": asserts, "simplest possible": fenced("def add(a, b):\n    return a + b\n"),
                       "": "unused"})
    out = _gen(llm).run(problem, _state("def add(a, b):\n    return a + b\n"))
    assert out.tests == (TestCase(input="assert add(2, 2) == 4", kind="generated", trust=0.8, source="brute-force"),)


def test_model_failure_is_recorded_not_fatal():
    problem = make_problem().without_hidden()
    llm = ScriptedLLM([], failures={0: "rate_limit"})
    out = _gen(llm, expected="prediction").run(problem, _state(ADD))
    assert out.tests == ()
    assert [f.kind for f in out.failures] == ["llm"]


def test_function_style_asserts_without_brute_force_are_trusted_by_agreement():
    problem = make_problem(style="function", entry_point="add",
                           public_tests=(TestCase(input="assert add(1, 2) == 3"),)).without_hidden()
    asserts = fenced("assert add(2, 2) == 4\nassert add(2, 3) == 6\n")
    llm = ScriptedLLM({"new checks": asserts, "simplest possible": "no code", "": "unused"})
    right, odd = "def add(a, b):\n    return a + b\n", "def add(a, b):\n    return 3 if a == 1 else a * b\n"
    out = _gen(llm).run(problem, _state(right, right, odd))
    assert out.tests == (
        TestCase(input="assert add(2, 2) == 4", kind="generated", trust=1.0, source="agreement"),
        TestCase(input="assert add(2, 3) == 6", kind="generated", trust=round(1 / 3, 6), source="agreement"),
    )
