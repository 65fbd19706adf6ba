"""The GitHub Actions workflow in docs/ci.md parses and uses only real options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from archon_code.cli.suggest import suggest

DOC = (Path(__file__).resolve().parents[2] / "docs" / "ci.md").read_text()


def _workflow() -> dict:
    block = re.search(r"## The workflow.*?```yaml\n(.*?)```", DOC, re.S).group(1)
    return yaml.safe_load(block)


def test_workflow_runs_on_pull_requests_and_may_comment():
    workflow = _workflow()
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads the key "on" as True
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_every_suggest_invocation_parses_and_the_comment_posts_its_output():
    steps = _workflow()["jobs"]["suggest"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    calls = [shlex.split(line.strip())[2:] for line in runs.splitlines() if line.strip().startswith("archon-code suggest")]
    assert calls == [[".", "--format", "markdown", "--out", "archon-suggest.md"]]
    ctx = suggest.make_context("suggest", list(calls[0]))
    assert (ctx.params["fmt"], str(ctx.params["out"])) == ("markdown", "archon-suggest.md")
    assert "gh pr comment" in runs and "--body-file archon-suggest.md" in runs
    assert "archon-code sandbox build" in runs
