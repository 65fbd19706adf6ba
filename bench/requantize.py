"""Rewrite a GGUF file's tensors of some quantization types into another type (an experiment).

Used to test whether a fully repackable file makes batched decoding cheaper on this machine
kind (docs/models.md, "Requantized weights"): llama.cpp's CPU back end repacks Q4_0 and Q4_K
tensors for batched matrix products with AVX2, not the Q6_K ones of the shipped Q4_K_M file.
The tensors are dequantized to float32 and quantized again, so the result is slightly lossier
than the original; the shipped models stay as they are.

    pip install 'archon-code[local]'   # brings the gguf package
    python bench/requantize.py ~/.cache/archon-code/models/qwen2.5-coder-1.5b.gguf /tmp/q6-as-q4_0.gguf \
        --from Q6_K --to Q4_0
    python bench/llm_throughput.py --model /tmp/q6-as-q4_0.gguf --threads 2 --no-speculation
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archon_code.errors import LLMError  # noqa: E402
from archon_code.llm.requant import rewrite  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--from", dest="types", default="Q6_K", help="comma-separated types to rewrite")
    parser.add_argument("--to", default="Q4_0", help="the type they become (one gguf-py can quantize: Q4_0, Q8_0, ...)")
    args = parser.parse_args()
    try:
        changed = rewrite(Path(args.source), Path(args.target), args.types.split(","), args.to)
    except LLMError as exc:
        sys.exit(f"error: {exc}")
    print(f"{args.target}: {changed} tensors rewritten as {args.to}")


if __name__ == "__main__":
    main()
