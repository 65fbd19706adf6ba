"""The execution cache on the real Docker sandbox and a real sqlite store: repeated programs
run nothing, every input of a verdict is in its key, limits and infrastructure faults are
never cached, concurrent processes share the store, corrupt rows are misses said once."""

from __future__ import annotations

import json
import logging
import multiprocessing
import sqlite3
import sys
from pathlib import Path

import pytest

from archon_code.architecture.trace import GuardedJudge, Tracer
from archon_code.errors import SandboxError
from archon_code.exec_cache import CachedJudge, ExecCount, ExecStore, build_judge
from archon_code.functions import Call
from archon_code.types import Candidate, Checker, Problem, TestCase, Verdict

ADD = Candidate(id="add", source="a, b = map(int, input().split())\nprint(a + b)\n")
PROBLEM = Problem(id="add", statement="add", public_tests=(TestCase(input="1 2\n", output="3\n"),
                                                          TestCase(input="2 2\n", output="4\n")))


class Counting:
    """The real sandbox; counts jobs and the runs in each. ``fault`` turns a finished job
    into an infrastructure failure or a watchdog/unclean result (after it really ran)."""

    def __init__(self, sandbox, fault: str = ""):
        self.inner, self.fault, self.jobs = sandbox, fault, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    @property
    def workers(self):
        return self.inner.workers

    def run_job(self, job, files_dir=None, keep=None):
        result = self.inner.run_job(job, files_dir=files_dir, keep=keep)
        self.jobs.append(len(job.runs))
        if self.fault == "error":
            raise SandboxError("sandbox runner failed: injected after the job")
        if self.fault in ("watchdog", "clean"):
            return result.model_copy(update={"watchdog": True} if self.fault == "watchdog" else {"clean": False})
        return result


@pytest.fixture
def counting(sandbox):
    return Counting(sandbox)


def cached(sandbox, tmp_path: Path, **kw) -> CachedJudge:
    return CachedJudge(sandbox, store=ExecStore(tmp_path / "exec"), **kw)


def test_a_second_identical_call_runs_nothing(counting, tmp_path):
    judge = cached(counting, tmp_path)
    first = judge.judge(PROBLEM, ADD, PROBLEM.public_tests)
    assert (counting.jobs, judge.last_count()) == ([2], ExecCount(executed=2, cached=0))
    again = cached(counting, tmp_path).judge(PROBLEM, ADD.model_copy(update={"id": "other"}), PROBLEM.public_tests)
    assert counting.jobs == [2]
    assert again.model_copy(update={"candidate_id": "add"}) == first
    assert again.candidate_id == "other" and again.verdict is Verdict.AC
    assert len(ExecStore(tmp_path / "exec")) == 2


def test_a_new_test_runs_alone_and_reuses_the_old_verdicts(counting, tmp_path):
    judge = cached(counting, tmp_path)
    judge.judge(PROBLEM, ADD, PROBLEM.public_tests)
    tests = (TestCase(input="5 5\n", output="11\n", kind="generated"),) + PROBLEM.public_tests
    result = judge.judge(PROBLEM, ADD, tests)
    assert counting.jobs == [2, 1]
    assert judge.last_count() == ExecCount(executed=1, cached=2)
    assert [(t.index, t.kind, t.verdict) for t in result.tests] == [
        (0, "generated", Verdict.WA), (1, "public", Verdict.AC), (2, "public", Verdict.AC)]
    assert result.verdict is Verdict.WA


@pytest.mark.parametrize("change", ["time limit", "memory limit", "checker", "tolerance", "expected output",
                                    "input", "source", "time scale"])
def test_anything_a_verdict_depends_on_is_in_the_key(counting, tmp_path, change):
    cached(counting, tmp_path).judge(PROBLEM, ADD, PROBLEM.public_tests[:1])
    problem, candidate, tests, scale = PROBLEM, ADD, PROBLEM.public_tests[:1], 1.0
    if change == "time limit":
        problem = problem.model_copy(update={"time_limit_s": 3.0})
    elif change == "memory limit":
        problem = problem.model_copy(update={"memory_limit_mb": 200})
    elif change == "checker":
        problem = problem.model_copy(update={"checker": Checker(type="exact")})
    elif change == "tolerance":
        problem = problem.model_copy(update={"checker": Checker(type="float", abs_tol=0.5)})
    elif change == "expected output":
        tests = (TestCase(input="1 2\n", output="4\n"),)
    elif change == "input":
        tests = (TestCase(input="1 3\n", output="3\n"),)
    elif change == "source":
        candidate = ADD.model_copy(update={"source": ADD.source + "# another program\n"})
    else:
        scale = 2.0
    judge = cached(counting, tmp_path, time_scale=scale)
    judge.judge(problem, candidate, tests)
    assert counting.jobs == [1, 1]
    assert judge.last_count() == ExecCount(executed=1, cached=0)


def test_a_time_limit_is_never_cached(counting, tmp_path):
    problem = PROBLEM.model_copy(update={"time_limit_s": 0.3})
    spin = Candidate(id="spin", source="while True:\n    pass\n")
    for _ in range(2):
        judge = cached(counting, tmp_path)
        assert judge.judge(problem, spin, problem.public_tests[:1]).verdict is Verdict.TLE
    assert counting.jobs == [1, 1]
    assert len(ExecStore(tmp_path / "exec")) == 0


def test_a_memory_error_under_the_limit_is_never_cached(counting, tmp_path):
    problem = PROBLEM.model_copy(update={"memory_limit_mb": 64})
    hog = Candidate(id="hog", source="x = bytearray(512 << 20)\nprint(3)\n")
    for _ in range(2):
        assert cached(counting, tmp_path).judge(problem, hog, problem.public_tests[:1]).verdict is Verdict.MLE
    assert counting.jobs == [1, 1]
    assert len(ExecStore(tmp_path / "exec")) == 0


def test_an_infrastructure_failure_stores_nothing(sandbox, tmp_path):
    broken = Counting(sandbox, fault="error")
    with pytest.raises(SandboxError, match="injected after the job"):
        cached(broken, tmp_path).judge(PROBLEM, ADD, PROBLEM.public_tests)
    assert len(ExecStore(tmp_path / "exec")) == 0
    fine = Counting(sandbox)
    judge = cached(fine, tmp_path)
    assert judge.judge(PROBLEM, ADD, PROBLEM.public_tests).verdict is Verdict.AC
    assert (fine.jobs, judge.last_count()) == ([2], ExecCount(executed=2, cached=0))


@pytest.mark.parametrize("fault", ["watchdog", "clean"])
def test_a_watchdog_kill_or_unclean_container_stores_nothing(sandbox, tmp_path, fault):
    cached(Counting(sandbox, fault=fault), tmp_path).judge(PROBLEM, ADD, PROBLEM.public_tests)
    cached(Counting(sandbox, fault=fault), tmp_path).run_inputs(PROBLEM, ADD, ["1 1\n"])
    assert len(ExecStore(tmp_path / "exec")) == 0


def test_judge_many_runs_identical_programs_once(counting, tmp_path):
    judge = cached(counting, tmp_path)
    twins = [ADD, ADD.model_copy(update={"id": "twin"})]
    results = judge.judge_many(PROBLEM, twins, PROBLEM.public_tests)
    assert counting.jobs == [2]
    assert [r.candidate_id for r in results] == ["add", "twin"]
    assert judge.last_count() == ExecCount(executed=2, cached=2)


def test_run_inputs_and_a_compile_error_are_cached(counting, tmp_path):
    judge = cached(counting, tmp_path)
    assert [r.stdout for r in judge.run_inputs(PROBLEM, ADD, ["1 1\n", "2 5\n"])] == ["2\n", "7\n"]
    assert [r.stdout for r in judge.run_inputs(PROBLEM, ADD, ["2 5\n", "1 1\n"])] == ["7\n", "2\n"]
    assert judge.last_count() == ExecCount(executed=0, cached=2)
    broken = Candidate(id="ce", lang="cpp", source="int main() { return }\n")
    first = judge.judge(PROBLEM, broken, PROBLEM.public_tests)
    again = judge.judge(PROBLEM, broken, PROBLEM.public_tests)
    assert counting.jobs == [2, 2]
    assert again == first and first.verdict is Verdict.CE and "expected" in first.compile_output


def test_function_style_judge_and_calls_are_cached(counting, tmp_path):
    problem = Problem(id="dbl", statement="double", style="function", entry_point="dbl",
                      public_tests=(TestCase(input="assert dbl(2) == 4"), TestCase(input="assert dbl(3) == 7")))
    program = Candidate(id="dbl", source="def dbl(x):\n    return 2 * x\n")
    judge = cached(counting, tmp_path)
    first = judge.judge(problem, program, problem.public_tests)
    assert [t.verdict for t in first.tests] == [Verdict.AC, Verdict.WA]
    assert cached(counting, tmp_path).judge(problem, program, problem.public_tests) == first
    calls = [Call.of(1), Call.of(2.5)]
    outcomes = judge.call_function(problem, program, calls)
    assert judge.call_function(problem, program, calls) == outcomes
    assert [o.value for o in outcomes] == [2, 5.0] and judge.last_count() == ExecCount(executed=0, cached=2)
    jobs = len(counting.jobs)
    judge.call_function(problem, program, [Call.of(3)])
    assert len(counting.jobs) == jobs + 1


def test_off_means_every_test_runs(counting, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHON_CODE_CACHE_DIR", str(tmp_path))
    assert build_judge(counting, cache=False).store is None
    monkeypatch.setenv("ARCHON_CODE_NO_EXEC_CACHE", "1")
    judge = build_judge(counting)
    assert judge.store is None
    judge.judge(PROBLEM, ADD, PROBLEM.public_tests)
    judge.judge_many(PROBLEM, [ADD, ADD.model_copy(update={"id": "twin"})], PROBLEM.public_tests)
    assert counting.jobs == [2, 2, 2] and judge.last_count() == ExecCount(executed=4, cached=0)
    monkeypatch.delenv("ARCHON_CODE_NO_EXEC_CACHE")
    assert build_judge(counting).store.path == tmp_path / "exec" / "executions.sqlite3"


def test_a_corrupt_row_is_a_miss_said_once_then_replaced(counting, tmp_path, caplog):
    cached(counting, tmp_path).judge(PROBLEM, ADD, PROBLEM.public_tests)
    with sqlite3.connect(tmp_path / "exec" / "executions.sqlite3") as conn:
        conn.execute("UPDATE executions SET result = '{\"verdict\": 12'")
    judge = cached(counting, tmp_path)
    with caplog.at_level(logging.WARNING):
        assert judge.judge(PROBLEM, ADD, PROBLEM.public_tests).verdict is Verdict.AC
    warnings = [r.getMessage() for r in caplog.records if "execution cache" in r.getMessage()]
    assert len(warnings) == 1 and "a row does not parse" in warnings[0]
    assert counting.jobs == [2, 2]
    judge.judge(PROBLEM, ADD, PROBLEM.public_tests)
    assert counting.jobs == [2, 2] and judge.last_count() == ExecCount(executed=0, cached=2)


def test_a_store_that_is_not_a_database_is_passed_over(counting, tmp_path, caplog):
    (tmp_path / "exec").mkdir()
    (tmp_path / "exec" / "executions.sqlite3").write_bytes(b"this is no sqlite file" * 100)
    with caplog.at_level(logging.WARNING):
        judge = cached(counting, tmp_path)
        for _ in range(2):
            assert judge.judge(PROBLEM, ADD, PROBLEM.public_tests).verdict is Verdict.AC
    assert counting.jobs == [2, 2]
    warnings = [r.getMessage() for r in caplog.records if "execution cache" in r.getMessage()]
    assert len(warnings) == 3  # unusable, could not be read, could not be written: each said once
    assert all("not a database" in w for w in warnings)


def _writer(directory: str, worker: int, out) -> None:
    store = ExecStore(Path(directory))
    for batch in range(40):
        store.put_many([(f"{worker}-{batch}-{i}", json.dumps({"exit_code": worker}), "") for i in range(5)])
        store.get_many([f"{(worker + 1) % 4}-{batch}-0"], _Exec)
    out.put(len(store._said))


from archon_code.types import ExecResult as _Exec  # noqa: E402


def test_concurrent_processes_share_the_store(tmp_path):
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    procs = [context.Process(target=_writer, args=(str(tmp_path), w, out)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert sorted(out.get(timeout=5) for _ in procs) == [0, 0, 0, 0]  # no warning in any process
    store = ExecStore(tmp_path)
    assert len(store) == 4 * 40 * 5
    assert store.get_many(["3-39-4"], _Exec)["3-39-4"][0].exit_code == 3


def test_traces_count_what_ran_and_what_the_cache_answered(counting, tmp_path):
    tracer = Tracer(tmp_path / "trace.jsonl")
    guarded = GuardedJudge(cached(counting, tmp_path), tracer)
    guarded.judge_many(PROBLEM, [ADD], PROBLEM.public_tests)
    guarded.judge_many(PROBLEM, [ADD], PROBLEM.public_tests)
    guarded.run_inputs(PROBLEM, ADD, ["4 4\n"])
    tracer.close()
    events = [json.loads(line) for line in (tmp_path / "trace.jsonl").read_text().splitlines()]
    assert [(e["call"], e["executed"], e["cached"]) for e in events] == [
        ("judge_many", 2, 0), ("judge_many", 0, 2), ("run_inputs", 1, 0)]
    assert (guarded.executed, guarded.cached) == (3, 2)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


def test_a_rerun_bench_executes_nothing_and_says_so(counting, tmp_path):
    from archon_code.architecture import load_architecture
    from archon_code.bench.runner import architecture_solvers, plan_tasks, run_bench
    from archon_code.bench.store import ResultStore
    from archon_code.bench.summary import format_savings, summarize
    from tests.bench.support import make_problem, right_answer
    from tests.support.scripted_llm import ScriptedLLM

    problems = [make_problem("double"), make_problem("square")]
    answer = lambda messages, sample: right_answer("double" if "double" in messages[-1]["content"] else "square")
    runs = []
    for attempt in range(2):
        judge = cached(counting, tmp_path)
        factory = architecture_solvers({"single": load_architecture("single")}, ScriptedLLM(answer), judge,
                                       model="scripted")
        records = run_bench(plan_tasks(["single"], problems, 1), factory, judge,
                            ResultStore(tmp_path / f"run{attempt}.jsonl"))
        runs.append([(r.status, r.executions, r.cached_executions) for r in records])
        runs.append(len(counting.jobs))
    # solve: 1 public test; grading: 4 hidden tests; the rerun runs nothing in the sandbox
    assert runs == [[("pass", 5, 0)] * 2, 4, [("pass", 0, 5)] * 2, 4]
    assert format_savings(summarize(records)) == (
        "single: caches answered 0 of 2 model calls and 10 of 10 test executions")
