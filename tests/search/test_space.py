import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from optuna.trial import FixedTrial

from archon_code.errors import ConfigError
from archon_code.search.space import SearchSpace, TrialParams, build_architecture, default_space_path, load_space, suggest


def test_shipped_default_space_is_the_model_default():
    assert load_space() == SearchSpace()
    assert load_space(default_space_path()) == SearchSpace()


@pytest.mark.parametrize(
    "text, message",
    [
        ("samples: [4, 1]\n", "space.yaml: field 'samples': low 4 is above high 1"),
        ("fuser_layers: [0, 9]\n", "space.yaml: field 'fuser_layers': [0, 9] must lie within [0, 3]"),
        ("ranker: [first]\n", "space.yaml: field 'ranker[0]': must be 'none', 'after_evaluation' or 'final', got 'first'"),
        ("modles: [a]\n", "space.yaml: field 'modles': not allowed here; allowed fields: models, ensemble, samples, temperature, num_tests, expected, fuser_layers, fuser_top_k, critic, ranker, verifier, greedy, differential, differential_inputs, max_candidates"),
        ("max_candidates: [2, 99]\n", "space.yaml: field 'max_candidates': [2, 99] must lie within [1, 32]"),
        ("differential: []\n", "space.yaml: field 'differential': needs at least one choice"),
        ("models: []\n", "space.yaml: field 'models': must have at least 1 item, got []"),
        ("- 1\n", "space.yaml: expected a mapping of search-space fields, got list"),
        ("samples: [1\n", "space.yaml: invalid YAML at line 2: expected ',' or ']', but got '<stream end>'"),
    ],
)
def test_bad_space_files_name_field_and_value(tmp_path, text, message):
    path = tmp_path / "space.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_space(path)
    assert str(err.value) == f"{tmp_path}/{message}"


def test_missing_space_file(tmp_path):
    with pytest.raises(ConfigError, match="nope.yaml: cannot read: No such file or directory"):
        load_space(tmp_path / "nope.yaml")


def test_fixed_ranges_are_not_asked():
    space = SearchSpace(models=("m",), samples=(2, 2), temperature=(0.5, 0.5), num_tests=(0, 0),
                        fuser_layers=(0, 0), ranker=("final",), verifier=("none",), greedy=(False,),
                        differential=(False,))
    params = suggest(FixedTrial({}), space)
    assert params == TrialParams(**{"models": "m", "samples": 2, "temperature": 0.5, "num_tests": 0, "expected": "auto",
                      "fuser_layers": 0, "fuser_top_k": 1, "critic": "none", "ranker": "final", "verifier": "none"})
    assert build_architecture(params, "t") == {
        "name": "t",
        "description": "found by archon-code search: models=m, samples=2, temperature=0.5, num_tests=0, "
                       "expected=auto, fuser_layers=0, fuser_top_k=1, critic=none, ranker=final, verifier=none, "
                       "greedy=False, differential=False, differential_inputs=20, max_candidates=8",
        "layers": [[{"type": "generator", "samples": 2, "temperature": 0.5, "model": "m"}],
                   [{"type": "evaluator"}], [{"type": "ranker"}]],
    }


def test_full_shape():
    params = TrialParams(models="a+b", samples=3, temperature=0.7, num_tests=5, expected="agreement",
                         fuser_layers=2, fuser_top_k=2, critic="before_fuser", ranker="after_evaluation",
                         verifier="final")
    layers = build_architecture(params, "x")["layers"]
    assert [[c["type"] for c in layer] for layer in layers] == [
        ["generator"], ["unit_test_generator"], ["evaluator"], ["ranker"], ["critic"], ["fuser"], ["evaluator"],
        ["critic"], ["fuser"], ["evaluator"], ["verifier"], ["ranker"]]
    assert layers[0][0] == {"type": "generator", "samples": 3, "temperature": 0.7, "models": ["a", "b"]}


params = st.fixed_dictionaries({
    "models": st.sampled_from(["local/qwen2.5-coder-0.5b", "local/qwen2.5-coder-1.5b",
                               "local/qwen2.5-coder-0.5b+local/qwen2.5-coder-1.5b"]),
    "samples": st.integers(1, 4), "temperature": st.floats(0.2, 1.0), "num_tests": st.integers(0, 8),
    "expected": st.sampled_from(["brute_force", "prediction", "agreement"]), "fuser_layers": st.integers(0, 2),
    "fuser_top_k": st.integers(1, 3), "critic": st.sampled_from(["none", "before_fuser"]),
    "ranker": st.sampled_from(["none", "after_evaluation", "final"]),
    "verifier": st.sampled_from(["none", "before_fuser", "final"]),
    "greedy": st.booleans(), "differential": st.booleans(), "differential_inputs": st.integers(10, 30),
    "max_candidates": st.integers(4, 8),
})


@settings(max_examples=60, deadline=None)
@given(params)
def test_every_point_builds_a_valid_architecture(point):
    from archon_code.architecture.config import parse_architecture

    drawn = suggest(FixedTrial(point), SearchSpace())
    config = build_architecture(drawn, "trial")
    parsed = parse_architecture(yaml.safe_load(yaml.safe_dump(config)), "trial")
    assert parsed.name == "trial"
    assert len(parsed.layers) == len(config["layers"])


def test_the_codet_shape_is_in_the_space():
    """greedy + differential: one greedy and samples-1 sampled programs, then a differential layer."""
    point = {"models": "local/qwen2.5-coder-1.5b", "samples": 4, "temperature": 0.8, "num_tests": 0, "fuser_layers": 0,
             "ranker": "final", "verifier": "none", "greedy": True, "differential": True, "differential_inputs": 25,
             "max_candidates": 6}
    params = suggest(FixedTrial(point), SearchSpace())
    assert (params.greedy, params.differential, params.differential_inputs, params.max_candidates) == (True, True, 25, 6)
    layers = build_architecture(params, "c")["layers"]
    assert layers[:2] == [
        [{"type": "generator", "samples": 1, "temperature": 0.0, "model": "local/qwen2.5-coder-1.5b"},
         {"type": "generator", "samples": 3, "temperature": 0.8, "model": "local/qwen2.5-coder-1.5b"}],
        [{"type": "differential", "model": "local/qwen2.5-coder-1.5b", "inputs": 25, "batch": 2, "max_candidates": 6}]]
    assert [layer[0]["type"] for layer in layers[2:]] == ["evaluator", "ranker"]


def test_one_sample_is_never_split_into_a_greedy_one():
    point = {"models": "m", "samples": 1, "temperature": 0.5, "num_tests": 0, "fuser_layers": 0, "ranker": "none",
             "verifier": "none", "differential": False}
    params = suggest(FixedTrial(point), SearchSpace(models=("m",)))
    assert (params.greedy, build_architecture(params, "x")["layers"][0]) == (
        False, [{"type": "generator", "samples": 1, "temperature": 0.0, "model": "m"}])
