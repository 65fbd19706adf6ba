"""Per-run budgets on calls, tokens and dollars."""

from __future__ import annotations

import pytest

from archon_code.llm import BudgetExceeded
from archon_code.errors import ArchonError
from tests.llm.conftest import MODEL, user


def test_call_budget_stops_the_next_new_call_but_not_cache_hits(fake, make_client):
    server = fake()
    client = make_client(server, cache=True)
    client.complete(user("before"), model=MODEL)
    client.set_budget(calls=2)
    client.complete(user("a"), model=MODEL)
    client.complete(user("b"), model=MODEL)
    with pytest.raises(BudgetExceeded) as info:
        client.complete(user("c"), model=MODEL)
    assert str(info.value) == "call budget of 2 calls used up"
    assert client.complete(user("a"), model=MODEL).cached is True
    assert len(server.requests) == 3
    assert not issubclass(BudgetExceeded, ArchonError)


def test_token_budget(fake, make_client):
    server = fake()
    client = make_client(server)
    client.set_budget(tokens=30)
    client.complete(user("a"), model=MODEL)  # 18 tokens
    client.complete(user("b"), model=MODEL)  # 36 tokens: over, but already spent
    with pytest.raises(BudgetExceeded) as info:
        client.complete(user("c"), model=MODEL)
    assert str(info.value) == "token budget of 30 tokens used up (36 spent)"
    client.set_budget()
    client.complete(user("c"), model=MODEL)
    assert len(server.requests) == 3


def test_dollar_budget(fake, make_client):
    server = fake()
    client = make_client(server)
    client.set_budget(dollars=1e-9)
    client.complete(user("a"), model="openai/gpt-4o-mini")
    with pytest.raises(BudgetExceeded, match=r"^dollar budget of \$1e-09 used up \(\$0\.0000 spent\)$"):
        client.complete(user("b"), model="openai/gpt-4o-mini")


def test_failed_calls_release_their_reservation(fake, make_client):
    server = fake(["500", "500"])
    client = make_client(server, retries=0)
    client.set_budget(calls=1)
    for _ in range(2):
        with pytest.raises(Exception, match="server error"):
            client.complete(user("a"), model=MODEL)
    client.complete(user("a"), model=MODEL)
    with pytest.raises(BudgetExceeded):
        client.complete(user("a"), model=MODEL)
