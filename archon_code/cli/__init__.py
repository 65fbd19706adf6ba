"""The ``archon-code`` command line.

Decision: every subcommand lives in its own module and is imported only when invoked,
so ``archon-code --help`` and ``judge`` stay fast (no litellm import).
"""

from __future__ import annotations

import importlib
import sys

import click

from archon_code import interrupts
from archon_code.errors import ArchonError

__all__ = ["cli", "main"]

# name -> "module:attribute"; modules are imported lazily.
COMMANDS = {
    "judge": "archon_code.cli.judge:judge",
    "problems": "archon_code.cli.problems:problems",
    "sandbox": "archon_code.cli.sandbox:sandbox",
    "solve": "archon_code.cli.solve:solve",
    "arch": "archon_code.cli.arch:arch",
    "trace": "archon_code.cli.trace:trace",
    "bench": "archon_code.cli.bench:bench",
    "search": "archon_code.cli.search:search",
    "suggest": "archon_code.cli.suggest:suggest",
    "precommit": "archon_code.cli.suggest:precommit",
    "local": "archon_code.cli.local:local",
}

_SHORT_HELP = {
    "judge": "Judge a solution on a problem's tests in the sandbox.",
    "problems": "List, show and validate problem sets.",
    "sandbox": "Build, inspect and clean the Docker sandbox.",
    "solve": "Solve a problem with an LLM architecture.",
    "arch": "List, show and validate architectures.",
    "trace": "Render a run's trace.",
    "bench": "Benchmark architectures over a problem set.",
    "search": "Search for the best architecture (ITAS).",
    "suggest": "Propose verified fixes for a repository's failing tests.",
    "precommit": "Pre-commit hook: test staged code, propose verified fixes.",
    "local": "Show or build (for this CPU) the embedded model's llama.cpp.",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(package_name="archon-code")
def cli() -> None:
    """Make LLMs write code that is proven to work.

    \b
    Examples:
      archon-code solve problems/sum-two.yaml
      archon-code judge problems/sum-two.yaml solution.py
      archon-code problems list problems/
      archon-code bench problems/ --arch single --arch full
      archon-code COMMAND --help

    Settings: options > ARCHON_CODE_* variables > [tool.archon-code] in
    archon-code.toml or pyproject.toml > defaults (docs/configuration.md).
    """
    from archon_code.project_config import apply_project_config

    click.get_current_context().meta["archon_code.project_config"] = apply_project_config()


def wants_json(argv: list[str]) -> bool:
    """Whether the command line asks for machine output (``--json`` or ``--format json``)."""
    args = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in args or "--format=json" in args or any(
        a == "--format" and b == "json" for a, b in zip(args, args[1:]))


def _fail(kind: str, message: str, as_json: bool) -> None:
    """Report an error: one line on stderr and, with --json, a JSON object on stdout; exit 2."""
    click.echo(f"error: {message}", err=True)
    if as_json:
        import json

        click.echo(json.dumps({"error": message, "kind": kind, "exit_code": 2}))
    sys.exit(2)


def main() -> None:
    """Entry point: runs the CLI and turns ArchonError into a one-line message, exit 2.

    With ``--json`` an error is also a JSON object on stdout: ``{"error", "kind", "exit_code"}``.
    """
    code = 0
    as_json = wants_json(sys.argv[1:])
    restore = interrupts.install()  # SIGINT/SIGTERM: stop, say what was kept, clean up, exit 130
    try:
        code = cli.main(prog_name="archon-code", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        if interrupts.stop_requested():
            interrupts.finish()
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        if not as_json:
            exc.show()
            sys.exit(2)
        _fail("UsageError", exc.format_message(), as_json)
    except click.ClickException as exc:
        _fail(type(exc).__name__, exc.format_message(), as_json)
    except ArchonError as exc:
        if interrupts.stop_requested():  # a fault caused by stopping (e.g. containers removed)
            interrupts.finish()
        _fail(type(exc).__name__, str(exc), as_json)
    except KeyboardInterrupt:
        interrupts.finish()
    finally:
        restore()
    if isinstance(code, int) and code:
        sys.exit(code)
