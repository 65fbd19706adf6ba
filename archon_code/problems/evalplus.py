"""EvalPlus HumanEval+ / MBPP+ records as function-style Problems.

Hidden tests, as EvalPlus grades them:

* the record's own ``test`` script when it is EvalPlus's "original format" (``inputs = [...]``,
  ``results = [...]``, a loop calling ``assertion(...)``; MBPP+ and the ``OriginFmt`` releases):
  it carries EvalPlus's expected results, its tolerance and its special oracles, and runs as
  trusted check code on the host (it imports numpy, which must be installed there);
* otherwise ``base_input`` + ``plus_input`` (the HumanEval+ release carries no expected outputs
  for them): generated trusted check code that runs the record's ``canonical_solution`` on the
  same arguments in the host-side trusted replay and compares with EvalPlus's tolerance
  (:func:`archon_code.functions.approx_equal` with the record's ``atol``; 0 means 1e-6 for
  floats). Nothing is computed at load time and the candidate never sees the reference: it
  only runs in the sandbox, the reference only in the trusted host subprocess.

Not replicated from EvalPlus's evaluator: its per-task special oracles when there is no
original-format script (HumanEval+ ``find_zero`` accepts any root, here the reference's), its
per-input time limits (here the problem's limit per chunk of :data:`CHUNK` inputs) and MBPP+'s
per-task conversion of JSON lists back into tuples/sets (the script form has none of this).
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any, Optional, Union

from archon_code.functions import tolerance
from archon_code.problems.records import Record
from archon_code.problems.doctests import prompt_tests
from archon_code.problems.errors import FieldError
from archon_code.types import Problem, Solution, TestCase

__all__ = ["CHUNK", "EvalPlusRecord", "from_evalplus", "is_evalplus", "reference_check"]

CHUNK = 100
"""Inputs per hidden test (one sandbox process and one trusted replay each)."""
_LOOP = re.compile(r"^\s*inputs\s*=.*^\s*results\s*=.*^\s*for\s+.*\bzip\(\s*inputs\s*,\s*results\s*\)",
                   re.MULTILINE | re.DOTALL)

_CHECK = '''\
import copy as _copy
import json as _json
import math

{tolerance}

_REFERENCE = {{"__name__": "_reference"}}
exec(compile({reference!r}, "<canonical_solution>", "exec"), _REFERENCE)
_reference = _REFERENCE[{entry!r}]
for _args in _json.loads({inputs!r}):
    _expected = _reference(*_copy.deepcopy(_args))
    assert approx_equal({entry}(*_args), _expected, {atol!r}), f"expected {{_expected!r:.200}}"
'''


class EvalPlusRecord(Record):
    """HumanEval+ and MBPP+ (``task_id`` is accepted for ``id``)."""

    id: Union[str, int]
    prompt: str
    entry_point: str
    canonical_solution: str = ""
    base_input: list[Any] = []
    plus_input: list[Any] = []
    atol: Optional[Union[int, float]] = 0
    test: str = ""
    test_list: list[str] = []
    test_imports: list[str] = []


def is_evalplus(data: dict) -> bool:
    """An EvalPlus record: prompt and entry point with plus inputs or an original-format script."""
    if not {"prompt", "entry_point"} <= data.keys():
        return False
    test = data.get("test")
    return bool({"base_input", "plus_input"} & data.keys()) or (isinstance(test, str) and bool(_LOOP.search(test)))


def reference_check(reference: str, entry_point: str, inputs: list, atol: float) -> str:
    """Trusted check code: ``entry_point`` on each input must match ``reference``'s result within ``atol``."""
    source = inspect.getsource(tolerance._is_number) + "\n\n" + inspect.getsource(tolerance.approx_equal)
    return _CHECK.format(tolerance=source, reference=reference, entry=entry_point,
                         inputs=json.dumps(inputs), atol=float(atol or 0))


def _public(r: EvalPlusRecord, mbpp: bool) -> tuple[TestCase, ...]:
    if mbpp:
        lines = r.test_list or [ln.strip() for ln in r.prompt.splitlines() if ln.strip().startswith("assert ")]
        return tuple(TestCase(input=line + "\n") for line in lines[:1])
    return prompt_tests(r.prompt, r.entry_point)


def _hidden(r: EvalPlusRecord, reference: str) -> tuple[TestCase, ...]:
    if _LOOP.search(r.test):
        script = "\n".join([*r.test_imports, r.test])
        if "def check(" in r.test:
            script += f"\ncheck({r.entry_point})\n"
        return (TestCase(input=script, kind="hidden"),)
    inputs = r.base_input + r.plus_input
    if not inputs:
        raise FieldError("plus_input", "no base_input/plus_input and no original-format test script")
    if not reference.strip():
        raise FieldError("canonical_solution", "required to grade base_input/plus_input")
    for i, args in enumerate(inputs):
        if not isinstance(args, list):
            raise FieldError("plus_input" if i >= len(r.base_input) else "base_input",
                             f"input {i} is a {type(args).__name__}, not a list of arguments")
    return tuple(TestCase(input=reference_check(reference, r.entry_point, inputs[i:i + CHUNK], r.atol or 0),
                          kind="hidden") for i in range(0, len(inputs), CHUNK))


def from_evalplus(data: dict) -> Problem:
    if "id" not in data and "task_id" in data:
        data = {**data, "id": data["task_id"]}
    r = EvalPlusRecord.model_validate(data)
    mbpp = str(r.id).startswith("Mbpp/") or bool(r.test_list)
    reference = r.prompt + r.canonical_solution if r.canonical_solution.strip() else ""
    return Problem(id=str(r.id), title=r.entry_point, statement=r.prompt, style="function",
                   entry_point=r.entry_point, starter_code=None if mbpp else r.prompt,
                   public_tests=_public(r, mbpp), hidden_tests=_hidden(r, reference),
                   solutions=(Solution(source=reference),) if reference else (), tags=("evalplus",))
