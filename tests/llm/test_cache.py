"""The on-disk completion cache: hits make no request, keys separate samples, processes share it."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archon_code.errors import LLMError
from archon_code.llm import LLMCache, LLMClient, Usage
from archon_code.llm.cache import CacheEntry, cache_key
from tests.llm.conftest import MODEL, user


def test_second_identical_call_makes_no_request(fake, make_client):
    server = fake()
    client = make_client(server, cache=True)
    first = client.complete(user("hi"), model=MODEL, tag="gen")
    second = client.complete(user("hi"), model=MODEL, tag="gen")
    assert len(server.requests) == 1
    assert second.text == first.text
    assert (first.cached, second.cached) == (False, True)
    assert second.usage.model_copy(update={"seconds": 0}) == Usage(cached_calls=1)
    total = client.usage
    assert (total.calls, total.cached_calls, total.tokens) == (1, 1, 18)


def test_sample_temperature_max_tokens_and_model_are_part_of_the_key(fake, make_client):
    server = fake()
    client = make_client(server, cache=True)
    client.complete(user("hi"), model=MODEL)
    client.complete(user("hi"), model=MODEL, sample=1)
    client.complete(user("hi"), model=MODEL, temperature=0.5)
    client.complete(user("hi"), model=MODEL, max_tokens=10)
    client.complete(user("hi"), model="openai/other")
    client.complete(user("hi!"), model=MODEL)
    assert len(server.requests) == 6
    client.complete(user("hi"), model=MODEL, sample=1)
    assert len(server.requests) == 6


def test_cache_persists_across_clients_and_can_be_turned_off(fake, tmp_path):
    server = fake()
    options = dict(api_base=server.api_base, api_key="k")
    LLMClient(tmp_path, **options).complete(user("hi"), model=MODEL)
    again = LLMClient(tmp_path, **options).complete(user("hi"), model=MODEL)
    assert again.cached is True
    assert len(server.requests) == 1
    LLMClient(tmp_path, cache=False, **options).complete(user("hi"), model=MODEL)
    assert len(server.requests) == 2


def test_api_base_is_part_of_remote_identity(fake, tmp_path):
    one, two = fake(), fake()
    LLMClient(tmp_path, api_base=one.api_base, api_key="k").complete(user("hi"), model=MODEL)
    LLMClient(tmp_path, api_base=two.api_base, api_key="k").complete(user("hi"), model=MODEL)
    assert (len(one.requests), len(two.requests)) == (1, 1)


def test_failed_calls_are_not_cached(fake, make_client):
    server = fake(["500"])
    client = make_client(server, cache=True, retries=0)
    with pytest.raises(LLMError):
        client.complete(user("hi"), model=MODEL)
    assert client.complete(user("hi"), model=MODEL).cached is False
    assert len(server.requests) == 2


WRITER = textwrap.dedent(
    """
    import sys, threading
    from archon_code.llm.cache import CacheEntry, LLMCache
    from archon_code.llm.base import Usage
    cache = LLMCache(sys.argv[1])
    proc = sys.argv[2]
    def work(t):
        for i in range(25):
            entry = CacheEntry(text=f"text {proc} {t} {i}", model="m", usage=Usage(calls=1, prompt_tokens=i))
            cache.put(f"{proc}-{t}-{i}", entry)
            cache.put("shared", CacheEntry(text="same", model="m", usage=Usage(calls=1)))
            assert cache.get(f"{proc}-{t}-{i}").text == f"text {proc} {t} {i}"
    threads = [threading.Thread(target=work, args=(t,)) for t in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    """
)


def test_concurrent_processes_and_threads_share_the_cache(tmp_path):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(p)], stderr=subprocess.PIPE, text=True
        )
        for p in range(4)
    ]
    errors = [proc.communicate()[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], errors
    cache = LLMCache(tmp_path)
    assert len(cache) == 4 * 3 * 25 + 1
    expected = CacheEntry(text="text 2 1 7", model="m", usage=Usage(calls=1, prompt_tokens=7))
    assert cache.get("2-1-7") == expected
    assert cache.get("missing") is None


messages = st.lists(
    st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant"]), "content": st.text()}),
    min_size=1,
    max_size=4,
)


@given(messages, st.floats(0, 2), st.integers(1, 10_000), st.integers(0, 1000))
def test_cache_key_is_stable_and_separates_samples(msgs, temperature, max_tokens, sample):
    key = cache_key("m", msgs, temperature, max_tokens, sample)
    assert key == cache_key("m", [dict(m) for m in msgs], temperature, max_tokens, sample)
    assert key != cache_key("m", msgs, temperature, max_tokens, sample + 1)
    assert key != cache_key("m2", msgs, temperature, max_tokens, sample)
    assert len(key) == 64


def test_unusable_cache_dir_is_an_llm_error(tmp_path):
    import pytest

    from archon_code.errors import LLMError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LLMError) as info:
        LLMCache(blocker / "llm")
    assert str(info.value) == (
        f"LLM cache at {blocker / 'llm' / 'completions.sqlite3'} is unusable: [Errno 20] Not a directory: "
        f"'{blocker / 'llm'}'"
    )


def test_stop_strings_reach_the_server_and_the_key(fake, make_client):
    """``stop`` is sent as the OpenAI ``stop`` field and keys the cache; a call without one keeps
    the key of earlier versions (answers cached before ``stop`` existed still hit)."""
    server = fake()
    client = make_client(server, cache=True)
    client.complete(user("hi"), model=MODEL)
    client.complete(user("hi"), model=MODEL, stop=("\n```\n",))
    assert len(server.requests) == 2
    assert "stop" not in server.requests[0] and server.requests[1]["stop"] == ["\n```\n"]
    client.complete(user("hi"), model=MODEL, stop=["\n```\n"])
    assert len(server.requests) == 2
    key = cache_key(MODEL, user("hi"), 0.0, 1024, 0)
    assert cache_key(MODEL, user("hi"), 0.0, 1024, 0, ()) == key
    assert cache_key(MODEL, user("hi"), 0.0, 1024, 0, ("x",)) != key
    earlier = {"identity": MODEL, "messages": user("hi"), "temperature": 0.0, "max_tokens": 1024, "sample": 0}
    blob = json.dumps(earlier, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert key == hashlib.sha256(blob.encode()).hexdigest()  # the key before stop strings existed
