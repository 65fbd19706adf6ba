"""Stopping on SIGINT / SIGTERM: the first signal stops the run, a second exits at once.

Decision: signals are process-wide, so this is the one module-level state of the package.
The CLI calls :func:`install`; the first signal sets the stop flag (model calls in flight
and the next sandbox batch see it within a tenth of a second and raise :class:`Interrupted`)
and raises :class:`Interrupted` in the main thread, which unwinds through every ``with``
(sandbox containers removed, traces closed). :func:`finish` then says what each command kept
(its :func:`on_stop` lines), removes any container still labelled with this process and
exits 130. When unwinding takes longer than ``grace_s`` a timer does the same and exits
anyway; a second signal exits immediately (leftover containers are pruned at the next start).

\b
Example (a command):
    interrupts.on_stop(lambda: f"kept {store.count()} finished records in {path}")
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Callable

__all__ = ["Interrupted", "check", "finish", "install", "on_stop", "request_stop", "sleep", "stop_requested"]

_STOP = threading.Event()
_KEPT: list[Callable[[], str]] = []
_FINISH = threading.Lock()
EXIT_CODE = 130


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop (SIGINT or SIGTERM). Never recorded as a result."""


def stop_requested() -> bool:
    return _STOP.is_set()


def request_stop() -> None:
    """Ask every part of the run to stop (what the first signal does, without raising)."""
    _STOP.set()


def check() -> None:
    """Raise :class:`Interrupted` when a stop was requested."""
    if _STOP.is_set():
        raise Interrupted()


def sleep(seconds: float) -> None:
    """``time.sleep`` that raises :class:`Interrupted` as soon as a stop is requested."""
    if _STOP.wait(max(0.0, seconds)):
        raise Interrupted()


def on_stop(kept: Callable[[], str]) -> None:
    """Register a line saying what the command keeps; printed once when it is interrupted."""
    _KEPT.append(kept)


def _say(line: str) -> None:
    try:
        os.write(2, (line.rstrip("\n") + "\n").encode("utf-8", "replace"))
    except OSError:
        pass


def _handler(signum: int, frame) -> None:
    name = signal.Signals(signum).name
    if _STOP.is_set():
        _say(f"archon-code: {name} again: exiting now")
        os._exit(EXIT_CODE)
    _STOP.set()
    _say(f"archon-code: {name}: stopping (Ctrl-C again exits at once)")
    timer = threading.Timer(_GRACE[0], finish)
    timer.daemon = True
    timer.start()
    raise Interrupted()


_GRACE = [4.0]


def install(grace_s: float = 4.0) -> Callable[[], None]:
    """Handle SIGINT and SIGTERM as above, from a clean state; returns what restores the
    previous handlers (the CLI calls it when the command returns, so in-process runs in
    tests leave the test runner's own handlers in place). Outside the main thread: nothing."""
    _GRACE[0] = grace_s
    _STOP.clear()
    _KEPT.clear()
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.signal(sig, _handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


_REAPER = """
import os, sys, time
pid, label = int(sys.argv[1]), sys.argv[2]
deadline = time.time() + 30
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    time.sleep(0.05)
import docker
client = docker.from_env(timeout=30)
for container in client.containers.list(all=True, filters={"label": label}, ignore_removed=True):
    try:
        container.remove(force=True)
    except Exception:
        pass
"""


def _owned(client, label: str) -> list:
    try:
        return client.containers.list(all=True, filters={"label": label}, ignore_removed=True)
    except Exception:  # noqa: BLE001 - the engine went away: nothing more to remove
        return []


def _remove_own_containers() -> None:
    """Remove sandbox containers labelled with this process (only when the sandbox was used).

    Worker threads may still be replacing a container they saw die, so removal repeats until
    nothing is listed twice in a row (at most ~3 s), and a detached reaper removes whatever a
    thread created in the last instant, once this process is gone."""
    if "archon_code.sandbox.docker" not in sys.modules:
        return
    try:
        from archon_code.sandbox.docker import OWNER_LABEL, connect, owner_label

        label = f"{OWNER_LABEL}={owner_label()}"
        client = connect(timeout=10)
    except Exception:  # noqa: BLE001 - no engine: nothing of ours can be running
        return
    try:
        subprocess.Popen([sys.executable, "-c", _REAPER, str(os.getpid()), label], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        pass
    removed, empty, deadline = set(), 0, time.monotonic() + 3.0
    while empty < 2 and time.monotonic() < deadline:
        containers = _owned(client, label)
        empty = empty + 1 if not containers else 0
        threads = [threading.Thread(target=_remove, args=(c,), daemon=True) for c in containers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        removed.update(c.id for c in containers)
        time.sleep(0.2)
    if removed:
        _say(f"archon-code: removed {len(removed)} sandbox container(s)")


def _remove(container) -> None:
    try:
        container.remove(force=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


def finish() -> None:
    """Say what was kept, remove this process's containers and exit 130 (once)."""
    if not _FINISH.acquire(blocking=False):
        return
    for kept in _KEPT:
        try:
            _say(f"archon-code: interrupted: {kept()}")
        except Exception:  # noqa: BLE001 - a report must not stop the exit
            pass
    _remove_own_containers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(EXIT_CODE)
