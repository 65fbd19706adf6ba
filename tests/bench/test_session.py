from pathlib import Path

import pytest

from archon_code.bench.session import BenchOptions, arch_label, load_configs, out_dir_for
from archon_code.errors import ConfigError


def test_out_dir_depends_on_options_and_architecture_contents(tmp_path):
    arch = tmp_path / "mine.yaml"
    arch.write_text("name: mine\nlayers:\n  - - type: generator\n      samples: 1\n")
    options = BenchOptions(problems="problems", archs=("single", str(arch)))
    first = out_dir_for(options, load_configs(options.archs))
    assert first == out_dir_for(options, load_configs(options.archs))
    assert first.parent == Path("bench-runs") and len(first.name) == 12
    assert out_dir_for(options.model_copy(update={"samples": 2}), load_configs(options.archs)) != first
    arch.write_text("name: mine\nlayers:\n  - - type: generator\n      samples: 2\n")
    assert out_dir_for(options, load_configs(options.archs)) != first


def test_labels():
    assert arch_label("single") == "single"
    assert arch_label("configs/my-arch.yaml") == "my-arch"
    assert list(load_configs(("single", "full"))) == ["single", "full"]


def test_options_forbid_unknown_fields():
    with pytest.raises(ValueError):
        BenchOptions(problems="p", archs=("single",), sample=3)


def test_unknown_preset():
    with pytest.raises(ConfigError, match="unknown architecture 'nope'"):
        load_configs(("nope",))
