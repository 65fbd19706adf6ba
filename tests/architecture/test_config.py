"""Architecture configs: presets, errors naming layer/component/field, Archon's shape, round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code.architecture import dump_architecture, list_presets, load_architecture, parse_architecture
from archon_code.components import GeneratorConfig
from archon_code.errors import ConfigError


def test_presets_load():
    assert list(list_presets()) == ["best-of-n", "codet", "full", "repair", "single"]
    full = load_architecture("full")
    assert [[c.type for c in layer] for layer in full.layers] == [
        ["generator", "generator"], ["differential"], ["critic"], ["fuser"], ["evaluator"], ["ranker"]]
    codet = load_architecture("codet")
    assert [[c.type for c in layer] for layer in codet.layers] == [["generator", "generator"], ["differential"],
                                                                   ["ranker"]]
    assert [(g.samples, g.temperature) for g in codet.layers[0]] == [(1, 0.0), (3, 0.8)]  # greedy = single's
    assert (codet.layers[1][0].batch, codet.layers[1][0].max_candidates, codet.layers[1][0].inputs) == (2, 8, 20)
    assert load_architecture("single").layers[0][0] == GeneratorConfig(type="generator", samples=1, temperature=0.0)


@pytest.mark.parametrize("data, message", [
    ({"name": "x", "layers": [[{"type": "generator"}], [{"type": "fuser", "samples": 0}]]},
     "t.yaml: layer 2, component 1 (fuser): field 'samples': must be >= 1, got 0"),
    ({"name": "x", "layers": [[{"type": "generator", "temperature": 3}]]},
     "t.yaml: layer 1, component 1 (generator): field 'temperature': must be <= 2, got 3"),
    ({"name": "x", "layers": [[{"type": "generator"}, {"type": "generator", "top_k": 2}]]},
     "t.yaml: layer 1, component 2 (generator): field 'top_k': not allowed here; allowed fields: "
     "model, temperature, max_tokens, samples, models, parallel"),
    ({"name": "x", "layers": [[{"type": "generator"}], [{"type": "judge"}]]},
     "t.yaml: layer 2, component 1: field 'type': unknown component type 'judge'; allowed: generator, "
     "unit_test_generator, evaluator, ranker, verifier, critic, fuser, differential or a dotted path "
     "package.module:Class"),
    ({"name": "x", "layers": [[{"type": "generator"}], [{"type": "unit_test_generator", "expected": "oracle"}]]},
     "t.yaml: layer 2, component 1 (unit_test_generator): field 'expected': must be 'auto', 'brute_force', "
     "'agreement' or 'prediction', got 'oracle'"),
    ({"name": "x", "layers": [[{"type": "evaluator"}]]},
     "t.yaml: layer 1: must contain a generator, got ['evaluator']"),
    ({"name": "x", "layers": []}, "t.yaml: field 'layers': must be a non-empty list of layers, got []"),
    ({"name": "x", "layers": [[{"model": "m"}]]}, "t.yaml: layer 1, component 1: field 'type': required"),
    ({"name": "x", "layers": [[{"type": "generator"}]], "extra": 1},
     "t.yaml: field 'extra': not allowed; allowed fields: description, layers, name"),
    ([1, 2], "t.yaml: expected a mapping with 'name' and 'layers', got list"),
])
def test_errors_name_layer_component_field_and_value(data, message):
    with pytest.raises(ConfigError) as info:
        parse_architecture(data, source="t.yaml")
    assert str(info.value) == message


ARCHON = {
    "name": "archon-like",
    "layers": [
        [{"type": "generator", "model": "Qwen/Qwen2-72B-Instruct", "model_type": "Together_API", "top_k": 1,
          "temperature": 0.7, "max_tokens": 2048, "samples": 5}],
        [{"type": "unit_test_generator", "model": "gpt-4o", "model_type": "OpenAI_API", "temperature": 0.0,
          "max_tokens": 2048, "samples": 1, "unit_test_cap": 4}],
        [{"type": "unit_test_evaluator", "model": "gpt-4o", "model_type": "OpenAI_API", "temperature": 0.0,
          "max_tokens": 2048, "samples": 1}],
        [{"type": "critic", "model": "claude-3-5-sonnet-20240620", "model_type": "Anthropic_API",
          "temperature": 0.7, "max_context_length": 8192, "samples": 1, "top_k_generations": 3}],
        [{"type": "fuser", "model": "Qwen/Qwen1.5-110B-Chat", "model_type": "Together_API", "top_k": 1,
          "temperature": 0.7, "max_tokens": 2048, "samples": 1}],
        [{"type": "ranker", "model": "gpt-4o", "model_type": "OpenAI_API", "top_k": 1, "temperature": 0.7,
          "max_tokens": 2048, "samples": 1}],
    ],
}


def test_archon_config_files_load(tmp_path):
    path = tmp_path / "archon.json"
    path.write_text(json.dumps(ARCHON))
    config = load_architecture(str(path))
    assert dump_architecture(config) == {"name": "archon-like", "layers": [
        [{"type": "generator", "model": "together_ai/Qwen/Qwen2-72B-Instruct", "temperature": 0.7,
          "max_tokens": 2048, "samples": 5}],
        [{"type": "unit_test_generator", "model": "openai/gpt-4o", "max_tokens": 2048, "num_tests": 4}],
        [{"type": "evaluator"}],
        [{"type": "critic", "model": "anthropic/claude-3-5-sonnet-20240620", "temperature": 0.7,
          "max_tokens": 8192}],
        [{"type": "fuser", "model": "together_ai/Qwen/Qwen1.5-110B-Chat", "temperature": 0.7, "max_tokens": 2048,
          "top_k": 1}],
        [{"type": "ranker", "model": "openai/gpt-4o", "temperature": 0.7, "max_tokens": 2048, "top_k": 1}],
    ]}


def test_archon_layer_as_models_mapping():
    data = {"name": "a", "layers": [{"models": [{"type": "generator", "model": "gpt-4o", "model_type": "OpenAI_API",
                                                 "temperature": 0.7, "samples": 2}]},
                                    [{"type": "unit_test_evaluator"}]]}
    assert dump_architecture(parse_architecture(data, "a.json")) == {"name": "a", "layers": [
        [{"type": "generator", "model": "openai/gpt-4o", "temperature": 0.7, "samples": 2}], [{"type": "evaluator"}]]}


def test_archon_unsupported_values_are_named(tmp_path):
    bad = {"name": "a", "layers": [[{"type": "generator", "model": "m", "model_type": "Mystery_API"}]]}
    with pytest.raises(ConfigError, match="layer 1, component 1 \\(generator\\): field 'model_type': unsupported value "
                                          "'Mystery_API'; allowed: Together_API, OpenAI_API"):
        parse_architecture(bad, "a.json")
    custom = {"name": "a", "custom": True, "layers": [[{"type": "generator", "model": "m", "model_type": "litellm"}]]}
    with pytest.raises(ConfigError, match="field 'custom': custom Archon components are not supported"):
        parse_architecture(custom, "a.json")
    odd = {"name": "a", "layers": [[{"type": "generator", "model": "m", "model_type": "litellm", "use_x": 1}]]}
    with pytest.raises(ConfigError, match="component 1 \\(generator\\): field 'use_x': not allowed here"):
        parse_architecture(odd, "a.json")


def test_files_missing_or_broken(tmp_path):
    with pytest.raises(ConfigError, match="unknown architecture 'nope'; presets: best-of-n, codet, full"):
        load_architecture("nope")
    with pytest.raises(ConfigError, match="architecture file missing.yaml does not exist"):
        load_architecture("missing.yaml")
    broken = tmp_path / "b.yaml"
    broken.write_text("layers: [[{type: generator}\n")
    with pytest.raises(ConfigError, match=f"{broken}: invalid YAML at line 2: "):
        load_architecture(str(broken))


_component = st.one_of(
    st.fixed_dictionaries({"type": st.just("generator")}, optional={
        "samples": st.integers(1, 20), "temperature": st.floats(0, 2), "model": st.sampled_from(["a/b", "local/x"])}),
    st.fixed_dictionaries({"type": st.just("unit_test_generator")}, optional={
        "num_tests": st.integers(1, 30), "expected": st.sampled_from(["auto", "agreement", "prediction"]),
        "inputs": st.sampled_from(["literal", "program"]), "validator": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("evaluator")}),
    st.fixed_dictionaries({"type": st.just("ranker")}, optional={"top_k": st.integers(1, 9),
                                                               "llm_tiebreak": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("critic")}, optional={"top_k": st.integers(1, 9)}),
    st.fixed_dictionaries({"type": st.just("fuser")}, optional={"samples": st.integers(1, 5)}),
    st.fixed_dictionaries({"type": st.just("verifier")}, optional={"llm_check": st.booleans()}),
)


@settings(max_examples=100, deadline=None)
@given(rest=st.lists(st.lists(_component, min_size=1, max_size=3), max_size=5), name=st.text(min_size=1, max_size=12))
def test_dump_then_parse_round_trips(rest, name):
    data = {"name": name, "layers": [[{"type": "generator"}], *rest]}
    config = parse_architecture(data, "x")
    assert parse_architecture(dump_architecture(config), "x") == config
    assert parse_architecture(dump_architecture(config, defaults=True), "x") == config
