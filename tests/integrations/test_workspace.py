"""Repository copies, patches and diffs."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archon_code.errors import ConfigError
from archon_code.integrations.workspace import (
    FilePatch,
    apply_patches,
    copy_repo,
    diff_size,
    list_repo_files,
    unified_diff,
)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


LAYOUT = {
    "m.py": "x = 1\n",
    "tests/test_m.py": "def test(): pass\n",
    ".venv/lib/site.py": "",
    "pkg/__pycache__/m.cpython-311.pyc": "",
    "build/out.txt": "",
    "notes.txt": "",
}


def test_without_git_every_file_but_venvs_and_caches(tmp_path):
    _write(tmp_path, LAYOUT)
    assert list_repo_files(tmp_path) == ["build/out.txt", "m.py", "notes.txt", "tests/test_m.py"]


def test_in_a_git_work_tree_ignored_files_stay_out(tmp_path):
    _write(tmp_path, {**LAYOUT, ".gitignore": "build/\nnotes.txt\n"})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "m.py"], check=True)
    assert list_repo_files(tmp_path) == [".gitignore", "m.py", "tests/test_m.py"]
    assert list_repo_files(tmp_path, untracked=False) == ["m.py"]


def test_copy_repo_copies_the_listed_files(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    _write(src, LAYOUT)
    assert copy_repo(src, dest) == ["build/out.txt", "m.py", "notes.txt", "tests/test_m.py"]
    assert (dest / "tests/test_m.py").read_text() == "def test(): pass\n"
    assert not (dest / ".venv").exists()


def test_not_a_directory_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="is not a directory"):
        list_repo_files(tmp_path / "missing")


def test_apply_patches_refuses_a_file_changed_since(tmp_path):
    _write(tmp_path, {"m.py": "x = 2\n"})
    patch = FilePatch(path="m.py", before="x = 1\n", after="x = 3\n")
    with pytest.raises(ConfigError, match="m.py: changed since the tests ran"):
        apply_patches(tmp_path, [patch], check=True)
    apply_patches(tmp_path, [patch])
    assert (tmp_path / "m.py").read_text() == "x = 3\n"


def test_unified_diff_is_git_apply_able(tmp_path):
    before, after = "a\nb\nc", "a\nB\nc\nd\n"
    _write(tmp_path, {"f.txt": before})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    diff = unified_diff("f.txt", before, after)
    assert diff == (
        "--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,4 @@\n a\n-b\n-c\n\\ No newline at end of file\n+B\n+c\n+d\n"
    )
    subprocess.run(["git", "-C", str(tmp_path), "apply", "-"], input=diff.encode(), check=True)
    assert (tmp_path / "f.txt").read_text() == after
    assert diff_size(diff) == 5


_TEXT = st.lists(st.sampled_from(["x\n", "y\n", "z\n", "--x\n", "++y\n"]), max_size=8).map("".join)


@given(_TEXT, _TEXT)
def test_diff_size_counts_changed_lines(before, after):
    import difflib

    opcodes = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True)).get_opcodes()
    changed = sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in opcodes if tag != "equal")
    assert diff_size(unified_diff("f", before, after)) == changed


def _without_dac_override():
    """Root reads every file: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    bounding set before exec, so a mode-000 file is unreadable to the child too."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "PR_CAPBSET_DROP")


def test_unreadable_file_is_a_one_line_config_error_exit_2():
    base = Path(tempfile.mkdtemp(prefix="archon-unreadable-", dir="/tmp"))
    try:
        base.chmod(0o755)
        repo = base / "repo"
        repo.mkdir()
        (repo / "m.py").write_text("x = 1\n")
        (repo / "private.py").write_text("KEY = 1\n")
        (repo / "private.py").chmod(0o000)
        proc = subprocess.run(
            ["archon-code", "suggest", str(repo), "--quiet"], capture_output=True, text=True, timeout=120,
            preexec_fn=_without_dac_override if os.geteuid() == 0 else None, env=dict(os.environ, HOME=str(base)), cwd=base,
        )
        assert (proc.returncode, proc.stdout) == (2, "")
        assert proc.stderr == (
            "error: private.py: cannot read it (permission denied); fix its permissions or ignore it\n"
        )
    finally:
        shutil.rmtree(base)
