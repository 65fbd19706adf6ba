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
from archon_code.sandbox.base import Sandbox
from archon_code.sandbox.config import Job, SandboxConfig
from archon_code.sandbox.jobs import JobResult, Keep, RecordParser, write_job_dir

__all__ = ["LocalProcessRunner"]


class LocalProcessRunner(Sandbox):
    """Runs jobs through the same runner server as the sandbox, as a plain host process per
    worker thread (unsafe; for benchmarks only)."""

    def __init__(self, config: Optional[SandboxConfig] = None):
        super().__init__(config)
        self._tmp: Optional[Path] = None
        self._local = threading.local()
        self._procs: list[subprocess.Popen] = []

    def start(self) -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix="archon-local-"))

    def close(self) -> None:
        procs, self._procs = self._procs, []
        for proc in procs:
            proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _server(self) -> subprocess.Popen:
        if not hasattr(self._local, "proc"):
            self._local.dir = Path(tempfile.mkdtemp(dir=self._tmp))
            self._local.proc = subprocess.Popen(
                [sys.executable, str(resource_dir("sandbox") / "runner.py"), "--serve"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
            )
            self._procs.append(self._local.proc)
        return self._local.proc

    def run_job(self, job: Job, files_dir: Optional[Path] = None, keep: Optional[Keep] = None) -> JobResult:
        proc = self._server()
        job_dir, work = self._local.dir / "job", self._local.dir / "work"
        job_dir.mkdir(exist_ok=True)
        work.mkdir(exist_ok=True)
        write_job_dir(job_dir, job, work_dir=str(work), out_dir=str(self._local.dir / "out"), wipe=[],
                      contained=False, files_dir=files_dir)
        nonce = secrets.token_hex(16)
        proc.stdin.write(f"{nonce} {job_dir}\n".encode())
        proc.stdin.flush()
        parser = RecordParser(nonce, job, keep)
        for line in proc.stdout:
            if parser.feed(line.rstrip(b"\n")):
                break
        return parser.result(runner_status=proc.poll(), runner_stderr=b"", watchdog=False)
