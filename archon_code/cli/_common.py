"""Helpers shared by the CLI commands: loading one problem, opening the sandbox, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import click

from archon_code.errors import ProblemError
from archon_code.types import Problem

__all__ = ["echo_json", "load_one_problem", "open_sandbox", "workers_option"]

workers_option = click.option(
    "--workers", type=click.IntRange(1, 64), default=None, envvar="ARCHON_CODE_WORKERS",
    help="Sandbox containers running at once (default: number of cores). Env: ARCHON_CODE_WORKERS.",
)


def load_one_problem(path: str, problem_id: Optional[str] = None) -> Problem:
    """The problem in ``path``; with several, the one named by ``problem_id``."""
    from archon_code.problems import load_problems

    problems = load_problems(Path(path), ids=[problem_id] if problem_id else None)
    if not problems:
        raise ProblemError(f"{path}: no problem{' with id ' + repr(problem_id) if problem_id else ''} found")
    if len(problems) > 1:
        ids = ", ".join(p.id for p in problems[:5])
        raise ProblemError(f"{path} holds {len(problems)} problems ({ids}, ...): pick one with --id")
    return problems[0]


def open_sandbox(workers: Optional[int] = None):
    """A DockerSandbox (not yet entered) configured from options and environment."""
    from archon_code.sandbox import DockerSandbox, SandboxConfig

    return DockerSandbox(SandboxConfig.from_env(workers=workers))


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str))
