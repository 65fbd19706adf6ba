"""Model faults on a real loopback server: the endpoint named, Retry-After, unreadable cache rows."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from archon_code.errors import LLMError
from archon_code.llm import LLMCache, Usage
from archon_code.llm.endpoints import endpoint_for
from archon_code.llm.retry import _parse_retry_after
from tests.llm.conftest import MODEL, user


@pytest.mark.parametrize("variable", ["OPENAI_API_BASE", "OPENAI_BASE_URL"])
def test_errors_name_the_endpoint_from_the_environment(fake, make_client, monkeypatch, variable):
    server = fake(default="500")
    monkeypatch.delenv("OPENAI_API_BASE", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv(variable, server.api_base)
    client = make_client(retries=0)  # no api_base: litellm takes the variable
    with pytest.raises(LLMError) as info:
        client.complete(user("hi"), model=MODEL)
    assert len(server.requests) == 1
    assert str(info.value) == (f"model {MODEL} failed with a server error at {server.api_base}: "
                               "500 scripted 500 (after 1 attempt)")


def test_endpoint_for_follows_litellm_order():
    env = {"OPENAI_API_BASE": "http://127.0.0.1:1/v1", "OPENAI_BASE_URL": "http://127.0.0.1:2/v1"}
    assert endpoint_for("openai/x", None, environ=env) == "http://127.0.0.1:2/v1"
    assert endpoint_for("openai/x", "http://127.0.0.1:3/v1", environ=env) == "http://127.0.0.1:3/v1"
    assert endpoint_for("openai/x", None, environ={}) == "https://api.openai.com/v1"
    assert endpoint_for("anthropic/claude-3-5-sonnet-latest", None, environ={}) == "https://api.anthropic.com"
    assert endpoint_for("ollama/qwen", None, environ={"OLLAMA_API_BASE": "http://127.0.0.1:4"}) == \
        "http://127.0.0.1:4"
    assert endpoint_for("ollama/qwen", None, environ={}) == "http://localhost:11434"
    assert endpoint_for("no-such-provider-model", None, environ={}) is None


def test_retry_after_seconds_is_honoured(fake, make_client):
    server = fake(["429:1.2"])
    client = make_client(server, retries=1, backoff_s=0.001)
    started = time.monotonic()
    client.complete(user("hi"), model=MODEL)
    assert 1.2 <= time.monotonic() - started < 2.5
    assert len(server.requests) == 2


def test_retry_after_http_date_is_honoured(fake, make_client):
    server = fake(["503:date:2"])
    client = make_client(server, retries=1, backoff_s=0.001)
    started = time.monotonic()
    client.complete(user("hi"), model=MODEL)
    assert 0.9 <= time.monotonic() - started < 3.5  # an HTTP date has whole seconds
    assert len(server.requests) == 2


def test_retry_after_is_bounded_by_the_timeout(fake, make_client):
    server = fake(["429:60"])
    client = make_client(server, retries=1, timeout_s=0.5)
    started = time.monotonic()
    client.complete(user("hi"), model=MODEL)
    assert 0.45 <= time.monotonic() - started < 2.0


def test_parse_retry_after():
    assert _parse_retry_after("3", now=0.0) == 3.0
    assert _parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=4.0) == 6.0
    assert _parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=20.0) == 0.0
    assert _parse_retry_after("soon", now=0.0) is None


def test_a_hung_endpoint_gives_up_after_the_timeout(fake, make_client):
    server = fake(["hang"], hang_s=10)
    client = make_client(server, retries=0, timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(LLMError, match=r"timed out at .*: no answer within 0.5s \(after 1 attempt\)$"):
        client.complete(user("hi"), model=MODEL)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("text, usage, why", [
    ("answer", '{"calls": 1, "joules": 3}', "a row does not parse"),          # a future version
    ("answer", "not json at all", "a row does not parse"),                     # corrupted
    ("", '{"calls": 1}', "a row holds an empty answer"),                       # "" ...
    (None, '{"calls": 1}', "a row holds an empty answer"),                     # ... and NULL alike
])
def test_an_unreadable_cache_row_is_a_miss_said_once(fake, make_client, tmp_path, caplog, text, usage, why):
    server = fake()
    client = make_client(server, cache=True)
    client.complete(user("hi"), model=MODEL)
    client.complete(user("ho"), model=MODEL)
    path = tmp_path / "llm-cache" / "completions.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA writable_schema = ON")  # let NULL into the NOT NULL column, as a foreign writer might
        conn.execute("UPDATE sqlite_master SET sql = replace(sql, 'text TEXT NOT NULL', 'text TEXT') "
                     "WHERE name = 'completions'")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE completions SET text = ?, usage = ?", (text, usage))
    fresh = make_client(server, cache=True)
    with caplog.at_level(logging.WARNING):
        again = [fresh.complete(user(t), model=MODEL) for t in ("hi", "ho")]
    assert [c.cached for c in again] == [False, False]
    assert len(server.requests) == 4
    warnings = [r.getMessage() for r in caplog.records if "LLM cache" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"archon-code: warning: LLM cache {path}: {why}")
    assert warnings[0].endswith("; such rows count as misses and are replaced when the call is made again")
    assert "\n" not in warnings[0]
    assert make_client(server, cache=True).complete(user("hi"), model=MODEL).cached is True  # replaced


def test_a_cache_of_another_layout_is_a_miss_and_not_written(fake, make_client, tmp_path, caplog):
    directory = tmp_path / "llm-cache"
    directory.mkdir()
    with sqlite3.connect(directory / "completions.sqlite3") as conn:
        conn.execute("CREATE TABLE completions (key TEXT PRIMARY KEY, answer BLOB)")
    server = fake()
    client = make_client(server, cache=True)
    with caplog.at_level(logging.WARNING):
        first = client.complete(user("hi"), model=MODEL)
        second = client.complete(user("hi"), model=MODEL)
    assert (first.cached, second.cached) == (False, False)
    warnings = [r.getMessage() for r in caplog.records if "LLM cache" in r.getMessage()]
    assert warnings == [f"archon-code: warning: LLM cache {directory / 'completions.sqlite3'}: its table has "
                        "another layout; such rows count as misses and are replaced when the call is made again"]
    assert isinstance(LLMCache(directory), LLMCache)
    assert client.usage.model_copy(update={"seconds": 0}) == Usage(calls=2, prompt_tokens=22, completion_tokens=14)
