"""archon-code's own problem format (YAML or JSON), see docs/problem-format.md.

A problem file is validated by the ``*Spec`` models below (strict types, unknown fields
rejected), then turned into an :class:`archon_code.types.Problem`. Long texts (test
inputs, solutions, checker programs) may live in files next to the problem file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from archon_code.errors import ProblemError
from archon_code.problems.errors import FieldError, translate
from archon_code.textio import read_text
from archon_code.types import Checker, Problem, Solution, TestCase

__all__ = ["MAX_MEMORY_LIMIT_MB", "MAX_TIME_LIMIT_S", "ProblemSpec", "dump_problem", "dump_problem_yaml", "problem_from_dict", "problem_to_dict"]


MAX_TIME_LIMIT_S = 60.0
"""Largest accepted per-test time limit: beyond it a test is a mistake (``1e9``), not a limit."""
MAX_MEMORY_LIMIT_MB = 4096
"""Largest accepted per-test memory limit (a sandbox container has 1.5 GB unless configured)."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TestSpec(_Spec):
    """One test: text inline or in a file next to the problem file."""

    __test__ = False

    input: Optional[str] = None
    """stdin text (stdio) or Python assert code (function style)."""
    input_file: Optional[str] = None
    """Path of a file holding the input, relative to the problem file."""
    output: Optional[str] = None
    """Expected stdout (stdio problems; unused for function style)."""
    output_file: Optional[str] = None
    """Path of a file holding the expected output, relative to the problem file."""


class TestsSpec(_Spec):
    """The three test sets."""

    public: list[TestSpec] = []
    """Shown to the LLM components."""
    hidden: list[TestSpec] = []
    """Only for final grading."""
    generated: list[TestSpec] = []
    """Extra grading tests (e.g. made by a generator); graded like hidden ones."""


class CheckerSpec(_Spec):
    """How outputs are compared."""

    type: Literal["tokens", "float", "exact", "custom"] = "tokens"
    """tokens (default), float, exact or custom."""
    abs_tol: float = Field(default=1e-6, ge=0, strict=False)
    """Absolute tolerance of the float checker."""
    rel_tol: float = Field(default=1e-6, ge=0, strict=False)
    """Relative tolerance of the float checker."""
    program: Optional[str] = None
    """Python source of a custom checker (``checker INPUT EXPECTED OUTPUT``, exit 0 accepts)."""
    file: Optional[str] = None
    """Path of the custom checker's source, relative to the problem file."""


class SolutionSpec(_Spec):
    """A recorded solution."""

    lang: Literal["py", "cpp"] = "py"
    """py (Python 3) or cpp (C++17)."""
    source: Optional[str] = None
    """The program."""
    file: Optional[str] = None
    """Path of the program, relative to the problem file."""
    correct: bool = True
    """false for a known-wrong (or too slow) solution that must be rejected."""


class ProblemSpec(_Spec):
    """A problem file (or one record of a JSON list / JSONL file)."""

    id: str = Field(min_length=1)
    """Unique identifier, e.g. ``sum-two``."""
    title: str = ""
    """Short human title."""
    statement: str = Field(min_length=1)
    """The full statement shown to the model."""
    style: Literal["stdio", "function"] = "stdio"
    """stdio: read stdin, write stdout; function: define ``entry_point``."""
    entry_point: Optional[str] = None
    """Function name (function style)."""
    starter_code: Optional[str] = None
    """Signature / docstring stub (function style)."""
    tests: TestsSpec = TestsSpec()
    """public, hidden and generated tests."""
    time_limit_s: float = Field(default=2.0, gt=0, le=MAX_TIME_LIMIT_S, strict=False)
    """CPU-time limit per test, in seconds (0 < t <= 60)."""
    memory_limit_mb: int = Field(default=256, gt=0, le=MAX_MEMORY_LIMIT_MB)
    """Memory limit per test, in MB (0 < m <= 4096)."""
    checker: CheckerSpec = CheckerSpec()
    """Output comparison."""
    solutions: list[SolutionSpec] = []
    """Recorded correct and incorrect solutions."""
    interactive: bool = False
    """Interactive problems cannot be judged on stdin/stdout alone."""
    tags: list[str] = []
    """Free-form labels (easy, math, multiple-answers, ...)."""


def _text(inline: Optional[str], file: Optional[str], base: Path, field: str, required: bool) -> Optional[str]:
    """Inline text or the content of ``file`` (relative to ``base``); exactly one of them."""
    if inline is not None and file is not None:
        raise FieldError(field, "give the text inline or as a file, not both")
    if file is not None:
        path = base / file
        if not path.is_file():
            raise FieldError(field, f"no such file {file!r} (next to the problem file)")
        try:
            return read_text(path, ProblemError)
        except ProblemError as exc:
            raise FieldError(field, str(exc)) from None
    if inline is None and required:
        raise FieldError(field, "required field is missing")
    return inline


def _tests(spec: ProblemSpec, base: Path) -> dict[str, tuple[TestCase, ...]]:
    out = {}
    for kind in ("public", "hidden", "generated"):
        cases = []
        for i, test in enumerate(getattr(spec.tests, kind)):
            where = f"tests.{kind}[{i}]"
            text = _text(test.input, test.input_file, base, f"{where}.input", required=True)
            wanted = _text(test.output, test.output_file, base, f"{where}.output", required=spec.style == "stdio")
            cases.append(TestCase(input=text, output=wanted, kind=kind))
        out[f"{kind}_tests"] = tuple(cases)
    return out


def _checker(spec: CheckerSpec, base: Path) -> Checker:
    program = _text(spec.program, spec.file, base, "checker.program", required=spec.type == "custom")
    if program is not None and spec.type != "custom":
        raise FieldError("checker.program", f"only a custom checker takes a program (type is {spec.type!r})")
    return Checker(type=spec.type, abs_tol=spec.abs_tol, rel_tol=spec.rel_tol, program=program)


def _solutions(spec: ProblemSpec, base: Path) -> tuple[Solution, ...]:
    return tuple(
        Solution(lang=s.lang, correct=s.correct,
                 source=_text(s.source, s.file, base, f"solutions[{i}].source", required=True))
        for i, s in enumerate(spec.solutions)
    )


def problem_from_dict(data: Any, base: Path = Path("."), origin: str = "") -> Problem:
    """A Problem from a parsed problem file; raises FieldError naming the bad field."""
    if not isinstance(data, dict):
        raise FieldError("<record>", f"expected a mapping, got {type(data).__name__}")
    try:
        spec = ProblemSpec.model_validate(data)
    except ValidationError as exc:
        raise translate(exc) from None
    if spec.style == "function" and not spec.entry_point:
        raise FieldError("entry_point", "required for style 'function'")
    return Problem(
        id=spec.id, title=spec.title, statement=spec.statement, style=spec.style,
        entry_point=spec.entry_point, starter_code=spec.starter_code, **_tests(spec, base),
        time_limit_s=spec.time_limit_s, memory_limit_mb=spec.memory_limit_mb, checker=_checker(spec.checker, base),
        solutions=_solutions(spec, base), interactive=spec.interactive, tags=tuple(spec.tags), origin=origin,
    )


def _test_dict(test: TestCase) -> dict[str, str]:
    return {"input": test.input} if test.output is None else {"input": test.input, "output": test.output}


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The problem in the file format, every text inline (``origin`` is not stored)."""
    checker = {"type": problem.checker.type, "abs_tol": problem.checker.abs_tol, "rel_tol": problem.checker.rel_tol}
    if problem.checker.program is not None:
        checker["program"] = problem.checker.program
    data: dict[str, Any] = {"id": problem.id, "title": problem.title, "style": problem.style}
    if problem.entry_point is not None:
        data["entry_point"] = problem.entry_point
    data["statement"] = problem.statement
    if problem.starter_code is not None:
        data["starter_code"] = problem.starter_code
    data.update(
        time_limit_s=problem.time_limit_s, memory_limit_mb=problem.memory_limit_mb, checker=checker,
        interactive=problem.interactive, tags=list(problem.tags),
        tests={kind: [_test_dict(t) for t in getattr(problem, f"{kind}_tests")]
               for kind in ("public", "hidden", "generated")},
        solutions=[{"lang": s.lang, "correct": s.correct, "source": s.source} for s in problem.solutions],
    )
    return data


_YAML_BREAKS = "\x85\u2028\u2029"


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks, which authors can read and edit."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(ch in value for ch in _YAML_BREAKS):
        style = '"'  # YAML reads these as line breaks unless escaped
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


def dump_problem_yaml(problem: Problem) -> str:
    """The problem as a YAML problem file."""
    return yaml.dump(problem_to_dict(problem), Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)


def dump_problem(problem: Problem, path: Path) -> None:
    """Write the problem to ``path`` (.json as JSON, anything else as YAML)."""
    if path.suffix == ".json":
        import json

        path.write_text(json.dumps(problem_to_dict(problem), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        path.write_text(dump_problem_yaml(problem), encoding="utf-8")
