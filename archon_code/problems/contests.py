"""LiveCodeBench code-generation and APPS records as Problems.

LiveCodeBench (``question_content``, ``public_test_cases``, ``private_test_cases``, ``metadata``):
stdin tests become stdio tests; functional (LeetCode) tests, one JSON value per input line, become
asserts on a top-level function named ``metadata.func_name`` (its ``class Solution`` starter is
rewritten without ``self``); a tuple result is accepted for a list, as LiveCodeBench does. The
hidden tests are public + private, as LiveCodeBench grades. ``private_test_cases`` may be a JSON
string or LiveCodeBench's base64(zlib(pickle(JSON string))): that pickle is never unpickled; its
opcodes are read with :mod:`pickletools` and only a pickle of one string is accepted.

APPS (``question``, ``input_output`` with ``inputs``/``outputs`` and optional ``fn_name``,
``solutions``, ``difficulty``, ``starter_code``): the first test is public, every test hidden (APPS
grades on all of them); call-based results are accepted as APPS accepts them (the output, its
first element when it is a non-empty list, tuples for lists).
"""

from __future__ import annotations

import base64
import binascii
import json
import pickletools
import zlib
from typing import Any, Optional, Union

from archon_code.problems.detect import detect_checker, is_interactive
from archon_code.problems.errors import FieldError
from archon_code.problems.records import Record, call_assert, class_adapter, function_starter, json_field
from archon_code.types import Problem, Solution, TestCase

__all__ = ["AppsRecord", "LiveCodeBenchRecord", "decode_private_tests", "from_apps", "from_livecodebench"]

MAX_DECOMPRESSED = 1 << 30
"""Largest decompressed ``private_test_cases`` accepted (bytes)."""
MAX_SOLUTIONS = 5
"""Recorded APPS solutions kept per problem (validate runs each on every test)."""
_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE"}
_NEUTRAL_OPS = {"PROTO", "FRAME", "MEMOIZE", "BINPUT", "LONG_BINPUT", "PUT", "STOP"}


def _pickled_string(data: bytes) -> str:
    """The string a pickle of exactly one ``str`` holds, read from its opcodes without unpickling."""
    try:
        ops = [(op.name, arg) for op, arg, _ in pickletools.genops(data)]
    except (ValueError, EOFError) as exc:
        raise FieldError("private_test_cases", f"not a valid pickle ({str(exc)[:80]})") from None
    found: list[str] = []
    for name, arg in ops:
        if name in _STRING_OPS:
            found.append(arg)
        elif name not in _NEUTRAL_OPS:
            raise FieldError("private_test_cases", f"the pickle holds more than a string (opcode {name}); "
                             "only a pickled JSON string is accepted, nothing is unpickled")
    if len(found) != 1:
        raise FieldError("private_test_cases", f"expected a pickle of one string, found {len(found)} strings")
    return found[0]


def decode_private_tests(value: Any) -> Any:
    """LiveCodeBench's ``private_test_cases``: JSON text, a list, or base64(zlib(pickle(JSON text)))."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        pass
    try:
        packed = base64.b64decode(value.encode("ascii"), validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_DECOMPRESSED)
    except (binascii.Error, UnicodeEncodeError, zlib.error):
        raise FieldError("private_test_cases", "neither JSON nor base64(zlib(pickle(JSON)))") from None
    if inflater.unconsumed_tail:
        raise FieldError("private_test_cases", f"decompresses to more than {MAX_DECOMPRESSED} bytes")
    return json_field(_pickled_string(raw), "private_test_cases")


class _LCBTest(Record):
    input: str
    output: str
    testtype: str = "stdin"


class LiveCodeBenchRecord(Record):
    """A ``livecodebench/code_generation(_lite)`` record."""

    question_id: Union[str, int]
    question_title: str = ""
    question_content: str
    platform: str = ""
    starter_code: str = ""
    difficulty: str = ""
    public_tests: list[_LCBTest]
    private_tests: list[_LCBTest] = []
    metadata: dict = {}


def _functional_case(test: _LCBTest, name: str, kind: str) -> TestCase:
    try:
        args = [json.loads(line) for line in test.input.split("\n") if line.strip()]
        expected = json.loads(test.output)
    except ValueError as exc:
        raise FieldError("public_test_cases" if kind == "public" else "private_test_cases",
                         f"a functional test is not one JSON value per line ({str(exc)[:60]})") from None
    accepted = [expected, tuple(expected)] if isinstance(expected, list) else [expected]
    return TestCase(input=call_assert(name, args, accepted), kind=kind)


def from_livecodebench(data: dict) -> Problem:
    data = {**data, "public_tests": json_field(data.get("public_test_cases", "[]"), "public_test_cases"),
            "private_tests": decode_private_tests(data.get("private_test_cases", "[]")),
            "metadata": json_field(data.get("metadata", "{}"), "metadata")}
    r = LiveCodeBenchRecord.model_validate(data)
    tests = [("public", t) for t in r.public_tests] + [("hidden", t) for t in r.private_tests]
    tags = tuple(t for t in (r.platform, r.difficulty, "livecodebench") if t)
    title = r.question_title or str(r.question_id)
    if any(t.testtype == "functional" for _, t in tests):
        name = r.metadata.get("func_name")
        if not isinstance(name, str) or not name:
            raise FieldError("metadata", "functional tests need 'func_name'")
        cases = [_functional_case(t, name, kind) for kind, t in tests]
        return Problem(id=str(r.question_id), title=title, statement=r.question_content, style="function",
                       entry_point=name, starter_code=function_starter(r.starter_code, name) or None,
                       public_tests=tuple(c for c in cases if c.kind == "public"),
                       hidden_tests=tuple(c.model_copy(update={"kind": "hidden"}) for c in cases), tags=tags)
    cases = [TestCase(input=t.input, output=t.output, kind=kind) for kind, t in tests]
    checker, extra = detect_checker(r.question_content)
    return Problem(id=str(r.question_id), title=title, statement=r.question_content, checker=checker,
                   interactive=is_interactive(r.question_content), tags=tuple(dict.fromkeys([*tags, *extra])),
                   public_tests=tuple(c for c in cases if c.kind == "public"),
                   hidden_tests=tuple(c.model_copy(update={"kind": "hidden"}) for c in cases))


class _InputOutput(Record):
    inputs: list[Any]
    outputs: list[Any]
    fn_name: Optional[str] = None


class AppsRecord(Record):
    """A ``codeparrot/apps`` record (``problem_id`` or ``id``)."""

    problem_id: Union[int, str]
    question: str
    solutions: list[str] = []
    input_output: _InputOutput
    difficulty: str = ""
    starter_code: str = ""


def _text(value: Any) -> str:
    return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _apps_accepted(expected: Any) -> list[Any]:
    accepted = [expected]
    if isinstance(expected, list):
        accepted.append(tuple(expected))
        if expected:
            first = expected[0]
            accepted += [first, tuple(first)] if isinstance(first, list) else [first]
    return accepted


def from_apps(data: dict) -> Problem:
    if "problem_id" not in data and "id" in data:
        data = {**data, "problem_id": data["id"]}
    data = {**data, "solutions": json_field(data.get("solutions") or "[]", "solutions"),
            "input_output": json_field(data.get("input_output") or "{}", "input_output")}
    r = AppsRecord.model_validate(data)
    io = r.input_output
    if len(io.inputs) != len(io.outputs) or not io.inputs:
        raise FieldError("input_output", f"{len(io.inputs)} inputs and {len(io.outputs)} outputs")
    tags = tuple(t for t in (r.difficulty, "apps") if t)
    solutions = r.solutions[:MAX_SOLUTIONS]
    if io.fn_name:
        for i, args in enumerate(io.inputs):
            if not isinstance(args, list):
                raise FieldError("input_output", f"call-based input {i} is not a list of arguments")
        cases = [TestCase(input=call_assert(io.fn_name, a, _apps_accepted(e)), kind="hidden")
                 for a, e in zip(io.inputs, io.outputs)]
        return Problem(id=str(r.problem_id), title=io.fn_name, statement=r.question, style="function",
                       entry_point=io.fn_name, starter_code=function_starter(r.starter_code, io.fn_name) or None,
                       public_tests=(cases[0].model_copy(update={"kind": "public"}),), hidden_tests=tuple(cases),
                       solutions=tuple(Solution(source=class_adapter(s, io.fn_name)) for s in solutions), tags=tags)
    cases = [TestCase(input=_text(i), output=_text(o), kind="hidden") for i, o in zip(io.inputs, io.outputs)]
    checker, extra = detect_checker(r.question)
    return Problem(id=str(r.problem_id), title=str(r.problem_id), statement=r.question, checker=checker,
                   interactive=is_interactive(r.question), tags=tuple(dict.fromkeys([*tags, *extra])),
                   public_tests=(cases[0].model_copy(update={"kind": "public"}),), hidden_tests=tuple(cases),
                   solutions=tuple(Solution(source=s) for s in solutions))
