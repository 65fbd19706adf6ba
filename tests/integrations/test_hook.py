"""The hook through the real ``pre-commit`` tool, in temporary git repositories.

Fast tests install the hook defined in ``.pre-commit-hooks.yaml`` as a ``repo: local``
hook with ``language: system`` (the installed ``archon-code``, no download) and commit
for real. The slow test runs ``pre-commit try-repo`` against a snapshot of this checkout,
so pre-commit builds the hook's own virtualenv with pip exactly as users get it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from archon_code.integrations.workspace import copy_repo
from tests.integrations.helpers import fixture_repo

ROOT = Path(__file__).resolve().parents[2]
HOOK = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]


def test_hook_definition():
    assert HOOK == {
        "name": "archon-code tests (sandbox, verified fixes)",
        "description": HOOK["description"],
        "verbose": True,
        "id": "archon-code",
        "entry": "archon-code precommit",
        "language": "python",
        "pass_filenames": True,
        "types": ["python"],
        "require_serial": True,
    }


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), **extra)
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    return env


def _git(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def _project(tmp_path: Path, fixture: str, args: list[str], env: dict[str, str]) -> Path:
    """A git repository of the fixture with the hook installed."""
    if shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed (extra [test])")
    repo = fixture_repo(fixture, tmp_path)
    hook = {**HOOK, "language": "system", "args": args}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
    _git(repo, "init", "-q", env=env)
    subprocess.run(["pre-commit", "install"], cwd=repo, env=env, check=True, capture_output=True)
    _git(repo, "add", "-A", env=env)
    return repo


@pytest.mark.docker
def test_commit_goes_through_when_tests_pass(sandbox, tmp_path):
    env = _env(tmp_path)
    repo = _project(tmp_path, "all_pass", [], env)
    proc = _git(repo, "commit", "-m", "first", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^archon-code tests \(sandbox, verified fixes\)\.+Passed$", proc.stderr, re.M)
    assert "archon-code: tests pass (4 passed): nothing to fix" in proc.stderr


@pytest.mark.docker
def test_commit_is_blocked_by_a_missing_model_before_any_work(sandbox, tmp_path):
    env = _env(tmp_path)
    repo = _project(tmp_path, "calc_bug", ["--model", "local/no-such-model.gguf", "--quiet"], env)
    proc = _git(repo, "commit", "-m", "first", env=env)
    assert proc.returncode == 1
    assert re.search(r"^archon-code tests \(sandbox, verified fixes\)\.+Failed$", proc.stderr, re.M)
    assert "- exit code: 2" in proc.stderr
    assert "error: --model: model 'local/no-such-model.gguf': no such GGUF file 'no-such-model.gguf'" in proc.stderr
    assert _git(repo, "log", env=env).returncode != 0  # no commit was made


@pytest.mark.parametrize("allow, status", [("0", 1), ("1", 0)])
def test_unavailable_sandbox_blocks_unless_allowed(tmp_path, allow, status):
    env = _env(tmp_path, ARCHON_CODE_SANDBOX_IMAGE="archon-code-sandbox:no-such-tag",
               ARCHON_CODE_PRECOMMIT_ALLOW_UNAVAILABLE=allow)
    repo = _project(tmp_path, "calc_bug", ["--quiet"], env)
    proc = _git(repo, "commit", "-m", "first", env=env)
    assert proc.returncode == status
    verdict = "not blocking the commit" if allow == "1" else "blocking the commit (--allow-unavailable to skip)"
    assert f"archon-code: sandbox unavailable, tests not run, {verdict}: sandbox image " in proc.stderr


@pytest.mark.slow
@pytest.mark.docker
def test_try_repo_installs_the_hook_with_pip_and_runs_it(sandbox, tmp_path):
    """pre-commit builds a virtualenv from a snapshot of this checkout (pip, PyPI)."""
    hook_repo = tmp_path / "hook-repo"
    copy_repo(ROOT, hook_repo)
    if not (hook_repo / "README.md").exists():
        (hook_repo / "README.md").write_text("archon-code\n")
    env = _env(tmp_path)
    _git(hook_repo, "init", "-q", env=env)
    _git(hook_repo, "add", "-A", env=env)
    assert _git(hook_repo, "commit", "-qm", "snapshot", env=env).returncode == 0
    repo = fixture_repo("all_pass", tmp_path)
    _git(repo, "init", "-q", env=env)
    _git(repo, "add", "-A", env=env)
    proc = subprocess.run(
        ["pre-commit", "try-repo", str(hook_repo), "archon-code", "--all-files", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "archon-code: tests pass (4 passed): nothing to fix" in proc.stdout
