"""Sandbox settings and the job format shared by the Docker and local back ends."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["Job", "Run", "SandboxConfig"]


class SandboxConfig(BaseModel):
    """How sandbox containers are made. Every container gets the full hardening set; these
    are the sizes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    image: Optional[str] = None
    """Image tag; default ``archon-code-sandbox:<hash of sandbox/>`` (env ARCHON_CODE_SANDBOX_IMAGE)."""
    workers: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1, le=64)
    """Containers that run jobs concurrently (env ARCHON_CODE_WORKERS)."""
    cpus: float = Field(default=1.0, gt=0)
    """CPU quota of each container, in CPUs."""
    memory_mb: int = Field(default=1536, ge=128)
    """Memory cap of each container (no swap on top). Per-test limits are set inside."""
    pids_limit: int = Field(default=128, ge=16)
    """Most processes and threads alive at once in a container (stops fork bombs)."""
    work_mb: int = Field(default=320, ge=16)
    """Size of the tmpfs work directory (stops disk fills)."""
    tmp_mb: int = Field(default=64, ge=1)
    """Size of /tmp (a tmpfs too)."""
    inodes: int = Field(default=16384, ge=64)
    """Most files and folders in each writable place (/work, /tmp, /dev/shm): bounds what a
    program can leave for the cleanup to remove."""
    output_mb: int = Field(default=32, ge=1)
    """Most bytes one test may write to stdout or any file (more is OLE)."""
    compile_timeout_s: float = Field(default=60.0, gt=0)
    """Wall-time limit of a C++ compilation."""
    watchdog_margin_s: float = Field(default=15.0, gt=0)
    """Host-side slack over a job's summed limits before its container is killed."""

    @classmethod
    def from_env(cls, **overrides) -> "SandboxConfig":
        """Settings from ``ARCHON_CODE_WORKERS``, ``ARCHON_CODE_SANDBOX_IMAGE`` and
        ``ARCHON_CODE_SANDBOX_MEMORY_MB``; explicit (non-None) overrides win."""
        env = {"workers": "ARCHON_CODE_WORKERS", "image": "ARCHON_CODE_SANDBOX_IMAGE",
               "memory_mb": "ARCHON_CODE_SANDBOX_MEMORY_MB"}
        values = {key: os.environ[name] for key, name in env.items() if os.environ.get(name)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            from archon_code.errors import ConfigError
            from archon_code.validation import first_issue

            issue = first_issue(exc)
            raise ConfigError(f"sandbox setting {issue.field!r}: {issue.message}") from None


class Run(BaseModel):
    """One process to run inside the sandbox."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cmd: tuple[str, ...]
    """argv, run in the run's own folder (a fresh copy of the program's files)."""
    stdin: Optional[str] = None
    """Name of a job input fed on stdin (a regular file opened by the runner, not a pipe)."""
    inputs: tuple[str, ...] = ()
    """Names of job inputs copied into this run's folder (a checker's input, expected and
    actual output). No other run sees them: the job folder itself is the runner's only."""
    cpu_s: float = 2.0
    wall_s: float = 5.0
    memory_mb: int = 256
    output_bytes: int = 32 << 20
    return_bytes: int = 16 << 20
    stderr_bytes: int = 8192


class Job(BaseModel):
    """Files to place, an optional compile step and runs, executed in one container in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: dict[str, bytes] = {}
    """Copied to the program folder; each run starts in a fresh copy of it."""
    inputs: dict[str, bytes] = {}
    """Placed in the job folder, which only the runner reads (stdin files, checker inputs)."""
    input_files: dict[str, Path] = {}
    """Like ``inputs``, copied from files on the host (long outputs wait on disk, not in memory)."""
    compile: Optional[Run] = None
    runs: tuple[Run, ...] = ()
    stop_on_failure: bool = False
    own_files: bool = False
    """Give each run its files to change and delete (a project's test suite). Judging keeps
    them root's and read-only, so a candidate cannot alter or delete its own program."""

    def deadline_s(self, margin: float) -> float:
        total = sum(r.wall_s for r in self.runs) + (self.compile.wall_s if self.compile else 0.0)
        return total + margin + 0.05 * len(self.runs)
