"""The judge through the real sandbox: every verdict, every checker kind, both languages."""

from __future__ import annotations

import pytest

from archon_code.errors import ProblemError
from archon_code.types import Candidate, Checker, Problem, TestCase, Verdict

pytestmark = pytest.mark.docker

SUM = Problem(
    id="sum", statement="Print a+b.",
    public_tests=(TestCase(input="1 2\n", output="3\n"), TestCase(input="5 5", output="10")),
    hidden_tests=(TestCase(input="-4 4", output="0", kind="hidden"),),
)
PY_SUM = Candidate(id="py", source="a, b = map(int, input().split())\nprint(a + b)\n")
CPP_SUM = Candidate(id="cpp", lang="cpp", source="#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;"
                                               "std::cout<<a+b<<'\\n';}\n")


def test_python_and_cpp_are_accepted_on_every_test(judge):
    for candidate in (PY_SUM, CPP_SUM):
        result = judge.judge(SUM, candidate, SUM.tests("all"))
        assert [t.verdict for t in result.tests] == [Verdict.AC] * 3
        assert result.verdict is Verdict.AC and result.passed == 3
        assert [t.kind for t in result.tests] == ["public", "public", "hidden"]


def test_wrong_answer_names_the_first_difference(judge):
    wrong = Candidate(id="w", source="a, b = map(int, input().split())\nprint(a - b)\n")
    result = judge.judge(SUM, wrong, SUM.public_tests)
    assert [t.verdict for t in result.tests] == [Verdict.WA, Verdict.WA]
    assert result.tests[0].stdout == "-1\n"
    assert "expected" in result.tests[0].message and "'3'" in result.tests[0].message


def test_compile_error_is_ce_with_the_compiler_message(judge):
    result = judge.judge(SUM, Candidate(id="ce", lang="cpp", source="int main() { return missing; }"), SUM.public_tests)
    assert result.verdict is Verdict.CE
    assert [t.verdict for t in result.tests] == [Verdict.CE, Verdict.CE]
    assert "missing" in result.compile_output


def test_runtime_error_reports_exit_code_and_stderr(judge):
    result = judge.judge(SUM, Candidate(id="re", source="raise SystemExit(3)"), SUM.public_tests[:1])
    row = result.tests[0]
    assert (row.verdict, row.exit_code, row.message) == (Verdict.RE, 3, "exit code 3")
    crash = judge.judge(SUM, Candidate(id="zd", source="print(1 // 0)"), SUM.public_tests[:1]).tests[0]
    assert crash.verdict is Verdict.RE and "ZeroDivisionError" in crash.stderr


def test_cpp_segfault_is_re_with_the_signal(judge):
    source = "int main(){ volatile int *p = 0; *p = 1; return 0; }"
    row = judge.judge(SUM, Candidate(id="sg", lang="cpp", source=source), SUM.public_tests[:1]).tests[0]
    assert (row.verdict, row.signal, row.message) == (Verdict.RE, 11, "killed by SIGSEGV")


def test_float_checker_accepts_within_tolerance_only(judge):
    problem = Problem(id="half", statement="", checker=Checker(type="float", abs_tol=1e-6, rel_tol=1e-6),
                      public_tests=(TestCase(input="1", output="0.333333333"),))
    close = Candidate(id="ok", source="print(f'{1/3:.7f}')")
    far = Candidate(id="no", source="print('0.3334')")
    assert judge.judge(problem, close, problem.public_tests).verdict is Verdict.AC
    assert judge.judge(problem, far, problem.public_tests).verdict is Verdict.WA


CHECKER = """
import sys
inp, exp, out = (open(p).read().split() for p in sys.argv[1:4])
n = int(inp[0])
vals = [int(x) for x in out]
ok = len(vals) == 2 and vals[0] + vals[1] == n and min(vals) >= 0
print("ok" if ok else f"bad pair {vals}")
sys.exit(0 if ok else 1)
"""


def test_custom_checker_runs_in_the_sandbox(judge):
    problem = Problem(id="split", statement="any two non-negative numbers summing to n",
                      checker=Checker(type="custom", program=CHECKER),
                      public_tests=(TestCase(input="10", output="5 5"), TestCase(input="3", output="0 3")))
    other = Candidate(id="other", source="n = int(input())\nprint(n, 0)")
    wrong = Candidate(id="wrong", source="n = int(input())\nprint(n, 1)")
    assert judge.judge(problem, other, problem.public_tests).verdict is Verdict.AC
    rejected = judge.judge(problem, wrong, problem.public_tests)
    assert rejected.verdict is Verdict.WA and rejected.tests[0].message == "bad pair [10, 1]"


def test_a_crashing_custom_checker_is_a_problem_error(judge):
    problem = Problem(id="broken", statement="", checker=Checker(type="custom", program="raise ValueError('x')"),
                      public_tests=(TestCase(input="1", output="1"),))
    with pytest.raises(ProblemError, match="custom checker crashed"):
        judge.judge(problem, Candidate(id="c", source="print(1)"), problem.public_tests)


FUNC = Problem(id="add", statement="def add(a, b)", style="function", entry_point="add",
               public_tests=(TestCase(input="assert add(1, 2) == 3"), TestCase(input="assert add(2, 0) == 2")))


def test_function_style_problems_run_assert_tests(judge):
    good = Candidate(id="g", source="def add(a, b):\n    return a + b\n")
    bad = Candidate(id="b", source="def add(a, b):\n    return a - b\n")
    assert judge.judge(FUNC, good, FUNC.public_tests).verdict is Verdict.AC
    result = judge.judge(FUNC, bad, FUNC.public_tests)
    assert [t.verdict for t in result.tests] == [Verdict.WA, Verdict.AC]  # 2 - 0 == 2 holds by chance
    assert result.tests[0].message == "add(1, 2) returned -1, expected 3"


def test_unknown_expected_output_keeps_the_output(judge):
    tests = [TestCase(input="2 3", output=None, kind="generated")]
    row = judge.judge(SUM, PY_SUM, tests).tests[0]
    assert (row.verdict, row.stdout) == (Verdict.AC, "5\n")


def test_run_inputs_returns_raw_executions(judge):
    runs = judge.run_inputs(SUM, PY_SUM, ["1 1", "x"])
    assert runs[0].stdout == "2\n" and runs[0].exit_code == 0
    assert runs[1].exit_code == 1 and "ValueError" in runs[1].stderr


def test_judge_many_keeps_candidate_order(judge):
    wrong = Candidate(id="w", source="print(0)")
    results = judge.judge_many(SUM, [wrong, PY_SUM, CPP_SUM], SUM.public_tests)
    assert [(r.candidate_id, r.verdict) for r in results] == [("w", Verdict.WA), ("py", Verdict.AC), ("cpp", Verdict.AC)]


def test_large_input_with_naive_solution_times_out(judge):
    n = 200_000
    data = f"{n}\n" + " ".join(str(i % 1000) for i in range(n)) + "\n"
    problem = Problem(id="pairs", statement="", time_limit_s=1.0,
                      public_tests=(TestCase(input=data, output=str(sum(range(n)) % 7)),))
    naive = Candidate(id="naive", source=(
        "n = int(input())\na = list(map(int, input().split()))\nc = 0\n"
        "for i in range(n):\n    for j in range(i + 1, n):\n        c += a[i] < a[j]\nprint(c)\n"))
    row = judge.judge(problem, naive, problem.public_tests).tests[0]
    assert row.verdict is Verdict.TLE
