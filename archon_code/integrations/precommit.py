"""The pre-commit hook: test the staged tree in the sandbox; on failure show (and with
``fix`` apply) a verified fix, and fail the commit.

Decision: the whole suite runs, whatever files are staged (a change anywhere can break any
test). pre-commit stashes unstaged changes first, so the work tree is what is committed;
only tracked (staged) files are copied. A missing sandbox or model is reported in one
line; ``allow_unavailable`` decides whether a missing sandbox blocks the commit (failing
tests always block it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, ContextManager, Sequence

from archon_code.errors import LLMError, SandboxUnavailableError
from archon_code.integrations.models import ModelUnavailable, SuggestConfig
from archon_code.integrations.report import failing_lines, render_diff, summary_line
from archon_code.integrations.suggest import Suggester
from archon_code.integrations.workspace import apply_patches
from archon_code.llm.base import LLM

__all__ = ["run_precommit"]


def run_precommit(
    repo: Path,
    filenames: Sequence[str],
    *,
    config: SuggestConfig,
    fix: bool,
    allow_unavailable: bool,
    sandbox: Callable[[], ContextManager],
    llm: Callable[[], LLM],
    echo: Callable[[str], None],
    progress: Callable[[str], None] = lambda message: None,
) -> int:
    """Exit status for pre-commit: 0 lets the commit through, 1 blocks it."""
    if filenames and not any(name.endswith((".py", ".pyi")) for name in filenames):
        return 0
    config = config.model_copy(update={"untracked": False})
    try:
        with sandbox() as runner:
            report = Suggester(llm(), runner, config, progress=progress).run(repo)
    except SandboxUnavailableError as exc:
        verdict = (
            "not blocking the commit" if allow_unavailable else "blocking the commit (--allow-unavailable to skip)"
        )
        echo(f"archon-code: sandbox unavailable, tests not run, {verdict}: {exc}")
        return 0 if allow_unavailable else 1
    except LLMError as exc:
        echo(f"archon-code: tests fail; model unavailable, no fix suggested: {exc}")
        if isinstance(exc, ModelUnavailable):
            for line in failing_lines(exc.before):
                echo(line)
        return 1
    echo(f"archon-code: {summary_line(report)}")
    for skipped in report.skipped:
        echo(f"archon-code: not copied into the sandbox: {skipped.path} ({skipped.reason})")
    if report.status == "passing":
        return 0
    for line in failing_lines(report.before):
        echo(line)
    if report.suggestion is not None:
        echo(render_diff(report).rstrip("\n"))
        if fix:
            apply_patches(repo, report.suggestion.patches, check=True)
            echo("archon-code: fix applied to the work tree; review it, stage it and commit again")
        else:
            echo("archon-code: run 'archon-code precommit --fix' (or 'archon-code suggest --write') to apply it")
    return 1
