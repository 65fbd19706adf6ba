"""Copies of a repository, patches and unified diffs.

Decision: a repository is copied file by file (tracked plus untracked-not-ignored files
when it is a git work tree, else every file) so that virtualenvs, caches and ``.git``
never reach the sandbox, and so that the user's files change only with ``--write``.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from archon_code.errors import ConfigError

__all__ = [
    "FilePatch",
    "apply_patches",
    "copy_repo",
    "diff_size",
    "list_repo_files",
    "unified_diff",
]

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "__pycache__", ".pytest_cache",
        ".mypy_cache", ".ruff_cache", ".tox", ".nox", "node_modules", ".eggs", ".hypothesis",
    }
)
"""Directory names never copied into the sandbox."""


class FilePatch(BaseModel):
    """The whole new content of one repository file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    """Path relative to the repository root, with forward slashes."""
    before: str
    """Content the patch was made against."""
    after: str
    """Replacement content."""

    def diff(self) -> str:
        return unified_diff(self.path, self.before, self.after)


def _skipped(rel: str) -> bool:
    parts = rel.split("/")
    return any(p in SKIP_DIRS or p.endswith(".egg-info") for p in parts[:-1]) or parts[-1].endswith(
        (".pyc", ".pyo")
    )


def _git_files(root: Path, untracked: bool) -> list[str] | None:
    which = ["-co", "--exclude-standard"] if untracked else ["-c"]
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", *which],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def _walk_files(root: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            found.append((Path(dirpath) / name).relative_to(root).as_posix())
    return found


def list_repo_files(root: Path, *, untracked: bool = True) -> list[str]:
    """Files to copy, relative to ``root``, sorted. In a git work tree: tracked files plus,
    with ``untracked``, untracked files git does not ignore; elsewhere every file."""
    if not root.is_dir():
        raise ConfigError(f"repository {str(root)!r} is not a directory")
    files = _git_files(root, untracked)
    if files is None:
        files = _walk_files(root)
    return sorted(f for f in files if not _skipped(f) and (root / f).is_file())


def copy_repo(root: Path, dest: Path, files: Sequence[str] | None = None) -> list[str]:
    """Copy the repository's files into ``dest`` (created); return the relative paths copied."""
    files = list_repo_files(root) if files is None else list(files)
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, target, follow_symlinks=True)
    dest.mkdir(parents=True, exist_ok=True)
    return files


def apply_patches(root: Path, patches: Iterable[FilePatch], *, check: bool = False) -> None:
    """Write each patch's new content under ``root``. With ``check`` a file whose current
    content differs from the patch's ``before`` is an error (it changed since the run)."""
    patches = list(patches)
    if check:
        for patch in patches:
            path = root / patch.path
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != patch.before:
                raise ConfigError(f"{patch.path}: changed since the tests ran; not writing the fix")
    for patch in patches:
        path = root / patch.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(patch.after, encoding="utf-8")


def unified_diff(path: str, before: str, after: str) -> str:
    """A ``git apply``-able unified diff of one file (``a/`` and ``b/`` prefixes)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def diff_size(diff: str) -> int:
    """Changed lines of a unified diff (added plus removed, headers excluded)."""
    return sum(
        1
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++ ", "--- "))
    )
