"""Job folders in, results out: what both back ends share with ``sandbox/runner.py``."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict

from archon_code.errors import SandboxError
from archon_code.sandbox.config import Job, Run
from archon_code.types import ExecResult

__all__ = ["JobResult", "parse_records", "write_job_dir"]

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

    @property
    def compiled(self) -> bool:
        return self.compile is None or self.compile.exit_code == 0


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o644)


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
    if files_dir is not None:
        shutil.copytree(files_dir, files, symlinks=False, ignore_dangling_symlinks=True)
    files.mkdir(exist_ok=True)
    for name, data in job.files.items():
        _write(files / _safe(name), data)
    for name, data in job.inputs.items():
        _write(folder / "in" / _safe(name), data)
    spec = {
        "work_dir": work_dir,
        "out_dir": out_dir,
        "wipe": wipe,
        "contained": contained,
        "compile": _run_spec(job.compile) if job.compile else None,
        "runs": [_run_spec(r) for r in job.runs],
        "stop_on_failure": job.stop_on_failure,
    }
    _write(folder / "job.json", json.dumps(spec).encode())
    for root, dirs, _ in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    folder.chmod(0o755)


def _run_spec(run: Run) -> dict:
    spec = run.model_dump()
    spec["cmd"] = list(run.cmd)
    if run.stdin:
        spec["stdin"] = "in/" + _safe(run.stdin)
    return spec


def _decode(text: str) -> str:
    return base64.b64decode(text).decode("utf-8", errors="replace") if text else ""


def _exec_result(rec: dict, run: Run) -> ExecResult:
    sig = rec.get("signal")
    timed_out = bool(rec.get("wall_timeout")) or sig == 24 or rec.get("cpu_s", 0.0) > run.cpu_s  # 24 = SIGXCPU
    return ExecResult(
        exit_code=rec.get("exit_code"),
        signal=sig,
        stdout=_decode(rec.get("stdout", "")),
        stderr=_decode(rec.get("stderr", "")),
        cpu_s=float(rec.get("cpu_s", 0.0)),
        wall_s=float(rec.get("wall_s", 0.0)),
        memory_kb=int(rec.get("memory_kb", 0)),
        timed_out=timed_out,
        output_limit=sig == 25 or bool(rec.get("output_full")),  # 25 = SIGXFSZ
        memory_limit=bool(rec.get("oom_killed")) or int(rec.get("memory_kb", 0)) > run.memory_mb * 1024,
        stdout_truncated=bool(rec.get("stdout_truncated")),
    )


def parse_records(stdout: bytes, nonce: str, job: Job, *, runner_status: Optional[int],
                  runner_stderr: bytes, watchdog: bool) -> JobResult:
    """Turn the runner's nonce-prefixed JSON lines into a JobResult.

    A runner that crashed on its own (a traceback, not a signal) is an infrastructure fault.
    A runner the candidate killed, or a watchdog kill, ends the job early: the run in
    progress becomes a runtime error or a time-out for the judge to report.
    """
    records, done = [], False
    prefix = nonce + " "
    for line in stdout.decode("utf-8", errors="replace").splitlines():
        if line.startswith(prefix):
            rec = json.loads(line[len(prefix):])
            if rec.get("step") == "error":
                raise SandboxError(f"sandbox runner failed: {rec.get('message', 'unknown error')}")
            done = done or rec.get("step") == "done"
            records.append(rec)
    if not done and not watchdog and runner_status not in _KILLED_STATUSES:
        tail = runner_stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:] or [f"exit {runner_status}"]
        raise SandboxError(f"sandbox runner failed: {tail[0]}")
    compile_result, runs = None, []
    for rec in records:
        if rec["step"] == "compile":
            compile_result = _exec_result(rec, job.compile)
        elif rec["step"] == "run":
            runs.append(_exec_result(rec, job.runs[rec["index"]]))
    return JobResult(compile=compile_result, runs=tuple(runs), complete=done, watchdog=watchdog)
