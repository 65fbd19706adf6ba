"""The sandbox seam: one :class:`Sandbox` interface, hardened Docker containers (and an unsafe
local baseline) behind it, opened with :func:`open_sandbox`."""

from archon_code.sandbox.base import Sandbox, open_sandbox
from archon_code.sandbox.config import Job, Run, SandboxConfig
from archon_code.sandbox.docker import DockerSandbox, connect, prune_containers
from archon_code.sandbox.image import build_image, build_image_offline, default_image_tag
from archon_code.sandbox.jobs import JobResult

__all__ = [
    "DockerSandbox",
    "Job",
    "JobResult",
    "Run",
    "Sandbox",
    "SandboxConfig",
    "build_image",
    "build_image_offline",
    "connect",
    "default_image_tag",
    "open_sandbox",
    "prune_containers",
]
