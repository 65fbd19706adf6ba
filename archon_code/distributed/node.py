"""The per-node worker: one Ray actor on each node owns that node's sandbox pool and LLM client.

Decision: an actor per node, not a container per task. The actor enters one
:class:`~archon_code.sandbox.DockerSandbox` (``slots`` pooled containers on the node's own
Docker engine) when it starts and one LLM client on first use (so the embedded model is
started once per node, in this process); the driver keeps ``slots`` tasks in flight on it
(a threaded actor). It never writes results: it returns them, and the driver stores them.

This module does not import Ray: the driver wraps :class:`NodeWorker` with ``ray.remote``.
"""

from __future__ import annotations

import os
import socket
import traceback
from contextlib import ExitStack
from typing import Any, Callable, Literal, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict

from archon_code.bench.store import BenchRecord
from archon_code.errors import ConfigError
from archon_code.llm.local_config import DEFAULT_SLOTS
from archon_code.problems.validate import ProblemReport
from archon_code.types import Problem

__all__ = ["BenchSpec", "NodeInfo", "NodeWorker", "UnitFailure", "WorkerSettings"]

LLMFactory = Callable[[], Any]


class WorkerSettings(BaseModel):
    """How a node worker is built."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    slots: int = 1
    """Tasks run at once on the node, and sandbox containers in its pool."""
    cache: bool = True
    """Use the node's LLM answer cache and execution cache (``ARCHON_CODE_CACHE_DIR`` of that node)."""
    llm_config: Any = None
    """The :class:`~archon_code.llm.client.LLMClientConfig` of the command (endpoint, key env,
    timeout, retries); None: the defaults."""
    requests_per_task: int = DEFAULT_SLOTS
    """Model requests one task has in flight at once (the bench's largest architecture's
    :func:`~archon_code.architecture.config.concurrent_requests`): the node's embedded model gets
    ``slots`` times this many server slots, as a local ``bench --workers`` does."""
    llm_factory: Optional[LLMFactory] = None
    """Builds the node's LLM (None: the real :class:`~archon_code.llm.client.LLMClient`). For
    the test suite's scripted stand-in only; no command line option reaches it."""

    def client_config(self) -> Any:
        """The node's :class:`~archon_code.llm.client.LLMClientConfig`: the command's, with
        embedded-model slots (and requests in flight) for ``slots`` tasks of ``requests_per_task``."""
        from archon_code.llm.client import LLMClientConfig
        from archon_code.llm.local_config import for_workers

        return for_workers(self.llm_config or LLMClientConfig(), self.slots, self.requests_per_task)


class BenchSpec(BaseModel):
    """What a bench task needs besides (arch, problem, sample): sent once per bench."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    configs: Mapping[str, Any]
    """Architecture label -> parsed architecture config."""
    model: Optional[str] = None
    lang: Literal["py", "cpp"] = "py"
    budget: Any = None
    tests: Literal["hidden", "all"] = "hidden"


class UnitFailure(BaseModel):
    """A unit that raised instead of returning: ``config`` stops the run, ``infra`` is retried."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["config", "infra"]
    message: str
    """One line: exception type and message."""


class NodeInfo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    node_id: str
    host: str
    pid: int
    slots: int


BenchResult = Union[BenchRecord, UnitFailure]
ValidateResult = Union[ProblemReport, UnitFailure]


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:500]


class NodeWorker:
    """The actor body: ``bench`` and ``validate`` run one unit each; ``close`` frees the node."""

    def __init__(self, settings: WorkerSettings, node_id: str = ""):
        from archon_code.sandbox import open_sandbox

        self.settings = settings
        self.node_id = node_id
        self._stack = ExitStack()
        self.sandbox = self._stack.enter_context(open_sandbox(workers=settings.slots))
        self._llm: Any = None

    def info(self) -> NodeInfo:
        return NodeInfo(node_id=self.node_id, host=socket.gethostname(), pid=os.getpid(), slots=self.settings.slots)

    def _client(self) -> Any:
        if self._llm is None:
            if self.settings.llm_factory is not None:
                self._llm = self.settings.llm_factory()
            else:
                from archon_code.llm.client import LLMClient

                self._llm = LLMClient(cache=self.settings.cache, config=self.settings.client_config())
        return self._llm

    def bench(self, spec: BenchSpec, arch: str, problem: Problem, sample: int) -> BenchResult:
        """One (arch, problem, sample) task, graded with the node's judge: the same
        :func:`~archon_code.bench.runner.run_task` a local bench runs."""
        from archon_code.bench.runner import BenchTask, architecture_solvers, run_task
        from archon_code.exec_cache import build_judge

        try:
            judge = build_judge(self.sandbox, cache=self.settings.cache)
            factory = architecture_solvers(spec.configs, self._client(), judge, model=spec.model, lang=spec.lang,
                                           budget=spec.budget)
            return run_task(BenchTask(arch, problem, sample), factory(arch, sample), judge, spec.tests)
        except ConfigError as exc:
            return UnitFailure(kind="config", message=str(exc))
        except Exception as exc:  # noqa: BLE001 - returned to the driver, retried there
            return UnitFailure(kind="infra", message=_one_line(exc))

    def validate(self, problem: Problem, time_scale: float) -> ValidateResult:
        """One problem's recorded solutions on all its tests (``problems validate``)."""
        from archon_code.judge import Judge
        from archon_code.problems.validate import validate_problem

        try:
            return validate_problem(Judge(self.sandbox, time_scale=time_scale), problem)
        except ConfigError as exc:
            return UnitFailure(kind="config", message=str(exc))
        except Exception as exc:  # noqa: BLE001 - returned to the driver, retried there
            return UnitFailure(kind="infra", message=_one_line(exc))

    def close(self) -> None:
        """Stop the node's sandbox pool (and embedded model servers started here)."""
        try:
            self._stack.close()
        finally:
            if self._llm is not None and self.settings.llm_factory is None:
                from archon_code.llm.local import shutdown_servers

                shutdown_servers()


def describe_failure(exc: BaseException) -> str:
    """One line for an exception raised by Ray itself (actor lost, task error)."""
    last = traceback.format_exception_only(type(exc), exc)[-1] if exc else ""
    return " ".join(last.split())[:500]
