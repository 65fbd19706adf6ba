"""Concrete failures of a candidate, truncated for prompts (what critics and fusers see)."""

from __future__ import annotations

from typing import Optional, Sequence

from pydantic import BaseModel, ConfigDict

from archon_code.components.base import truncate
from archon_code.types import Judgement, TestCase, Verdict

__all__ = ["FailureView", "failures_of"]


class FailureView(BaseModel):
    """One failing test as a prompt shows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int
    """1-based position in the tests the candidate ran (public first, then generated)."""
    kind: str
    verdict: str
    message: str
    input: str
    expected: Optional[str]
    actual: str
    stderr: str


def failures_of(judgement: Optional[Judgement], tests: Sequence[TestCase], *, limit: int = 3,
                chars: int = 500) -> list[FailureView]:
    """The first ``limit`` failing tests of ``judgement`` with inputs, expected and actual output."""
    if judgement is None:
        return []
    if judgement.verdict is Verdict.CE:
        return [FailureView(number=0, kind="compile", verdict="CE", message="", input="", expected=None,
                            actual="", stderr=truncate(judgement.compile_output, chars))]
    views = []
    for result in judgement.tests:
        if result.verdict is Verdict.AC or not 0 <= result.index < len(tests):
            continue
        test = tests[result.index]
        views.append(FailureView(
            number=result.index + 1, kind=result.kind, verdict=result.verdict.value,
            message=truncate(result.message, 200), input=truncate(test.input, chars),
            expected=None if test.output is None else truncate(test.output, chars),
            actual=truncate(result.stdout, chars), stderr=truncate(result.stderr, chars)))
        if len(views) >= limit:
            break
    return views
