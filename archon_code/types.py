"""The values passed between layers: problems, tests, candidates, execution results, verdicts.

All are frozen pydantic models (hashable, comparable, serialisable with
``model_dump()``), never loose dicts.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BRUTE_TRUST",
    "PREDICTION_TRUST",
    "TRUSTED",
    "Candidate",
    "Checker",
    "ExecResult",
    "Frozen",
    "Judgement",
    "Lang",
    "Problem",
    "Solution",
    "TestCase",
    "TestKind",
    "TestResult",
    "Verdict",
]

Lang = Literal["py", "cpp"]
TestKind = Literal["public", "hidden", "generated"]

BRUTE_TRUST = 0.8
"""Trust of a generated test whose expected output a brute-force reference computed."""
PREDICTION_TRUST = 0.3
"""Trust of a generated test whose expected output a model predicted."""
TRUSTED = BRUTE_TRUST
"""Generated tests with at least this trust count like public ones (early exit, verification)."""


class Frozen(BaseModel):
    """Base of every value passed between layers: immutable (hashable, comparable) and
    strict (an unknown field is an error, never silently dropped)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TestCase(Frozen):
    """One test. For stdin/stdout problems ``input`` is fed on stdin and ``output`` is the
    expected stdout. For function-style problems ``input`` is Python test code (asserts, or a
    data set's check code) that the host decides from the plain-data results the sandbox
    reports (see ``archon_code.function_judge``); ``output`` is unused.
    """

    __test__ = False  # not a pytest class

    input: str
    """stdin text, or Python assert code for function-style problems."""
    output: Optional[str] = None
    """Expected output; None when unknown (a generated input awaiting an expected output)."""
    kind: TestKind = "public"
    """public: shown to components; hidden: only for final grading; generated: made by the pipeline."""
    trust: float = Field(default=1.0, ge=0.0, le=1.0)
    """How far the expected output can be trusted: 1.0 for the problem's own tests."""
    source: str = "problem"
    """Where the expected output came from: problem, brute-force, prediction, agreement."""


class Checker(Frozen):
    """How an output is compared with the expected one."""

    type: Literal["tokens", "float", "exact", "custom"] = "tokens"
    """tokens: whitespace-insensitive token match (default); float: tokens, numbers within
    tolerance; exact: byte-for-byte after normalising line endings; custom: run ``program``."""
    abs_tol: float = 1e-6
    """Absolute tolerance for the float checker."""
    rel_tol: float = 1e-6
    """Relative tolerance for the float checker."""
    program: Optional[str] = None
    """Source of a custom checker (Python 3). It runs in the sandbox as
    ``checker.py INPUT_FILE EXPECTED_FILE OUTPUT_FILE``: exit 0 accepts, exit 1 (or 2) rejects
    with a reason on stdout; any other ending (an uncaught exception) is a broken checker."""


class Solution(Frozen):
    """A recorded solution of a problem, known correct or known incorrect."""

    lang: Lang = "py"
    source: str
    correct: bool = True


class Problem(Frozen):
    """A programming problem in archon-code's own format (see docs/problem-format.md)."""

    id: str
    title: str = ""
    statement: str
    style: Literal["stdio", "function"] = "stdio"
    """stdio: a program reading stdin and writing stdout; function: define ``entry_point``."""
    entry_point: Optional[str] = None
    """Function name, for function-style problems."""
    starter_code: Optional[str] = None
    """Signature/docstring stub shown to the model for function-style problems."""
    public_tests: tuple[TestCase, ...] = ()
    hidden_tests: tuple[TestCase, ...] = ()
    generated_tests: tuple[TestCase, ...] = ()
    time_limit_s: float = Field(default=2.0, gt=0)
    memory_limit_mb: int = Field(default=256, gt=0)
    checker: Checker = Checker()
    solutions: tuple[Solution, ...] = ()
    interactive: bool = False
    """Interactive problems cannot be judged by stdin/stdout alone."""
    tags: tuple[str, ...] = ()
    origin: str = ""
    """File (and record) the problem was loaded from."""

    def tests(self, which: str = "public") -> tuple[TestCase, ...]:
        """Tests by selection: public, hidden (hidden + the data set's generated), or all."""
        if which == "public":
            return self.public_tests
        if which == "hidden":
            return self.hidden_tests + self.generated_tests
        if which == "all":
            return self.public_tests + self.hidden_tests + self.generated_tests
        raise ValueError(f"unknown test selection {which!r} (allowed: public, hidden, all)")

    def without_hidden(self) -> "Problem":
        """The problem as components may see it: hidden and data-set-generated tests removed."""
        return self.model_copy(update={"hidden_tests": (), "generated_tests": (), "solutions": ()})


class Candidate(Frozen):
    """A program proposed by a component."""

    id: str
    source: str
    lang: Lang = "py"
    origin: str = ""
    """Which component (and model, sample) produced it, e.g. ``generator:local/qwen#3``."""


class Verdict(str, Enum):
    """Per-test and overall verdicts. Infrastructure faults are exceptions, never verdicts."""

    AC = "AC"
    WA = "WA"
    TLE = "TLE"
    MLE = "MLE"
    RE = "RE"
    OLE = "OLE"
    CE = "CE"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


class ExecResult(Frozen):
    """What happened when one process ran in the sandbox."""

    exit_code: Optional[int] = None
    signal: Optional[int] = None
    stdout: str = ""
    stderr: str = ""
    cpu_s: float = 0.0
    wall_s: float = 0.0
    memory_kb: int = 0
    timed_out: bool = False
    """Killed for exceeding its wall-time or CPU-time limit."""
    output_limit: bool = False
    """Killed for writing more than the output limit (SIGXFSZ)."""
    memory_limit: bool = False
    """Ran out of the memory limit."""
    stdout_truncated: bool = False
    """stdout was longer than what the sandbox returns; ``stdout`` holds the beginning."""


class TestResult(Frozen):
    """The verdict of one candidate on one test."""

    __test__ = False

    index: int
    kind: TestKind = "public"
    verdict: Verdict
    cpu_s: float = 0.0
    wall_s: float = 0.0
    memory_kb: int = 0
    exit_code: Optional[int] = None
    signal: Optional[int] = None
    stdout: str = ""
    stdout_truncated: bool = False
    """``stdout`` is the beginning of a longer output (the sandbox returns 1 MiB of a test
    with no expected output): not a whole answer, never an expected output or a vote."""
    stderr: str = ""
    message: str = ""
    """Why: checker message, signal name, ..."""


class Judgement(Frozen):
    """A candidate's verdicts on a list of tests."""

    candidate_id: str
    verdict: Verdict
    """Overall: AC when every test is AC, else the first failing test's verdict (CE if it did not compile)."""
    tests: tuple[TestResult, ...] = ()
    compile_output: str = ""

    @property
    def passed(self) -> int:
        return sum(t.verdict is Verdict.AC for t in self.tests)

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.AC
