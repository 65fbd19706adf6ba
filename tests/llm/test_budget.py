"""Budgets against a real HTTP server: reserved before each attempt, every attempt counted."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from archon_code.errors import ArchonError, LLMError
from archon_code.llm import Budget, BudgetExceeded, Usage
from tests.llm.conftest import MODEL, user


def _parallel(client, meter, n: int, max_tokens: int = 1024) -> list:
    """``n`` samples at once, as a generator layer sends them; each result or exception."""

    def one(i: int):
        try:
            return client.complete(user("p"), model=MODEL, sample=i, max_tokens=max_tokens, meter=meter)
        except (BudgetExceeded, LLMError) as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_one_call_budget_with_four_parallel_samples_sends_exactly_one_request(fake, make_client):
    server = fake(["slow"], hang_s=0.5)  # the first answer takes a while: the others start meanwhile
    client = make_client(server)
    meter = Budget(calls=1).meter()
    results = _parallel(client, meter, 4)
    assert len(server.requests) == 1
    assert sum(isinstance(r, BudgetExceeded) for r in results) == 3
    assert {str(r) for r in results if isinstance(r, BudgetExceeded)} == {"call budget of 1 call used up"}
    assert meter.spent.calls == 1 and meter.stopped == "calls"


def test_token_budget_is_never_overspent_by_parallel_calls(fake, make_client):
    server = fake(full_usage=True)  # every answer uses its whole max_tokens
    client = make_client(server)
    meter = Budget(tokens=300).meter()
    results = _parallel(client, meter, 4, max_tokens=256)
    answered = [r for r in results if not isinstance(r, Exception)]
    assert answered, results
    assert meter.spent.tokens <= 300
    sent = [body["max_tokens"] for body in server.requests]
    assert all(m < 256 for m in sent[1:]) or len(sent) == 1
    assert meter.spent.tokens == sum(c.usage.tokens for c in answered)


def test_token_budget_shrinks_max_tokens_to_what_is_left(fake, make_client):
    server = fake(full_usage=True)
    client = make_client(server)
    meter = Budget(tokens=300).meter()
    client.complete(user("a"), model=MODEL, max_tokens=1024, meter=meter)
    [body] = server.requests
    assert 16 <= body["max_tokens"] < 300
    assert meter.spent.tokens <= 300
    with pytest.raises(BudgetExceeded) as info:
        client.complete(user("b"), model=MODEL, max_tokens=1024, meter=meter)
    assert info.value.which == "tokens"
    assert len(server.requests) == 1


def test_one_call_budget_against_a_failing_endpoint_sends_one_request(fake, make_client):
    server = fake(default="500")
    client = make_client(server, retries=19)
    meter = Budget(calls=1).meter()
    with pytest.raises(LLMError) as info:
        client.complete(user("a"), model=MODEL, meter=meter)
    assert len(server.requests) == 1
    assert str(info.value) == (f"model {MODEL} failed with a server error at {server.api_base}: 500 scripted 500 "
                               "(after 1 attempt; call budget of 1 call used up)")
    assert meter.spent == Usage(calls=1, seconds=meter.spent.seconds)


def test_retries_are_counted_as_calls(fake, make_client):
    server = fake(["500", "429", "ok"])
    client = make_client(server, retries=4)
    meter = Budget(calls=10).meter()
    client.complete(user("a"), model=MODEL, meter=meter)
    assert meter.spent.calls == 3
    assert client.usage.calls == 3
    assert (meter.spent.prompt_tokens, meter.spent.completion_tokens) == (11, 7)


def test_cache_hits_are_free_and_recorded(fake, make_client):
    server = fake()
    client = make_client(server, cache=True)
    client.complete(user("a"), model=MODEL)
    meter = Budget(calls=1).meter()
    assert client.complete(user("a"), model=MODEL, meter=meter).cached is True
    client.complete(user("b"), model=MODEL, meter=meter)
    with pytest.raises(BudgetExceeded):
        client.complete(user("c"), model=MODEL, meter=meter)
    assert (meter.spent.calls, meter.spent.cached_calls) == (1, 1)
    assert len(server.requests) == 2
    assert not issubclass(BudgetExceeded, ArchonError)


def test_seconds_budget_cuts_a_hanging_call_at_the_deadline(fake, make_client):
    server = fake(["hang"], hang_s=10)
    client = make_client(server, timeout_s=600)
    meter = Budget(seconds=1.0).meter()
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as info:
        client.complete(user("a"), model=MODEL, meter=meter, tag="layer1/generator0")
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 1.6
    assert info.value.which == "seconds"
    assert str(info.value) == f"seconds budget of 1s ran out during a call by layer1/generator0 ({MODEL})"
    assert meter.spent.calls == 1 and meter.stopped == "seconds"


def test_seconds_budget_stops_retrying_when_the_backoff_would_pass_it(fake, make_client):
    server = fake(["429:5"])
    client = make_client(server, timeout_s=30)
    meter = Budget(seconds=1.0).meter()
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        client.complete(user("a"), model=MODEL, meter=meter)
    assert time.monotonic() - started < 0.9
    assert str(info.value).endswith("(after 1 attempt; the seconds budget ends before the next attempt)")
    assert len(server.requests) == 1


def test_dollar_budget_reserves_the_estimated_price(fake, make_client):
    server = fake()
    client = make_client(server)
    meter = Budget(dollars=1e-9).meter()
    with pytest.raises(BudgetExceeded, match=r"^dollar budget of \$1e-09 used up \(\$0\.0000 spent\)$"):
        client.complete(user("a"), model="openai/gpt-4o-mini", meter=meter)
    assert server.requests == []
    roomy = Budget(dollars=1.0).meter()
    client.complete(user("a"), model="openai/gpt-4o-mini", meter=roomy)
    assert 0 < roomy.spent.cost_usd < 1e-4
