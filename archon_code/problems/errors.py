"""Turn pydantic validation errors into one-line ``ProblemError`` messages.

``problems/x.yaml: field 'tests.public[2].output': expected a string, got int``
"""

from __future__ import annotations

from typing import Any, Sequence

from pydantic import ValidationError

from archon_code.errors import ProblemError

__all__ = ["FieldError", "field_path", "problem_error", "translate"]

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


class FieldError(ValueError):
    """A problem field is wrong: carries the dotted field path and what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"field {field!r}: {message}")
        self.field = field
        self.message = message


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def field_path(loc: Sequence[Any]) -> str:
    """('tests', 'public', 2, 'output') -> 'tests.public[2].output'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(error: dict) -> str:
    kind, value = error["type"], error.get("input")
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {_type_name(value)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    message = error["msg"].replace("Input should be ", "expected ")
    return f"{message[:1].lower()}{message[1:]}, got {_show(value)}"


def translate(exc: ValidationError, prefix: Sequence[Any] = ()) -> FieldError:
    """The first error of a pydantic ValidationError as a FieldError."""
    error = exc.errors(include_url=False)[0]
    return FieldError(field_path(tuple(prefix) + tuple(error["loc"])) or "<record>", _message(error))


def problem_error(where: str, exc: FieldError) -> ProblemError:
    """``where: field 'x': message`` as a ProblemError."""
    return ProblemError(f"{where}: {exc}")
