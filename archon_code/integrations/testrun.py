"""Run a repository's test suite in the sandbox and read per-test outcomes.

Decision: the sandbox returns only exit code, stdout and stderr, so a pytest command is
wrapped in a small shell script that writes a JUnit XML report to a temporary file and
prints it between markers *before* pytest's own output (stdout may be truncated at the
end, never at the start). ``--tb=native`` gives Python's own ``File "...", line N``
frames, which are parsed to find the repository files a failure went through.
"""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Literal, Optional

from archon_code.errors import ConfigError
from archon_code.sandbox.base import Sandbox
from archon_code.types import ExecResult, Frozen

__all__ = [
    "SuiteRun",
    "TestOutcome",
    "is_pytest_command",
    "parse_suite",
    "run_suite",
    "wrap_command",
]

Outcome = Literal["passed", "failed", "error", "skipped"]
_MARK = "@@ARCHON"
# Python's native frames and pytest's short frames (collection errors use the latter).
_FRAME = re.compile(r'File "([^"]+)", line (\d+)|^([^\s:"]+\.py):(\d+): in ', re.M)
PYTEST_FLAGS = "-rA --tb=native -p no:cacheprovider -o junit_family=xunit1"
"""Flags appended to a pytest command (plus ``--junitxml``)."""


class TestOutcome(Frozen):
    """One test's result in one run of the suite."""

    __test__ = False

    id: str
    """pytest node id, e.g. ``tests/test_calc.py::test_add`` (``<command>`` for non-pytest)."""
    outcome: Outcome
    message: str = ""
    """The failure's one-line message."""
    details: str = ""
    """The failure's traceback text (native format)."""
    frames: tuple[tuple[str, int], ...] = ()
    """Repository files and lines in the traceback, outermost first, relative to the root."""


class SuiteRun(Frozen):
    """One run of the whole test command."""

    command: str
    exit_code: Optional[int]
    outcomes: tuple[TestOutcome, ...] = ()
    output: str = ""
    """The tail of the command's own output."""
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.failing_ids

    @property
    def failing_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.outcomes if t.outcome in ("failed", "error"))

    @property
    def passing_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.outcomes if t.outcome == "passed")

    def by_id(self) -> dict[str, TestOutcome]:
        return {t.id: t for t in self.outcomes}

    def counts(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
        for t in self.outcomes:
            counts[t.outcome] += 1
        return counts


def is_pytest_command(command: str) -> bool:
    """True when the command runs pytest (its per-test outcomes can be read)."""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"--test-cmd {command!r}: {exc}") from None
    return any(Path(w).name in ("pytest", "py.test") for w in words)


def wrap_command(command: str) -> str:
    """The shell script run in the sandbox for ``command``."""
    src_path = 'if [ -d src ]; then export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"; fi'
    # Debian images have python3 but no "python": make the usual spelling work.
    shim = 'command -v python >/dev/null 2>&1 || python() { python3 "$@"; }'
    if not is_pytest_command(command):
        return f'echo "{_MARK}-CWD $(pwd)"; {shim}; {src_path}; {command}'
    tmp = '"${TMPDIR:-/tmp}"'
    return "; ".join(
        [
            f"J={tmp}/archon-junit-$$.xml",
            f"O={tmp}/archon-out-$$.txt",
            f'echo "{_MARK}-CWD $(pwd)"',
            shim,
            src_path,
            f'{command} {PYTEST_FLAGS} --junitxml="$J" >"$O" 2>&1',
            "rc=$?",
            f'echo "{_MARK}-JUNIT-BEGIN"',
            'cat "$J" 2>/dev/null',
            f'echo "{_MARK}-JUNIT-END"',
            'tail -c 12000 "$O"',
            "exit $rc",
        ]
    )


def run_suite(
    runner: Sandbox, root: Path, command: str, timeout_s: float, files: set[str]
) -> SuiteRun:
    """Run ``command`` on a copy of ``root`` in the sandbox and parse the outcome."""
    result = runner.run_project(root, wrap_command(command), timeout_s=timeout_s)
    return parse_suite(command, result, files)


def parse_suite(command: str, result: ExecResult, files: set[str]) -> SuiteRun:
    """Per-test outcomes from the wrapped command's output; ``files`` are the repo's files."""
    text = result.stdout
    cwd = ""
    cwd_match = re.search(rf"^{_MARK}-CWD (.*)$", text, re.M)
    if cwd_match:
        cwd = cwd_match.group(1).strip()
        text = text[: cwd_match.start()] + text[cwd_match.end() + 1 :]
    junit, rest = _split_junit(text)
    output = (rest + result.stderr)[-12000:]
    outcomes: tuple[TestOutcome, ...] = ()
    if junit is not None:
        outcomes = _parse_junit(junit, cwd, files)
    failing = any(t.outcome in ("failed", "error") for t in outcomes)
    if not failing and (result.exit_code != 0 or result.timed_out):
        outcomes += (_whole_command(command, result, output, cwd, files),)
    return SuiteRun(
        command=command,
        exit_code=result.exit_code,
        outcomes=outcomes,
        output=output,
        timed_out=result.timed_out,
    )


def _split_junit(text: str) -> tuple[Optional[str], str]:
    start, stop = f"{_MARK}-JUNIT-BEGIN\n", f"{_MARK}-JUNIT-END"
    begin, end = text.find(start), text.find(stop)
    if begin < 0 or end < begin:
        return None, text
    junit = text[begin + len(start) : end]
    rest = text[:begin] + text[end + len(stop) :].lstrip("\n")
    return junit, rest


def _whole_command(command: str, result: ExecResult, output: str, cwd: str, files: set[str]):
    why = "timed out" if result.timed_out else f"exit code {result.exit_code}"
    return TestOutcome(
        id="<command>",
        outcome="failed",
        message=f"{command}: {why}",
        details=output[-4000:],
        frames=repo_frames(output, cwd, files),
    )


def _parse_junit(junit: str, cwd: str, files: set[str]) -> tuple[TestOutcome, ...]:
    try:
        root = ET.fromstring(junit.strip())
    except ET.ParseError:
        return ()
    outcomes = []
    for case in root.iter("testcase"):
        outcome: Outcome = "passed"
        message = details = ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = (child.get("message") or "").strip()
                details = (child.text or "").strip()
                break
        frames = repo_frames(details, cwd, files) if outcome in ("failed", "error") else ()
        outcomes.append(
            TestOutcome(
                id=_node_id(case), outcome=outcome, message=message[:500],
                details=details[-6000:], frames=frames,
            )
        )
    return tuple(outcomes)


def _node_id(case: ET.Element) -> str:
    classname = case.get("classname") or ""
    name = case.get("name") or ""
    file = case.get("file")
    if not classname:  # a collection error: the module itself
        return file or name
    if not file:
        return f"{classname}::{name}" if classname else name
    module = file[:-3].replace("/", ".") if file.endswith(".py") else file
    rest = classname[len(module) + 1 :] if classname.startswith(module + ".") else ""
    parts = [file, *(rest.split(".") if rest else []), name]
    return "::".join(p for p in parts if p)


def repo_frames(text: str, cwd: str, files: set[str]) -> tuple[tuple[str, int], ...]:
    """``(path, line)`` of every traceback frame in a repository file, outermost first."""
    frames = []
    for match in _FRAME.finditer(text):
        path = _relative(match.group(1) or match.group(3), cwd, files)
        if path is not None:
            frames.append((path, int(match.group(2) or match.group(4))))
    return tuple(frames)


def _relative(path: str, cwd: str, files: set[str]) -> Optional[str]:
    if cwd and path.startswith(cwd.rstrip("/") + "/"):
        path = path[len(cwd.rstrip("/")) + 1 :]
    return path if path in files else None
