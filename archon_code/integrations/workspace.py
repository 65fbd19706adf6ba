"""Copies of a repository, patches and unified diffs.

Decision: a repository is copied file by file (tracked plus untracked-not-ignored files
when it is a git work tree, else every file) so that virtualenvs, caches and ``.git``
never reach the sandbox, and so that the user's files change only with ``--write``.

Decision (symlinks): nothing outside the repository is ever read. A path whose real
location (every symlink on the way resolved, chains and ``../`` included) is outside the
repository is skipped, and so is a link to a directory, a dangling link and a link to a
file that is not copied itself (ignored, untracked in the hook, ``.git/...``). A link to a
copied regular file becomes, in the copy, a regular file with that file's content (the
sandbox sees regular files only), kept in step with its target when a patch changes it
(:func:`sync_links`). Skipped paths are listed in :class:`RepoFiles` (and in the report),
never their targets.
"""

from __future__ import annotations

import difflib
import os
import stat
import subprocess
from pathlib import Path
from typing import Iterable, Optional, Sequence

from pydantic import BaseModel, ConfigDict

from archon_code.errors import ConfigError

__all__ = [
    "FilePatch",
    "RepoFiles",
    "SkippedPath",
    "apply_patches",
    "copy_repo",
    "diff_size",
    "list_repo_files",
    "repo_file",
    "scan_repo",
    "sync_links",
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


def _unreadable(error: OSError) -> None:
    raise ConfigError(f"{error.filename}: cannot read it ({error.strerror}); fix its permissions or ignore it")


def _walk_files(root: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=_unreadable):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]  # listed, never walked
        for name in filenames + links:
            found.append((Path(dirpath) / name).relative_to(root).as_posix())
    return found


class SkippedPath(BaseModel):
    """A repository path that was not copied, and why (its target is never named)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    reason: str


class RepoFiles(BaseModel):
    """What of a repository is copied into the sandbox."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: tuple[str, ...]
    """Regular files and links to copied regular files, relative, sorted."""
    skipped: tuple[SkippedPath, ...] = ()
    """Symlinks (and special files) left out, sorted by path."""
    links: tuple[tuple[str, str], ...] = ()
    """(link, the copied regular file it resolves to) of every link in ``files``."""


OUTSIDE = "symlink pointing outside the repository: not followed"
DIR_LINK = "symlink to a directory: not followed"
DANGLING = "dangling symlink"
NOT_COPIED = "symlink to a file that is not copied (ignored, untracked or skipped): not followed"
SPECIAL = "not a regular file"


def _real_root(root: Path) -> Path:
    if not root.is_dir():
        raise ConfigError(f"repository {str(root)!r} is not a directory")
    return Path(os.path.realpath(root))


def _inside(real: str, real_root: Path) -> bool:
    return real == str(real_root) or real.startswith(str(real_root).rstrip("/") + "/")


def _classify(real_root: Path, rel: str) -> tuple[str, str]:
    """(``file`` | ``link`` | ``dir`` | ``skip``, link target or skip reason) of one path."""
    path = real_root / rel
    real = os.path.realpath(path)
    if real == str(path):
        mode = os.lstat(path).st_mode
        return ("file", "") if stat.S_ISREG(mode) else ("dir", "") if stat.S_ISDIR(mode) else ("skip", SPECIAL)
    if not _inside(real, real_root):
        return "skip", OUTSIDE
    if not os.path.exists(real):
        return "skip", DANGLING
    if os.path.isdir(real):
        return "skip", DIR_LINK
    return "link", Path(real).relative_to(real_root).as_posix()


def repo_file(root: Path, rel: str) -> Optional[Path]:
    """The real path of ``rel`` when it leads (through in-repository links only) to a
    regular file inside ``root``; else None. Nothing outside ``root`` is opened."""
    real_root = _real_root(root)
    if not os.path.lexists(real_root / rel):
        return None
    kind, detail = _classify(real_root, rel)
    if kind == "file":
        return real_root / rel
    return real_root / detail if kind == "link" else None


def scan_repo(root: Path, *, untracked: bool = True) -> RepoFiles:
    """Files to copy and paths skipped. In a git work tree: tracked files plus, with
    ``untracked``, untracked files git does not ignore; elsewhere every file."""
    real_root = _real_root(root)
    names = _git_files(real_root, untracked)
    if names is None:
        names = _walk_files(real_root)
    plain, links, skipped = set(), {}, []
    for rel in sorted(set(names)):
        if _skipped(rel) or not os.path.lexists(real_root / rel):
            continue
        kind, detail = _classify(real_root, rel)
        if kind == "file" and not os.access(real_root / rel, os.R_OK):
            raise ConfigError(f"{rel}: cannot read it (permission denied); fix its permissions or ignore it")
        if kind == "file":
            plain.add(rel)
        elif kind == "link":
            links[rel] = detail
        elif kind == "skip":
            skipped.append(SkippedPath(path=rel, reason=detail))
    for rel, target in links.items():
        if target not in plain:
            skipped.append(SkippedPath(path=rel, reason=NOT_COPIED))
    kept = {rel: target for rel, target in links.items() if target in plain}
    return RepoFiles(files=tuple(sorted(plain | set(kept))), skipped=tuple(sorted(skipped, key=lambda s: s.path)),
                     links=tuple(sorted(kept.items())))


def list_repo_files(root: Path, *, untracked: bool = True) -> list[str]:
    """The files :func:`scan_repo` copies."""
    return list(scan_repo(root, untracked=untracked).files)


def _read_regular(path: Path, rel: str) -> bytes:
    """The bytes of a regular file, opened without following a final symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ConfigError(f"{rel}: cannot read it ({exc.strerror}); fix its permissions or ignore it") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(f"{rel}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise ConfigError(f"{rel}: cannot read it ({exc.strerror}); fix its permissions or ignore it") from None
    finally:
        os.close(fd)


def copy_repo(root: Path, dest: Path, files: Sequence[str] | None = None) -> list[str]:
    """Copy the repository's files into ``dest`` (created); return the relative paths copied.
    Every path is checked again: one that leads outside ``root`` is an error, a link to a
    listed file becomes a regular file with that file's content in ``dest``."""
    real_root = _real_root(root)
    files = list_repo_files(root) if files is None else list(files)
    listed = set(files)
    for rel in files:
        kind, detail = _classify(real_root, rel)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "file":
            target.write_bytes(_read_regular(real_root / rel, rel))
            os.chmod(target, stat.S_IMODE(os.stat(real_root / rel).st_mode) | stat.S_IRUSR | stat.S_IWUSR)
        elif kind == "link" and detail in listed:
            target.write_bytes(_read_regular(real_root / detail, rel))
        else:
            raise ConfigError(f"{rel}: {detail or 'not a regular file'}; not copied into the sandbox")
    dest.mkdir(parents=True, exist_ok=True)
    return files


def sync_links(dest: Path, links: Iterable[tuple[str, str]]) -> None:
    """In a copy made by :func:`copy_repo`, give each link's file its target's content again."""
    for link, target in links:
        (dest / link).write_bytes((dest / target).read_bytes())


def apply_patches(root: Path, patches: Iterable[FilePatch], *, check: bool = False) -> None:
    """Write each patch's new content under ``root``. With ``check`` a file whose current
    content differs from the patch's ``before`` is an error (it changed since the run)."""
    patches = list(patches)
    real_root = _real_root(root)
    for patch in patches:
        if not _inside(os.path.realpath(real_root / patch.path), real_root):
            raise ConfigError(f"{patch.path}: leads outside the repository; not writing the fix")
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
