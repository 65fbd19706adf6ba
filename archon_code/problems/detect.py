"""What a statement tells about judging: interactive, several answers, float output.

Used for problems imported from data sets, which carry no checker of their own.
"""

from __future__ import annotations

import re
from typing import Optional

from archon_code.types import Checker

__all__ = ["MULTIPLE_ANSWERS_TAG", "detect_checker", "float_tolerance", "is_interactive", "accepts_several_answers"]

MULTIPLE_ANSWERS_TAG = "multiple-answers"

_INTERACTIVE = re.compile(r"interactive problem|^\s*Interaction\s*$|\bflush(?:es|ing)?\b|fflush", re.IGNORECASE | re.MULTILINE)
_SEVERAL = re.compile(
    r"(?:several|multiple|many|more than one)[^.]{0,150}?\bany\b"
    r"|\b(?:print|output)\s+any\b"
    r"|any of them (?:is|are|will be) (?:acceptable|accepted|correct)"
    r"|\bin any order\b|possibly reordered",
    re.IGNORECASE,
)
_FLOAT = re.compile(
    r"(?:absolute|relative)\s+(?:or\s+(?:absolute|relative)\s+)?(?:error|inaccuracy|measure|precision)",
    re.IGNORECASE,
)
_POWER = re.compile(
    r"10\s*(?:\^|\*\*)?\s*\{?\s*[-−–]\s*\{?\s*(\d{1,2})\s*\}?"
    r"|1\s*[eE]\s*[-−]\s*(\d{1,2})",
)


def is_interactive(statement: str) -> bool:
    """The statement describes an interactive protocol (Interaction section, flushing)."""
    return bool(_INTERACTIVE.search(statement))


def accepts_several_answers(statement: str) -> bool:
    """The statement says any of several valid answers is accepted."""
    return bool(_SEVERAL.search(statement))


def float_tolerance(statement: str) -> Optional[float]:
    """The tolerance of a float-output statement (1e-6 when no power is named), or None when
    the statement does not speak of absolute/relative error."""
    match = _FLOAT.search(statement)
    if not match:
        return None
    power = _POWER.search(statement, match.start(), match.end() + 200)
    if not power:
        return 1e-6
    return 10.0 ** -int(power.group(1) or power.group(2))


def detect_checker(statement: str) -> tuple[Checker, tuple[str, ...]]:
    """The checker a data-set statement calls for, and tags to add."""
    tags = (MULTIPLE_ANSWERS_TAG,) if accepts_several_answers(statement) else ()
    tolerance = float_tolerance(statement)
    if tolerance is not None:
        return Checker(type="float", abs_tol=tolerance, rel_tol=tolerance), tags
    return Checker(), tags
