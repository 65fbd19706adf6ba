"""Function-style verdicts decided on the host.

The sandbox runs ``sandbox/harness.py``: it loads the candidate, calls the entry point with
each test's arguments and reports what came back as plain data. No expected value, and no
test code, ever enters the sandbox. The host then decides each test with the test's own
comparison (:mod:`archon_code.functions`): plain asserts by a restricted evaluator that
runs no test code; trusted data-set check code (HumanEval's ``check(candidate)``) replayed
in a host subprocess against the recorded results, over as many rounds as its calls need.

So an early ``exit(0)``, an excepthook, a custom ``__eq__``, a monkeypatched builtin or
reading files can never turn a wrong function into AC: the candidate can only claim return
values, and claiming the right ones is the same as computing them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from archon_code.errors import ProblemError
from archon_code.functions import Call, CallOutcome, UncheckableTest, plan_test, read_results, request_json
from archon_code.functions.codec import harness_path
from archon_code.sandbox.config import Job, Run
from archon_code.textio import to_bytes
from archon_code.types import Candidate, ExecResult, Judgement, Problem, TestCase, TestResult, Verdict

if TYPE_CHECKING:
    from archon_code.judge import Judge

__all__ = ["call_function", "judge_function"]

MAX_ROUNDS = 6
"""Most sandbox rounds a trusted check may need (calls whose arguments depend on results)."""
_RESULT_BYTES = 8 << 20


def _trusted(test: TestCase) -> bool:
    """The problem's own tests (problem file or data set) may be trusted check code; tests a
    model wrote must be plain asserts the host can decide without running them."""
    return test.source == "problem" and test.kind in ("public", "hidden")


def _harness() -> bytes:
    return harness_path().read_bytes()


def _run(judge: "Judge", problem: Problem, name: str) -> Run:
    limit = problem.time_limit_s * judge.time_scale
    return Run(cmd=("python3", "harness.py", "sol.py", problem.entry_point or ""), stdin=name, cpu_s=limit,
               wall_s=3 * limit + 2, memory_mb=problem.memory_limit_mb, return_bytes=_RESULT_BYTES,
               stderr_bytes=2048)


def _execute(judge: "Judge", problem: Problem, candidate: Candidate,
             requests: dict[int, Sequence[Call]]) -> dict[int, tuple[Optional[ExecResult], list[CallOutcome], str]]:
    """One sandbox job: a run (a fresh process) per test with pending calls."""
    order = list(requests)
    inputs = {f"t{i}.json": request_json(requests[i]).encode() for i in order}
    runs = tuple(_run(judge, problem, f"t{i}.json") for i in order)
    job = Job(files={"sol.py": to_bytes(candidate.source), "harness.py": _harness()}, inputs=inputs, runs=runs)
    result = judge.sandbox.run_job(job)
    found = {}
    for position, i in enumerate(order):
        run = result.runs[position] if position < len(result.runs) else None
        report = read_results(run.stdout if run else "", len(requests[i]))
        problem_note = report.load_error and f"the solution failed to load: {report.load_error}"
        problem_note = problem_note or (report.protocol_error and f"harness protocol broken: {report.protocol_error}")
        found[i] = (run, list(report.outcomes), problem_note or "")
    return found


def call_function(judge: "Judge", problem: Problem, candidate: Candidate,
                  calls: Sequence[Call]) -> list[CallOutcome]:
    """What ``candidate``'s entry point gives for each call, run in one process in the
    sandbox (``missing`` past a crash or a limit). For differential testing."""
    if not calls:
        return []
    _, outcomes, _ = _execute(judge, problem, candidate, {0: list(calls)})[0]
    return outcomes


def _row(index: int, test: TestCase, verdict: Verdict, message: str, run: Optional[ExecResult]) -> TestResult:
    run = run or ExecResult()
    return TestResult(index=index, kind=test.kind, verdict=verdict, message=message, cpu_s=run.cpu_s,
                      wall_s=run.wall_s, memory_kb=run.memory_kb, exit_code=run.exit_code, signal=run.signal,
                      stderr=run.stderr[-2048:])


def _decide(index: int, test: TestCase, check, outcomes: list[CallOutcome], run: Optional[ExecResult],
            note: str) -> TestResult:
    from archon_code.judge import verdict_of

    passed, message = check.verdict(outcomes)
    if passed:
        return _row(index, test, Verdict.AC, "", run)
    if run is None:
        return _row(index, test, Verdict.RE, "not run", run)
    limit, why = verdict_of(run)
    if any(o.status == "missing" for o in outcomes) and limit is not None:
        return _row(index, test, limit, why, run)
    if note:
        return _row(index, test, Verdict.RE, note, run)
    if any(o.status in ("error", "missing") for o in outcomes):
        return _row(index, test, Verdict.RE, message, run)
    return _row(index, test, Verdict.WA, message, run)


def judge_function(judge: "Judge", problem: Problem, candidate: Candidate, tests: Sequence[TestCase]) -> Judgement:
    """Verdicts of a function-style candidate on ``tests``, decided on the host."""
    if candidate.lang != "py":
        raise ProblemError(f"{problem.origin or problem.id}: function-style problems take Python candidates")
    checks: list = []
    for test in tests:
        try:
            checks.append(plan_test(test.input, problem.entry_point or "", _trusted(test),
                                    prelude=problem.starter_code or ""))
        except UncheckableTest as exc:
            raise ProblemError(f"{problem.origin or problem.id}: a {test.kind} test cannot be decided on the "
                               f"host: {exc}") from None
    outcomes: dict[int, list[CallOutcome]] = {i: [] for i in range(len(tests))}
    last: dict[int, tuple[Optional[ExecResult], str]] = {i: (None, "") for i in range(len(tests))}
    done: set[int] = set()
    for _ in range(MAX_ROUNDS):
        requests = {}
        for i, check in enumerate(checks):
            if i not in done:
                calls = check.next_calls(outcomes[i])
                if calls:
                    requests[i] = calls
                else:
                    done.add(i)
        if not requests:
            break
        for i, (run, found, note) in _execute(judge, problem, candidate, requests).items():
            base = len(outcomes[i])
            outcomes[i] += [o.model_copy(update={"index": base + k}) for k, o in enumerate(found)]
            last[i] = (run, note)
            if note or any(o.status == "missing" for o in found):
                done.add(i)  # the program stopped: no later round can help it
    rows = [_decide(i, tests[i], checks[i], outcomes[i], *last[i]) for i in range(len(tests))]
    overall = next((r.verdict for r in rows if r.verdict is not Verdict.AC), Verdict.AC)
    return Judgement(candidate_id=candidate.id, verdict=overall, tests=tuple(rows))


