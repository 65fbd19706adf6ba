"""Loading files, folders and JSONL data sets; ids/limit; shape detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archon_code.errors import ProblemError
from archon_code.problems import load_problems, parse_ids, select
from archon_code.types import Checker, Problem, Solution, TestCase


def jsonl(tmp_path: Path, records: list, name: str = "set.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


CC = {
    "id": "1_A. Sum", "title": "Sum", "statement": "Print the sum.",
    "public_tests": [{"input": "1 2", "output": "3"}], "private_tests": [{"input": "2 2", "output": "4"}],
    "generated_tests": [{"input": "0 0", "output": "0"}], "time_limit_s": None, "memory_limit_mb": None,
    "solutions_correct": ["print(sum(map(int, input().split())))"], "solutions_incorrect": ["print(0)"],
    "difficulty": 7, "tags": ["math"],
}


def test_codecontests_dev_record(tmp_path):
    path = jsonl(tmp_path, [CC])
    assert load_problems(path) == [Problem(
        id="1_A. Sum", title="Sum", statement="Print the sum.",
        public_tests=(TestCase(input="1 2", output="3", kind="public"),),
        hidden_tests=(TestCase(input="2 2", output="4", kind="hidden"),),
        generated_tests=(TestCase(input="0 0", output="0", kind="generated"),),
        time_limit_s=2.0, memory_limit_mb=256, tags=("math",),
        solutions=(Solution(source="print(sum(map(int, input().split())))"), Solution(source="print(0)", correct=False)),
        origin=f"{path}:1")]


def test_codecontests_detection_of_float_multiple_and_interactive(tmp_path):
    records = [
        {**CC, "id": "f", "statement": "Your answer is correct if its absolute or relative error does not exceed 10^{-9}."},
        {**CC, "id": "m", "statement": "If there are multiple answers, print any of them."},
        {**CC, "id": "i", "statement": "This is an interactive problem. Do not forget to flush the output."},
    ]
    f, m, i = load_problems(jsonl(tmp_path, records))
    assert (f.checker, f.tags, f.interactive) == (Checker(type="float", abs_tol=1e-9, rel_tol=1e-9), ("math",), False)
    assert (m.checker, m.tags, m.interactive) == (Checker(), ("math", "multiple-answers"), False)
    assert (i.checker, i.tags, i.interactive) == (Checker(), ("math",), True)


DEEPMIND = {
    "name": "1000_A. Codehorses", "description": "Statement here.",
    "public_tests": {"input": ["1\n"], "output": ["2\n"]},
    "private_tests": {"input": ["3\n", "4\n"], "output": ["6\n", "8\n"]},
    "generated_tests": {"input": [], "output": []},
    "time_limit": {"seconds": 1, "nanos": 500000000}, "memory_limit_bytes": 268435456,
    "solutions": {"language": [1, 2, 3, 4], "solution": ["py2", "cpp", "py3", "java"]},
    "incorrect_solutions": {"language": [3], "solution": ["bad"]}, "cf_tags": ["implementation"],
}


def test_deepmind_record(tmp_path):
    path = jsonl(tmp_path, [DEEPMIND])
    assert load_problems(path) == [Problem(
        id="1000_A. Codehorses", title="1000_A. Codehorses", statement="Statement here.",
        public_tests=(TestCase(input="1\n", output="2\n", kind="public"),),
        hidden_tests=(TestCase(input="3\n", output="6\n", kind="hidden"), TestCase(input="4\n", output="8\n", kind="hidden")),
        time_limit_s=1.5, memory_limit_mb=256, tags=("implementation",),
        solutions=(Solution(lang="cpp", source="cpp"), Solution(lang="py", source="py3"),
                   Solution(lang="py", source="bad", correct=False)),
        origin=f"{path}:1")]


def test_deepmind_defaults_when_limits_missing(tmp_path):
    record = {**DEEPMIND, "time_limit": None, "memory_limit_bytes": 0}
    [problem] = load_problems(jsonl(tmp_path, [record]))
    assert (problem.time_limit_s, problem.memory_limit_mb) == (2.0, 256)


def test_deepmind_mismatched_columns(tmp_path):
    path = jsonl(tmp_path, [{**DEEPMIND, "private_tests": {"input": ["1"], "output": []}}])
    with pytest.raises(ProblemError) as info:
        load_problems(path)
    assert str(info.value) == f"{path}: line 1 (id '1000_A. Codehorses'): field 'private_tests': 1 inputs but 0 outputs"


HUMANEVAL = {
    "id": "HumanEval/9", "entry_point": "add",
    "prompt": 'def add(a, b):\n    """Add.\n    >>> add(2, 3)\n    5\n    >>> add(x, 1)\n    2\n    >>> half(1)\n    0.5\n    """\n',
    "test": "def check(candidate):\n    assert candidate(1, 1) == 2\n",
    "canonical_solution": "    return a + b\n",
}


def test_humaneval_record(tmp_path):
    path = jsonl(tmp_path, [HUMANEVAL])
    assert load_problems(path) == [Problem(
        id="HumanEval/9", title="add", statement=HUMANEVAL["prompt"], style="function", entry_point="add",
        starter_code=HUMANEVAL["prompt"],
        public_tests=(TestCase(input="assert (add(2, 3)) == 5"), TestCase(input="assert abs((half(1)) - (0.5)) < 1e-6")),
        hidden_tests=(TestCase(input=HUMANEVAL["test"] + "\ncheck(add)\n", kind="hidden"),),
        solutions=(Solution(source=HUMANEVAL["prompt"] + HUMANEVAL["canonical_solution"]),),
        origin=f"{path}:1")]


MBPP = {
    "id": "Mbpp/2", "prompt": "Write a function to add.\nassert add(1, 2) == 3", "entry_point": "add",
    "test": "assert add(1, 2) == 3\nassert add(0, 0) == 0\nassert add(-1, 1) == 0\n",
    "canonical_solution": "def add(a, b):\n    return a + b", "test_setup_code": "",
}


def test_mbpp_record(tmp_path):
    path = jsonl(tmp_path, [MBPP])
    assert load_problems(path) == [Problem(
        id="Mbpp/2", title="add", statement=MBPP["prompt"], style="function", entry_point="add",
        public_tests=(TestCase(input="assert add(1, 2) == 3\n"),),
        hidden_tests=(TestCase(input="assert add(0, 0) == 0\n", kind="hidden"),
                      TestCase(input="assert add(-1, 1) == 0\n", kind="hidden")),
        solutions=(Solution(source=MBPP["canonical_solution"]),), origin=f"{path}:1")]


def test_mbpp_setup_lines_and_list_tests(tmp_path):
    record = {**MBPP, "task_id": 7, "test": ["x = 1", "assert add(x, 1) == 2", "assert add(x, x) == 2"]}
    del record["id"]
    [problem] = load_problems(jsonl(tmp_path, [record]))
    assert problem.id == "7"
    assert problem.tests("all") == (TestCase(input="x = 1\nassert add(x, 1) == 2\n"),
                                    TestCase(input="x = 1\nassert add(x, x) == 2\n", kind="hidden"))


def test_own_format_records_in_jsonl(tmp_path):
    path = jsonl(tmp_path, [{"id": "own", "statement": "s", "tests": {"public": [{"input": "1", "output": "1"}]}}])
    assert [p.id for p in load_problems(path)] == ["own"]


def test_jsonl_error_names_line_and_id(tmp_path):
    path = jsonl(tmp_path, [CC, {**CC, "id": "bad", "public_tests": [{"input": "1", "output": 3}]}])
    with pytest.raises(ProblemError) as info:
        load_problems(path)
    assert str(info.value) == f"{path}: line 2 (id 'bad'): field 'public_tests[0].output': expected a string, got int"


def test_jsonl_invalid_json_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(CC) + "\n\n{oops\n")
    with pytest.raises(ProblemError) as info:
        load_problems(path)
    assert str(info.value) == f"{path}: line 3: invalid JSON: Expecting property name enclosed in double quotes"


def test_folder_is_recursive_sorted_and_skips_other_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b" / "z.yaml").write_text("id: z\nstatement: s\n")
    (tmp_path / "a.yml").write_text("id: a\nstatement: s\n")
    (tmp_path / "c.json").write_text('{"id": "c", "statement": "s"}')
    (tmp_path / ".hidden" / "h.yaml").write_text("id: h\nstatement: s\n")
    (tmp_path / "notes.txt").write_text("not a problem")
    assert [p.id for p in load_problems(tmp_path)] == ["a", "z", "c"]


def test_ids_and_limit(tmp_path):
    path = jsonl(tmp_path, [{**CC, "id": name} for name in "abcd"])
    assert [p.id for p in load_problems(path, ids=["d", "b"])] == ["b", "d"]
    assert [p.id for p in load_problems(path, limit=2)] == ["a", "b"]
    assert [p.id for p in load_problems(path, ids=["d", "b", "c"], limit=1)] == ["b"]


def test_unknown_ids(tmp_path):
    path = jsonl(tmp_path, [CC])
    with pytest.raises(ProblemError) as info:
        load_problems(path, ids=["nope", "1_A. Sum", "zz"])
    assert str(info.value) == "unknown problem id(s): 'nope', 'zz'"


def test_negative_limit():
    with pytest.raises(ProblemError) as info:
        select([], limit=-1)
    assert str(info.value) == "limit must be >= 0, got -1"


def test_duplicate_ids(tmp_path):
    (tmp_path / "a.yaml").write_text("id: same\nstatement: s\n")
    (tmp_path / "b.yaml").write_text("id: same\nstatement: s\n")
    with pytest.raises(ProblemError) as info:
        load_problems(tmp_path)
    assert str(info.value) == f"duplicate problem id 'same' in {tmp_path / 'a.yaml'} and {tmp_path / 'b.yaml'}"


def test_missing_path_and_wrong_suffix(tmp_path):
    with pytest.raises(ProblemError) as info:
        load_problems(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: no such file or folder"
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(ProblemError) as info:
        load_problems(tmp_path / "x.txt")
    assert str(info.value) == f"{tmp_path / 'x.txt'}: not a problem file (expected one of .yaml, .yml, .json, .jsonl)"


def test_empty_folder(tmp_path):
    with pytest.raises(ProblemError) as info:
        load_problems(tmp_path)
    assert str(info.value) == f"{tmp_path}: no problem files (.yaml, .yml, .json, .jsonl) in this folder"


def test_parse_ids_keeps_ids_with_commas_whole():
    problems = [Problem(id="1374_B. Multiply by 2, divide by 6", statement="s"), Problem(id="a", statement="s")]
    assert parse_ids(["1374_B. Multiply by 2, divide by 6", "a, b", "c"], problems) == [
        "1374_B. Multiply by 2, divide by 6", "a", "b", "c"]
    assert parse_ids([" , "]) is None
    assert parse_ids([]) is None
