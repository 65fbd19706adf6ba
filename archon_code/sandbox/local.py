"""The bare baseline: the same runner and job format, run directly on the host.

NOT a security boundary: no container, no network cut, no read-only root. It exists to
measure what the hardening costs (``bench/throughput.py``) and is never chosen by the
judge or the pipeline.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Optional

from archon_code.resources import resource_dir
from archon_code.sandbox.config import Job, SandboxConfig
from archon_code.sandbox.jobs import JobResult, parse_records, write_job_dir

__all__ = ["LocalProcessRunner"]


class LocalProcessRunner:
    """Runs jobs as plain host subprocesses (unsafe; for benchmarks only)."""

    def __init__(self, config: Optional[SandboxConfig] = None):
        self.config = config or SandboxConfig()
        self._tmp: Optional[Path] = None
        self._local = threading.local()

    @property
    def workers(self) -> int:
        return self.config.workers

    def __enter__(self) -> "LocalProcessRunner":
        self._tmp = Path(tempfile.mkdtemp(prefix="archon-local-"))
        return self

    def __exit__(self, *exc) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def run_job(self, job: Job, files_dir: Optional[Path] = None) -> JobResult:
        if not hasattr(self._local, "dir"):
            self._local.dir = Path(tempfile.mkdtemp(dir=self._tmp))
        job_dir, work = self._local.dir / "job", self._local.dir / "work"
        job_dir.mkdir(exist_ok=True)
        work.mkdir(exist_ok=True)
        write_job_dir(job_dir, job, work_dir=str(work), out_dir=str(self._local.dir / "out"), wipe=[],
                      contained=False, files_dir=files_dir)
        nonce = secrets.token_hex(16)
        proc = subprocess.run(
            [sys.executable, str(resource_dir("sandbox") / "runner.py"), str(job_dir)],
            capture_output=True, env={"ARCHON_NONCE": nonce, "PATH": "/usr/local/bin:/usr/bin:/bin"},
        )
        return parse_records(proc.stdout, nonce, job, runner_status=proc.returncode,
                             runner_stderr=proc.stderr, watchdog=False)
