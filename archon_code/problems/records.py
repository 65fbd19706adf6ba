"""Shared pieces of the data-set converters: the lenient record model, JSON-string fields,
LeetCode-style ``class Solution`` starters as plain functions, and call asserts."""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

from pydantic import BaseModel, ConfigDict

from archon_code.problems.errors import FieldError

__all__ = ["Record", "call_assert", "class_adapter", "function_starter", "json_field"]


class Record(BaseModel):
    """Unknown keys ignored, used keys strictly typed (a malformed record names its field)."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


def json_field(value: Any, field: str) -> Any:
    """A field that data sets store as a JSON string (or already parsed)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise FieldError(field, f"not valid JSON ({str(exc)[:80]})") from None


def function_starter(starter: str, name: str) -> str:
    """``class Solution:\\n    def name(self, a: int) -> int:`` as ``def name(a: int) -> int:`` with a
    docstring body (the harness calls a top-level function); other starters as they are."""
    match = re.search(rf"^(\s*)def\s+{re.escape(name)}\s*\(\s*self\s*,?\s*(.*?)\)\s*(->\s*[^:]+)?:",
                      starter, re.MULTILINE | re.DOTALL)
    if "class Solution" not in starter or not match:
        return starter
    returns = f" {match.group(3).strip()}" if match.group(3) else ""
    return (f"from typing import *\n\n\ndef {name}({match.group(2).strip()}){returns}:\n"
            f'    """A top-level function (LeetCode\'s Solution().{name} without self)."""\n')


def class_adapter(source: str, name: str) -> str:
    """A recorded ``class Solution`` program with a top-level ``name`` calling its method."""
    if "class Solution" not in source or re.search(rf"^def\s+{re.escape(name)}\s*\(", source, re.MULTILINE):
        return source
    return (f"from typing import *\n{source.rstrip()}\n\n\n"
            f"def {name}(*args, **kwargs):\n    return Solution().{name}(*args, **kwargs)\n")


def call_assert(name: str, args: Sequence[Any], accepted: Sequence[Any]) -> str:
    """``assert name(*args) == accepted[0]``, or ``in (...)`` when several results are accepted."""
    call = f"{name}({', '.join(repr(a) for a in args)})"
    unique: list[Any] = []
    for value in accepted:
        if not any(type(value) is type(u) and value == u for u in unique):
            unique.append(value)
    if len(unique) == 1:
        return f"assert {call} == {unique[0]!r}\n"
    return f"assert {call} in ({', '.join(repr(u) for u in unique)},)\n"
