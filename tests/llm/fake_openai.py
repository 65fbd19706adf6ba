"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions shape.

Each request takes the next scripted behaviour: ``"ok"``; ``"slow"`` (wait ``hang_s``, then
ok); an HTTP status (``"429"``, ``"500"``, ...); ``"hang"`` (sleep past the client timeout);
``"garbage"`` (200 with a body that is not JSON) or ``"empty"`` (200 with no choices). When
the script runs out it answers ``"ok"``. The answer text echoes the last user message, the
sample seed and the temperature, so tests can tell requests apart.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    """Context manager: ``with FakeOpenAI(["429", "ok"]) as server: server.api_base``."""

    def __init__(self, script: list[str] | None = None, hang_s: float = 3.0) -> None:
        self.script = list(script or [])
        self.hang_s = hang_s
        self.requests: list[dict] = []
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
            return self.script.pop(0) if self.script else "ok"

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
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
        if action.isdigit():
            payload = json.dumps({"error": {"message": f"scripted {action}", "type": "x"}}).encode()
            self._send(handler, int(action), payload)
        elif action == "garbage":
            self._send(handler, 200, b"<html>this is not json</html>")
        elif action == "empty":
            self._send(handler, 200, json.dumps(_answer(body, None)).encode())
        else:
            self._send(handler, 200, json.dumps(_answer(body, _text(body))).encode())

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer


def _text(body: dict) -> str:
    last = [m["content"] for m in body.get("messages", []) if m.get("role") == "user"][-1]
    return f"echo:{last}|seed:{body.get('seed')}|t:{body.get('temperature')}"


def _answer(body: dict, text: str | None) -> dict:
    choices = [] if text is None else [
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
