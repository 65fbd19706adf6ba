"""The sandbox seam: hardened Docker containers that run untrusted programs."""

from archon_code.sandbox.config import Job, Run, SandboxConfig
from archon_code.sandbox.docker import DockerSandbox, connect, prune_containers
from archon_code.sandbox.image import build_image, build_image_offline, default_image_tag
from archon_code.sandbox.jobs import JobResult

__all__ = [
    "DockerSandbox",
    "Job",
    "JobResult",
    "Run",
    "SandboxConfig",
    "build_image",
    "build_image_offline",
    "connect",
    "default_image_tag",
    "prune_containers",
]
