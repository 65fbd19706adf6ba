"""Start-up: ``archon-code --help`` imports nothing heavy (timings live in docs/models.md, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("litellm", "pydantic", "docker", "jinja2", "xllamacpp", "optuna", "yaml", "archon_code.types",
         "archon_code.llm", "archon_code.sandbox")


def _modules_after(argv: list[str]) -> tuple[int, list[str]]:
    script = textwrap.dedent(f"""
        import json, sys
        sys.argv = {["archon-code", *argv]!r}
        from archon_code.cli import main
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code or 0
        sys.stdout.flush()
        print("\\n" + json.dumps([code, sorted(m for m in {HEAVY!r} if m in sys.modules)]))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    code, loaded = json.loads(result.stdout.strip().splitlines()[-1])
    return code, loaded


def test_top_level_help_imports_nothing_heavy():
    assert _modules_after(["--help"]) == (0, [])


@pytest.mark.parametrize("command", ["judge", "solve", "bench"])
def test_command_help_does_not_import_the_model_stack(command):
    code, loaded = _modules_after([command, "--help"])
    assert code == 0
    assert [m for m in loaded if m in ("litellm", "docker", "xllamacpp", "optuna", "archon_code.llm")] == []


@pytest.mark.parametrize("command", ["judge", "solve", "bench", "search", "suggest"])
def test_command_help_does_not_build_the_value_types(command):
    """pydantic and the value types cost ~100 ms: a command's --help must not load them."""
    code, loaded = _modules_after([command, "--help"])
    assert (code, [m for m in loaded if m in ("pydantic", "archon_code.types")]) == (0, [])
