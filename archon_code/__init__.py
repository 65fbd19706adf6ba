"""archon-code: Archon-style LLM architectures for code, grounded in real execution.

Layers of LLM components (generators, unit-test generators, evaluators, rankers,
critics, fusers, verifiers) whose decisions rest on what happened when the code ran in a
hardened Docker sandbox.
"""

from __future__ import annotations

import os

# litellm downloads a cost map from the internet at import unless told not to. Set it
# here, before anything can import litellm, so that the package never reaches out.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from archon_code.errors import (  # noqa: E402
    ArchonError,
    ConfigError,
    LLMError,
    ProblemError,
    SandboxError,
    SandboxUnavailableError,
)
# The value types (pydantic models) load on first use, so ``archon-code --help`` stays fast.
_LAZY_TYPES = ("Candidate", "Checker", "ExecResult", "Judgement", "Problem", "Solution", "TestCase",
               "TestResult", "Verdict")


def __getattr__(name: str):
    if name in _LAZY_TYPES:
        from archon_code import types

        return getattr(types, name)
    raise AttributeError(f"module 'archon_code' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "ArchonError",
    "Candidate",
    "Checker",
    "ConfigError",
    "ExecResult",
    "Judgement",
    "LLMError",
    "Problem",
    "ProblemError",
    "SandboxError",
    "SandboxUnavailableError",
    "Solution",
    "TestCase",
    "TestResult",
    "Verdict",
    "__version__",
]
