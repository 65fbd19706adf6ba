"""Rewrite a GGUF file's tensors of some quantization types into another type (an experiment).

Used to test whether a fully repackable file makes batched decoding cheaper on this machine
kind (docs/models.md, "Requantized weights"): llama.cpp's CPU back end repacks Q4_0 and Q4_K
tensors for batched matrix products with AVX2, not the Q6_K ones of the shipped Q4_K_M file.
The tensors are dequantized to float32 and quantized again, so the result is slightly lossier
than the original; the shipped models stay as they are.

    pip install gguf        # not a dependency of archon-code
    python bench/requantize.py ~/.cache/archon-code/models/qwen2.5-coder-1.5b.gguf /tmp/q6-as-q4_0.gguf \
        --from Q6_K --to Q4_0
    python bench/llm_throughput.py --model /tmp/q6-as-q4_0.gguf --threads 2 --no-speculation
"""

from __future__ import annotations

import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--from", dest="types", default="Q6_K", help="comma-separated types to rewrite")
    parser.add_argument("--to", default="Q4_0", help="the type they become (one gguf-py can quantize: Q4_0, Q8_0, ...)")
    args = parser.parse_args()
    try:
        import gguf
        from gguf import quants
    except ImportError:
        sys.exit("error: this experiment needs the gguf package: pip install gguf")
    target_type = getattr(gguf.GGMLQuantizationType, args.to)
    rewrite = set(args.types.split(","))
    reader = gguf.GGUFReader(args.source)
    writer = gguf.GGUFWriter(args.target, arch=reader.fields["general.architecture"].contents())
    for field in reader.fields.values():  # metadata as it is (the writer adds the architecture itself)
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue
        kind = field.types[0]
        writer.add_key_value(field.name, field.contents(), kind,
                             sub_type=field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None)
    tensors = []
    for tensor in reader.tensors:
        if tensor.tensor_type.name in rewrite:
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
    changed = sum(t.tensor_type.name in rewrite for t in reader.tensors)
    print(f"{args.target}: {changed} of {len(tensors)} tensors rewritten as {args.to}")


if __name__ == "__main__":
    main()
