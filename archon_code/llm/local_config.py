"""Settings of the embedded llama.cpp server, with their environment variables.

Defaults were chosen with ``bench/llm_throughput.py`` on the 2-core box (figures in
docs/models.md).
"""

from __future__ import annotations

import os
import time
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from archon_code.errors import ConfigError

__all__ = ["DEFAULT_SLOTS", "MAX_SLOTS", "LocalServerConfig", "default_slots", "default_threads", "for_workers",
           "slots_for"]


class LocalServerConfig(BaseModel):
    """How the embedded llama.cpp server runs (defaults measured with ``bench/llm_throughput.py``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ctx_per_slot: int = Field(4096, ge=512)
    """Context tokens (prompt + answer) available to each parallel request."""
    parallel: int = Field(default_factory=lambda: default_slots(), ge=1)
    """Requests the server decodes at once in one batch (slots; default :func:`default_slots`)."""
    threads: Optional[int] = Field(default_factory=lambda: _env_threads(), ge=1)
    """CPU threads for decoding and prompt processing; None (the default without
    ``$ARCHON_CODE_LOCAL_THREADS``): decided by :func:`default_threads` where and when the server
    starts (:attr:`n_threads`).

    Decision: open until :func:`for_workers` sizes a client (solve, bench, each Ray node), so
    that configurations made elsewhere never sample the CPU and a Ray node decides from its
    own load, not the driver's."""
    seed: int = Field(1234, ge=0)
    """Server default sampling seed (requests also send their own seed)."""
    draft: Optional[str] = Field(default_factory=lambda: _env_draft())
    """Draft model for speculative decoding (``qwen2.5-coder-0.5b`` or a GGUF path); None: off."""
    draft_max: int = Field(16, ge=1)
    """Most tokens the draft model proposes per step."""
    ngram: bool = Field(default_factory=lambda: _env_flag("ARCHON_CODE_LOCAL_NGRAM", False))
    """N-gram (prompt lookup) speculation: propose continuations copied from the context."""
    batch: bool = Field(default_factory=lambda: _env_flag("ARCHON_CODE_LOCAL_BATCH", True))
    """Send concurrent samples of one prompt as one request (prompt processed once, one batch)."""
    cache_reuse: int = Field(256, ge=0)
    """Reuse cached prompt chunks at least this long after a shift (``n_cache_reuse``; 0: off)."""
    repack: bool = Field(default_factory=lambda: _env_flag("ARCHON_CODE_LOCAL_REPACK", True))
    """Let llama.cpp repack weight matrices into its interleaved CPU layouts (its "extra buffer
    types", llama.cpp's default); False: plain layouts (``no_extra_bufts``).

    Decision: on. Measured interleaved on the AVX2-only host with ``-q8`` (docs/models.md,
    "Repacking"): plain layouts process a prompt 16% faster (54.8 against 47.2 tokens/s) but
    decode 4 samples 14% slower (19.6 s against 17.2 s), a wash for ``full``."""

    @property
    def n_threads(self) -> int:
        """The threads the server uses: :attr:`threads`, else :func:`default_threads` (decided
        once per process, so every report of this process names what its server runs)."""
        return self.threads if self.threads is not None else default_threads()

    @property
    def speculative(self) -> str:
        """``none``, ``draft:<model>`` or ``ngram`` (what the server speculates with)."""
        if self.draft:
            return f"draft:{self.draft}"
        return "ngram" if self.ngram else "none"


DEFAULT_SLOTS = 4
"""Slots when nothing says otherwise: the largest layer of the shipped presets asks 4 at once."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name}={raw!r}: expected a whole number >= 1")
    return int(raw)


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"{name}={raw!r}: expected 1 or 0")
    return raw in ("1", "true", "yes", "on")


def _env_threads() -> Optional[int]:
    if not os.environ.get("ARCHON_CODE_LOCAL_THREADS"):
        return None
    return _env_int("ARCHON_CODE_LOCAL_THREADS", 1)


def _env_draft() -> Optional[str]:
    raw = os.environ.get("ARCHON_CODE_LOCAL_DRAFT", "").strip()
    return None if raw.lower() in ("", "none", "0", "off") else raw


def default_slots() -> int:
    """``$ARCHON_CODE_LOCAL_SLOTS``, else :data:`DEFAULT_SLOTS` (callers that know their
    concurrency, e.g. ``bench --workers``, pass ``parallel`` themselves: :func:`slots_for`)."""
    return _env_int("ARCHON_CODE_LOCAL_SLOTS", DEFAULT_SLOTS)


MAX_SLOTS = 16
"""Most slots sized automatically (KV cache: 16 x 4096 tokens of the 1.5B model is ~1.8 GB)."""


def slots_for(requests: int) -> int:
    """Slots for a caller that makes at most ``requests`` model calls at once.

    ``$ARCHON_CODE_LOCAL_SLOTS`` wins; otherwise ``requests`` within 1..:data:`MAX_SLOTS`.
    """
    if os.environ.get("ARCHON_CODE_LOCAL_SLOTS"):
        return default_slots()
    return max(1, min(MAX_SLOTS, requests))


IDLE_CORES = 0.5
"""Cores in use (by every process together) below which the machine counts as idle."""
IDLE_LOAD = 1.0
"""Where /proc/stat is missing: the 1-minute load average below which the machine is idle."""
_IDLE: Optional[bool] = None
"""The process's decision, made once (its first embedded-model configuration)."""


def busy_cores(window_s: float = 0.25) -> Optional[float]:
    """Cores busy over the next ``window_s`` seconds, all processes together (from
    ``/proc/stat``); None where there is no ``/proc/stat``."""
    def times() -> list[int]:
        with open("/proc/stat") as stat:
            return [int(v) for v in stat.readline().split()[1:9]]  # user .. steal (guest is inside user)

    try:
        first = times()
        time.sleep(window_s)
        second = times()
    except (OSError, ValueError):
        return None
    total = sum(second) - sum(first)
    idle = (second[3] + second[4]) - (first[3] + first[4])  # idle + iowait
    return (total - idle) / total * (os.cpu_count() or 1) if total > 0 else 0.0


def machine_idle() -> bool:
    """Whether nothing else uses the CPU now: fewer than :data:`IDLE_CORES` busy over a quarter
    of a second (decided once per process).

    Decision: a short sample of what runs *now*, not the 1-minute load average, which still
    reads busy for minutes after a job ends (a bench started right after another one then ran
    its whole model on one thread, half the speed)."""
    global _IDLE
    if _IDLE is None:
        busy = busy_cores()
        if busy is not None:
            _IDLE = busy < IDLE_CORES
        else:
            try:
                _IDLE = os.getloadavg()[0] < IDLE_LOAD
            except OSError:
                _IDLE = False
    return _IDLE


def default_threads() -> int:
    """``$ARCHON_CODE_LOCAL_THREADS``; else every core on an idle machine
    (:func:`machine_idle`), all cores but one (at least 1) on a busy one.

    Measured on the 2-core box (docs/models.md): idle, 2 threads decode the 1.5B model at
    15-16 tokens/s against 9.4 with 1; while the sandbox or another process also uses the
    CPU, 2 threads fall to 0.6-4 tokens/s and 1 thread keeps 5-9, as llama.cpp's threads
    wait for each other whenever one is descheduled.
    """
    configured = _env_threads()
    if configured is not None:
        return configured
    cores = os.cpu_count() or 1
    return cores if machine_idle() else max(1, cores - 1)


def for_workers(config, workers: int, per_task: int = DEFAULT_SLOTS):
    """``config`` (an ``LLMClientConfig``) with slots and in-flight requests for ``workers``
    concurrent tasks of ``per_task`` requests each (``solve``: 1 task of its architecture's
    :func:`~archon_code.architecture.config.concurrent_requests`; ``bench --workers``: the largest of its
    architectures'; ``search``: :data:`DEFAULT_SLOTS`).

    ``$ARCHON_CODE_LOCAL_SLOTS`` wins; the client's ``max_concurrency`` is raised to the slots so
    that every sample of every task can be in flight (and batched) at once. Open threads are
    decided here (:attr:`LocalServerConfig.n_threads`): the callers size their client before
    they start the sandbox, whose container start-up would otherwise read as a busy machine.
    """
    slots = slots_for(per_task * max(1, workers))
    local = config.local.model_copy(update={"parallel": slots, "threads": config.local.n_threads})
    return config.model_copy(update={"local": local, "max_concurrency": max(config.max_concurrency, slots)})
