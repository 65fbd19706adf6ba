"""Settings and results of ``suggest``."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from archon_code.integrations.testrun import SuiteRun
from archon_code.integrations.workspace import FilePatch, SkippedPath
from archon_code.errors import LLMError
from archon_code.llm.base import Usage
from archon_code.types import Frozen

__all__ = ["ModelUnavailable", "RejectedFix", "SuggestConfig", "SuggestReport", "Verified"]

DEFAULT_TEST_CMD = "python -m pytest -q"


class SuggestConfig(BaseModel):
    """How suggestions are made and verified."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    test_cmd: str = DEFAULT_TEST_CMD
    """Shell command that runs the tests in the repository root (env ARCHON_CODE_TEST_CMD).
    pytest commands get ``-rA --tb=native --junitxml=...`` appended for per-test outcomes."""
    model: Optional[str] = None
    """litellm model name; default ``archon_code.llm.default_model()`` (env ARCHON_CODE_MODEL)."""
    samples: int = Field(default=3, ge=1, le=32)
    """Answers asked per implicated file (sample 0 at temperature 0)."""
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    """Temperature of samples after the first."""
    max_tokens: int = Field(default=2048, ge=64)
    """Most tokens of one answer (a whole file)."""
    timeout_s: float = Field(default=300.0, gt=0)
    """Wall-time limit of one run of the test command in the sandbox."""
    max_targets: int = Field(default=3, ge=1)
    """Most implicated files the model is asked to fix."""
    max_failures: int = Field(default=5, ge=1)
    """Most failing tests shown in one prompt."""
    fuse: bool = True
    """Combine verified fixes of different failures into one patch (verified again)."""
    workers: int = Field(default=2, ge=1)
    """Candidate verifications run concurrently."""
    untracked: bool = True
    """Also copy untracked files git does not ignore (the pre-commit hook copies tracked files only)."""


class Verified(Frozen):
    """A candidate patch that made failing tests pass and broke none."""

    id: str
    origin: str
    """``fixer:<path>#<n>`` (the n-th distinct new content proposed for that file) or ``fuser``."""
    patches: tuple[FilePatch, ...]
    diff: str
    diff_lines: int
    fixed: tuple[str, ...]
    """Tests failing before that pass with the patch."""
    after: SuiteRun


class RejectedFix(Frozen):
    """A candidate patch that was not suggested, and why."""

    id: str
    origin: str
    reason: str
    diff_lines: int = 0
    diff: str = ""
    """The candidate's unified diff (empty when no patch was made, e.g. the fuser's model failed)."""


class SuggestReport(Frozen):
    """Everything ``suggest`` found: the verdict, the evidence, the patch."""

    status: Literal["passing", "fixed", "unfixed"]
    """passing: tests pass already; fixed: a verified suggestion; unfixed: none verified."""
    repo: str
    command: str
    before: SuiteRun
    suggestion: Optional[Verified] = None
    verified: tuple[Verified, ...] = ()
    rejected: tuple[RejectedFix, ...] = ()
    notes: tuple[str, ...] = ()
    """One-line remarks, e.g. the model failed for one file."""
    skipped: tuple[SkippedPath, ...] = ()
    """Repository paths not copied into the sandbox (symlinks leading outside, ...)."""
    usage: Usage = Usage()
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return {"passing": 0, "fixed": 1, "unfixed": 3}[self.status]


class ModelUnavailable(LLMError):
    """Tests fail and the model could not be asked for any fix; carries the baseline run."""

    def __init__(self, message: str, before: SuiteRun) -> None:
        super().__init__(message)
        self.before = before
