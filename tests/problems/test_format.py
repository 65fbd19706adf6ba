"""The problem file format: parsing, file references, one-line errors, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archon_code.errors import ProblemError
from archon_code.problems import dump_problem, dump_problem_yaml, load_problems, problem_to_dict
from archon_code.types import Checker, Problem, Solution, TestCase

MINIMAL = "id: p1\nstatement: Print 1.\ntests:\n  public:\n  - {input: '', output: '1'}\n"


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ProblemError) as info:
        load_problems(path)
    return str(info.value)


def test_minimal_problem_gets_defaults(tmp_path):
    path = write(tmp_path, MINIMAL)
    assert load_problems(path) == [Problem(
        id="p1", statement="Print 1.", public_tests=(TestCase(input="", output="1", kind="public"),),
        origin=str(path))]


def test_every_field(tmp_path):
    (tmp_path / "sol").mkdir()
    (tmp_path / "sol" / "a.cpp").write_text("int main(){}")
    (tmp_path / "big.in").write_text("5\n")
    (tmp_path / "chk.py").write_text("import sys\n")
    path = write(tmp_path, """
id: full
title: Full
statement: S
style: stdio
time_limit_s: 1.5
memory_limit_mb: 64
checker: {type: custom, file: chk.py}
interactive: true
tags: [a, b]
tests:
  public: [{input: "1\\n", output: "2\\n"}]
  hidden: [{input_file: big.in, output: "6"}]
  generated: [{input: "x", output: "y"}]
solutions:
  - {lang: cpp, file: sol/a.cpp}
  - {source: "print(2)", correct: false}
""")
    [problem] = load_problems(path)
    assert problem == Problem(
        id="full", title="Full", statement="S", time_limit_s=1.5, memory_limit_mb=64,
        checker=Checker(type="custom", program="import sys\n"), interactive=True, tags=("a", "b"),
        public_tests=(TestCase(input="1\n", output="2\n"),),
        hidden_tests=(TestCase(input="5\n", output="6", kind="hidden"),),
        generated_tests=(TestCase(input="x", output="y", kind="generated"),),
        solutions=(Solution(lang="cpp", source="int main(){}"), Solution(source="print(2)", correct=False)),
        origin=str(path))


def test_function_style_needs_no_output(tmp_path):
    path = write(tmp_path, "id: f\nstatement: s\nstyle: function\nentry_point: f\n"
                           "tests: {public: [{input: 'assert f() == 1'}]}\n")
    assert load_problems(path)[0].public_tests == (TestCase(input="assert f() == 1"),)


def test_float_tolerance_in_yaml_exponent_notation(tmp_path):
    path = write(tmp_path, MINIMAL + "checker: {type: float, abs_tol: 1e-9, rel_tol: 0}\n")
    assert load_problems(path)[0].checker == Checker(type="float", abs_tol=1e-9, rel_tol=0.0)


@pytest.mark.parametrize("text, message", [
    ("id: p\nstatement: s\ntests:\n  public:\n  - {input: a, output: b}\n  - {input: a, output: b}\n"
     "  - {input: a, output: 3}\n", "field 'tests.public[2].output': expected a string, got int"),
    ("statement: s\n", "field 'id': required field is missing"),
    ("id: p\nstatement: s\ncolour: red\n", "field 'colour': unknown field"),
    ("id: p\nstatement: s\nstyle: web\n", "field 'style': must be 'stdio' or 'function', got 'web'"),
    ("id: p\nstatement: s\ntime_limit_s: -1\n", "field 'time_limit_s': must be > 0, got -1"),
    ("id: p\nstatement: s\nmemory_limit_mb: lots\n", "field 'memory_limit_mb': expected an integer, got 'lots'"),
    ("id: p\nstatement: s\ntags: x\n", "field 'tags': expected a list, got 'x'"),
    ("id: p\nstatement: s\ninteractive: 1\n", "field 'interactive': expected true or false, got int"),
    ("id: p\nstatement: s\nstyle: function\n", "field 'entry_point': required for style 'function'"),
    ("id: p\nstatement: s\ntests: {hidden: [{output: x}]}\n", "field 'tests.hidden[0].input': required field is missing"),
    ("id: p\nstatement: s\ntests: {hidden: [{input: x}]}\n", "field 'tests.hidden[0].output': required field is missing"),
    ("id: p\nstatement: s\nchecker: {type: custom}\n", "field 'checker.program': required field is missing"),
    ("id: p\nstatement: s\nchecker: {type: tokens, program: x}\n",
     "field 'checker.program': only a custom checker takes a program (type is 'tokens')"),
    ("id: p\nstatement: s\nsolutions: [{file: nope.py}]\n",
     "field 'solutions[0].source': no such file 'nope.py' (next to the problem file)"),
    ("id: p\nstatement: s\nsolutions: [{source: x, file: y.py}]\n",
     "field 'solutions[0].source': give the text inline or as a file, not both"),
    ("id: p\nstatement: s\nsolutions: [{source: x, lang: java}]\n",
     "field 'solutions[0].lang': must be 'py' or 'cpp', got 'java'"),
    ("- 1\n", "record 0: field '<record>': expected a mapping, got int"),
])
def test_errors_are_one_line_naming_file_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    assert error_of(path) == f"{path}: {message}"


def test_yaml_syntax_error_names_line(tmp_path):
    path = write(tmp_path, "id: p\nstatement: [unclosed\n")
    assert error_of(path).startswith(f"{path}: invalid YAML at line 3: ")


def test_json_syntax_error_names_line(tmp_path):
    path = write(tmp_path, '{\n "id": "p",\n}', "p.json")
    assert error_of(path) == f"{path}: invalid JSON at line 3: Expecting property name enclosed in double quotes"


def test_empty_file(tmp_path):
    path = write(tmp_path, "")
    assert error_of(path) == f"{path}: the file is empty"


def test_json_list_of_problems_names_the_record(tmp_path):
    good = {"id": "a", "statement": "s"}
    path = write(tmp_path, json.dumps([good, {"id": "b", "statement": 5}]), "set.json")
    assert error_of(path) == f"{path}: record 1 (id 'b'): field 'statement': expected a string, got int"


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",))
               | st.sampled_from(["\n", "\r", " ", "\t", "#", ":", "'", '"', "|", "-", "\x85", "\u2028"]), max_size=40)
TESTS = st.lists(st.builds(lambda i, o: (i, o), TEXT, TEXT), max_size=3)


@st.composite
def problems(draw):
    style = draw(st.sampled_from(["stdio", "function"]))
    checker_type = draw(st.sampled_from(["tokens", "float", "exact", "custom"]))
    checker = Checker(type=checker_type, abs_tol=draw(st.floats(0, 1)), rel_tol=draw(st.floats(0, 1)),
                      program=draw(TEXT) if checker_type == "custom" else None)

    def cases(kind):
        return tuple(TestCase(input=i, output=None if style == "function" and not o else o, kind=kind)
                     for i, o in draw(TESTS))

    return Problem(
        id=draw(st.text(alphabet="abc-_/1. ", min_size=1, max_size=10)).strip() or "x",
        title=draw(TEXT), statement=draw(TEXT.filter(bool)), style=style,
        entry_point="f" if style == "function" else None,
        starter_code=draw(st.none() | TEXT), public_tests=cases("public"), hidden_tests=cases("hidden"),
        generated_tests=cases("generated"), time_limit_s=draw(st.floats(0.1, 10)),
        memory_limit_mb=draw(st.integers(1, 4096)), checker=checker,
        solutions=tuple(Solution(lang=lang, source=src, correct=ok) for lang, src, ok in
                        draw(st.lists(st.tuples(st.sampled_from(["py", "cpp"]), TEXT, st.booleans()), max_size=2))),
        interactive=draw(st.booleans()), tags=tuple(draw(st.lists(st.text(alphabet="abc-", min_size=1), max_size=3))),
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(problems(), st.sampled_from(["p.yaml", "p.json"]))
def test_round_trip_dump_then_load(tmp_path, problem, name):
    path = tmp_path / name
    dump_problem(problem, path)
    assert load_problems(path) == [problem.model_copy(update={"origin": str(path)})]


def test_yaml_dump_writes_multiline_text_as_blocks():
    problem = Problem(id="p", statement="line one\nline two\n")
    text = dump_problem_yaml(problem)
    assert "statement: |\n  line one\n  line two\n" in text
    assert yaml.safe_load(text) == problem_to_dict(problem)
