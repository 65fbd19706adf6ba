"""The one sandbox interface: what the judge, validation, bench and suggest need of a sandbox.

Two back ends implement it: :class:`~archon_code.sandbox.docker.DockerSandbox` (the hardened
containers every command uses) and :class:`~archon_code.sandbox.local.LocalProcessRunner`
(the same runner as a plain host process; a measuring baseline, not a security boundary).
A sandbox is a context manager: ``start`` on entry, ``close`` (every container and process
removed) on exit.

\b
    with open_sandbox(workers=4) as sandbox:      # settings from ARCHON_CODE_* variables
        result = sandbox.run_job(job)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Literal, Optional

from archon_code.sandbox.config import Job, Run, SandboxConfig
from archon_code.sandbox.jobs import JobResult, Keep
from archon_code.types import ExecResult

__all__ = ["Backend", "Sandbox", "open_sandbox"]

Backend = Literal["docker", "local"]


class Sandbox(ABC):
    """Runs jobs (files, an optional compile step, runs) and reports what happened."""

    def __init__(self, config: Optional[SandboxConfig] = None):
        self.config = config if config is not None else SandboxConfig.from_env()

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def workers(self) -> int:
        """Jobs that run at once."""
        return self.config.workers

    @abstractmethod
    def start(self) -> None:
        """Make the sandbox ready (a :class:`~archon_code.errors.SandboxUnavailableError` if it cannot be)."""

    @abstractmethod
    def close(self) -> None:
        """Remove everything the sandbox made; safe to call twice."""

    @abstractmethod
    def run_job(self, job: Job, files_dir: Optional[Path] = None, keep: Optional[Keep] = None) -> JobResult:
        """Run ``job`` (``files_dir``: a host folder copied in as the program's files)."""

    def run_project(self, path: Path, command: str, timeout_s: float = 600.0,
                    memory_mb: Optional[int] = None) -> ExecResult:
        """Run a shell command in a fresh copy of the folder ``path`` (network off)."""
        memory = memory_mb or max(256, self.config.memory_mb - 256)
        run = Run(cmd=("sh", "-c", command), cpu_s=timeout_s, wall_s=timeout_s, memory_mb=memory,
                  return_bytes=4 << 20, stderr_bytes=1 << 20)
        result = self.run_job(Job(runs=(run,), own_files=True), files_dir=Path(path))
        if not result.runs:
            return ExecResult(exit_code=None, signal=9, timed_out=result.watchdog, stderr="the sandbox runner was killed")
        return result.runs[0]


def open_sandbox(backend: Backend = "docker", **overrides) -> Sandbox:
    """A sandbox (not yet entered) configured from ``ARCHON_CODE_WORKERS``,
    ``ARCHON_CODE_SANDBOX_IMAGE`` and ``ARCHON_CODE_SANDBOX_MEMORY_MB``; non-None ``overrides``
    (``workers=4``, ``image=...``) win. ``backend="local"`` is the unsafe measuring baseline."""
    config = SandboxConfig.from_env(**overrides)
    if backend == "local":
        from archon_code.sandbox.local import LocalProcessRunner

        return LocalProcessRunner(config)
    from archon_code.sandbox.docker import DockerSandbox

    return DockerSandbox(config)
