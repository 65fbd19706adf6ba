"""EvalPlus, LiveCodeBench and APPS records (fixtures written for this project) load by path and
are graded as their authors grade, through the real sandbox."""

from __future__ import annotations

import base64
import json
import os
import pickle
import zlib
from pathlib import Path

import pytest

from archon_code.errors import ProblemError
from archon_code.problems import load_problems
from archon_code.problems.contests import decode_private_tests
from archon_code.problems.errors import FieldError
from archon_code.types import Candidate, Verdict

FIXTURES = Path(__file__).parent.parent / "fixtures" / "benchmarks"


def _one(name: str, ident: str):
    return next(p for p in load_problems(FIXTURES / name) if p.id == ident)


def _verdicts(judge, problem, source: str) -> list[str]:
    result = judge.judge(problem, Candidate(id="c", source=source), problem.tests("hidden"))
    return [t.verdict.value for t in result.tests]


def test_every_fixture_format_is_detected():
    problems = load_problems(FIXTURES)
    assert [(p.id, p.style, len(p.public_tests), len(p.hidden_tests)) for p in problems] == [
        ("90001", "stdio", 1, 2), ("90002", "function", 1, 3),
        ("HumanEvalFixture/0", "function", 1, 1), ("HumanEvalFixture/1", "function", 1, 1),
        ("Mbpp/9001", "function", 1, 1), ("fixture_lcb_1", "stdio", 1, 3), ("fixture_lcb_2", "function", 1, 3)]


def test_evalplus_public_tests_and_reference_check():
    plus = _one("evalplus-humaneval.jsonl", "HumanEvalFixture/0")
    assert plus.public_tests[0].input == "assert abs((mean_abs_dev([1.0, 2.0, 3.0])) - (0.6666666666666666)) < 1e-6"
    check = plus.hidden_tests[0].input
    assert "_reference = _REFERENCE['mean_abs_dev']" in check and "1e-06" in check
    assert plus.solutions[0].source.startswith("def mean_abs_dev(numbers: list) -> float:")
    mbpp = _one("evalplus-mbpp.jsonl", "Mbpp/9001")
    assert mbpp.public_tests[0].input == "assert pair_sums([(1, 2), (3, 4)]) == [3, 7]\n"
    assert mbpp.hidden_tests[0].input.startswith("def assertion(out, exp, atol):")  # the record's own script


def test_evalplus_plus_inputs_with_tolerance(judge):
    problem = _one("evalplus-humaneval.jsonl", "HumanEvalFixture/0")
    close = ("def mean_abs_dev(numbers):\n    m = sum(numbers) / len(numbers)\n"
             "    return sum(abs(m - x) for x in reversed(numbers)) / len(numbers) + 1e-9\n")
    assert _verdicts(judge, problem, close) == ["AC"]
    wrong = ("def mean_abs_dev(numbers):\n    m = sum(numbers) / len(numbers)\n"
             "    return sum(abs(x - m) for x in numbers) / max(1, len(numbers) - 1)\n")  # sample, not population
    result = judge.judge(problem, Candidate(id="w", source=wrong), problem.hidden_tests)
    assert result.verdict is Verdict.WA
    assert "expected 0.666666" in result.tests[0].message


def test_evalplus_original_format_scripts(judge):
    humaneval = _one("evalplus-humaneval.jsonl", "HumanEvalFixture/1")
    assert _verdicts(judge, humaneval, "def count_vowels(s):\n    return sum(c in 'aeiouAEIOU' for c in s)\n") == ["AC"]
    assert _verdicts(judge, humaneval, "def count_vowels(s):\n    return sum(c in 'aeiou' for c in s)\n") == ["WA"]
    mbpp = _one("evalplus-mbpp.jsonl", "Mbpp/9001")
    assert _verdicts(judge, mbpp, "def pair_sums(pairs):\n    return [sum(p) for p in pairs]\n") == ["AC"]
    assert _verdicts(judge, mbpp, "def pair_sums(pairs):\n    return [a * b for a, b in pairs]\n") == ["WA"]


def test_livecodebench_stdin_with_compressed_private_tests(judge):
    problem = _one("livecodebench.jsonl", "fixture_lcb_1")
    assert [(t.input, t.output) for t in problem.hidden_tests] == [("123\n", "6\n"), ("9999\n", "36\n"), ("0\n", "0\n")]
    assert problem.tags == ("atcoder", "easy", "livecodebench")
    assert _verdicts(judge, problem, "print(sum(map(int, input().strip())))\n") == ["AC", "AC", "AC"]
    assert _verdicts(judge, problem, "print(sum(map(int, input().strip())) % 10)\n") == ["AC", "WA", "AC"]


def test_livecodebench_functional_as_a_top_level_function(judge):
    problem = _one("livecodebench.jsonl", "fixture_lcb_2")
    assert problem.entry_point == "largest"
    assert problem.starter_code.startswith("from typing import *\n\n\ndef largest(nums: List[int], k: int) -> List[int]:")
    assert problem.public_tests[0].input == "assert largest([3, 1, 2], 2) in ([3, 2], (3, 2),)\n"
    assert _verdicts(judge, problem, "def largest(nums, k):\n    return tuple(sorted(nums)[::-1][:k])\n") == ["AC"] * 3
    assert _verdicts(judge, problem, "def largest(nums, k):\n    return sorted(set(nums))[::-1][:k]\n") == [
        "AC", "AC", "WA"]


def test_apps_stdio_and_call_based(judge):
    stdio = _one("apps.jsonl", "90001")
    assert [t.input for t in stdio.hidden_tests] == ["3\n1 2 3\n", "1\n-5\n"]
    assert _verdicts(judge, stdio, stdio.solutions[0].source) == ["AC", "AC"]
    assert _verdicts(judge, stdio, "input()\nprint(abs(sum(map(int, input().split()))))\n") == ["AC", "WA"]
    call = _one("apps.jsonl", "90002")
    assert call.hidden_tests[0].input == "assert max_gap([1, 5, 2]) in ([4], (4,), 4,)\n"
    assert call.solutions[0].source.endswith("def max_gap(*args, **kwargs):\n    return Solution().max_gap(*args, **kwargs)\n")
    assert _verdicts(judge, call, call.solutions[0].source) == ["AC"] * 3
    assert _verdicts(judge, call, "def max_gap(xs):\n    return abs(xs[0] - xs[-1])\n") == ["WA", "AC", "WA"]


def _private(obj) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(obj))).decode()


def test_private_tests_are_never_unpickled(tmp_path):
    assert decode_private_tests(_private('[{"input": "1", "output": "2", "testtype": "stdin"}]')) == [
        {"input": "1", "output": "2", "testtype": "stdin"}]
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return os.mkdir, (str(marker),)  # what unpickling would run

    with pytest.raises(FieldError, match="opcode STACK_GLOBAL"):
        decode_private_tests(_private(Payload()))
    with pytest.raises(FieldError, match="opcode EMPTY_LIST"):
        decode_private_tests(_private(["a", "b"]))
    with pytest.raises(FieldError, match="neither JSON nor"):
        decode_private_tests("not json, not base64!")
    assert not marker.exists()


def test_bad_records_are_one_line_errors(tmp_path):
    path = tmp_path / "lcb.jsonl"
    record = json.loads((FIXTURES / "livecodebench.jsonl").read_text().splitlines()[1])
    path.write_text(json.dumps({**record, "metadata": "{}"}) + "\n")
    with pytest.raises(ProblemError) as info:
        load_problems(path)
    assert str(info.value) == f"{path}: line 1 (id 'fixture_lcb_2'): field 'metadata': functional tests need 'func_name'"
    apps = tmp_path / "apps.jsonl"
    apps.write_text(json.dumps({"problem_id": 1, "question": "q", "input_output": '{"inputs": ["1"], "outputs": []}'})
                    + "\n")
    with pytest.raises(ProblemError, match=r"field 'input_output': 1 inputs and 0 outputs$"):
        load_problems(apps)
