"""Architecture configs: ``{"name": ..., "layers": [[{"type": ..., ...}, ...], ...]}``.

JSON or YAML, in archon-code's own shape or Archon's (ScalingIntelligence/Archon configs:
``model_type``, ``max_context_length``, ``top_k_generations``, ``unit_test_evaluator``, ...).
Errors name the file, layer and component (1-based), field, value and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError

from archon_code.architecture.archon_compat import convert_archon, is_archon
from archon_code.components import component_class
from archon_code.components.base import ComponentConfig
from archon_code.errors import ConfigError
from archon_code.textio import read_config_file
from archon_code.validation import first_issue

__all__ = ["ArchitectureConfig", "concurrent_requests", "dump_architecture", "largest_concurrency", "parse_architecture",
           "read_config_file"]

_TOP_KEYS = {"name", "description", "layers"}
_ARCHON_TOP_KEYS = {"custom"}


class ArchitectureConfig(BaseModel):
    """An architecture: layers run in order, the components of a layer concurrently."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Name shown in reports and traces."""
    description: str = ""
    """One line about what the architecture does."""
    layers: tuple[tuple[SerializeAsAny[ComponentConfig], ...], ...]
    """Each layer is a list of component configs (each a subclass of ComponentConfig)."""
    warnings: tuple[str, ...] = Field(default=(), exclude=True)
    """What loading changed or ignored (Archon fields that mean nothing here, clamped values); not dumped."""


def _component(raw: Any, where: str) -> ComponentConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with a 'type', got {type(raw).__name__}")
    if "type" not in raw:
        raise ConfigError(f"{where}: field 'type': required")
    try:
        cls = component_class(str(raw["type"]))
    except ConfigError as exc:
        raise ConfigError(f"{where}: field 'type': {exc}") from None
    data = dict(raw)
    data["type"] = str(data["type"])
    config_class = cls.config_class
    try:
        return config_class.model_validate(data)
    except ValidationError as exc:
        allowed = [k for k in config_class.model_fields if k != "type"] or ["none"]
        raise ConfigError(f"{where} ({data['type']}): {first_issue(exc, allowed=allowed)}") from None


def parse_architecture(data: Any, source: str = "architecture") -> ArchitectureConfig:
    """Validate a loaded JSON/YAML value; ``source`` (a file name) starts every error message."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with 'name' and 'layers', got {type(data).__name__}")
    layers = data.get("layers")
    if not isinstance(layers, list) or not layers:
        raise ConfigError(f"{source}: field 'layers': must be a non-empty list of layers, got {layers!r}"[:300])
    archon = is_archon(layers)
    allowed = _TOP_KEYS | (_ARCHON_TOP_KEYS if archon else set())
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{source}: field {key!r}: not allowed; allowed fields: {', '.join(sorted(allowed))}")
    if data.get("custom"):
        raise ConfigError(f"{source}: field 'custom': custom Archon components are not supported; "
                          "name a component class by dotted path in 'type' instead")
    notes: tuple[str, ...] = ()
    if archon:
        data, notes = convert_archon(data, source)
        layers = data["layers"]
    parsed = []
    for li, layer in enumerate(layers, 1):
        if not isinstance(layer, list) or not layer:
            raise ConfigError(f"{source}: layer {li}: must be a non-empty list of components, got {layer!r}"[:300])
        parsed.append(tuple(_component(c, f"{source}: layer {li}, component {ci}")
                            for ci, c in enumerate(layer, 1)))
    if not any(c.type == "generator" for c in parsed[0]):
        raise ConfigError(f"{source}: layer 1: must contain a generator, got {[c.type for c in parsed[0]]}")
    name = data.get("name", Path(source).stem)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{source}: field 'name': must be a non-empty string, got {name!r}")
    return ArchitectureConfig(name=name, description=str(data.get("description", "")), layers=tuple(parsed),
                              warnings=notes)


def dump_architecture(config: ArchitectureConfig, *, defaults: bool = False) -> dict:
    """The config as a plain dict in archon-code's shape (non-default fields unless ``defaults``)."""
    layers = [[{"type": c.type, **c.model_dump(mode="json", exclude_defaults=not defaults, exclude={"type"})}
               for c in layer] for layer in config.layers]
    out: dict[str, Any] = {"name": config.name}
    if config.description:
        out["description"] = config.description
    out["layers"] = layers
    return out


def _component_requests(settings: ComponentConfig) -> int:
    """Model calls one component has in flight at once (its samples, capped by ``parallel``)."""
    kind = settings.type
    if kind in ("generator", "fuser"):
        jobs = getattr(settings, "samples", 1) * max(1, len(getattr(settings, "models", ()) or ()))
        return min(getattr(settings, "parallel", None) or jobs, jobs)
    if kind == "critic":
        return min(getattr(settings, "parallel", 1), getattr(settings, "top_k", 1))
    if kind == "differential":
        return max(1, getattr(settings, "batch", 0))
    return 0 if kind == "evaluator" else 1  # unit-test generator, verifier, ranker, third-party: one call


def concurrent_requests(config: ArchitectureConfig) -> int:
    """The most model requests ``config`` has in flight at once: the largest layer's sum over its
    components (a layer's components run concurrently). The embedded server gets this many slots
    (``solve``; ``bench``: times ``--workers``), so a layer's samples decode in one batch."""
    return max(1, max((sum(_component_requests(c) for c in layer) for layer in config.layers), default=1))


def largest_concurrency(configs: Iterable[ArchitectureConfig], default: int) -> int:
    """The largest :func:`concurrent_requests` of ``configs`` (the architectures one bench runs
    side by side), ``default`` when there are none (e.g. ``search``, whose trials vary)."""
    return max((concurrent_requests(c) for c in configs), default=default)
