"""Archon's own config files (ScalingIntelligence/Archon ``src/archon/configs/*.json``) in
archon-code's shape.

What is translated: ``model_type`` becomes a litellm provider prefix of ``model``;
``max_context_length``, ``top_k_generations`` and ``unit_test_cap`` are renamed;
``unit_test_evaluator`` is the evaluator; a layer may be a list, ``{"models": [...]}``,
``{"branches": N, "models": [...]}`` or a single component; unit-test layers Archon puts
before its generator move to just after the first generator layer (archon-code's
unit-test generator checks its tests by running candidates). What means nothing here
(``checkpoint``, ``ranker_batch_size``, ``remove_unit_tests_from_prompt``, ``batch_num``,
``no_system``, ``branches``, an LLM for the test-running evaluator, ...) is dropped, and
values beyond archon-code's limits are clamped; each is named in a warning.

\b
>>> data, notes = convert_archon({"name": "a", "layers": [{"branches": 1, "models": [
...     {"type": "generator", "model": "gpt-4o", "model_type": "OpenAI_API", "checkpoint": ""}]}]}, "a.json")
>>> data["layers"][0][0]["model"], notes
('openai/gpt-4o', ('a.json: layer 1: ignored (means nothing here): branches', 'a.json: layer 1, component 1 (generator): ignored (means nothing here): checkpoint'))
"""

from __future__ import annotations

from typing import Any

from annotated_types import Ge, Le

from archon_code.components import component_class
from archon_code.errors import ConfigError

__all__ = ["ARCHON_FIELDS", "MODEL_TYPES", "convert_archon", "is_archon"]

ARCHON_TYPES = {"unit_test_evaluator": "evaluator"}
RENAMES = {"max_context_length": "max_tokens", "top_k_generations": "top_k", "unit_test_cap": "num_tests"}
MODEL_TYPES = {
    "Together_API": "together_ai/",
    "OpenAI_API": "openai/",
    "Anthropic_API": "anthropic/",
    "Groq_API": "groq/",
    "Google_API": "gemini/",
    "DeepSeek_API": "deepseek/",
    "OpenRouter_API": "openrouter/",
    "Bedrock_API": "bedrock/",
    "vLLM": "hosted_vllm/",
    "litellm": "",
    "": "",
}
"""Archon's ``model_type`` -> litellm provider prefix ("" and litellm: the model name as written)."""
ARCHON_FIELDS = frozenset({
    "model", "model_type", "temperature", "max_tokens", "samples", "top_k", "checkpoint", "ranker_batch_size",
    "remove_unit_tests_from_prompt", "batch_num", "no_system", "use_critiques", "length_control",
    "length_contorl", "fuse_generations_count", "ranker_config", "first_k", "first_pass",
})
"""Component fields Archon's configs use; those a component here has no field for are dropped with a warning
(any other unknown field is still an error naming the allowed ones)."""
_TESTGEN = {"unit_test_generator"}


def is_archon(layers: list) -> bool:
    """The layers are written in Archon's shape (a mapping layer, ``model_type``, Archon type names)."""
    return any(isinstance(layer, dict) or any(
        isinstance(c, dict) and ("model_type" in c or c.get("type") in ARCHON_TYPES) for c in layer)
        for layer in layers if isinstance(layer, (list, dict)))


def _layer(layer: Any, where: str, notes: list[str]) -> Any:
    if not isinstance(layer, dict):
        return layer
    if "type" in layer:
        return [layer]
    extra = sorted(set(layer) - {"models", "branches"})
    if extra:
        raise ConfigError(f"{where}: field {extra[0]!r}: not allowed in a layer; allowed fields: branches, models")
    if "branches" in layer:
        notes.append(f"{where}: ignored (means nothing here): branches")
    return layer.get("models")


def _model(data: dict, where: str) -> None:
    model_type = data.pop("model_type", None)
    if model_type is None:
        return
    if model_type not in MODEL_TYPES:
        allowed = ", ".join(k for k in MODEL_TYPES if k)
        raise ConfigError(f"{where}: field 'model_type': unsupported value {model_type!r}; allowed: {allowed}")
    prefix = MODEL_TYPES[model_type]
    if "model" in data and prefix and not str(data["model"]).startswith(prefix):
        data["model"] = prefix + str(data["model"])


def _clamp(data: dict, fields: dict, notes: list[str], where: str) -> None:
    for key, info in fields.items():
        value = data.get(key)
        if type(value) not in (int, float):
            continue
        for bound in info.metadata:
            if isinstance(bound, Le) and value > bound.le or isinstance(bound, Ge) and value < bound.ge:
                limit = bound.le if isinstance(bound, Le) else bound.ge
                notes.append(f"{where}: {key} {value!r} clamped to archon-code's limit {limit!r}")
                data[key] = value = limit


def _component(raw: Any, where: str, notes: list[str]) -> Any:
    if not isinstance(raw, dict) or "type" not in raw:
        return raw  # the ordinary parser names what is wrong
    data = dict(raw)
    data["type"] = ARCHON_TYPES.get(data["type"], data["type"])
    try:
        fields = component_class(str(data["type"])).config_class.model_fields
    except ConfigError:
        return data
    where = f"{where} ({data['type']})"
    _model(data, where)
    for old, new in RENAMES.items():
        if old in data:
            value = data.pop(old)
            data.setdefault(new, value)
    dropped = sorted(k for k in data if k in ARCHON_FIELDS and k not in fields)
    for key in dropped:
        del data[key]
    if dropped:
        notes.append(f"{where}: ignored (means nothing here): {', '.join(dropped)}")
    _clamp(data, fields, notes, where)
    return data


def _types(layer: Any) -> set:
    return {c.get("type") for c in layer if isinstance(c, dict)} if isinstance(layer, list) else set()


def _reorder(layers: list, source: str, notes: list[str]) -> list:
    """Unit-test-generator layers before the first generator layer go just after it."""
    first = next((i for i, layer in enumerate(layers) if "generator" in _types(layer)), None)
    if not first:
        return layers
    early = [i for i in range(first) if _types(layers[i]) and _types(layers[i]) <= _TESTGEN]
    if len(early) != first:
        return layers  # something else before the generator: the ordinary error names it
    notes.append(f"{source}: layer(s) {', '.join(str(i + 1) for i in early)} (unit_test_generator) moved after "
                 f"generator layer {first + 1}: tests here are checked by running candidates")
    return [layers[first], *layers[:first], *layers[first + 1:]]


def convert_archon(data: dict, source: str) -> tuple[dict, tuple[str, ...]]:
    """An Archon config as an archon-code config dict, and the warnings about what was changed."""
    notes: list[str] = []
    layers = [_layer(layer, f"{source}: layer {li}", notes) for li, layer in enumerate(data["layers"], 1)]
    layers = [[_component(c, f"{source}: layer {li}, component {ci}", notes) for ci, c in enumerate(layer, 1)]
              if isinstance(layer, list) else layer for li, layer in enumerate(layers, 1)]
    out = {k: v for k, v in data.items() if k != "custom"}
    out["layers"] = _reorder(layers, source, notes)
    return out, tuple(notes)
