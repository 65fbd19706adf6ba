"""LLMClient against a real HTTP server: retries, timeouts, errors, usage, hooks, seeds."""

from __future__ import annotations

import threading

import pytest

from archon_code.errors import ConfigError, LLMError
from archon_code.llm import LLMClient, Usage
from archon_code.llm.client import seed_for
from tests.llm.conftest import MODEL, user

ANSWER = "echo:hi|seed:1234|t:0.0"


def test_retries_through_429_500_garbage_empty_null_blank_and_hang(fake, make_client):
    server = fake(["429", "500", "garbage", "empty", "null", "blank", "hang"], hang_s=1.5)
    client = make_client(server, retries=7, timeout_s=0.5)
    completion = client.complete(user("hi"), model=MODEL, tag="t")
    assert completion.text == ANSWER
    assert completion.cached is False
    assert len(server.requests) == 8
    assert client.usage.model_copy(update={"seconds": 0}) == Usage(  # every attempt is a call
        calls=8, prompt_tokens=11, completion_tokens=7
    )


@pytest.mark.parametrize(
    "action, message",
    [
        ("429", "was rate limited at {base}: 429 scripted 429 (after 3 attempts)"),
        ("500", "failed with a server error at {base}: 500 scripted 500 (after 3 attempts)"),
        ("503", "failed with a server error at {base}: 503 scripted 503 (after 3 attempts)"),
        ("garbage", "returned a malformed response at {base}: the body is not JSON (after 3 attempts)"),
        ("empty", "returned a malformed response at {base}: no choices in the answer (after 3 attempts)"),
        ("null", "returned a malformed response at {base}: empty answer (no message content) (after 3 attempts)"),
        ("blank", "returned a malformed response at {base}: empty answer (no message content) (after 3 attempts)"),
        ("hang", "timed out at {base}: no answer within 0.3s (after 3 attempts)"),
    ],
)
def test_transient_failures_give_up_after_retries(fake, make_client, action, message):
    server = fake([action] * 3, hang_s=1.0)
    client = make_client(server, retries=2, timeout_s=0.3)
    with pytest.raises(LLMError) as info:
        client.complete(user("hi"), model=MODEL)
    assert str(info.value) == f"model {MODEL} " + message.format(base=server.api_base)
    assert len(server.requests) == 3
    assert (client.usage.calls, client.usage.tokens) == (3, 0)


@pytest.mark.parametrize(
    "status, text", [("401", "scripted 401"), ("400", "scripted 400"), ("404", "scripted 404")]
)
def test_permanent_failures_are_not_retried(fake, make_client, status, text):
    server = fake([status])
    client = make_client(server, retries=4)
    with pytest.raises(LLMError) as info:
        client.complete(user("hi"), model=MODEL)
    assert str(info.value) == f"model {MODEL} failed at {server.api_base}: {text}"
    assert len(server.requests) == 1


def test_unreachable_endpoint_names_model_url_and_cause(make_client, closed_port):
    base = f"http://127.0.0.1:{closed_port}/v1"
    client = make_client(api_base=base, retries=1)
    with pytest.raises(LLMError) as info:
        client.complete(user("hi"), model=MODEL)
    assert str(info.value) == f"model {MODEL} unreachable at {base}: connection refused (after 2 attempts)"


def test_unknown_provider_is_one_line_error(make_client):
    with pytest.raises(LLMError) as info:
        make_client().complete(user("hi"), model="no-such-provider-model")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("model no-such-provider-model failed: LLM Provider NOT provided")


def test_sample_sets_a_deterministic_seed_and_temperature_is_sent(fake, make_client):
    server = fake()
    client = make_client(server)
    first = client.complete(user("x"), model=MODEL, temperature=0.7, sample=3)
    again = client.complete(user("x"), model=MODEL, temperature=0.7, sample=3)
    assert first.text == again.text == f"echo:x|seed:{seed_for(3)}|t:0.7"
    assert [r["seed"] for r in server.requests] == [seed_for(3), seed_for(3)]
    assert [r["max_tokens"] for r in server.requests] == [1024, 1024]
    assert len({seed_for(i) for i in range(1000)}) == 1000


def test_usage_total_under_threads(fake, make_client):
    server = fake()
    client = make_client(server, max_concurrency=3)
    tags = [f"layer{i % 3}/gen" for i in range(12)]
    threads = [
        threading.Thread(target=client.complete, args=(user(str(i)),), kwargs={"model": MODEL, "tag": tag})
        for i, tag in enumerate(tags)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.usage.calls == 12
    assert (client.usage.prompt_tokens, client.usage.completion_tokens) == (12 * 11, 12 * 7)


def test_concurrency_is_limited_by_semaphore(fake, make_client):
    server = fake(["slow"] * 8, hang_s=0.3)
    client = make_client(server, max_concurrency=2)
    threads = [
        threading.Thread(target=client.complete, args=(user(str(i)),), kwargs={"model": MODEL})
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.requests) == 8
    assert server.max_in_flight == 2


def test_cost_from_litellm_cost_map_and_zero_for_unknown(fake, make_client):
    import litellm

    server = fake()
    client = make_client(server)
    known = client.complete(user("a"), model="openai/gpt-4o-mini")
    price = litellm.model_cost["gpt-4o-mini"]
    expected = 11 * price["input_cost_per_token"] + 7 * price["output_cost_per_token"]
    assert known.usage.cost_usd == pytest.approx(expected, rel=1e-9)
    assert expected > 0
    unknown = client.complete(user("a"), model="openai/definitely-not-in-cost-map")
    assert unknown.usage.cost_usd == 0.0


def test_on_call_hooks_see_every_call(fake, make_client):
    server = fake()
    client = make_client(server, cache=True)
    seen = []
    client.on_call.append(
        lambda tag, model, messages, completion: seen.append(
            (tag, model, messages[-1]["content"], completion.cached)
        )
    )
    client.complete(user("q"), model=MODEL, tag="layer1/critic")
    client.complete(user("q"), model=MODEL, tag="layer1/critic")
    assert seen == [("layer1/critic", MODEL, "q", False), ("layer1/critic", MODEL, "q", True)]


def test_bad_options_are_config_errors(tmp_path):
    with pytest.raises(ConfigError) as info:
        LLMClient(tmp_path, max_concurrency=0)
    assert str(info.value) == (
        "LLM client option 'max_concurrency': must be >= 1, got 0"
    )
    with pytest.raises(ConfigError) as info:
        LLMClient(tmp_path, retry=3)
    assert str(info.value) == ("LLM client option 'retry': not allowed here; allowed fields: max_concurrency, "
                                "retries, timeout_s, backoff_s, max_backoff_s, api_base, api_key, local")


def test_backoff_grows_exponentially_with_jitter_and_cap(tmp_path):
    client = LLMClient(tmp_path, backoff_s=1.0, max_backoff_s=5.0)
    for attempt, base in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 5.0), (10, 5.0)]:
        delays = [client._delay(attempt) for _ in range(50)]
        assert all(base * 0.5 <= d <= base for d in delays)
        assert len(set(delays)) == 50


def test_importing_the_client_does_not_import_litellm():
    import subprocess
    import sys

    code = (
        "import sys, archon_code.llm; "
        "print(sorted(m for m in ('litellm', 'openai', 'xllamacpp') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
