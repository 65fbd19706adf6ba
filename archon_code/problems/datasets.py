"""Records of public data sets as Problems: CodeContests (two schemas), HumanEval, MBPP,
EvalPlus HumanEval+/MBPP+ (:mod:`.evalplus`), LiveCodeBench and APPS (:mod:`.contests`).

Each record is checked by a lenient pydantic model (unknown keys ignored, used keys
strictly typed) so that a malformed record gives a one-line error naming the field.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from pydantic import BaseModel, ConfigDict, ValidationError

from archon_code.problems.contests import from_apps, from_livecodebench
from archon_code.problems.detect import detect_checker, is_interactive
from archon_code.problems.doctests import prompt_tests
from archon_code.problems.errors import FieldError, translate
from archon_code.problems.evalplus import from_evalplus, is_evalplus
from archon_code.types import Problem, Solution, TestCase

__all__ = ["CONVERTERS", "detect_shape", "record_to_problem"]

DEFAULT_TIME_S = 2.0
DEFAULT_MEMORY_MB = 256
_DEEPMIND_LANGS = {2: "cpp", 3: "py"}  # 1 PYTHON (2), 4 JAVA: dropped


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class _IO(_Record):
    input: str
    output: str


class CodeContestsRecord(_Record):
    """The schema of ``codecontests-dev.jsonl``."""

    id: str
    title: str = ""
    statement: str
    public_tests: list[_IO] = []
    private_tests: list[_IO] = []
    generated_tests: list[_IO] = []
    time_limit_s: Optional[float] = None
    memory_limit_mb: Optional[int] = None
    solutions_correct: list[str] = []
    solutions_incorrect: list[str] = []
    tags: list[str] = []


class _Columns(_Record):
    input: list[str] = []
    output: list[str] = []


class _Solutions(_Record):
    language: list[int] = []
    solution: list[str] = []


class _TimeLimit(_Record):
    seconds: int = 0
    nanos: int = 0


class DeepMindRecord(_Record):
    """The official DeepMind CodeContests record."""

    name: str
    description: str
    public_tests: _Columns = _Columns()
    private_tests: _Columns = _Columns()
    generated_tests: _Columns = _Columns()
    time_limit: Optional[_TimeLimit] = None
    memory_limit_bytes: int = 0
    solutions: _Solutions = _Solutions()
    incorrect_solutions: _Solutions = _Solutions()
    cf_tags: list[str] = []


class FunctionRecord(_Record):
    """HumanEval and MBPP (``task_id`` is accepted for ``id``)."""

    id: Union[str, int]
    prompt: str
    entry_point: str
    test: Union[str, list[str]]
    canonical_solution: str = ""
    test_setup_code: str = ""


def _stdio_problem(ident: str, title: str, statement: str, tags: list[str], **fields: Any) -> Problem:
    checker, extra = detect_checker(statement)
    return Problem(id=ident, title=title, statement=statement, checker=checker,
                   interactive=is_interactive(statement), tags=tuple(dict.fromkeys([*tags, *extra])), **fields)


def from_codecontests(data: dict) -> Problem:
    r = CodeContestsRecord.model_validate(data)
    tests = {kind: tuple(TestCase(input=t.input, output=t.output, kind=kind) for t in items)
             for kind, items in (("public", r.public_tests), ("hidden", r.private_tests),
                                 ("generated", r.generated_tests))}
    solutions = tuple(Solution(source=s) for s in r.solutions_correct)
    solutions += tuple(Solution(source=s, correct=False) for s in r.solutions_incorrect)
    return _stdio_problem(
        r.id, r.title or r.id, r.statement, r.tags, public_tests=tests["public"], hidden_tests=tests["hidden"],
        generated_tests=tests["generated"], time_limit_s=r.time_limit_s or DEFAULT_TIME_S,
        memory_limit_mb=r.memory_limit_mb or DEFAULT_MEMORY_MB, solutions=solutions)


def _columns(columns: _Columns, kind: str) -> tuple[TestCase, ...]:
    if len(columns.input) != len(columns.output):
        field = {"public": "public_tests", "hidden": "private_tests", "generated": "generated_tests"}[kind]
        raise FieldError(field, f"{len(columns.input)} inputs but {len(columns.output)} outputs")
    return tuple(TestCase(input=i, output=o, kind=kind) for i, o in zip(columns.input, columns.output))


def _deepmind_solutions(solutions: _Solutions, correct: bool, field: str) -> tuple[Solution, ...]:
    if len(solutions.language) != len(solutions.solution):
        raise FieldError(field, f"{len(solutions.language)} languages but {len(solutions.solution)} solutions")
    return tuple(Solution(lang=_DEEPMIND_LANGS[lang], source=src, correct=correct)
                 for lang, src in zip(solutions.language, solutions.solution) if lang in _DEEPMIND_LANGS)


def from_deepmind(data: dict) -> Problem:
    r = DeepMindRecord.model_validate(data)
    seconds = (r.time_limit.seconds + r.time_limit.nanos / 1e9) if r.time_limit else 0.0
    memory = r.memory_limit_bytes // (1 << 20)
    solutions = _deepmind_solutions(r.solutions, True, "solutions")
    solutions += _deepmind_solutions(r.incorrect_solutions, False, "incorrect_solutions")
    return _stdio_problem(
        r.name, r.name, r.description, r.cf_tags, public_tests=_columns(r.public_tests, "public"),
        hidden_tests=_columns(r.private_tests, "hidden"), generated_tests=_columns(r.generated_tests, "generated"),
        time_limit_s=seconds or DEFAULT_TIME_S, memory_limit_mb=memory or DEFAULT_MEMORY_MB, solutions=solutions)


def _function_record(data: dict) -> FunctionRecord:
    if "id" not in data and "task_id" in data:
        data = {**data, "id": data["task_id"]}
    return FunctionRecord.model_validate(data)


def from_humaneval(data: dict) -> Problem:
    r = _function_record(data)
    test = r.test if isinstance(r.test, str) else "\n".join(r.test)
    public = prompt_tests(r.prompt, r.entry_point)
    hidden = (TestCase(input=f"{test}\ncheck({r.entry_point})\n", kind="hidden"),)
    return Problem(id=str(r.id), title=r.entry_point, statement=r.prompt, style="function",
                   entry_point=r.entry_point, starter_code=r.prompt, public_tests=public, hidden_tests=hidden,
                   solutions=(Solution(source=r.prompt + r.canonical_solution),) if r.canonical_solution else ())


def from_mbpp(data: dict) -> Problem:
    r = _function_record(data)
    lines = (r.test if isinstance(r.test, str) else "\n".join(r.test)).replace("\r\n", "\n").splitlines()
    asserts = [line.strip() for line in lines if line.strip().startswith("assert")]
    setup = "\n".join(ln.rstrip() for ln in lines if ln.strip() and not ln.strip().startswith("assert"))
    setup = setup or r.test_setup_code.replace("\r\n", "\n").strip()
    if not asserts:
        raise FieldError("test", "no assert lines")
    cases = [TestCase(input=f"{setup.strip()}\n{a}\n".lstrip("\n"), kind="public" if i == 0 else "hidden")
             for i, a in enumerate(asserts)]
    return Problem(id=str(r.id), title=r.entry_point, statement=r.prompt, style="function",
                   entry_point=r.entry_point, public_tests=tuple(cases[:1]), hidden_tests=tuple(cases[1:]),
                   solutions=(Solution(source=r.canonical_solution),) if r.canonical_solution.strip() else ())


CONVERTERS: dict[str, Callable[[dict], Problem]] = {
    "codecontests": from_codecontests,
    "deepmind": from_deepmind,
    "humaneval": from_humaneval,
    "mbpp": from_mbpp,
    "evalplus": from_evalplus,
    "livecodebench": from_livecodebench,
    "apps": from_apps,
}


def detect_shape(data: dict) -> Optional[str]:
    """Which data-set schema a record follows (None: archon-code's own format)."""
    if "name" in data and "description" in data:
        return "deepmind"
    if "statement" in data and {"public_tests", "private_tests", "solutions_correct"} & data.keys():
        return "codecontests"
    if {"question_content", "public_test_cases"} <= data.keys():
        return "livecodebench"
    if {"question", "input_output"} <= data.keys():
        return "apps"
    if is_evalplus(data):
        return "evalplus"
    if {"prompt", "entry_point", "test"} <= data.keys():
        test = data["test"]
        return "humaneval" if isinstance(test, str) and "def check(" in test else "mbpp"
    return None


def record_to_problem(shape: str, data: dict, origin: str) -> Problem:
    """Convert a data-set record; raises FieldError naming the bad field."""
    try:
        problem = CONVERTERS[shape](data)
    except ValidationError as exc:
        raise translate(exc) from None
    return problem.model_copy(update={"origin": origin})
