"""Helpers shared by the CLI commands: loading one problem, opening the sandbox, JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

import click

from archon_code.errors import ConfigError, ProblemError

if TYPE_CHECKING:  # pydantic's models load on first use, not for --help (bench/startup.py)
    from archon_code.types import Problem

__all__ = ["check_models", "echo_json", "env_source", "load_one_problem", "open_sandbox", "workers_option"]

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


def _check_model(model: str, where: str) -> None:
    from archon_code.llm.local import DEFAULT_MODEL, LOCAL_MODELS, LOCAL_PREFIX

    if not model.strip():
        raise ConfigError(f"{where}: the model name is empty; give a litellm model (openai/gpt-4o-mini, "
                          f"ollama/qwen2.5-coder, ...) or {DEFAULT_MODEL}")
    if model.startswith(LOCAL_PREFIX):
        name = model[len(LOCAL_PREFIX):]
        if name.endswith(".gguf"):
            if not Path(name).expanduser().is_file():
                raise ConfigError(f"{where}: model {model!r}: no such GGUF file {name!r}")
        elif name not in LOCAL_MODELS:
            allowed = ", ".join(LOCAL_PREFIX + n for n in LOCAL_MODELS)
            raise ConfigError(f"{where}: unknown local model {model!r}; allowed: {allowed} or local/<PATH>.gguf")
        return
    import litellm

    litellm.suppress_debug_info = True  # else it prints a provider list on stdout
    try:
        litellm.get_llm_provider(model)
    except Exception:  # noqa: BLE001 - litellm raises its BadRequestError (or worse) for unknown providers
        provider = model.split("/", 1)[0] if "/" in model else ""
        what = f"unknown provider {provider!r}" if provider else "no provider prefix"
        raise ConfigError(f"{where}: model {model!r}: {what}; use PROVIDER/NAME with a litellm provider "
                          f"(openai/, anthropic/, ollama/, ...; https://docs.litellm.ai/docs/providers) "
                          f"or {DEFAULT_MODEL}") from None


def env_source(name: str) -> str:
    """``NAME``, or ``NAME (from FILE)`` when the project config file supplied the variable."""
    ctx = click.get_current_context(silent=True)
    config = ctx.find_root().meta.get("archon_code.project_config") if ctx else None
    return config.source(name) if config else name


def check_models(models: Iterable[Optional[str]] = (), configs: Iterable[Any] = (), option: str = "--model") -> None:
    """Reject an empty or unknown model before any work starts (one-line ConfigError).

    ``models`` are the command line's (None = not given); when none is given the models the
    architectures ``configs`` name, and ARCHON_CODE_MODEL, are checked instead.
    """
    given = [m for m in models if m is not None]
    for model in given:
        _check_model(model, option)
    if given:
        return
    env = os.environ.get("ARCHON_CODE_MODEL")
    if env is not None and env != "":
        _check_model(env, env_source("ARCHON_CODE_MODEL"))
    for config in configs:
        for li, layer in enumerate(config.layers, 1):
            for ci, component in enumerate(layer, 1):
                names = [getattr(component, "model", None), *getattr(component, "models", ())]
                for model in (n for n in names if n):  # "" means the run's model
                    _check_model(model, f"architecture {config.name}: layer {li}, component {ci}")


def open_sandbox(workers: Optional[int] = None):
    """The Docker sandbox (not yet entered) configured from options and environment."""
    from archon_code.sandbox import open_sandbox as open_

    return open_(workers=workers)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str))
