"""The one formatter of pydantic validation errors: the first error as the field it names,
what is wrong and the value given.

\b
    >>> issue = first_issue(exc)            # e.g. a ProblemSpec that failed to validate
    >>> str(issue)
    "field 'tests.public[2].output': expected a string, got int"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from pydantic import ValidationError

__all__ = ["FieldIssue", "field_path", "first_issue"]

_EXPECTED = {
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}
_BOUNDS = {
    "greater_than_equal": "must be >= {ge}",
    "greater_than": "must be > {gt}",
    "less_than_equal": "must be <= {le}",
    "less_than": "must be < {lt}",
    "literal_error": "must be {expected}",
    "too_short": "must have at least {min_length} item{s}",
    "too_long": "must have at most {max_length} item{s}",
    "string_too_short": "must have at least {min_length} character{s}",
    "string_too_long": "must have at most {max_length} character{s}",
}


@dataclass(frozen=True)
class FieldIssue:
    """One validation error: ``field`` is dotted (``tests.public[2].output``; "" for a check
    across fields), ``message`` says what is wrong and what was given."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"field {self.field!r}: {self.message}" if self.field else self.message


def field_path(loc: Sequence[Any]) -> str:
    """('tests', 'public', 2, 'output') -> 'tests.public[2].output'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _bound(kind: str, ctx: dict) -> str:
    ctx = {key: _number(value) for key, value in ctx.items()}
    count = ctx.get("min_length", ctx.get("max_length"))
    return _BOUNDS[kind].format(s="" if count == 1 else "s", **ctx)


def _message(error: dict, allowed: Iterable[str]) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind in _EXPECTED:  # a string (an environment variable, a quoted YAML value) is shown
        return f"{_EXPECTED[kind]}, got {_show(value) if isinstance(value, str) else _type_name(value)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        names = ", ".join(allowed)
        return f"not allowed here; allowed fields: {names}" if names else "unknown field"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    if kind in _BOUNDS:
        return f"{_bound(kind, ctx)}, got {_show(value)}"
    message = error["msg"].replace("Input should be ", "expected ")
    return f"{message[:1].lower()}{message[1:]}, got {_show(value)}"


def first_issue(exc: ValidationError, prefix: Sequence[Any] = (), allowed: Iterable[str] = ()) -> FieldIssue:
    """The first error of ``exc``; ``prefix`` goes before its location, ``allowed`` lists the
    fields an unknown field could have been."""
    error = exc.errors(include_url=False)[0]
    return FieldIssue(field_path(tuple(prefix) + tuple(error["loc"])), _message(error, allowed))
