"""Calls to the embedded server: concurrent samples of one prompt become one request.

A generator sends its samples at once. Sent as separate requests, each lands in its own
slot and the server processes the same prompt once per slot. Here, requests for the same
endpoint, messages, temperature, max_tokens and stop strings that arrive within :data:`WINDOW_S` of each
other are sent as one request with ``n`` (up to the server's slots): llama.cpp processes the
prompt once, copies it to the other slots and decodes the answers in one batch.

The answer has litellm's shape (``choices[0].message.content``, ``usage``), so the client
treats it like any other; failures raise what :func:`archon_code.llm.retry.classify` knows
(``OSError`` / ``TimeoutError`` for the network, an error with ``status_code`` for HTTP).
Plain ``urllib``: no litellm import for the embedded model.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

__all__ = ["LocalAnswer", "LocalBatcher", "WINDOW_S", "local_http_error"]

WINDOW_S = 0.1
"""How long the first request of a group waits for its siblings (they arrive within ms on an
idle machine; the margin covers a loaded one, and is small beside a call's seconds)."""


@functools.lru_cache(maxsize=1)
def local_http_error() -> type:
    """``LocalHTTPError(status, body)``: an ``openai.OpenAIError``, so 4xx is not retried."""
    import openai

    class LocalHTTPError(openai.OpenAIError):
        def __init__(self, status_code: int, message: str) -> None:
            super().__init__(f"{status_code} {message}")
            self.status_code = status_code

    return LocalHTTPError


@dataclass(frozen=True)
class _Message:
    content: str


@dataclass(frozen=True)
class _Choice:
    message: _Message


@dataclass(frozen=True)
class _Usage:
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class LocalAnswer:
    """One sample's answer in litellm's shape."""

    choices: tuple[_Choice, ...]
    usage: _Usage
    batch: int = 1
    """How many samples shared the request."""


@dataclass
class _Group:
    body: dict
    seeds: list[int] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    answers: Optional[list[LocalAnswer]] = None
    error: Optional[BaseException] = None
    sent: bool = False
    slots: int = 1


def _post(url: str, body: dict, timeout: float) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        raise local_http_error()(exc.code, detail) from None


class LocalBatcher:
    """Coalesces concurrent identical requests to one embedded server (thread-safe)."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._lock = threading.Lock()
        self._open: dict[tuple, _Group] = {}
        self.requests = 0
        """HTTP requests sent (for tests and the throughput bench)."""

    def completion(self, *, api_base: str, messages: Sequence[dict], temperature: float, max_tokens: int,
                   seed: int, timeout: float, slots: int = 1, stop: Optional[Sequence[str]] = None,
                   **_ignored: Any) -> LocalAnswer:
        """One sample's answer; called with the client's litellm keyword arguments."""
        body = {"messages": [dict(m) for m in messages], "temperature": temperature, "max_tokens": max_tokens,
                "cache_prompt": True, **({"stop": list(stop)} if stop else {})}
        key = (api_base, json.dumps(body, sort_keys=True))
        with self._lock:
            group = self._open.get(key)
            leader = group is None or group.sent or len(group.seeds) >= group.slots
            if leader:
                group = _Group(body=body, slots=slots)
                self._open[key] = group
            group.seeds.append(seed)
            index = len(group.seeds) - 1
        if leader:
            self._send(key, group, api_base, timeout)
        group.done.wait()
        if group.error is not None:
            raise group.error
        return group.answers[index]

    def _send(self, key: tuple, group: _Group, api_base: str, timeout: float) -> None:
        if group.slots > 1:
            time.sleep(self.window_s)
        with self._lock:
            group.sent = True
            if self._open.get(key) is group:
                del self._open[key]
        try:
            group.answers = self._request(group, api_base, timeout)
        except BaseException as exc:  # noqa: BLE001 - handed to every waiting sample
            group.error = exc
        finally:
            group.done.set()

    def _request(self, group: _Group, api_base: str, timeout: float) -> list[LocalAnswer]:
        n = len(group.seeds)
        body = dict(group.body, seed=group.seeds[0], **({"n": n} if n > 1 else {}))
        self.requests += 1
        data = _post(f"{api_base}/chat/completions", body, timeout)
        choices = sorted(data.get("choices") or [], key=lambda c: c.get("index", 0))
        if len(choices) < n:
            from archon_code.llm.retry import Transient

            raise Transient(f"{len(choices)} choices in the answer, expected {n}")
        usage = data.get("usage") or {}
        prompt = int(usage.get("prompt_tokens") or 0)
        texts = [(c.get("message") or {}).get("content") for c in choices[:n]]
        counts = [int(usage.get("completion_tokens") or 0)] if n == 1 else [
            self._count(api_base, t or "", timeout) for t in texts]
        return [LocalAnswer(choices=(_Choice(_Message(text)),) if text is not None else (),
                            usage=_Usage(prompt_tokens=prompt, completion_tokens=count), batch=n)
                for text, count in zip(texts, counts)]

    @staticmethod
    def _count(api_base: str, text: str, timeout: float) -> int:
        """Tokens of one answer (the server reports usage for the first choice only)."""
        root = api_base[: -len("/v1")] if api_base.endswith("/v1") else api_base
        return len(_post(f"{root}/tokenize", {"content": text}, timeout).get("tokens") or [])
