"""Integrations: verified fix suggestions for a repository's failing tests (``suggest``),
the pre-commit hook (``precommit``) and what CI needs.

Importing this package imports neither litellm nor the Docker SDK.
"""

from archon_code.integrations.models import RejectedFix, SuggestConfig, SuggestReport, Verified
from archon_code.integrations.precommit import run_precommit
from archon_code.integrations.report import render, summary_line
from archon_code.integrations.suggest import Suggester
from archon_code.integrations.testrun import SuiteRun, TestOutcome
from archon_code.integrations.workspace import FilePatch

__all__ = [
    "FilePatch",
    "RejectedFix",
    "SuggestConfig",
    "SuggestReport",
    "Suggester",
    "SuiteRun",
    "TestOutcome",
    "Verified",
    "render",
    "run_precommit",
    "summary_line",
]
