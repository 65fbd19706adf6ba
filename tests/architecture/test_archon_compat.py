"""Archon's own config files: fields that mean nothing here are warned about, every shape loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archon_code.architecture import dump_architecture, load_architecture
from archon_code.cli import cli
from archon_code.errors import ConfigError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "archon"


def test_branches_layers_clamps_and_ignored_fields_are_warned():
    path = FIXTURES / "branches-moa.json"
    config = load_architecture(path)
    assert dump_architecture(config) == {"name": "fixture-branches-moa", "layers": [
        [{"type": "generator", "model": "together_ai/Qwen/Qwen2-7B-Instruct", "temperature": 0.7,
          "max_tokens": 65536, "samples": 200}],
        [{"type": "ranker", "model": "openai/gpt-4o", "temperature": 0.7, "max_tokens": 2048, "top_k": 3}],
        [{"type": "fuser", "model": "openai/gpt-4o", "temperature": 0.7, "max_tokens": 2048, "top_k": 1}],
    ]}
    assert config.warnings == (
        f"{path}: layer 1: ignored (means nothing here): branches",
        f"{path}: layer 2: ignored (means nothing here): branches",
        f"{path}: layer 3: ignored (means nothing here): branches",
        f"{path}: layer 1, component 1 (generator): ignored (means nothing here): checkpoint, no_system, top_k",
        f"{path}: layer 1, component 1 (generator): max_tokens 200000 clamped to archon-code's limit 65536",
        f"{path}: layer 1, component 1 (generator): samples 1000 clamped to archon-code's limit 200",
        f"{path}: layer 2, component 1 (ranker): ignored (means nothing here): ranker_batch_size, use_critiques",
        f"{path}: layer 3, component 1 (fuser): ignored (means nothing here): length_control",
    )


def test_unit_test_layers_before_the_generator_move_after_it():
    path = FIXTURES / "tests-first.json"
    config = load_architecture(path)
    assert [[c.type for c in layer] for layer in config.layers] == [
        ["generator"], ["unit_test_generator"], ["evaluator"], ["verifier"]]
    assert config.layers[1][0].num_tests == 5
    assert config.warnings[-1] == (f"{path}: layer(s) 1 (unit_test_generator) moved after generator layer 2: "
                                   "tests here are checked by running candidates")
    assert (f"{path}: layer 3, component 1 (evaluator): ignored (means nothing here): first_pass, max_tokens, "
            "model, remove_unit_tests_from_prompt, samples, temperature") in config.warnings


def test_a_single_component_layer_and_vllm():
    config = load_architecture(FIXTURES / "single-dict-layer.json")
    assert dump_architecture(config)["layers"] == [[{"type": "generator", "model": "hosted_vllm/facebook/opt-125m",
                                                     "temperature": 0.7, "max_tokens": 2048}]]
    assert config.warnings == ()


def test_own_shape_is_never_lenient():
    data = {"name": "a", "layers": [[{"type": "generator", "checkpoint": ""}]]}
    from archon_code.architecture import parse_architecture

    with pytest.raises(ConfigError, match=r"^a.json: layer 1, component 1 \(generator\): field 'checkpoint': "
                                          "not allowed here"):
        parse_architecture(data, "a.json")


def test_cli_validate_prints_warnings_on_stderr_and_json():
    runner = CliRunner()
    path = str(FIXTURES / "tests-first.json")
    result = runner.invoke(cli, ["arch", "validate", path, "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["valid"] is True and len(payload["warnings"]) == 4
    assert result.stderr.splitlines() == [f"warning: {w}" for w in payload["warnings"]]


def test_cli_invalid_json_is_one_line():
    path = FIXTURES / "broken.json"
    result = subprocess.run([sys.executable, "-c", "from archon_code.cli import main; main()", "arch", "validate",
                             str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"error: {path}: invalid JSON at line 4: Expecting ',' delimiter\n"


def _archon_configs(repo: Path, tmp_path: Path) -> list[Path]:
    """Every ``src/archon/configs/**.json`` of a checkout, or of a bare git directory (written to tmp_path)."""
    folder = repo / "src" / "archon" / "configs"
    if folder.is_dir():
        return sorted(folder.rglob("*.json"))
    names = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "HEAD", "--name-only"], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    files = []
    for name in names:
        if name.startswith("src/archon/configs/") and name.endswith(".json"):
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{name}"], check=True,
                                              capture_output=True).stdout)
            files.append(target)
    return files


@pytest.mark.slow
def test_every_archon_config_loads(tmp_path):
    """ARCHON_REPO=<checkout or git dir of ScalingIntelligence/Archon> python -m pytest -m slow <this file>"""
    repo = os.environ.get("ARCHON_REPO")
    if not repo or not Path(repo).exists():
        pytest.skip("set ARCHON_REPO to a copy of ScalingIntelligence/Archon")
    files = _archon_configs(Path(repo), tmp_path)
    assert files
    loaded, broken = 0, []
    for path in files:
        try:
            json.loads(path.read_text())
        except ValueError:
            with pytest.raises(ConfigError, match=r"invalid JSON at line \d+") as info:
                load_architecture(path)
            assert "\n" not in str(info.value)
            broken.append(path.name)
            continue
        load_architecture(path)
        loaded += 1
    print(f"{loaded} of {len(files)} Archon configs load; invalid JSON in Archon itself: {', '.join(broken)}")
    assert loaded == len(files) - len(broken)
