"""Rewrite a GGUF file's tensors of some quantization types into another type.

Used to derive weights from a shipped file (``local/qwen2.5-coder-1.5b-q8``: its Q6_K tensors as
Q8_0, docs/models.md) and by ``bench/requantize.py`` for experiments. llama.cpp's CPU back end
repacks Q4_0, Q4_K and Q8_0 tensors into interleaved layouts for batched matrix products, not
Q6_K ones, so a file without Q6_K tensors decodes several sequences at once more cheaply. The
tensors are dequantized to float32 and quantized again with the ``gguf`` package (numpy: the
result is byte-for-byte reproducible, which the pinned sha256 of a derived model checks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from archon_code.errors import LLMError

__all__ = ["GGUF_HINT", "rewrite"]

GGUF_HINT = "derived local weights need the gguf package: pip install 'archon-code[local]'"


def rewrite(source: Path, target: Path, types: Iterable[str], to: str) -> int:
    """Write ``target``: ``source`` with every tensor of a type in ``types`` re-quantized as ``to``.

    Metadata and the other tensors are copied unchanged. Returns how many tensors were rewritten."""
    try:
        import gguf
        from gguf import quants
    except ImportError:
        raise LLMError(GGUF_HINT) from None
    target_type = getattr(gguf.GGMLQuantizationType, to)
    names = set(types)
    reader = gguf.GGUFReader(str(source))
    writer = gguf.GGUFWriter(str(target), arch=reader.fields["general.architecture"].contents())
    for field in reader.fields.values():  # metadata as it is (the writer adds the architecture itself)
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue
        kind = field.types[0]
        writer.add_key_value(field.name, field.contents(), kind,
                             sub_type=field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None)
    tensors = []
    for tensor in reader.tensors:
        if tensor.tensor_type.name in names:
            data = quants.quantize(quants.dequantize(tensor.data, tensor.tensor_type), target_type)
            tensors.append((tensor.name, data, target_type))
        else:
            tensors.append((tensor.name, tensor.data, tensor.tensor_type))
    for name, data, kind in tensors:
        writer.add_tensor_info(name, data.shape, data.dtype, data.nbytes, kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for _, data, _ in tensors:
        writer.write_tensor_data(data)
    writer.close()
    return sum(t.tensor_type.name in names for t in reader.tensors)
