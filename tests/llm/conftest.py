"""Fixtures for the LLM client tests: a real fake OpenAI server and a fast-retrying client."""

from __future__ import annotations

import socket

import pytest

from archon_code.llm import LLMClient
from tests.llm.fake_openai import FakeOpenAI

MODEL = "openai/fake-model"


def user(text: str) -> list[dict]:
    return [{"role": "system", "content": "be brief"}, {"role": "user", "content": text}]


@pytest.fixture
def fake():
    """Start a FakeOpenAI server with ``fake(script)``; all are shut down after the test."""
    servers = []

    def start(script=None, hang_s=3.0, **options):
        server = FakeOpenAI(script, hang_s=hang_s, **options).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def make_client(tmp_path):
    """``make_client(server, **options)``: a client on that server with tiny backoff."""

    def make(server=None, **options):
        options.setdefault("backoff_s", 0.001)
        options.setdefault("api_key", "sk-test")
        if server is not None:
            options.setdefault("api_base", server.api_base)
        cache = options.pop("cache", False)
        return LLMClient(tmp_path / "llm-cache", cache=cache, **options)

    return make


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
