"""``solve`` says what it is doing from the first second: run, layer, model start, each call."""

from __future__ import annotations

import re
from pathlib import Path

from archon_code.cli.solve import ProgressLLM
from tests.conftest import require_docker, require_model
from tests.support.cli import run_main
from tests.support.scripted_llm import ScriptedLLM

ROOT = Path(__file__).resolve().parents[2]


def test_progress_llm_says_each_call_before_it_runs():
    lines: list[str] = []
    inner = ScriptedLLM(lambda messages, sample: f"answer {sample} after {len(lines)} lines")
    llm = ProgressLLM(inner, lines.append)
    first = llm.complete([{"role": "user", "content": "hi"}], model="local/qwen2.5-coder-0.5b", tag="layer1/generator0")
    llm.complete([{"role": "user", "content": "hi"}], model="local/qwen2.5-coder-0.5b", tag="layer1/generator0",
                 sample=1)
    llm.complete([{"role": "user", "content": "hi"}], model="openai/gpt-4o-mini", tag="layer2/critic0")
    assert first.text == "answer 0 after 2 lines"  # both lines were out before the model answered
    assert lines == [
        "model local/qwen2.5-coder-0.5b: first call; starting the embedded model takes up to a minute "
        "unless the answer is cached",
        "call 1: layer1/generator0 -> local/qwen2.5-coder-0.5b",
        "call 2: layer1/generator0 -> local/qwen2.5-coder-0.5b",
        "call 3: layer2/critic0 -> openai/gpt-4o-mini",
    ]
    assert llm.usage == inner.usage  # everything else is the wrapped client's


def test_solve_progress_on_stderr_with_the_real_model(monkeypatch, capsys):
    require_docker()
    require_model()
    monkeypatch.setenv("ARCHON_CODE_LOCAL_THREADS", "1")
    code, out, err = run_main(monkeypatch, capsys, "solve", str(ROOT / "problems" / "sum-two.yaml"),
                              "--model", "local/qwen2.5-coder-0.5b", "--arch", "single")
    lines = err.splitlines()
    assert lines[:4] == [
        "solve: sum-two with architecture single (1 layer), model local/qwen2.5-coder-0.5b; starting the sandbox",
        "solve: layer 1 (generator): running",
        "solve: model local/qwen2.5-coder-0.5b: first call; starting the embedded model (1 slot, 1 thread) "
        "takes up to a minute unless the answer is cached",
        "solve: call 1: layer1/generator0 -> local/qwen2.5-coder-0.5b",
    ]
    # one call, or none when the answer came from the cache
    assert re.fullmatch(r"solve: layer 1 \(generator\): 1 candidate, not run yet, 0 generated tests, "
                        r"(1 call|0 calls), \d+\.\ds", lines[4]), lines[4]
    assert code in (0, 1) and "public tests: " in out
    code, out, err = run_main(monkeypatch, capsys, "solve", str(ROOT / "problems" / "sum-two.yaml"),
                              "--model", "local/qwen2.5-coder-0.5b", "--arch", "single", "--quiet")
    assert err == ""
