"""The judge: run a candidate on tests in the sandbox and give verdicts.

Outputs are compared on the host (expected outputs never enter the container while a
candidate runs); custom checkers run in the sandbox in a job of their own afterwards.
"""

from __future__ import annotations

import signal
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Protocol, Sequence

from archon_code.errors import ProblemError
from archon_code.problems.checkers import check_output
from archon_code.sandbox.base import Sandbox
from archon_code.sandbox.config import Job, Run
from archon_code.sandbox.jobs import JobResult
from archon_code.textio import to_bytes
from archon_code.types import Candidate, ExecResult, Judgement, Problem, TestCase, TestResult, Verdict

if TYPE_CHECKING:
    from archon_code.functions import Call, CallOutcome

__all__ = ["Judge", "JudgeLike", "verdict_of"]

_SOURCE = {"py": "sol.py", "cpp": "sol.cpp"}
_COMPILE = ("g++", "-std=c++17", "-O2", "-pipe", "-o", "sol", "sol.cpp")
_KEEP_STDOUT = 4096
_KEEP_STDOUT_UNCHECKED = 1 << 20
_KEEP_STDERR = 2048


class JudgeLike(Protocol):
    """What components, validation and bench grading need of a judge: :class:`Judge` and
    the wrappers around it (the runner's guard, caches, test spies)."""

    def judge(self, problem: Problem, candidate: Candidate, tests: Sequence[TestCase]) -> Judgement: ...

    def judge_many(self, problem: Problem, candidates: Sequence[Candidate],
                   tests: Sequence[TestCase]) -> list[Judgement]: ...

    def run_inputs(self, problem: Problem, candidate: Candidate, inputs: Sequence[str]) -> list[ExecResult]: ...

    def call_function(self, problem: Problem, candidate: Candidate, calls: Sequence["Call"]) -> list["CallOutcome"]: ...


def _signal_name(number: Optional[int]) -> str:
    try:
        return signal.Signals(number).name if number else ""
    except ValueError:
        return f"signal {number}"


def _out_of_memory(result: ExecResult) -> bool:
    """A failed run whose last words are Python's ``MemoryError`` or C++'s ``std::bad_alloc``.

    Only a run that failed, and only its last stderr line: a program that exits 0 (or fails
    for another reason) cannot choose MLE by printing the word (red-team round 3)."""
    if result.exit_code == 0 and not result.signal:
        return False
    lines = result.stderr.strip().splitlines()
    last = lines[-1].strip() if lines else ""
    return last.startswith("MemoryError") or last.endswith("std::bad_alloc")


def verdict_of(result: ExecResult, lang: str = "py") -> tuple[Optional[Verdict], str]:
    """The verdict an execution earns before its output is compared (None: compare it)."""
    if result.timed_out:
        return Verdict.TLE, f"time limit exceeded ({result.cpu_s:.2f}s CPU, {result.wall_s:.2f}s wall)"
    if result.output_limit:
        return Verdict.OLE, "output limit exceeded"
    if result.memory_limit or _out_of_memory(result):
        return Verdict.MLE, f"memory limit exceeded ({result.memory_kb // 1024} MB peak)"
    if result.signal:
        return Verdict.RE, f"killed by {_signal_name(result.signal)}"
    if result.exit_code != 0:
        if lang == "function" and "AssertionError" in result.stderr:
            return Verdict.WA, "assertion failed"
        return Verdict.RE, f"exit code {result.exit_code}"
    return None, ""


class Judge:
    """Runs candidates on tests through a sandbox (anything with ``run_job``)."""

    def __init__(self, sandbox: Sandbox, *, time_scale: float = 1.0):
        self.sandbox = sandbox
        self.time_scale = time_scale

    # public API ------------------------------------------------------------------------
    def judge(self, problem: Problem, candidate: Candidate, tests: Sequence[TestCase]) -> Judgement:
        """Verdicts of ``candidate`` on ``tests``, in order."""
        if problem.style == "function":
            from archon_code.function_judge import judge_function

            return judge_function(self, problem, candidate, tests)
        with tempfile.TemporaryDirectory(prefix="archon-judge-") as spool:
            return self._judge_stdio(problem, candidate, tests, Path(spool))

    def _judge_stdio(self, problem: Problem, candidate: Candidate, tests: Sequence[TestCase],
                     spool: Path) -> Judgement:
        """Each run is compared the moment it arrives and only the beginning of its output is
        kept, so what the host holds is one output at a time, not tests x output limit.
        Outputs for a custom checker wait on disk (``spool``)."""
        custom = problem.checker.type == "custom"
        outcomes: dict[int, tuple[bool, str]] = {}
        saved: dict[int, Path] = {}

        def keep(index: int, run: ExecResult) -> ExecResult:
            test = tests[index]
            if test.output is not None and verdict_of(run)[0] is None:
                if custom:
                    saved[index] = spool / f"{index}.out"
                    saved[index].write_text(run.stdout, encoding="utf-8", errors="surrogateescape")
                else:
                    outcomes[index] = check_output(problem.checker, test.output, run.stdout, test.input)
            limit = _KEEP_STDOUT_UNCHECKED if test.output is None else _KEEP_STDOUT
            if len(run.stdout) > limit:
                return run.model_copy(update={"stdout": run.stdout[:limit], "stdout_truncated": True})
            return run

        result = self.sandbox.run_job(self._job(problem, candidate, tests), keep=keep)
        if not result.compiled:
            return self._compile_error(candidate, tests, result)
        verdicts = [self._pre_verdict(problem, tests[i], r, i) for i, r in enumerate(result.runs)]
        verdicts += [self._missing(tests[i], i, result) for i in range(len(result.runs), len(tests))]
        if custom:
            outcomes.update(self._custom_check(problem, {i: (tests[i], path) for i, path in saved.items()}))
        for i, row in enumerate(verdicts):
            if row.message == "pending":
                ok, message = outcomes.get(i, (True, ""))
                verdicts[i] = row.model_copy(update={"verdict": Verdict.AC if ok else Verdict.WA, "message": message})
        overall = next((t.verdict for t in verdicts if t.verdict is not Verdict.AC), Verdict.AC)
        return Judgement(candidate_id=candidate.id, verdict=overall, tests=tuple(verdicts),
                         compile_output=result.compile.stderr if result.compile else "")

    def judge_many(self, problem: Problem, candidates: Sequence[Candidate],
                   tests: Sequence[TestCase]) -> list[Judgement]:
        """Judge several candidates concurrently (one sandbox worker each)."""
        if not candidates:
            return []
        with ThreadPoolExecutor(max_workers=max(1, min(self.sandbox.workers, len(candidates)))) as pool:
            return list(pool.map(lambda c: self.judge(problem, c, tests), candidates))

    def call_function(self, problem: Problem, candidate: Candidate, calls: Sequence["Call"]) -> list["CallOutcome"]:
        """Raw plain-data results of a function-style candidate's entry point on ``calls``
        (see :func:`archon_code.function_judge.call_function`)."""
        from archon_code.function_judge import call_function

        return call_function(self, problem, candidate, calls)

    def run_inputs(self, problem: Problem, candidate: Candidate, inputs: Sequence[str]) -> list[ExecResult]:
        """Raw executions of a stdin/stdout program on each input (no comparison)."""
        tests = [TestCase(input=text, output=None, kind="generated") for text in inputs]
        stdio = problem.model_copy(update={"style": "stdio"})
        result = self.sandbox.run_job(self._job(stdio, candidate, tests))
        if not result.compiled:
            return [result.compile] * len(inputs)
        missing = ExecResult(signal=9, timed_out=result.watchdog, stderr="not run")
        return list(result.runs) + [missing] * (len(inputs) - len(result.runs))

    # jobs --------------------------------------------------------------------------------
    def _run(self, problem: Problem, cmd: tuple[str, ...], stdin: Optional[str], keep: int) -> Run:
        # TLE is decided on CPU time; the wall-clock limit only catches programs that wait
        # (sleep, blocked reads). Its slack keeps a loaded machine from faking TLEs.
        limit = problem.time_limit_s * self.time_scale
        return Run(cmd=cmd, stdin=stdin, cpu_s=limit, wall_s=3 * limit + 2, memory_mb=problem.memory_limit_mb,
                   return_bytes=keep, stderr_bytes=_KEEP_STDERR)

    def _job(self, problem: Problem, candidate: Candidate, tests: Sequence[TestCase]) -> Job:
        files = {_SOURCE[candidate.lang]: to_bytes(candidate.source)}
        compile_run = None
        if candidate.lang == "cpp":
            # 1 GiB of address space: enough for <bits/stdc++.h>, not for #include "/dev/zero".
            compile_run = Run(cmd=_COMPILE, cpu_s=60, wall_s=90, memory_mb=1024, output_bytes=256 << 20,
                              stderr_bytes=8192)
        program = ("python3", "sol.py") if candidate.lang == "py" else ("./sol",)
        inputs, runs = {}, []
        for i, test in enumerate(tests):
            if problem.style == "function":
                inputs[f"t{i}.py"] = to_bytes(candidate.source + "\n\n" + test.input + "\n")
                runs.append(self._run(problem, ("python3", f"{{job}}/in/t{i}.py"), None, _KEEP_STDOUT))
            else:
                inputs[f"{i}.in"] = to_bytes(test.input)
                keep = _KEEP_STDOUT_UNCHECKED if test.output is None else 32 << 20
                runs.append(self._run(problem, program, f"{i}.in", keep))
        return Job(files=files, inputs=inputs, compile=compile_run, runs=tuple(runs))

    # verdicts ----------------------------------------------------------------------------
    def _compile_error(self, candidate: Candidate, tests: Sequence[TestCase], result: JobResult) -> Judgement:
        message = (result.compile.stderr or "compilation failed").strip()[-_KEEP_STDERR:]
        name = Path(candidate.origin).name if candidate.origin.endswith((".cpp", ".cc", ".cxx", ".C")) else ""
        if name:  # the user's file, not the sandbox's copy of it
            message = message.replace(_SOURCE["cpp"], name)
        rows = tuple(TestResult(index=i, kind=t.kind, verdict=Verdict.CE, message="compilation failed")
                     for i, t in enumerate(tests))
        return Judgement(candidate_id=candidate.id, verdict=Verdict.CE, tests=rows, compile_output=message)

    def _pre_verdict(self, problem: Problem, test: TestCase, run: ExecResult, index: int) -> TestResult:
        lang = "function" if problem.style == "function" else "stdio"
        verdict, message = verdict_of(run, lang)
        keep = _KEEP_STDOUT_UNCHECKED if test.output is None else _KEEP_STDOUT
        return TestResult(
            index=index, kind=test.kind, verdict=verdict or Verdict.AC, cpu_s=run.cpu_s, wall_s=run.wall_s,
            memory_kb=run.memory_kb, exit_code=run.exit_code, signal=run.signal, stdout=run.stdout[:keep],
            stdout_truncated=run.stdout_truncated,  # set by keep() where it cut
            stderr=run.stderr[-_KEEP_STDERR:], message=message if verdict else "pending",
        )

    @staticmethod
    def _missing(test: TestCase, index: int, result: JobResult) -> TestResult:
        if result.watchdog:
            return TestResult(index=index, kind=test.kind, verdict=Verdict.TLE,
                              message="not finished: the host watchdog stopped the container")
        if not result.clean:
            return TestResult(index=index, kind=test.kind, verdict=Verdict.RE,
                              message="not run: the program left the sandbox in a state the runner could not "
                                      f"clean ({'; '.join(result.dirt)[:200]}); the container was retired")
        return TestResult(index=index, kind=test.kind, verdict=Verdict.RE,
                          message="not finished: the program killed the sandbox runner")

    def _custom_check(self, problem: Problem, items: dict[int, tuple[TestCase, Path]]) -> dict[int, tuple[bool, str]]:
        """Run the problem's checker program in the sandbox: exit 0 accepts, 1 or 2 rejects.

        Each check is a run of its own (a fresh uid and folder holding only that test's
        input, expected and actual output), after the candidate's job has ended.

        A checker that crashes is asked again with the expected output in place of the
        candidate's: if it accepts that, the candidate's output made it crash (``five five``
        for a checker that reads numbers) and the test is the candidate's wrong answer; only a
        checker that crashes on the expected output too is the problem's fault (red-team
        round 3: one candidate's output must not take its batch-mates' verdicts)."""
        if not items:
            return {}
        outcomes, crashed = {}, {}
        for i, run in self._checker_runs(problem, items).items():
            if run.exit_code == 0:
                outcomes[i] = (True, "")
            elif run.exit_code in (1, 2) and "Traceback (most recent call last)" not in run.stderr:
                outcomes[i] = (False, (run.stdout or run.stderr).strip()[:300] or "rejected by the checker")
            else:
                crashed[i] = (run.stderr.strip().splitlines() or [f"exit {run.exit_code}"])[-1]
        if crashed:
            own = {}
            for i in crashed:
                test, actual = items[i]
                own[i] = (test, actual.with_name(f"{i}.expected"))
                own[i][1].write_bytes(to_bytes(test.output or ""))
            again = self._checker_runs(problem, own)
            for i, detail in crashed.items():
                if i in again and again[i].exit_code == 0:
                    outcomes[i] = (False, f"the checker crashed on this output: {detail}"[:300])
                else:
                    raise ProblemError(f"{problem.origin or problem.id}: custom checker crashed on test {i}: {detail}")
        if len(outcomes) < len(items):
            raise ProblemError(f"{problem.origin or problem.id}: custom checker did not finish")
        return outcomes

    def _checker_runs(self, problem: Problem, items: dict[int, tuple[TestCase, Path]]) -> dict[int, ExecResult]:
        """The checker's run on each (test, output file), by test index (missing: not finished)."""
        inputs, files, runs, order = {}, {}, [], list(items)
        for i in order:
            test, actual = items[i]
            inputs.update({f"{i}.in": to_bytes(test.input), f"{i}.exp": to_bytes(test.output or "")})
            files[f"{i}.out"] = actual
            names = tuple(f"{i}.{ext}" for ext in ("in", "exp", "out"))
            runs.append(Run(cmd=("python3", "checker.py") + names, inputs=names, cpu_s=10, wall_s=20,
                            memory_mb=1024, return_bytes=2048, stderr_bytes=2048))
        result = self.sandbox.run_job(Job(files={"checker.py": to_bytes(problem.checker.program)},
                                          inputs=inputs, input_files=files, runs=tuple(runs)))
        return dict(zip(order, result.runs))
