"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions shape.

Each request takes the next scripted behaviour: ``"ok"``; ``"slow"`` (wait ``hang_s``, then
ok); an HTTP status (``"429"``, ``"500"``, ...), optionally with a ``Retry-After`` header
(``"429:2"`` = 2 seconds, ``"503:date:2"`` = an HTTP date 2 s ahead); ``"hang"`` (sleep past
the client timeout); ``"garbage"`` (200 with a body that is not JSON), ``"empty"`` (200 with
no choices), ``"null"`` (content null), ``"blank"`` (content ``""``) or ``"say:TEXT"`` (answer
TEXT). When the script runs
out it answers ``default`` (``"ok"``). The answer text echoes the last user message, the
sample seed and the temperature, so tests can tell requests apart. ``answer`` replaces that
text (e.g. a program). Usage is 11 prompt + 7 completion tokens, or with ``full_usage`` the
worst case a budget must allow for: prompt = characters / 4, completion = ``max_tokens``.
``keys`` records the bearer key of every request.
"""

from __future__ import annotations

import json
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    """Context manager: ``with FakeOpenAI(["429", "ok"]) as server: server.api_base``."""

    def __init__(self, script: list[str] | None = None, hang_s: float = 3.0, *, default: str = "ok",
                 answer: str | None = None, full_usage: bool = False) -> None:
        self.script = list(script or [])
        self.hang_s = hang_s
        self.default = default
        self.answer = answer
        self.full_usage = full_usage
        self.requests: list[dict] = []
        self.keys: list[str] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self, body: dict) -> str:
        with self.lock:
            self.requests.append(body)
            return self.script.pop(0) if self.script else self.default

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.keys.append(self.headers.get("Authorization", "").removeprefix("Bearer "))
                with fake.lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    fake._respond(self, fake._next(body), body)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1

        return Handler

    def _respond(self, handler: BaseHTTPRequestHandler, action: str, body: dict) -> None:
        if action in ("hang", "slow"):
            time.sleep(self.hang_s)
            action = "ok"
        status, _, retry_after = action.partition(":")
        if status == "say":
            self._send(handler, 200, json.dumps(self._answer(body, retry_after)).encode())
        elif status.isdigit():
            payload = json.dumps({"error": {"message": f"scripted {status}", "type": "x"}}).encode()
            self._send(handler, int(status), payload, _retry_after(retry_after))
        elif action == "garbage":
            self._send(handler, 200, b"<html>this is not json</html>")
        elif action in ("empty", "null", "blank"):
            content = {"empty": (), "null": None, "blank": ""}[action]
            self._send(handler, 200, json.dumps(self._answer(body, content)).encode())
        else:
            text = _text(body) if self.answer is None else self.answer
            self._send(handler, 200, json.dumps(self._answer(body, text)).encode())

    def _answer(self, body: dict, text) -> dict:
        answer = _answer(body, text)
        if self.full_usage:
            prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4
            answer["usage"] = {"prompt_tokens": prompt, "completion_tokens": int(body.get("max_tokens") or 0),
                               "total_tokens": prompt + int(body.get("max_tokens") or 0)}
        return answer

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: bytes, retry_after: str | None = None) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            if retry_after:
                handler.send_header("Retry-After", retry_after)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer


def _retry_after(spec: str) -> str | None:
    """``"2"`` -> ``"2"``; ``"date:2"`` -> the HTTP date 2 seconds from now; ``""`` -> None."""
    if not spec:
        return None
    if spec.startswith("date:"):
        return formatdate(time.time() + float(spec[5:]), usegmt=True)
    return spec


def _text(body: dict) -> str:
    last = [m["content"] for m in body.get("messages", []) if m.get("role") == "user"][-1]
    return f"echo:{last}|seed:{body.get('seed')}|t:{body.get('temperature')}"


def _answer(body: dict, text) -> dict:
    """``text`` () = no choices; None = content null."""
    choices = [] if text == () else [
        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
    ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": choices,
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }
