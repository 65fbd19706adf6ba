"""Which model failures are worth retrying, and one-line descriptions of them."""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime
from typing import Optional

__all__ = ["Transient", "classify", "describe", "one_line", "retry_after"]

# litellm prefixes messages with wrapper class names, sometimes several times.
_NOISE = re.compile(r"^(?:litellm\.\w+: |\w+(?:Error|Exception): )+|OpenAIException - ")


class Transient(Exception):
    """A malformed answer from the server: retried like a 5xx."""


def one_line(exc: BaseException, limit: int = 300) -> str:
    """The first non-empty line of an exception's text, shortened."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = (_NOISE.sub("", lines[0]) if lines else "") or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def _network_cause(exc: BaseException, timeout_s: float) -> tuple[str, str] | None:
    """Timeouts and connection failures, however deep litellm wrapped them."""
    import httpx
    import openai

    for inner in _chain(exc):
        if isinstance(inner, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)):
            return "timed out", f"no answer within {timeout_s:g}s"
    for inner in reversed(_chain(exc)):
        if isinstance(inner, ConnectionRefusedError):
            return "unreachable", "connection refused"
        if isinstance(inner, (openai.APIConnectionError, httpx.TransportError, OSError)):
            return "unreachable", one_line(inner, 160)
    return None


def classify(exc: BaseException, timeout_s: float) -> tuple[str, str] | None:
    """``(what happened, detail)`` if ``exc`` is transient, None if retrying cannot help.

    Re-raises ``exc`` when it is not a model-call error at all: a bug in the caller
    must surface as itself, not as a model failure.
    """
    import litellm
    import openai

    if isinstance(exc, Transient):
        return "returned a malformed response", one_line(exc, 160)
    if isinstance(exc, litellm.RateLimitError):
        return "was rate limited", "429 " + one_line(exc, 120)
    network = _network_cause(exc, timeout_s)
    if network is not None:
        return network
    if any(isinstance(i, ValueError) for i in _chain(exc)) or "Expecting value" in str(exc):
        return "returned a malformed response", "the body is not JSON"
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and status >= 500:
        return "failed with a server error", f"{status} {one_line(exc, 120)}"
    if isinstance(exc, litellm.APIResponseValidationError):
        return "returned a malformed response", one_line(exc, 160)
    if isinstance(exc, openai.OpenAIError):
        return None
    raise exc


def _parse_retry_after(value: str, now: float) -> Optional[float]:
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def retry_after(exc: BaseException, now: Optional[float] = None) -> Optional[float]:
    """Seconds the server asked to wait (``Retry-After``: seconds or an HTTP date;
    ``retry-after-ms``), found anywhere in the exception chain; None when it said nothing."""
    now = time.time() if now is None else now
    for inner in _chain(exc):
        headers = getattr(inner, "litellm_response_headers", None)
        if headers is None:
            headers = getattr(getattr(inner, "response", None), "headers", None)
        if not headers:
            continue
        try:
            millis = headers.get("retry-after-ms")
            if millis is not None:
                return max(0.0, float(millis) / 1000)
        except (TypeError, ValueError):
            pass
        value = headers.get("retry-after")
        if value is not None:
            return _parse_retry_after(str(value), now)
    return None


def describe(model: str, where: str | None, exc: BaseException, cause: tuple[str, str] | None, attempts: int,
             stop: str = "") -> str:
    """The one-line ``LLMError`` message; ``where`` None: the provider is unknown.
    ``stop`` says why retrying ended early (e.g. ``the call budget allows no retry``)."""
    at = f" at {where}" if where else ""
    if cause is None:
        return f"model {model} failed{at}: {one_line(exc)}"
    what, detail = cause
    tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
    return f"model {model} {what}{at}: {detail} (after {tries}{'; ' + stop if stop else ''})"
