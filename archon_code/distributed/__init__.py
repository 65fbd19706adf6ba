"""Scale-out on Ray: ``bench``, ``search`` and ``problems validate`` over a cluster.

Nothing here imports Ray at module level; :func:`ray_backend` does, when ``--ray`` is given.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Optional

from archon_code.distributed.cluster import Log, RayCluster
from archon_code.distributed.jobs import RayBackend
from archon_code.distributed.node import BenchSpec, NodeInfo, NodeWorker, UnitFailure, WorkerSettings
from archon_code.distributed.settings import RaySettings, import_ray
from archon_code.llm.local_config import DEFAULT_SLOTS

__all__ = ["BenchSpec", "NodeInfo", "NodeWorker", "RayBackend", "RayCluster", "RaySettings", "UnitFailure",
           "WorkerSettings", "import_ray", "ray_backend"]


@contextmanager
def ray_backend(address: str, *, cache: bool = True, llm_config: Any = None, requests_per_task: int = DEFAULT_SLOTS,
                worker: Optional[WorkerSettings] = None, log: Optional[Log] = None) -> Iterator[RayBackend]:
    """Connect to the cluster at ``address``, start a worker per node, yield the back end;
    ``log`` is told what the cluster does (the CLI prints it on stderr). ``requests_per_task``:
    model requests one task has in flight (sizes each node's embedded-model slots).

    \b
    Example:
        with ray_backend("auto") as backend:
            run(options, configs, out_dir, llm=None, judge=None, backend=backend)
    """
    settings = RaySettings.from_env(address)
    worker = (worker or WorkerSettings()).model_copy(
        update={"cache": cache, "llm_config": llm_config, "requests_per_task": requests_per_task})
    with RayCluster(settings, worker, log=log) as cluster:
        yield RayBackend(cluster)
