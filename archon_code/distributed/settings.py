"""Settings of a Ray run and the one place Ray is imported.

Decision: Ray is an optional extra (``pip install 'archon-code[ray]'``). Nothing imports it
unless ``--ray`` (or ``ARCHON_CODE_RAY``) is given; then :func:`import_ray` does, and a
missing Ray is one :class:`~archon_code.errors.ConfigError` line naming the extra.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from archon_code.errors import ConfigError
from archon_code.validation import first_issue

__all__ = ["RaySettings", "import_ray"]

_ENV = {"cpus_per_task": "ARCHON_CODE_RAY_CPUS_PER_TASK", "max_attempts": "ARCHON_CODE_RAY_MAX_ATTEMPTS"}


def import_ray() -> Any:
    """The ``ray`` module, or a one-line error naming the extra that installs it."""
    try:
        import ray
    except ImportError:
        raise ConfigError("option '--ray' needs Ray: pip install 'archon-code[ray]'") from None
    return ray


class RaySettings(BaseModel):
    """Where the cluster is and what each task asks of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str = Field(min_length=1)
    """Cluster address as ``ray.init`` takes it: ``auto``, ``HOST:PORT`` or ``ray://HOST:10001``."""
    cpus_per_task: float = Field(default=1.0, gt=0)
    """CPUs one task holds (env ARCHON_CODE_RAY_CPUS_PER_TASK). A node runs
    ``floor(its CPUs / cpus_per_task)`` tasks at once, with one sandbox worker per task."""
    max_attempts: int = Field(default=3, ge=1)
    """Times a task is started before it is given up as an infrastructure error, when the
    node running it is lost (env ARCHON_CODE_RAY_MAX_ATTEMPTS)."""
    rescan_s: float = Field(default=2.0, gt=0)
    """How often the driver looks for nodes that joined (or came back) to start a worker on."""

    @classmethod
    def from_env(cls, address: str, **overrides: Optional[float]) -> "RaySettings":
        """Settings for ``address`` from the ``ARCHON_CODE_RAY_*`` variables; non-None overrides win."""
        values: dict[str, Any] = {key: os.environ[name] for key, name in _ENV.items() if os.environ.get(name)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(address=address, **values)
        except ValidationError as exc:
            issue = first_issue(exc)
            raise ConfigError(f"Ray setting {issue.field!r}: {issue.message}") from None
