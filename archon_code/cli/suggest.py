"""``archon-code suggest`` and ``archon-code precommit``: verified fixes for failing tests."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archon_code import interrupts
from archon_code.cli._common import check_models
from archon_code.cli.options import model_options
from archon_code.errors import ConfigError

__all__ = ["precommit", "suggest"]


def _shared_options(samples: int):
    """Options common to both commands (each also read from an ARCHON_CODE_* variable)."""
    options = [
        click.option("--test-cmd", envvar="ARCHON_CODE_TEST_CMD", default="python -m pytest -q",
                     show_default=True, help="Command that runs the tests in the repository root."),
        click.option("--model", "-m", envvar="ARCHON_CODE_MODEL", default=None,
                     help="litellm model name [default: the embedded local model]."),
        click.option("--samples", "-n", envvar="ARCHON_CODE_SUGGEST_SAMPLES", type=click.IntRange(1, 32),
                     default=samples, show_default=True, help="Answers asked per implicated file."),
        click.option("--timeout", "timeout_s", envvar="ARCHON_CODE_TEST_TIMEOUT", type=click.FloatRange(min=1),
                     default=300.0, show_default=True, help="Seconds one run of the test command may take."),
        click.option("--allow-direct-requirements", "allow_direct", is_flag=True,
                     envvar="ARCHON_CODE_ALLOW_DIRECT_REQUIREMENTS",
                     help="Install URL/VCS requirements and index options (--index-url, -f) of the "
                          "repository's requirement files in the deps image (network on). Refused by default."),
        click.option("--no-cache/--cache", "no_cache", default=False, envvar="ARCHON_CODE_NO_CACHE",
                     help="Do not use the on-disk LLM cache (default: use it). Env: ARCHON_CODE_NO_CACHE=1."),
        click.option("--quiet", "-q", is_flag=True, help="No progress messages on stderr."),
    ]

    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _config(test_cmd: str, model: str | None, samples: int, timeout_s: float):
    from archon_code.integrations.models import SuggestConfig

    if not test_cmd.strip():
        raise ConfigError("--test-cmd: must not be empty")
    check_models([model])
    return SuggestConfig(test_cmd=test_cmd, model=model, samples=samples, timeout_s=timeout_s)


def _progress(quiet: bool):
    return (lambda message: None) if quiet else (lambda message: click.echo(f"archon-code: {message}", err=True))


@click.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@_shared_options(samples=3)
@model_options(("--model-timeout",))
@click.option("--format", "fmt", envvar="ARCHON_CODE_SUGGEST_FORMAT", type=click.Choice(["markdown", "diff", "json"]),
              default="markdown", show_default=True, help="Output format.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--write", is_flag=True, help="Apply the verified fix to the repository's files.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the output to this file instead of stdout.")
def suggest(repo, test_cmd, model, samples, timeout_s, allow_direct, no_cache, quiet, fmt, as_json, write, out, llm_config):
    """Propose verified fixes for REPO's failing tests (default: the current directory).

    Copies the repository, runs its tests in the sandbox, asks the model for fixes of the
    code the failing tests go through, and re-runs the WHOLE suite with each candidate:
    only a fix that makes failing tests pass and breaks none is suggested. Files change
    only with --write.

    Nothing outside REPO is read: symlinks leading outside it (and links to
    directories or to files not copied) are skipped and listed in the report. Requirement
    lines with a URL, a VCS link or an index option are refused unless
    --allow-direct-requirements is given.

    \b
    Examples:
      archon-code suggest
      archon-code suggest path/to/repo --format diff > fix.patch
      archon-code suggest --format markdown --out comment.md   # PR comment
      archon-code suggest --json | jq '.rejected[].diff'       # rejected candidates too
      archon-code suggest --test-cmd "python -m pytest -q tests/unit" --write
      archon-code suggest --allow-direct-requirements          # install git+https:// deps

    \b
    Exit status: 0 tests pass, 1 verified fix found, 3 tests fail and no verified fix, 2 error.
    """
    from archon_code.integrations.report import render
    from archon_code.integrations.runtime import make_llm, repo_sandbox
    from archon_code.integrations.suggest import Suggester
    from archon_code.integrations.workspace import apply_patches, scan_repo

    config = _config(test_cmd, model, samples, timeout_s)
    progress = _progress(quiet)
    interrupts.on_stop(lambda: f"suggest stopped; nothing kept and no file of {repo} changed")
    scan_repo(repo.resolve(), untracked=config.untracked)  # unreadable files fail before any container starts
    with repo_sandbox(repo.resolve(), progress, allow_direct=allow_direct) as sandbox:
        report = Suggester(make_llm(cache=not no_cache, config=llm_config), sandbox, config, progress=progress).run(repo)
    text = render(report, "json" if as_json else fmt)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if write and report.suggestion is not None:
        apply_patches(repo.resolve(), report.suggestion.patches, check=True)
        progress(f"wrote the fix to {', '.join(p.path for p in report.suggestion.patches)}")
    sys.exit(report.exit_code)


@click.command()
@click.argument("filenames", nargs=-1, type=click.Path(path_type=Path))
@_shared_options(samples=1)
@model_options(("--model-timeout",))
@click.option("--fix", is_flag=True, envvar="ARCHON_CODE_PRECOMMIT_FIX",
              help="Apply the verified fix to the work tree (the commit still fails; re-stage it).")
@click.option("--allow-unavailable/--no-allow-unavailable", envvar="ARCHON_CODE_PRECOMMIT_ALLOW_UNAVAILABLE",
              default=False, show_default=True,
              help="Let the commit through when the sandbox is unavailable (failing tests always block).")
@click.option("--repo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".",
              help="Repository root [default: the current directory, as pre-commit runs hooks].")
def precommit(filenames, llm_config, test_cmd, model, samples, timeout_s, allow_direct, no_cache, quiet, fix, allow_unavailable,
              repo):
    """Pre-commit hook: run the tests of the staged tree in the sandbox.

    FILENAMES are the staged Python files pre-commit passes; the hook runs when there is
    at least one (or none is given), and then runs the whole suite on the tracked files.
    When tests fail it prints each failing test with its first error line, then a verified
    fix as a diff (applied with --fix), and fails the commit. Symlinks leading outside the
    repository are never followed.

    \b
    Examples:
      archon-code precommit                          # what the hook runs, by hand
      archon-code precommit calc.py --fix            # also write the verified fix
      archon-code precommit --model openai/gpt-4o-mini --samples 2
      ARCHON_CODE_PRECOMMIT_ALLOW_UNAVAILABLE=1 git commit   # no Docker here

    \b
    Exit status: 0 tests pass (or sandbox unavailable with --allow-unavailable), 1 tests
    fail or sandbox unavailable, 2 configuration error (unreadable file, refused requirement).
    """
    from archon_code.integrations.precommit import run_precommit
    from archon_code.integrations.runtime import make_llm, repo_sandbox

    root = repo.resolve()
    status = run_precommit(
        root,
        [str(f) for f in filenames],
        config=_config(test_cmd, model, samples, timeout_s),
        fix=fix,
        allow_unavailable=allow_unavailable,
        sandbox=lambda: repo_sandbox(root, _progress(quiet), allow_direct=allow_direct),
        llm=lambda: make_llm(cache=not no_cache, config=llm_config),
        echo=click.echo,
        progress=_progress(quiet),
    )
    sys.exit(status)
