"""The driver side: connect to a Ray cluster, keep one :class:`NodeWorker` actor per node,
stream units through them and hand each result back exactly once.

Faults (decisions):
- a unit whose actor is lost (node killed, worker process killed, actor unavailable) is
  queued again and started on another (or the restarted) worker, up to
  ``RaySettings.max_attempts`` times; then it comes back as an ``infra`` :class:`UnitFailure`,
  which callers turn into an error record (never a wrong answer). A unit is yielded only
  when its result arrived, so nothing is lost and nothing is yielded twice;
- a unit that raised on the node (:class:`UnitFailure` ``infra``, or an exception Ray
  carried back) is retried the same way; ``config`` failures stop the run;
- nodes are looked for again every ``rescan_s`` seconds while a run goes on: a node that
  joined, or whose worker died while the node stayed up, gets a (new) worker. A node whose
  worker could not start or died ``max_attempts`` times is left alone for the rest of the run.
"""

from __future__ import annotations

import socket
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence

from archon_code.distributed.node import NodeWorker, UnitFailure, WorkerSettings, describe_failure
from archon_code.distributed.settings import RaySettings, import_ray
from archon_code.errors import ConfigError, SandboxError

__all__ = ["RayCluster"]

_START_TIMEOUT_S = 300.0
"""A worker that has not started (sandbox pool up) after this long is given up."""
_CLOSE_TIMEOUT_S = 60.0
"""How long the workers get to stop their sandbox pools at the end."""


Log = Callable[[str], None]
"""Told what the cluster does (nodes found, workers lost); the CLI prints it on stderr."""


def _quiet(message: str) -> None:
    """The default log: library code prints nothing."""


@dataclass
class _Worker:
    node_id: str
    handle: Any
    slots: int
    ready_ref: Any = None
    started: float = field(default_factory=time.monotonic)
    busy: int = 0
    ready: bool = False


def _ray_messages_to_stderr(ray: Any) -> None:
    """Ray's driver prints cluster events (a node marked dead, ...) on stdout, which carries
    the command's results (``--json``): send them to stderr. Ray has no switch for this, so
    its module function is wrapped; when the private name is gone, nothing is changed."""
    module = getattr(getattr(ray, "_private", None), "worker", None)
    original = getattr(module, "print_to_stdstream", None)
    if original is None or getattr(original, "_archon_stderr", False):
        return

    def to_stderr(data: dict, ignore_prefix: bool) -> None:
        original({**data, "is_err": True}, ignore_prefix)

    to_stderr._archon_stderr = True  # type: ignore[attr-defined]
    module.print_to_stdstream = to_stderr


def _probe(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast when nothing listens at a ``HOST:PORT`` address: Ray itself keeps retrying for
    minutes. ``auto``, ``local`` and ``ray://`` addresses are left to Ray."""
    host, sep, port = address.rpartition(":")
    if "://" in address or not sep or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ConfigError(f"option '--ray': cannot connect to {address!r}: {exc.strerror or exc}") from None


class RayCluster:
    """A context manager: connected to ``settings.address`` with a worker on every usable node.

    \b
    Example:
        with RayCluster(RaySettings(address="auto")) as cluster:
            for index, result in cluster.map("validate", [(problem, 1.0) for problem in problems]):
                ...
    """

    def __init__(self, settings: RaySettings, worker: Optional[WorkerSettings] = None, *,
                 log: Optional[Log] = None):
        self.settings = settings
        self.worker = worker or WorkerSettings()
        self.log = log or _quiet
        self.ray: Any = None
        self._workers: dict[str, _Worker] = {}
        self._deaths: Counter[str] = Counter()
        self._banned: set[str] = set()
        self._last_scan = 0.0

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> "RayCluster":
        self.ray = import_ray()
        _probe(self.settings.address)
        _ray_messages_to_stderr(self.ray)
        try:
            self.ray.init(address=self.settings.address, log_to_driver=False, logging_level="ERROR")
        except Exception as exc:  # noqa: BLE001 - any connection failure is one line
            raise ConfigError(f"option '--ray': cannot connect to {self.settings.address!r}: "
                              f"{describe_failure(exc)}") from None
        try:
            self._scan()
            self._wait_started()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        ray = self.ray
        closing = [w.handle.close.options(concurrency_group="control").remote()
                   for w in self._workers.values() if w.ready]
        if closing:  # after an error or Ctrl-C, do not wait long for tasks still running
            ray.wait(closing, num_returns=len(closing), timeout=_CLOSE_TIMEOUT_S if exc_info[0] is None else 10)
        for worker in self._workers.values():
            ray.kill(worker.handle, no_restart=True)
        self._workers.clear()
        ray.shutdown()

    @property
    def nodes(self) -> int:
        """Workers started and running."""
        return sum(w.ready for w in self._workers.values())

    @property
    def slots(self) -> int:
        return sum(w.slots for w in self._workers.values() if w.ready)

    def put(self, value: Any) -> Any:
        """Store ``value`` once in the cluster's object store (an ObjectRef to pass to units)."""
        return self.ray.put(value)

    # -- nodes and workers -------------------------------------------------------------------
    def _scan(self) -> None:
        """Start a worker on every alive node with CPUs for at least one task and none yet."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        self._last_scan = time.monotonic()
        per_task = self.settings.cpus_per_task
        remote = self.ray.remote(concurrency_groups={"control": 1})(NodeWorker)  # close() runs while slots are busy
        for node in self.ray.nodes():
            node_id, cpus = node["NodeID"], node.get("Resources", {}).get("CPU", 0.0)
            if not node.get("Alive") or node_id in self._workers or node_id in self._banned or cpus < per_task:
                continue
            slots = int(cpus // per_task)
            handle = remote.options(
                num_cpus=slots * per_task, max_concurrency=slots, max_restarts=0,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node_id, soft=False),
            ).remote(self.worker.model_copy(update={"slots": slots}), node_id)
            self._workers[node_id] = _Worker(node_id=node_id, handle=handle, slots=slots,
                                             ready_ref=handle.info.remote())

    def _wait_started(self) -> None:
        """Wait until every worker started or failed; at least one must be up."""
        while any(not w.ready for w in self._workers.values()):
            starting = {w.ready_ref: w for w in self._workers.values() if not w.ready}
            done = self._wait(list(starting))
            for ref in done:
                self._started(starting[ref], ref)
            self._expire_starting()
        if not self._workers:
            raise SandboxError(f"Ray cluster {self.settings.address!r}: no node could start a worker "
                               f"(each node needs {self.settings.cpus_per_task:g} free CPU, Docker and the sandbox image)")
        self.log(f"ray: {self.nodes} node(s), {self.slots} task slot(s)")

    def _started(self, worker: _Worker, ref: Any) -> None:
        try:
            self.ray.get(ref)
        except Exception as exc:  # noqa: BLE001 - the node cannot host a worker
            self.log(f"ray: node {worker.node_id[:12]} cannot start a worker: {describe_failure(exc)}")
            self._drop(worker.node_id, ban=True)
            return
        worker.ready = True

    def _expire_starting(self) -> None:
        for worker in list(self._workers.values()):
            if not worker.ready and time.monotonic() - worker.started > _START_TIMEOUT_S:
                self.log(f"ray: node {worker.node_id[:12]}: worker not started after {_START_TIMEOUT_S:.0f} s")
                self._drop(worker.node_id, ban=True)

    def _drop(self, node_id: str, *, ban: bool = False) -> None:
        worker = self._workers.pop(node_id, None)
        if worker is not None:
            self.ray.kill(worker.handle, no_restart=True)
        self._deaths[node_id] += 1
        if ban or self._deaths[node_id] >= self.settings.max_attempts:
            self._banned.add(node_id)

    # -- running units -----------------------------------------------------------------------
    def map(self, method: str, units: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        """Run ``NodeWorker.<method>(*unit)`` for every unit; yield ``(index, result)`` in the
        order they finish, each index exactly once (a lost unit after ``max_attempts`` starts
        yields an ``infra`` :class:`UnitFailure`). A ``config`` failure raises ConfigError."""
        queue, attempts = deque(range(len(units))), Counter()
        inflight: dict[Any, tuple[int, _Worker]] = {}
        while queue or inflight:
            if time.monotonic() - self._last_scan > self.settings.rescan_s:
                self._scan()
            self._dispatch(method, units, queue, inflight, attempts)
            starting = {w.ready_ref: w for w in self._workers.values() if not w.ready}
            if not inflight and not starting:
                if not self._workers:
                    raise SandboxError(f"Ray cluster {self.settings.address!r}: no node left to run on")
                continue
            done = self._wait([*inflight, *starting])
            for ref in done:
                if ref in starting:
                    self._started(starting[ref], ref)
                    continue
                index, worker = inflight.pop(ref)
                outcome = self._collect(ref, worker)
                if isinstance(outcome, UnitFailure) and outcome.kind == "config":
                    raise ConfigError(outcome.message)
                if isinstance(outcome, UnitFailure) and attempts[index] < self.settings.max_attempts:
                    queue.appendleft(index)
                    continue
                yield index, outcome
            self._expire_starting()

    def _wait(self, refs: list) -> list:
        """The refs of ``refs`` done within ``rescan_s``; a cluster that broke is a SandboxError."""
        try:
            done, _ = self.ray.wait(refs, num_returns=1, timeout=self.settings.rescan_s)
        except Exception as exc:  # noqa: BLE001 - the head or the connection went away
            raise SandboxError(f"Ray cluster {self.settings.address!r} failed: {describe_failure(exc)}") from None
        return done

    def _dispatch(self, method: str, units: Sequence[tuple], queue: deque, inflight: dict, attempts: Counter) -> None:
        for worker in list(self._workers.values()):
            while worker.ready and worker.busy < worker.slots and queue:
                index = queue.popleft()
                attempts[index] += 1
                worker.busy += 1
                inflight[getattr(worker.handle, method).remote(*units[index])] = (index, worker)

    def _collect(self, ref: Any, worker: _Worker) -> Any:
        """The unit's result, or a :class:`UnitFailure` when the worker was lost or Ray raised."""
        from ray.exceptions import RayTaskError

        worker.busy -= 1
        try:
            return self.ray.get(ref)
        except RayTaskError as exc:
            return UnitFailure(kind="infra", message=describe_failure(exc))
        except Exception as exc:  # noqa: BLE001 - actor died, node lost, object lost
            if self._workers.get(worker.node_id) is worker:  # not a newer worker on the same node
                self.log(f"ray: lost the worker on node {worker.node_id[:12]}: {describe_failure(exc)}; "
                         "its tasks run again")
                self._drop(worker.node_id)
            return UnitFailure(kind="infra", message=f"worker lost: {describe_failure(exc)}")
