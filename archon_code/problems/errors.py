"""Problem fields that are wrong, as one-line ``ProblemError`` messages (formatted by
:mod:`archon_code.validation`).

``problems/x.yaml: field 'tests.public[2].output': expected a string, got int``
"""

from __future__ import annotations

from typing import Any, Sequence

from pydantic import ValidationError

from archon_code.errors import ProblemError
from archon_code.validation import field_path, first_issue

__all__ = ["FieldError", "field_path", "problem_error", "translate"]


class FieldError(ValueError):
    """A problem field is wrong: carries the dotted field path and what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"field {field!r}: {message}")
        self.field = field
        self.message = message


def translate(exc: ValidationError, prefix: Sequence[Any] = ()) -> FieldError:
    """The first error of a pydantic ValidationError as a FieldError."""
    issue = first_issue(exc, prefix)
    return FieldError(issue.field or "<record>", issue.message)


def problem_error(where: str, exc: FieldError) -> ProblemError:
    """``where: field 'x': message`` as a ProblemError."""
    return ProblemError(f"{where}: {exc}")
