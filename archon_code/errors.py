"""One error hierarchy for the whole tool.

Infrastructure faults (``SandboxError``, ``LLMError``) are kept apart from wrong
answers: a failing candidate is data (a :class:`~archon_code.judge.Verdict`), never an
exception. The CLI turns any :class:`ArchonError` into a one-line message and exit 2.
"""

from __future__ import annotations

__all__ = [
    "ArchonError",
    "ConfigError",
    "LLMError",
    "ProblemError",
    "SandboxError",
    "SandboxUnavailableError",
]


class ArchonError(Exception):
    """Base class of every error the tool raises on purpose."""


class ConfigError(ArchonError):
    """An invalid architecture, search space or option; the message names field and value."""


class ProblemError(ArchonError):
    """A malformed problem; the message names the file, the record and the field."""


class LLMError(ArchonError):
    """The model could not be reached or kept failing after retries."""


class SandboxError(ArchonError):
    """The sandbox infrastructure failed (engine error, image missing, watchdog fault)."""


class SandboxUnavailableError(SandboxError):
    """No Docker engine answers, or the sandbox image is missing."""
