"""Help, --version and --json errors of the whole command line."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import click
import pytest

from archon_code.cli import cli, wants_json
from tests.support.cli import run_main

ROOT = Path(__file__).resolve().parents[2]
OWNED_ELSEWHERE = {("precommit",)}  # the pre-commit hook's help belongs to the integrations


def _commands() -> list[tuple[str, ...]]:
    ctx = click.Context(cli)
    found = [()]
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        found.append((name,))
        if isinstance(command, click.Group):
            found += [(name, sub) for sub in command.list_commands(ctx)]
    return found


COMMANDS = _commands()


def test_every_command_is_listed():
    assert ("problems", "validate") in COMMANDS and ("sandbox", "prune") in COMMANDS and ("trace", "show") in COMMANDS
    assert len(COMMANDS) == 24


@pytest.mark.parametrize("path", [c for c in COMMANDS if c not in OWNED_ELSEWHERE], ids=" ".join)
def test_help_has_examples_and_no_markup(monkeypatch, capsys, path):
    code, out, err = run_main(monkeypatch, capsys, *path, "--help")
    assert (code, err) == (0, "")
    examples = out[out.index("Examples:"):].splitlines()[1:]
    shown = [line.strip() for line in examples if line.startswith("  ") and line.strip()]
    assert shown and all(line.startswith(("archon-code", "DOCKER_HOST=")) for line in shown[:2]), out
    assert "``" not in out and ":func:" not in out


def test_help_names_only_files_that_exist(monkeypatch, capsys):
    named = set()
    for path in COMMANDS:
        _, out, _ = run_main(monkeypatch, capsys, *path, "--help")
        named.update(re.findall(r"\bproblems/[\w.-]+\.ya?ml\b", out))
    assert "problems/sum-two.yaml" in named
    assert sorted(n for n in named if not (ROOT / n).is_file()) == []


def test_search_examples_are_search_commands(monkeypatch, capsys):
    _, out, _ = run_main(monkeypatch, capsys, "search", "--help")
    lines = [line.strip() for line in out[out.index("Examples:"):].splitlines()[1:] if line.strip()]
    commands = [line for line in lines if line.startswith("archon-code")]
    assert len(commands) >= 3 and all(c.startswith("archon-code search ") for c in commands)


def test_version(monkeypatch, capsys):
    assert run_main(monkeypatch, capsys, "--version") == (0, "archon-code, version 0.1.0\n", "")


def test_json_errors_are_a_json_object_on_stdout(monkeypatch, capsys, tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text("id: p\nstatement: s\n")
    code, out, err = run_main(monkeypatch, capsys, "judge", str(problem), str(problem), "--json")
    message = f"{problem}: problem 'p' has no tests"
    assert (code, err) == (2, f"error: {message}\n")
    assert json.loads(out) == {"error": message, "kind": "ProblemError", "exit_code": 2}
    code, out, err = run_main(monkeypatch, capsys, "arch", "show", "nope", "--json")
    assert code == 2 and json.loads(out)["kind"] == "ConfigError"
    code, out, err = run_main(monkeypatch, capsys, "problems", "list", "--bogus", "--json")
    assert (code, err) == (2, "error: No such option '--bogus'.\n")
    assert json.loads(out) == {"error": "No such option '--bogus'.", "kind": "UsageError", "exit_code": 2}
    code, out, err = run_main(monkeypatch, capsys, "problems", "list", "--bogus")
    assert (code, out) == (2, "") and err.endswith("Error: No such option '--bogus'.\n")


def test_wants_json():
    assert wants_json(["solve", "p.yaml", "--json"])
    assert wants_json(["suggest", "--format", "json"]) and wants_json(["suggest", "--format=json"])
    assert not wants_json(["suggest", "--format", "diff"]) and not wants_json(["suggest", "--", "--json"])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sandbox_status_without_engine_says_unknown(monkeypatch, capsys):
    from archon_code.sandbox import default_image_tag

    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{_closed_port()}")
    code, out, _ = run_main(monkeypatch, capsys, "sandbox", "status")
    assert code == 1
    assert out.splitlines()[1:] == [f"image:      {default_image_tag()} (unknown: the engine does not answer)",
                                    "containers: 0"]
    code, out, _ = run_main(monkeypatch, capsys, "sandbox", "status", "--json")
    data = json.loads(out)
    assert (code, data["engine"], data["image_present"], data["containers"]) == (1, None, None, [])


def test_solve_defaults_to_the_full_preset_as_the_library_does(monkeypatch, capsys):
    """The best measured preset is what a new user gets (README "Results"), in the CLI and in
    ``solve_problem``; ``single`` stays one option away."""
    import inspect

    from archon_code.architecture import solve_problem

    code, out, _ = run_main(monkeypatch, capsys, "solve", "--help")
    assert code == 0
    assert re.search(r"--arch TEXT\s+.*`single` is one greedy call\..*\[default:\s+full\]", out, re.DOTALL), out
    assert inspect.signature(solve_problem).parameters["arch"].default == "full"
