"""Read a repository's third-party requirements, refusing what would reach beyond PyPI.

Decision: the deps image is built with the network on, so only plain named requirements
(``six==1.16.0``, ``attrs >= 22; python_version > "3.8"``) are installed by default.
*Direct* requirements (``pkg @ https://...``, ``git+https://...``, a bare URL, ``-e`` of a
URL or VCS link) and index options (``--index-url``, ``--extra-index-url``, ``-f`` /
``--find-links``, ``--trusted-host``) are refused with a one-line error unless the user
passes ``allow_direct`` (``--allow-direct-requirements``). Local paths (``.``, ``-e .``,
``./pkg``, ``file:...``) are never installed: the build sees only the requirement list, and
the repository is on the path when its tests run. ``-r``/``--requirement`` includes are
followed only to regular files inside the repository; one leading outside (``../x.txt``,
an absolute path, a symlink) is an error with or without the flag. Constraint files and
other pip options are left out.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict

from archon_code.errors import ConfigError
from archon_code.integrations.workspace import repo_file

__all__ = ["REQUIREMENT_FILES", "Requirements", "parse_requirement_files"]

REQUIREMENT_FILES = ("requirements.txt", "requirements-test.txt", "requirements-dev.txt", "test-requirements.txt")
_INCLUDE = ("-r", "--requirement")
_INDEX = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host")
_EDITABLE = ("-e", "--editable")
_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.I)
_COMMENT = re.compile(r"(^|\s)#.*$")
_FLAG = "--allow-direct-requirements"


class Requirements(BaseModel):
    """What a repository asks pip to install, as found in its files."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    install: tuple[str, ...] = ()
    """Lines of the requirement list given to pip (normalised, sorted, unique)."""
    left_out: tuple[str, ...] = ()
    """``file:line: text (why)`` of lines not installed (local paths, constraints, options)."""


def is_direct(requirement: str) -> bool:
    """True for a PEP 508 direct reference, a URL or a VCS link."""
    text = requirement.strip()
    return "@" in text or "://" in text or bool(_VCS.match(text))


def _is_local(text: str) -> bool:
    return (
        text.startswith((".", "/", "~", "file:"))
        or "/" in text.split(";", 1)[0]
        or text.endswith((".whl", ".tar.gz", ".zip"))
    )


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) with comments removed and ``\\`` continuations joined."""
    out, buffer, start = [], "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).rstrip()
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        joined = (buffer + line).strip()
        buffer = ""
        if joined:
            out.append((start, joined))
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def _option(line: str) -> tuple[str, str]:
    """(option, value) of an option line: ``-r x``, ``-rx``, ``--requirement=x``."""
    if line.startswith("--"):
        name, _, value = line.partition("=") if "=" in line.split()[0] else line.partition(" ")
        return name.strip(), value.strip()
    return line[:2], line[2:].strip()


class _Reader:
    def __init__(self, repo: Path, allow_direct: bool) -> None:
        self.repo, self.allow_direct = repo, allow_direct
        self.install: list[str] = []
        self.left_out: list[str] = []
        self.seen: set[str] = set()

    def read(self, rel: str) -> None:
        if rel in self.seen:
            return
        self.seen.add(rel)
        path = repo_file(self.repo, rel)
        if path is None:
            self.left_out.append(f"{rel}: not read (a symlink leading outside the repository or not a regular file)")
            return
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise ConfigError(f"{rel}: cannot read it ({exc.strerror})") from None
        for number, line in _logical_lines(text):
            self._line(f"{rel}:{number}", rel, line)

    def _direct(self, where: str, line: str) -> None:
        if not self.allow_direct:
            raise ConfigError(
                f"{where}: {line!r} is a direct requirement or index option (installed from an address other "
                f"than PyPI, with the network on); refused: pass {_FLAG} to install it"
            )
        self.install.append(line)

    def _line(self, where: str, rel: str, line: str) -> None:
        if not line.startswith("-"):
            if is_direct(line):
                self._direct(where, line)
            elif _is_local(line):
                self.left_out.append(f"{where}: {line} (a local path: not installed)")
            else:
                self.install.append(line)
            return
        name, value = _option(line)
        if name in _INCLUDE:
            self.read(self._include(where, rel, value))
        elif name in _INDEX:
            self._direct(where, line)
        elif name in _EDITABLE and (is_direct(value) or "://" in value):
            self._direct(where, line)
        elif name in _EDITABLE:
            self.left_out.append(f"{where}: {line} (a local path: not installed)")
        else:
            self.left_out.append(f"{where}: {line} (pip option: not used)")

    def _include(self, where: str, rel: str, value: str) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), value)) if value else ""
        if not value or posixpath.isabs(value) or target == ".." or target.startswith("../"):
            raise ConfigError(f"{where}: -r {value!r} leads outside the repository; not read")
        if not (self.repo / target).exists() and not (self.repo / target).is_symlink():
            raise ConfigError(f"{where}: -r {value!r}: no such file in the repository")
        if repo_file(self.repo, target) is None:
            raise ConfigError(
                f"{where}: -r {value!r} is a symlink leading outside the repository or not a regular file; not read"
            )
        return target


def parse_requirement_files(repo: Path, *, allow_direct: bool = False,
                            extra: Optional[list[tuple[str, str]]] = None) -> Requirements:
    """The requirements of ``repo``'s requirement files plus ``extra`` ``(where, requirement)``
    pairs (from ``pyproject.toml``); direct ones are an error unless ``allow_direct``."""
    reader = _Reader(repo, allow_direct)
    for name in REQUIREMENT_FILES:
        if (repo / name).exists() or (repo / name).is_symlink():
            reader.read(name)
    for where, requirement in extra or []:
        reader._line(where, "pyproject.toml", requirement)
    install = sorted({" ".join(r.split()) for r in reader.install})
    return Requirements(install=tuple(install), left_out=tuple(reader.left_out))
