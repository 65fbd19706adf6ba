"""Job folders in, results out: what both back ends share with ``sandbox/runner.py``."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path
from typing import Callable, Optional

from pydantic import BaseModel, ConfigDict

from archon_code.errors import SandboxError
from archon_code.sandbox.config import Job, Run
from archon_code.types import ExecResult

__all__ = ["JobResult", "Keep", "RecordParser", "parse_records", "write_job_dir"]

# Exit status the runner itself has when a signal (e.g. the candidate's kill) ended it.
_KILLED_STATUSES = {137, -9, 143, -15}


class JobResult(BaseModel):
    """What came back from one job."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    compile: Optional[ExecResult] = None
    runs: tuple[ExecResult, ...] = ()
    complete: bool = True
    """False when the job ended early (compile error, stop_on_failure, runner killed, watchdog)."""
    watchdog: bool = False
    """The host-side watchdog killed the container."""
    clean: bool = True
    """The runner proved the container clean after every run; False: the host retires it."""
    dirt: tuple[str, ...] = ()
    """What the runner found left behind, when not clean."""

    @property
    def compiled(self) -> bool:
        return self.compile is None or self.compile.exit_code == 0


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o644)


def _copy_regular_files(source: Path, target: Path) -> None:
    """Copy the regular files and folders under ``source``; symbolic links (to anywhere)
    and special files are never followed or copied, so nothing outside ``source`` is read."""
    for root, dirs, names in os.walk(source, followlinks=False):
        here = target / Path(root).relative_to(source)
        here.mkdir(exist_ok=True)
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        for name in names:
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            shutil.copyfile(path, here / name, follow_symlinks=False)
            (here / name).chmod(path.stat().st_mode & 0o755 | 0o600)


def _safe(name: str) -> str:
    if name.startswith("/") or ".." in Path(name).parts:
        raise SandboxError(f"job file name {name!r} must be relative and stay inside the job folder")
    return name


def write_job_dir(folder: Path, job: Job, *, work_dir: str, out_dir: str, wipe: list[str], contained: bool,
                  files_dir: Optional[Path] = None) -> None:
    """Empty ``folder`` and lay out the job: job.json, files/, inputs at the top."""
    for item in folder.iterdir():
        shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
    files = folder / "files"
    files.mkdir()
    if files_dir is not None:
        _copy_regular_files(Path(files_dir), files)
    for name, data in job.files.items():
        _write(files / _safe(name), data)
    for name, data in job.inputs.items():
        _write(folder / "in" / _safe(name), data)
    for name, source in job.input_files.items():
        target = folder / "in" / _safe(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:  # a second name, not a second copy: a candidate's spooled outputs (up to 32 MiB
            os.link(source, target)  # a test) would otherwise sit on the host's disk twice
        except OSError:
            shutil.copyfile(source, target)
    spec = {
        "work_dir": work_dir,
        "out_dir": out_dir,
        "wipe": wipe,
        "contained": contained,
        "compile": _run_spec(job.compile) if job.compile else None,
        "runs": [_run_spec(r) for r in job.runs],
        "stop_on_failure": job.stop_on_failure,
        "own_files": job.own_files,
    }
    _write(folder / "job.json", json.dumps(spec).encode())
    # Only the runner (root in the container) reads the job folder: a program never sees
    # another test's input, a checker's expected output or the job's plan.
    folder.chmod(0o700)


def _run_spec(run: Run) -> dict:
    spec = run.model_dump()
    spec["cmd"] = list(run.cmd)
    if run.stdin:
        spec["stdin"] = "in/" + _safe(run.stdin)
    spec["inputs"] = ["in/" + _safe(name) for name in run.inputs]
    return spec


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace") if data else ""


def _exec_result(rec: dict, run: Run, stdout: bytes, stderr: bytes) -> ExecResult:
    sig = rec.get("signal")
    timed_out = (bool(rec.get("wall_timeout")) or bool(rec.get("cpu_timeout")) or sig == 24  # 24 = SIGXCPU
                 or rec.get("cpu_s", 0.0) > run.cpu_s)
    return ExecResult(
        exit_code=rec.get("exit_code"),
        signal=sig,
        stdout=_decode(stdout),
        stderr=_decode(stderr),
        cpu_s=float(rec.get("cpu_s", 0.0)),
        wall_s=float(rec.get("wall_s", 0.0)),
        memory_kb=int(rec.get("memory_kb", 0)),
        timed_out=timed_out,
        output_limit=sig == 25 or bool(rec.get("output_full")),  # 25 = SIGXFSZ
        memory_limit=bool(rec.get("oom_killed")) or (run.memory_mb > 0
                                                     and int(rec.get("memory_kb", 0)) > run.memory_mb * 1024),
        stdout_truncated=bool(rec.get("stdout_truncated")),
    )


Keep = Callable[[int, ExecResult], ExecResult]
"""Called with each run's result as it arrives; what it returns is what the JobResult keeps
(the judge compares a long output right away and keeps only its beginning)."""


class RecordParser:
    """Consumes the runner's nonce-prefixed JSON lines one at a time.

    At most one run's output is held at once: chunks of a long output are joined as they
    arrive, turned into an ExecResult when the run's record comes, and handed to ``keep``.

    A runner that crashed on its own (a traceback, not a signal) is an infrastructure fault.
    A runner the candidate killed, or a watchdog kill, ends the job early: the run in
    progress becomes a runtime error or a time-out for the judge to report.
    """

    def __init__(self, nonce: str, job: Job, keep: Optional[Keep] = None):
        self.prefix, self.job, self.keep = nonce.encode() + b" ", job, keep
        self.compile: Optional[ExecResult] = None
        self.runs: list[ExecResult] = []
        self.chunks: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
        self.done = False
        self.dirt: list[str] = []

    def feed(self, line: bytes) -> bool:
        """Take one line; True once the job has finished (done or error)."""
        if not line.startswith(self.prefix):
            return False
        rec = json.loads(line[len(self.prefix):])
        step = rec.get("step")
        if step == "error":
            raise SandboxError(f"sandbox runner failed: {rec.get('message', 'unknown error')}")
        if step == "chunk":
            self.chunks[rec["stream"]].append(base64.b64decode(rec["data"]))
        elif step in ("compile", "run"):
            self._result(step, rec)
        elif step == "dirty":
            self.dirt += rec.get("dirt", [])
        elif step == "done":
            self.done = True
        return step == "done"

    def _result(self, step: str, rec: dict) -> None:
        # One join per output (a growing buffer would be reallocated ~30 times and fragment
        # the heap: the judging process then keeps memory it no longer uses).
        stdout = b"".join(self.chunks["stdout"] + [base64.b64decode(rec.get("stdout", ""))])
        stderr = b"".join(self.chunks["stderr"] + [base64.b64decode(rec.get("stderr", ""))])
        self.chunks = {"stdout": [], "stderr": []}
        if not rec.get("clean", True):
            self.dirt += rec.get("dirt", []) or ["unclean"]
        if step == "compile":
            self.compile = _exec_result(rec, self.job.compile, stdout, stderr)
            return
        index = rec["index"]
        result = _exec_result(rec, self.job.runs[index], stdout, stderr)
        del stdout, stderr
        self.runs.append(self.keep(index, result) if self.keep else result)

    def result(self, *, runner_status: Optional[int], runner_stderr: bytes, watchdog: bool) -> JobResult:
        if not self.done and not watchdog and not self.dirt and runner_status not in _KILLED_STATUSES:
            tail = runner_stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:] or [f"exit {runner_status}"]
            raise SandboxError(f"sandbox runner failed: {tail[0]}")
        if self.dirt and not self.runs and self.compile is None:
            raise SandboxError(f"sandbox container was not clean before the job: {'; '.join(self.dirt)}")
        return JobResult(compile=self.compile, runs=tuple(self.runs), complete=self.done and not self.dirt,
                         watchdog=watchdog, clean=not self.dirt, dirt=tuple(self.dirt))


def parse_records(stdout: bytes, nonce: str, job: Job, *, runner_status: Optional[int],
                  runner_stderr: bytes, watchdog: bool) -> JobResult:
    """Parse a whole job's output at once (tests and the bare runner)."""
    parser = RecordParser(nonce, job)
    for line in stdout.splitlines():
        if parser.feed(line):
            break
    return parser.result(runner_status=runner_status, runner_stderr=runner_stderr, watchdog=watchdog)
