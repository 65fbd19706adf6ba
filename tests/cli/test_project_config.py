"""The project config file and its precedence: option > environment > file > default."""

from __future__ import annotations

import pytest

from archon_code.errors import ConfigError
from archon_code.project_config import KEYS, apply_project_config, find_config_file, load_project_config
from tests.support.cli import run_main

PROVIDERS = ("use PROVIDER/NAME with a litellm provider (openai/, anthropic/, ollama/, ...; "
             "https://docs.litellm.ai/docs/providers) or local/qwen2.5-coder-1.5b-q8")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder as the cwd, with none of the file's variables set."""
    for env in [*(k[0] for k in KEYS.values()), "ARCHON_CODE_CONFIG"]:
        monkeypatch.setenv(env, "")  # recorded, so what the file sets in this process is undone after the test
        monkeypatch.delenv(env)
    (tmp_path / "proj" / "src").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "proj" / "src")
    return tmp_path / "proj"


def test_discovery_order(project):
    assert find_config_file() is None
    (project / "pyproject.toml").write_text("[build-system]\nrequires = []\n")
    assert find_config_file() is None  # a pyproject without [tool.archon-code] is passed over
    (project / "pyproject.toml").write_text('[tool.archon-code]\nmodel = "openai/gpt-4o-mini"\n')
    assert find_config_file() == project / "pyproject.toml"  # found from a subfolder
    (project / "archon-code.toml").write_text('model = "ollama/qwen2.5-coder"\n')
    assert find_config_file() == project / "archon-code.toml"  # archon-code.toml first
    (project / "src" / "pyproject.toml").write_text('[tool.archon-code]\nworkers = 2\n')
    assert find_config_file() == project / "src" / "pyproject.toml"  # the nearest folder wins
    assert find_config_file(environ={"ARCHON_CODE_CONFIG": str(project / "archon-code.toml")}) == \
        project / "archon-code.toml"
    with pytest.raises(ConfigError) as info:
        find_config_file(environ={"ARCHON_CODE_CONFIG": "nope.toml"})
    assert str(info.value) == "ARCHON_CODE_CONFIG: no such file 'nope.toml'"


def test_every_key_maps_to_its_variable(project):
    (project / "arch.yaml").write_text("name: a\nlayers: [[{type: generator}]]\n")
    path = project / "archon-code.toml"
    path.write_text('model = "openai/gpt-4o-mini"\narch = "arch.yaml"\nworkers = 3\n'
                    'api-base = "http://127.0.0.1:8000/v1"\ncache = false\ncache-dir = "cache"\n')
    assert load_project_config(path).env == {
        "ARCHON_CODE_MODEL": "openai/gpt-4o-mini", "ARCHON_CODE_ARCH": str(project / "arch.yaml"),
        "ARCHON_CODE_WORKERS": "3", "ARCHON_CODE_API_BASE": "http://127.0.0.1:8000/v1",
        "ARCHON_CODE_NO_CACHE": "1", "ARCHON_CODE_CACHE_DIR": str(project / "cache")}
    path.write_text('arch = "codet"\ncache = true\n')
    assert load_project_config(path).env == {"ARCHON_CODE_ARCH": "codet"}


def test_environment_beats_the_file(project):
    (project / "archon-code.toml").write_text('model = "openai/gpt-4o-mini"\nworkers = 3\n')
    environ = {"ARCHON_CODE_WORKERS": "1"}
    config = apply_project_config(environ=environ)
    assert environ == {"ARCHON_CODE_WORKERS": "1", "ARCHON_CODE_MODEL": "openai/gpt-4o-mini"}
    assert config.applied == ("ARCHON_CODE_MODEL",)
    assert config.source("ARCHON_CODE_MODEL") == f"ARCHON_CODE_MODEL (from {project / 'archon-code.toml'})"
    assert config.source("ARCHON_CODE_WORKERS") == "ARCHON_CODE_WORKERS"


@pytest.mark.parametrize("text, message", [
    ('modle = "x"\n', "unknown key 'modle'; allowed: model, arch, workers, bench-workers, api-base, cache, cache-dir"),
    ("workers = 0\n", "key 'workers': expected an integer from 1 to 64, got 0"),
    ('workers = "2"\n', "key 'workers': expected an integer from 1 to 64, got '2'"),
    ('cache = "no"\n', "key 'cache': expected true or false, got 'no'"),
    ('model = ""\n', "key 'model': expected a non-empty string, got ''"),
    ("model = \n", "invalid TOML: Invalid value (at line 1, column 9)"),
])
def test_bad_files(project, text, message):
    path = project / "archon-code.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_project_config(path)
    assert str(info.value) == f"{path}: {message}"


def test_bad_pyproject_names_the_table(project):
    path = project / "pyproject.toml"
    path.write_text("[tool.archon-code]\nworkers = 99\n")
    with pytest.raises(ConfigError) as info:
        load_project_config(path)
    assert str(info.value) == f"{path}: [tool.archon-code] key 'workers': expected an integer from 1 to 64, got 99"


def test_precedence_through_the_cli(project, monkeypatch, capsys):
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.archon-code]\nmodel = "bogus/file"\narch = "nope"\n')
    problem = project / "p.yaml"
    problem.write_text("id: p\nstatement: s\ntests:\n  public:\n  - {input: '', output: '1'}\n")
    code, out, err = run_main(monkeypatch, capsys, "solve", str(problem))  # the file's arch
    assert (code, err) == (2, "error: unknown architecture 'nope'; presets: best-of-n, codet, full, repair, "
                              "single (or a path to a .json/.yaml file)\n")
    monkeypatch.delenv("ARCHON_CODE_MODEL")  # a new process would not have what the file set in this one
    monkeypatch.setenv("ARCHON_CODE_ARCH", "single")  # the environment beats the file ...
    code, out, err = run_main(monkeypatch, capsys, "solve", str(problem))
    assert (code, err) == (2, f"error: ARCHON_CODE_MODEL (from {pyproject}): model 'bogus/file': unknown provider "
                              f"'bogus'; {PROVIDERS}\n")
    monkeypatch.setenv("ARCHON_CODE_MODEL", "bogus/env")
    code, out, err = run_main(monkeypatch, capsys, "solve", str(problem))
    assert (code, err) == (2, f"error: ARCHON_CODE_MODEL: model 'bogus/env': unknown provider 'bogus'; {PROVIDERS}\n")
    code, out, err = run_main(monkeypatch, capsys, "solve", str(problem), "--model", "bogus/cli")  # ... options both
    assert (code, err) == (2, f"error: --model: model 'bogus/cli': unknown provider 'bogus'; {PROVIDERS}\n")


def test_a_broken_config_file_is_one_line(project, monkeypatch, capsys):
    (project / "archon-code.toml").write_bytes(b'model = "caf\xe9"\n')
    code, out, err = run_main(monkeypatch, capsys, "arch", "list")
    assert (code, out) == (2, "")
    assert err == f"error: {project / 'archon-code.toml'}: not UTF-8 text (byte 0xe9 at line 1, offset 12)\n"


@pytest.mark.parametrize("command", ["solve", "bench", "search", "suggest"])
def test_cache_can_be_turned_off_by_variable_and_back_on_by_option(project, monkeypatch, capsys, command):
    _, out, _ = run_main(monkeypatch, capsys, command, "--help")
    assert "--no-cache / --cache" in out and "ARCHON_CODE_NO_CACHE" in out.replace("\n", " ").replace("  ", "")
