"""A real Ray cluster for tests: a head and worker nodes started with ``ray start`` inside a
network namespace this helper creates (only ``lo`` up), removed afterwards.

Outside a namespace Ray replaces 127.0.0.1 with the machine's interface address (and probes an
outside address to find it); inside, every node is 127.0.0.1 and nothing can leave. Docker is
still reached through its unix socket.

Decision: nodes are stopped by process id, never with ``ray stop`` (which kills every Ray
process of the machine by name, other people's too). Each ``ray start`` runs in a session of
its own, so its daemons share its process group; Ray's worker processes make groups of their
own, so they are found as descendants of those daemons before anything is killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "import sys; from archon_code.cli import main; sys.argv[0] = 'archon-code'; main()"


def unavailable_reason() -> Optional[str]:
    """None when this machine can run the cluster (root, ``ip netns``, ``ray``), else why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is missing"
    ray_cli = Path(sys.executable).with_name("ray")
    if not ray_cli.exists() and shutil.which("ray") is None:
        return "Ray is not installed (pip install 'archon-code[ray]')"
    return None


def _ray_cli() -> str:
    beside = Path(sys.executable).with_name("ray")
    return str(beside) if beside.exists() else str(shutil.which("ray"))


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, pgid) of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return table


def _group_and_descendants(pgid: int) -> list[int]:
    table = _proc_table()
    found = {pid for pid, (_, group) in table.items() if group == pgid}
    grew = True
    while grew:
        children = {pid for pid, (parent, _) in table.items() if parent in found} - found
        found |= children
        grew = bool(children)
    return sorted(found)


def kill_group(pgid: int) -> None:
    """SIGKILL a ``ray start`` process group and every descendant of it, by pid."""
    for pid in _group_and_descendants(pgid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class NetnsCluster:
    """``with NetnsCluster(workers=1) as cluster:`` a head (1 CPU) and ``workers`` nodes (1 CPU each)."""

    def __init__(self, workers: int = 1, *, cpus: int = 1, port: int = 6390, env: Optional[dict] = None):
        self.name = f"archon-ray-{uuid.uuid4().hex[:8]}"
        self.workers, self.cpus, self.port = workers, cpus, port
        self.address = f"127.0.0.1:{port}"
        self.groups: list[int] = []
        self.temp = Path(f"/tmp/ray-{self.name}")
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0",
                    # lose a killed node within seconds, not a minute
                    "RAY_health_check_period_ms": "1000", "RAY_health_check_timeout_ms": "1000",
                    "RAY_health_check_failure_threshold": "3", **(env or {})}

    def __enter__(self) -> "NetnsCluster":
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        try:
            self.netns("ip", "link", "set", "lo", "up", check=True)
            self._start("--head", f"--port={self.port}", "--include-dashboard=false", f"--temp-dir={self.temp}")
            for _ in range(self.workers):
                self.add_worker()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        for group in reversed(self.groups):
            kill_group(group)
        self.groups.clear()
        subprocess.run(["ip", "netns", "del", self.name], check=False, capture_output=True)
        shutil.rmtree(self.temp, ignore_errors=True)

    def _start(self, *args: str) -> int:
        command = ["ip", "netns", "exec", self.name, _ray_cli(), "start", f"--num-cpus={self.cpus}",
                   "--node-ip-address=127.0.0.1", "--disable-usage-stats", *args]
        process = subprocess.Popen(command, env=self.env, cwd=ROOT, start_new_session=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.groups.append(process.pid)
        output, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"ray start {' '.join(args)} failed:\n{output[-2000:]}")
        return process.pid

    def add_worker(self) -> int:
        """Start one more worker node; returns its process group (for :meth:`kill_node`)."""
        return self._start(f"--address={self.address}")

    def kill_node(self, group: int) -> None:
        """Kill one node (raylet, its daemons and its workers) with SIGKILL."""
        kill_group(group)

    def netns(self, *command: str, check: bool = False, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.name, *command], env=self.env, cwd=ROOT, check=check,
                              capture_output=True, text=True, timeout=timeout, **kwargs)

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """``archon-code ARGS`` run inside the namespace (so 127.0.0.1 is the cluster's)."""
        return self.netns(sys.executable, "-c", ENTRY, *args, timeout=timeout)

    def python(self, args: Sequence[str], **kwargs) -> subprocess.Popen:
        """A Python process inside the namespace, not waited for."""
        return subprocess.Popen(["ip", "netns", "exec", self.name, sys.executable, *args], env=self.env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for(predicate, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
