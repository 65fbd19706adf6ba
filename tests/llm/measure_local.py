"""Measure the embedded models: start-up (join + hash, load) and tokens/s.

Usage: ``python tests/llm/measure_local.py qwen2.5-coder-0.5b [THREADS]`` (or ``qwen2.5-coder-1.5b``);
THREADS defaults to :func:`archon_code.llm.local.default_threads`.
Joins a private copy in a temporary directory (so the shared copy is never touched), starts the
server as the client does, runs three prompts at temperature 0 and prints one JSON line with the
server's own timings. Not a test: run it by hand on an otherwise idle machine.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import archon_code  # noqa: F401 - sets the litellm environment
from archon_code.llm.local import LocalServerConfig, _start_server, materialize

PROMPTS = [
    "Write a Python function that returns the n-th Fibonacci number iteratively. Only code.",
    "Write a Python program that reads two integers from stdin and prints their sum. Only code.",
    "Explain in three sentences what a binary search does.",
]


def _ask(base: str, prompt: str) -> dict:
    body = {"model": "m", "messages": [{"role": "user", "content": prompt}], "temperature": 0,
            "max_tokens": 200, "seed": 1}
    request = urllib.request.Request(f"{base}/v1/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["timings"]


def main(name: str, threads: int | None) -> None:
    config = LocalServerConfig(threads=threads) if threads else LocalServerConfig()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        path = materialize(name, Path(tmp))
        joined = time.monotonic() - started
        started = time.monotonic()
        server = _start_server(path, config)
        loaded = time.monotonic() - started
        timings = [_ask(server.listening_address, prompt) for prompt in PROMPTS]
        del server
    print(json.dumps({
        "model": name,
        "threads": config.n_threads,
        "join_hash_s": round(joined, 2),
        "load_s": round(loaded, 2),
        "generate_tok_s": [round(t["predicted_per_second"], 1) for t in timings],
        "prompt_tok_s": [round(t["prompt_per_second"], 1) for t in timings],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
