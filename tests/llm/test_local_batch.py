"""Batched embedded-model calls: concurrent samples of one prompt become one request with ``n``.

Grouping and errors against a real HTTP server on 127.0.0.1 that answers like llama.cpp;
the real 0.5B model under the ``model`` marker.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from archon_code.errors import ConfigError, LLMError
from archon_code.llm.local_batch import LocalBatcher, local_http_error
from archon_code.llm.local_config import LocalServerConfig, default_slots, slots_for

MESSAGES = [{"role": "user", "content": "write x"}]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.bodies.append((self.path, body))
        if self.server.status != 200:
            self.send_response(self.server.status)
            self.end_headers()
            self.wfile.write(b'{"error": "context too long"}')
            return
        if self.path == "/tokenize":
            answer = {"tokens": list(range(len(body["content"].split())))}
        else:
            n = body.get("n", 1)
            answer = {"choices": [{"index": i, "message": {"content": f"answer {i} seed {body['seed']}"}}
                                  for i in reversed(range(n))],
                      "usage": {"prompt_tokens": 11, "completion_tokens": 4}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def llama():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.bodies, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.api_base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield server
    server.shutdown()


def _at_once(batcher, api_base, seeds, slots, messages=MESSAGES):
    with ThreadPoolExecutor(len(seeds)) as pool:
        return list(pool.map(lambda s: batcher.completion(api_base=api_base, messages=messages, temperature=0.8,
                                                          max_tokens=64, seed=s, timeout=10, slots=slots,
                                                          model="openai/x", api_key="sk"), seeds))


def test_concurrent_samples_of_one_prompt_share_one_request(llama):
    batcher = LocalBatcher(window_s=0.2)
    answers = _at_once(batcher, llama.api_base, [5, 6, 7, 8], slots=4)
    chats = [b for p, b in llama.bodies if p == "/v1/chat/completions"]
    assert len(chats) == 1 and chats[0]["n"] == 4 and chats[0]["cache_prompt"] is True
    texts = sorted(a.choices[0].message.content for a in answers)
    assert texts == [f"answer {i} seed {chats[0]['seed']}" for i in range(4)]
    assert [a.usage.completion_tokens for a in answers] == [4, 4, 4, 4]  # counted by /tokenize
    assert [(a.usage.prompt_tokens, a.batch) for a in answers] == [(11, 4)] * 4
    assert batcher.requests == 1


def test_groups_never_exceed_the_slots(llama):
    batcher = LocalBatcher(window_s=0.2)
    _at_once(batcher, llama.api_base, [1, 2, 3, 4, 5], slots=2)
    sizes = sorted(b.get("n", 1) for p, b in llama.bodies if p == "/v1/chat/completions")
    assert sizes == [1, 2, 2]


def test_one_slot_sends_every_sample_alone_with_its_seed(llama):
    batcher = LocalBatcher(window_s=0.2)
    answers = _at_once(batcher, llama.api_base, [1, 2, 3], slots=1)
    chats = [b for p, b in llama.bodies if p == "/v1/chat/completions"]
    assert sorted(b["seed"] for b in chats) == [1, 2, 3] and all("n" not in b for b in chats)
    assert sorted(a.choices[0].message.content for a in answers) == [f"answer 0 seed {s}" for s in (1, 2, 3)]
    assert [a.usage.completion_tokens for a in answers] == [4, 4, 4]  # the server's own count


def test_different_prompts_are_not_merged(llama):
    batcher = LocalBatcher(window_s=0.2)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda m: batcher.completion(api_base=llama.api_base, messages=[m], temperature=0.8,
                                                   max_tokens=64, seed=1, timeout=10, slots=4),
                      [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]))
    assert batcher.requests == 2


def test_http_4xx_is_an_openai_error_not_retried(llama):
    import openai

    llama.status = 400
    with pytest.raises(local_http_error()) as info:
        LocalBatcher().completion(api_base=llama.api_base, messages=MESSAGES, temperature=0.0, max_tokens=8,
                                  seed=1, timeout=10, slots=1)
    assert isinstance(info.value, openai.OpenAIError)
    assert (info.value.status_code, str(info.value)) == (400, '400 {"error": "context too long"}')


def test_settings_read_the_environment(monkeypatch):
    for name in ("ARCHON_CODE_LOCAL_SLOTS", "ARCHON_CODE_LOCAL_DRAFT", "ARCHON_CODE_LOCAL_NGRAM",
                 "ARCHON_CODE_LOCAL_BATCH"):
        monkeypatch.delenv(name, raising=False)
    config = LocalServerConfig(threads=1)
    assert (config.parallel, config.draft, config.ngram, config.batch, config.speculative) == (
        4, None, False, True, "none")
    assert slots_for(8) == 8
    monkeypatch.setenv("ARCHON_CODE_LOCAL_SLOTS", "2")
    monkeypatch.setenv("ARCHON_CODE_LOCAL_DRAFT", "qwen2.5-coder-0.5b")
    monkeypatch.setenv("ARCHON_CODE_LOCAL_BATCH", "0")
    config = LocalServerConfig(threads=1)
    assert (config.parallel, config.batch, config.speculative, slots_for(8)) == (
        2, False, "draft:qwen2.5-coder-0.5b", 2)
    monkeypatch.setenv("ARCHON_CODE_LOCAL_SLOTS", "0")
    with pytest.raises(ConfigError) as info:
        default_slots()
    assert str(info.value) == "ARCHON_CODE_LOCAL_SLOTS='0': expected a whole number >= 1"
    monkeypatch.setenv("ARCHON_CODE_LOCAL_NGRAM", "maybe")
    with pytest.raises(ConfigError) as info:
        LocalServerConfig(threads=1, parallel=2, draft=None)
    assert str(info.value) == "ARCHON_CODE_LOCAL_NGRAM='maybe': expected 1 or 0"


def test_unknown_draft_model_is_one_line(tmp_path):
    from archon_code.llm.local import _draft_path

    with pytest.raises(LLMError) as info:
        _draft_path("tiny-draft", tmp_path)
    assert str(info.value) == ("draft model 'tiny-draft': neither qwen2.5-coder-0.5b, qwen2.5-coder-1.5b, "
                               "qwen2.5-coder-1.5b-q4, qwen2.5-coder-1.5b-q8 nor an existing GGUF file")


@pytest.mark.model
def test_embedded_05b_decodes_four_samples_in_one_request(tmp_path, monkeypatch):
    pytest.importorskip("xllamacpp")
    from archon_code.llm import LLMClient
    from archon_code.llm import local

    monkeypatch.setattr(local, "_BATCHER", LocalBatcher(window_s=1.0))  # wide: the box may be loaded

    client = LLMClient(tmp_path, cache=False, max_concurrency=4,
                       local=LocalServerConfig(parallel=4, threads=1, draft=None, ngram=False, batch=True))
    messages = [{"role": "user", "content": "Name a colour. One word."}]
    before = local._BATCHER.requests
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda s: client.complete(messages, model="local/qwen2.5-coder-0.5b",
                                                          temperature=0.8, max_tokens=8, sample=s), range(4)))
    assert local._BATCHER.requests - before == 1
    assert all(a.text and a.usage.completion_tokens > 0 and a.usage.calls == 1 for a in answers)
    assert client.usage.calls == 4


def test_slots_follow_the_architecture_and_the_workers(monkeypatch):
    """solve: one slot per request the architecture has in flight at once; bench: times --workers;
    capped at MAX_SLOTS; $ARCHON_CODE_LOCAL_SLOTS wins."""
    from archon_code.architecture import load_architecture
    from archon_code.architecture.config import concurrent_requests, parse_architecture
    from archon_code.llm.client import LLMClientConfig
    from archon_code.llm.local_config import MAX_SLOTS, for_workers

    monkeypatch.delenv("ARCHON_CODE_LOCAL_SLOTS", raising=False)
    shipped = {name: concurrent_requests(load_architecture(name))
               for name in ("single", "best-of-n", "codet", "full", "repair")}
    assert shipped == {"single": 1, "best-of-n": 4, "codet": 4, "full": 4, "repair": 1}
    wide = parse_architecture({"name": "wide", "layers": [
        [{"type": "generator", "samples": 3, "models": ["a", "b"]}, {"type": "generator", "samples": 2}],
        [{"type": "evaluator"}, {"type": "critic", "top_k": 5}],  # critic: parallel 2 by default
        [{"type": "generator", "samples": 9, "parallel": 3}, {"type": "differential", "batch": 2}],
        [{"type": "fuser", "samples": 4, "parallel": 8}, {"type": "verifier"}, {"type": "ranker"}]]})
    assert concurrent_requests(wide) == 8  # layer 1: 3 x 2 models + 2
    base = LLMClientConfig(local={"threads": 1})
    assert [(c.local.parallel, c.max_concurrency) for c in
            (for_workers(base, 1, 1), for_workers(base, 1, 8), for_workers(base, 3, 4), for_workers(base, 5, 8))] == [
        (1, max(base.max_concurrency, 1)), (8, max(base.max_concurrency, 8)), (12, max(base.max_concurrency, 12)),
        (MAX_SLOTS, max(base.max_concurrency, MAX_SLOTS))]
    monkeypatch.setenv("ARCHON_CODE_LOCAL_SLOTS", "3")
    assert for_workers(base, 5, 8).local.parallel == 3


def test_stop_strings_are_sent_and_separate_groups(llama):
    """Samples with stop strings carry them in the request; they are not merged with samples of
    the same prompt without them (their answers differ)."""
    batcher = LocalBatcher(window_s=0.2)

    def one(stop):
        return batcher.completion(api_base=llama.api_base, messages=MESSAGES, temperature=0.8, max_tokens=64,
                                  seed=1, timeout=10, slots=4, stop=stop)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, [["\n```\n"], ["\n```\n"], None, None]))
    chats = [(b.get("stop"), b.get("n", 1)) for p, b in llama.bodies if p == "/v1/chat/completions"]
    assert sorted(chats, key=str) == sorted([(["\n```\n"], 2), (None, 2)], key=str)
