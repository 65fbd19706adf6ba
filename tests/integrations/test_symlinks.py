"""Red team: a repository's symlinks must never carry a host file into the sandbox, the
report, the JSON or the model's prompts (issue 8, item 6). Real sandbox, scripted model."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path

import pytest

from archon_code.integrations.models import SuggestConfig
from archon_code.integrations.precommit import run_precommit
from archon_code.integrations.report import render
from archon_code.integrations.suggest import Suggester
from archon_code.integrations.workspace import DANGLING, DIR_LINK, NOT_COPIED, OUTSIDE, scan_repo
from tests.integrations.helpers import calc_source, fenced, fixture_repo
from tests.support.scripted_llm import ScriptedLLM

LINKS = ["leak.txt", "chain1", "chain2", "rel.py", "hostdir/secret.py", "tests/data/deep/config.py", "env_link.py"]

EXFIL_TEST = f'''PATHS = {LINKS!r}


def test_exfiltrate():
    found = {{}}
    for path in PATHS:
        try:
            with open(path) as handle:
                found[path] = handle.read()
        except OSError as exc:
            found[path] = type(exc).__name__
    raise AssertionError(repr(found))
'''

CALC_FAILING = ("tests/test_calc.py::test_add", "tests/test_calc.py::test_add_negative")
PASSING_TEST = "def test_exfiltrate():\n    assert True\n"


class RecordingRunner:
    """The real sandbox, plus a record of every byte of each folder handed to it (read
    the way the sandbox copies it: links followed)."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.seen: list[bytes] = []

    def run_project(self, path: Path, command: str, timeout_s: float = 300):
        for item in sorted(Path(path).rglob("*")):
            if item.is_file():
                self.seen.append(item.read_bytes())
        return self.sandbox.run_project(path, command, timeout_s=timeout_s)


def _git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def hostile(tmp_path):
    """(repo, secret): calc_bug with tracked links to a host file holding ``secret``."""
    secret = f"ARCHON-SECRET-{secrets.token_hex(8)}"
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_text(f"password = {secret}\n")
    (outside / "dir" / "secret.py").write_text(f"TOKEN = {secret!r}\n")
    repo = fixture_repo("calc_bug", tmp_path / "work")
    (repo / "tests" / "test_exfil.py").write_text(EXFIL_TEST)
    (repo / "tests" / "data" / "deep").mkdir(parents=True)
    os.symlink(outside / "secret.txt", repo / "leak.txt")                 # absolute link
    os.symlink(outside / "dir", repo / "hostdir")                         # directory link
    os.symlink("chain2", repo / "chain1")                                 # chain: in-repo link ...
    os.symlink(outside / "secret.txt", repo / "chain2")                   # ... to a link outside
    os.symlink("../../outside/secret.txt", repo / "rel.py")               # relative ../../
    os.symlink("../../../../../outside/secret.txt", repo / "tests/data/deep/config.py")  # hidden in a subfolder
    (repo / ".env").write_text(f"API_KEY={secret}\n")                   # in the repo, but ignored
    (repo / ".gitignore").write_text(".env\n")
    os.symlink(".env", repo / "env_link.py")                              # in-repo link to an ignored file
    os.symlink("calc.py", repo / "alias.py")                              # in-repo link to a copied file
    os.symlink("tests", repo / "tests_link")                              # in-repo directory link
    os.symlink("no-such-file", repo / "dangling")
    os.symlink(".git/config", repo / "gitcfg")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "hostile")
    return repo, secret


EXPECTED_SKIPPED = [
    ("chain1", OUTSIDE), ("chain2", OUTSIDE), ("dangling", DANGLING), ("env_link.py", NOT_COPIED),
    ("gitcfg", NOT_COPIED), ("hostdir", OUTSIDE), ("leak.txt", OUTSIDE), ("rel.py", OUTSIDE),
    ("tests/data/deep/config.py", OUTSIDE), ("tests_link", DIR_LINK),
]


def test_scan_lists_every_hostile_link_as_skipped(hostile):
    repo, _ = hostile
    scan = scan_repo(repo)
    assert [(s.path, s.reason) for s in scan.skipped] == EXPECTED_SKIPPED
    assert scan.files == (
        ".gitignore", "alias.py", "calc.py", "tests/test_calc.py", "tests/test_exfil.py",
    )


def test_symlinked_directory_replacing_a_tracked_folder_is_skipped(tmp_path):
    secret_dir = tmp_path / "outside"
    secret_dir.mkdir()
    (secret_dir / "x.py").write_text("SECRET = 1\n")
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "sub" / "x.py").write_text("x = 1\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    (repo / "sub" / "x.py").unlink()
    (repo / "sub").rmdir()
    os.symlink(secret_dir, repo / "sub")  # git still lists sub/x.py from its index
    scan = scan_repo(repo)
    assert scan.files == ()
    # git lists the untracked link and the tracked path through it: both are skipped
    assert [(s.path, s.reason) for s in scan.skipped] == [("sub", OUTSIDE), ("sub/x.py", OUTSIDE)]


def test_without_git_links_outside_are_skipped_too(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    repo = tmp_path / "plain"
    repo.mkdir()
    (repo / "m.py").write_text("x = 1\n")
    os.symlink(outside, repo / "leak.txt")
    os.symlink(tmp_path, repo / "up")
    scan = scan_repo(repo)
    assert scan.files == ("m.py",)
    assert [(s.path, s.reason) for s in scan.skipped] == [("leak.txt", OUTSIDE), ("up", OUTSIDE)]


@pytest.mark.docker
def test_secret_reaches_neither_sandbox_nor_report_nor_prompt(sandbox, hostile):
    repo, secret = hostile
    runner = RecordingRunner(sandbox)
    llm = ScriptedLLM(lambda messages, sample: fenced(PASSING_TEST))
    report = Suggester(llm, runner, SuggestConfig(samples=1, fuse=False), model="scripted").run(repo)
    exfil = report.before.by_id()["tests/test_exfil.py::test_exfiltrate"]
    # What the exfiltrating test saw inside the container: every link is absent, alias.py is not probed.
    for path in LINKS:
        assert f"'{path}': 'FileNotFoundError'" in exfil.details
    assert report.before.by_id()["tests/test_calc.py::test_add"].outcome == "failed"
    assert runner.seen and not any(secret.encode() in data for data in runner.seen)
    assert len(llm.calls) >= 1
    for call in llm.calls:
        assert secret not in json.dumps(call.messages)
    markdown, as_json = render(report, "markdown"), render(report, "json")
    assert secret not in markdown and secret not in as_json
    assert [(s["path"], s["reason"]) for s in json.loads(as_json)["skipped"]] == EXPECTED_SKIPPED
    assert f"- `leak.txt`: {OUTSIDE}" in markdown
    assert "**Not copied into the sandbox** (10):" in markdown


@pytest.mark.docker
def test_in_repo_link_is_fixed_through_its_target_and_kept_in_step(sandbox, tmp_path):
    repo = fixture_repo("calc_bug", tmp_path)
    os.symlink("calc.py", repo / "alias.py")
    (repo / "tests" / "test_alias.py").write_text(
        "from alias import add\n\n\ndef test_alias_add():\n    assert add(2, 3) == 5\n"
    )
    llm = ScriptedLLM(lambda messages, sample: fenced(calc_source(add="a + b")))
    report = Suggester(llm, sandbox, SuggestConfig(samples=1), model="scripted").run(repo)
    assert report.skipped == ()
    assert report.before.failing_ids == ("tests/test_alias.py::test_alias_add", *CALC_FAILING)
    assert [c.last_user.splitlines()[0] for c in llm.calls] == [
        "The test suite of a Python repository fails. Fix the code in `calc.py`."
    ]
    assert [p.path for p in report.suggestion.patches] == ["calc.py"]
    assert sorted(report.suggestion.fixed) == sorted(report.before.failing_ids)
    assert (repo / "alias.py").is_symlink() and (repo / "calc.py").read_text() == calc_source()


@pytest.mark.docker
def test_precommit_says_what_it_skipped_and_leaks_nothing(sandbox, hostile):
    repo, secret = hostile

    class Shared:
        def __enter__(self):
            return sandbox

        def __exit__(self, *exc):
            return None

    lines: list[str] = []
    llm = ScriptedLLM(lambda messages, sample: "no code here")
    status = run_precommit(repo, ["calc.py"], config=SuggestConfig(model="scripted", samples=1), fix=False,
                           allow_unavailable=False, sandbox=Shared, llm=lambda: llm, echo=lines.append)
    assert status == 1
    assert f"archon-code: not copied into the sandbox: leak.txt ({OUTSIDE})" in lines
    assert f"archon-code: not copied into the sandbox: tests/data/deep/config.py ({OUTSIDE})" in lines
    assert lines[0] == "archon-code: 3 failing test(s); no verified fix found (0 candidates produced)"
    assert "  FAILED tests/test_calc.py::test_add: assert -1 == 5" in lines
    assert not any(secret in line for line in lines)
    assert not any(secret in json.dumps(c.messages) for c in llm.calls)
