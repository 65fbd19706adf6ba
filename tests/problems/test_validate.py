"""Validation: likely causes (pure) and validate_problem through the real sandbox judge."""

from __future__ import annotations

import pytest

from archon_code.problems.validate import ProblemReport, likely_cause, validate_problem
from archon_code.types import Checker, Problem, Solution, TestCase, TestResult, Verdict

PY = Solution(source="x")
CPP = Solution(lang="cpp", source="x")
TEST = TestCase(input="1", output="1.5 2")


def failed(verdict: Verdict, cpu_s: float = 0.0, stderr: str = "", message: str = "") -> TestResult:
    return TestResult(index=0, verdict=verdict, cpu_s=cpu_s, stderr=stderr, message=message)


@pytest.mark.parametrize("problem, solution, result, cause", [
    (Problem(id="p", statement="s", interactive=True), PY, failed(Verdict.WA),
     "interactive problem: it cannot be judged on stdin/stdout alone"),
    (Problem(id="p", statement="s"), CPP, failed(Verdict.CE), "the solution does not compile"),
    (Problem(id="p", statement="s", time_limit_s=1), PY, failed(Verdict.TLE, cpu_s=1.01),
     "too slow in Python for 1 s (raise time_limit_s or record a C++ solution)"),
    (Problem(id="p", statement="s", time_limit_s=1), CPP, failed(Verdict.TLE, cpu_s=1.0), "too slow for 1 s"),
    (Problem(id="p", statement="s", time_limit_s=2), PY, failed(Verdict.TLE, cpu_s=0.3),
     "wall-time limit hit after only 0.30 s of CPU: the machine is overloaded or the program waits (for input, sleep)"),
    (Problem(id="p", statement="s", memory_limit_mb=64), PY, failed(Verdict.MLE), "memory limit of 64 MB exceeded"),
    (Problem(id="p", statement="s"), PY, failed(Verdict.OLE), "output limit exceeded"),
    (Problem(id="p", statement="s"), PY, failed(Verdict.RE, stderr="Traceback\nRecursionError: maximum"),
     "deep recursion: Python's recursion limit or stack"),
    (Problem(id="p", statement="s"), PY, failed(Verdict.RE, stderr="Traceback\nEOFError: EOF\n"),
     "runtime error: EOFError: EOF"),
    (Problem(id="p", statement="s"), PY, failed(Verdict.RE, message="killed by SIGSEGV"), "runtime error: killed by SIGSEGV"),
    (Problem(id="p", statement="s", tags=("multiple-answers",)), PY, failed(Verdict.WA),
     "several answers are accepted: the problem needs a custom checker"),
    (Problem(id="p", statement="s"), PY, failed(Verdict.WA), "float output: the problem needs the float checker"),
    (Problem(id="p", statement="s", checker=Checker(type="float")), PY, failed(Verdict.WA),
     "wrong answer: the expected output or the solution is wrong, or several answers are accepted"),
    (Problem(id="p", statement="s", style="function", entry_point="f"), PY, failed(Verdict.WA),
     "an assertion failed: the test or the solution is wrong"),
])
def test_likely_cause(problem, solution, result, cause):
    assert likely_cause(problem, solution, result, TEST) == cause


def test_integer_output_is_not_taken_for_float():
    problem = Problem(id="p", statement="s")
    assert likely_cause(problem, PY, failed(Verdict.WA), TestCase(input="", output="1 2 3.")) == (
        "wrong answer: the expected output or the solution is wrong, or several answers are accepted")


def test_problem_without_tests_or_solutions_fails_without_running():
    no_tests = Problem(id="a", statement="s", solutions=(PY,))
    no_solution = Problem(id="b", statement="s", public_tests=(TEST,), solutions=(Solution(source="x", correct=False),))
    assert validate_problem(None, no_tests) == ProblemReport(id="a", ok=False, reasons=("the problem has no tests",))
    assert validate_problem(None, no_solution) == ProblemReport(
        id="b", ok=False, reasons=("no correct solution is recorded",), tests=1)


SUM = Problem(
    id="sum", statement="print a+b", time_limit_s=1,
    public_tests=(TestCase(input="1 2\n", output="3\n"),),
    hidden_tests=(TestCase(input="5 5\n", output="10\n", kind="hidden"), TestCase(input="2 2\n", output="4\n", kind="hidden")),
)


def test_validate_problem_in_sandbox_ok(judge):
    problem = SUM.model_copy(update={"solutions": (
        Solution(source="a, b = map(int, input().split())\nprint(a + b)\n"),
        Solution(source="a, b = map(int, input().split())\nprint(a * b)\n", correct=False),
    )})
    report = validate_problem(judge, problem)
    assert (report.ok, report.reasons, report.solutions, report.tests, report.test_runs) == (True, (), 2, 3, 6)


def test_validate_problem_in_sandbox_reports_both_ways(judge):
    problem = SUM.model_copy(update={"solutions": (
        Solution(source="a, b = map(int, input().split())\nprint(a * b)\n"),
        Solution(source="a, b = map(int, input().split())\nprint(b + a)\n", correct=False),
        Solution(source="while True:\n    pass\n"),
    )})
    report = validate_problem(judge, problem)
    assert report.ok is False
    assert report.reasons[0] == ("correct solution[0] (py) rejected on test 0 (public): WA: token 1: expected '3', "
                                 "got '2' (likely: wrong answer: the expected output or the solution is wrong, "
                                 "or several answers are accepted)")
    assert report.reasons[1] == "incorrect solution[1] (py) accepted on all 3 tests: the tests do not catch it"
    assert report.reasons[2].startswith("correct solution[2] (py) rejected on test 0 (public): TLE: ")
    assert len(report.reasons) == 3


def test_crashing_custom_checker_fails_the_problem_only(judge):
    problem = SUM.model_copy(update={
        "checker": Checker(type="custom", program="raise SystemExit(7)\n"),
        "solutions": (Solution(source="a, b = map(int, input().split())\nprint(a + b)\n"),),
    })
    report = validate_problem(judge, problem)
    assert (report.ok, report.reasons) == (False, ("sum: custom checker crashed on test 0: exit 7",))
