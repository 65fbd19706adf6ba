"""The real LLM client: any litellm model or the embedded one, cached and accounted.

litellm is imported lazily inside the call path so that ``archon-code --help`` never
loads it. Transient failures (rate limits, timeouts, connection errors, 5xx, malformed or
empty answers) are retried after the server's ``Retry-After`` (bounded by the timeout) or an
exponential backoff with jitter; what still fails becomes one
:class:`~archon_code.errors.LLMError` naming the model, the endpoint actually used and the
cause. With a :class:`~archon_code.llm.budget.BudgetMeter`, every attempt is reserved before
it is sent and cut off at the budget's deadline.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from archon_code import interrupts
from archon_code.errors import ConfigError, LLMError
from archon_code.llm.base import Completion, Message, Usage
from archon_code.llm.budget import BudgetExceeded, BudgetMeter, Reservation
from archon_code.llm.bounded import BudgetCut, run_bounded
from archon_code.llm.cache import CacheEntry, LLMCache, cache_key
from archon_code.llm.endpoints import endpoint_for
from archon_code.llm.local import (
    LocalServerConfig,
    cache_root,
    default_slots,
    is_local,
    local_completion,
    local_endpoint,
    local_identity,
)
from archon_code.llm.retry import Transient, classify, describe, retry_after
from archon_code.validation import first_issue

__all__ = ["BudgetExceeded", "CallHook", "LLMClient", "LLMClientConfig", "default_cache_dir"]

CallHook = Callable[[str, str, Sequence[Message], Completion], None]
"""``(tag, model, messages, completion)``, called after every call (cache hits too)."""


def default_cache_dir() -> Path:
    """``$ARCHON_CODE_CACHE_DIR/llm`` or ``~/.cache/archon-code/llm``."""
    return cache_root() / "llm"


def seed_for(sample: int) -> int:
    """The deterministic sampling seed sent with the ``sample``-th request."""
    return (1_000_003 * int(sample) + 1234) % (2**31 - 1)


class LLMClientConfig(BaseModel):
    """How the client talks to models."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_concurrency: int = Field(default_factory=lambda: default_slots(), ge=1)
    """Requests in flight at once (across threads); default: the embedded server's slots
    (``$ARCHON_CODE_LOCAL_SLOTS`` or 4), so concurrent samples can share a batch."""
    retries: int = Field(4, ge=0)
    """Retries after the first attempt on transient failures (each one is a call for budgets)."""
    timeout_s: float = Field(600.0, gt=0)
    """Per-request timeout in seconds; also the longest ``Retry-After`` wait honoured."""
    backoff_s: float = Field(1.0, ge=0)
    """First backoff delay; doubles each retry, with jitter in [50%, 100%]."""
    max_backoff_s: float = Field(60.0, ge=0)
    """Upper bound of one backoff delay."""
    api_base: str | None = None
    """Endpoint for non-local models (e.g. an Ollama or vLLM URL); None = provider default."""
    api_key: str | None = None
    """API key for non-local models; None = litellm reads the provider's env variable."""
    local: LocalServerConfig = Field(default_factory=LocalServerConfig)
    """Settings of the embedded llama.cpp server for ``local/...`` models."""


def _config(options: dict) -> LLMClientConfig:
    try:
        return LLMClientConfig(**options)
    except ValidationError as exc:
        issue = first_issue(exc, allowed=LLMClientConfig.model_fields)
        raise ConfigError(f"LLM client option {issue.field!r}: {issue.message}") from None


class _Route(BaseModel):
    model_config = ConfigDict(frozen=True)

    litellm_model: str
    api_base: str | None
    api_key: str | None
    local: bool


def _litellm():
    import litellm

    litellm.suppress_debug_info = True
    return litellm


class LLMClient:
    """Implements :class:`archon_code.llm.base.LLM` over litellm, thread-safe.

    ``cache_dir`` None means :func:`default_cache_dir`; ``cache=False`` disables caching.
    Totals: :attr:`usage` (new calls; cache hits only count in ``cached_calls``).
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        cache: bool = True,
        config: LLMClientConfig | None = None,
        **options: object,
    ) -> None:
        self.config = config or _config(options)
        self.cache = LLMCache(cache_dir or default_cache_dir()) if cache else None
        self.on_call: list[CallHook] = []
        self._semaphore = threading.BoundedSemaphore(self.config.max_concurrency)
        self._lock = threading.Lock()
        self._usage = Usage()
        self._random = random.Random(0)

    @property
    def usage(self) -> Usage:
        with self._lock:
            return self._usage

    def complete(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        sample: int = 0,
        tag: str = "",
        meter: Optional[BudgetMeter] = None,
        stop: Sequence[str] = (),
    ) -> Completion:
        identity = self._identity(model)
        stop = tuple(stop)
        key = cache_key(identity, messages, temperature, max_tokens, sample, stop)
        completion = self._from_cache(key, model, tag, meter)
        if completion is None:
            route = self._route(model)
            completion, sent = self._call(route, model, messages, temperature, max_tokens, sample, tag, meter,
                                          stop)
            if self.cache is not None:
                if sent != max_tokens:  # shortened to fit a token budget: not the answer to the asked call
                    key = cache_key(identity, messages, temperature, sent, sample, stop)
                self.cache.put(key, CacheEntry(text=completion.text, model=model, usage=completion.usage))
        for hook in list(self.on_call):
            hook(tag, model, messages, completion)
        return completion

    def _identity(self, model: str) -> str:
        """What the cache keys on: never the embedded server's port."""
        if not model or not isinstance(model, str):
            raise LLMError(f"model name must be a non-empty string, got {model!r}")
        if is_local(model):
            return local_identity(model)
        base = self.config.api_base
        return f"{model}@{base}" if base else model

    def _route(self, model: str) -> _Route:
        """Where to send a call; starts the embedded server for ``local/...`` models."""
        if is_local(model):
            endpoint = local_endpoint(model, self.config.local)
            return _Route(
                litellm_model=endpoint.litellm_model,
                api_base=endpoint.api_base,
                api_key="sk-local",
                local=True,
            )
        return _Route(
            litellm_model=model,
            api_base=self.config.api_base,
            api_key=self.config.api_key,
            local=False,
        )

    def _from_cache(self, key: str, model: str, tag: str, meter: Optional[BudgetMeter]) -> Completion | None:
        if self.cache is None:
            return None
        started = time.monotonic()
        entry = self.cache.get(key)
        if entry is None:
            return None
        usage = Usage(cached_calls=1, seconds=time.monotonic() - started)
        with self._lock:
            self._usage = self._usage + usage
        if meter is not None:
            meter.record(usage)
        return Completion(text=entry.text, model=model, usage=usage, cached=True)

    def _record(self, tag: str, usage: Usage) -> None:
        with self._lock:
            self._usage = self._usage + usage

    def _call(self, route: _Route, model: str, messages: Sequence[Message], temperature: float, max_tokens: int,
              sample: int, tag: str, meter: Optional[BudgetMeter],
              stop: tuple[str, ...] = ()) -> tuple[Completion, int]:
        """Attempts until one answers; returns the completion and the ``max_tokens`` sent.

        Every attempt is reserved in ``meter`` first; a retry the budget refuses ends the call
        with the failure so far (an ``LLMError``), a first attempt it refuses raises
        :class:`BudgetExceeded`."""
        attempts = self.config.retries + 1
        failure: Optional[tuple[BaseException, Optional[tuple[str, str]]]] = None
        for attempt in range(attempts):
            try:
                reservation = self._reserve(meter, route, messages, max_tokens)
            except BudgetExceeded as stop:
                if failure is None:
                    raise
                raise self._error(model, route, *failure, attempt, stop=str(stop)) from None
            try:
                return self._attempt(route, model, messages, temperature, reservation, sample, tag, meter,
                                     stop), reservation.max_tokens
            except BudgetExceeded:
                raise
            except Exception as exc:  # noqa: BLE001 - classify() re-raises non-model errors
                cause = classify(exc, self.config.timeout_s)
                failure = (exc, cause)
                if cause is None or attempt + 1 == attempts:
                    raise self._error(model, route, exc, cause, attempt + 1) from None
                stop = self._backoff(attempt, exc, meter)
                if stop:
                    raise self._error(model, route, exc, cause, attempt + 1, stop=stop) from None
        raise AssertionError("unreachable")

    def _error(self, model: str, route: _Route, exc: BaseException, cause: Optional[tuple[str, str]],
               attempts: int, stop: str = "") -> LLMError:
        return LLMError(describe(model, endpoint_for(route.litellm_model, route.api_base), exc, cause, attempts,
                                 stop=stop))

    def _reserve(self, meter: Optional[BudgetMeter], route: _Route, messages: Sequence[Message],
                 max_tokens: int) -> Reservation:
        if meter is None:
            return Reservation(max_tokens=max_tokens, tokens=0, dollars=0.0)
        needs_estimates = meter.budget.tokens is not None or meter.budget.dollars is not None
        prompt = _prompt_estimate(route.litellm_model, messages) if needs_estimates else 0
        price = (lambda p, a: 0.0) if route.local else (lambda p, a: _price(route.litellm_model, p, a))
        return meter.reserve(prompt, max_tokens, price)

    def _attempt(self, route: _Route, model: str, messages: Sequence[Message], temperature: float,
                 reservation: Reservation, sample: int, tag: str, meter: Optional[BudgetMeter],
                 stop: tuple[str, ...] = ()) -> Completion:
        """One request, never past the budget's deadline; settled in ``meter`` whatever happens."""
        left = None if meter is None else meter.remaining_seconds()
        started = time.monotonic()
        answered: Optional[Usage] = None
        try:
            completion = run_bounded(
                self._semaphore,
                lambda timeout: self._call_once(route, model, messages, temperature, reservation.max_tokens,
                                                sample, timeout, stop),
                self.config.timeout_s,
                left,
            )
            answered = completion.usage
            return completion
        except BudgetCut:
            assert meter is not None
            raise meter.stop("seconds", f"seconds budget of {meter.budget.seconds:g}s ran out during a call "
                                        f"by {tag or 'a component'} ({model})") from None
        finally:
            spent = answered or Usage(calls=1, seconds=time.monotonic() - started)  # a failed attempt: one call
            self._record(tag, spent)
            if meter is not None:
                meter.settle(reservation, spent)

    def _backoff(self, attempt: int, exc: BaseException, meter: Optional[BudgetMeter]) -> str:
        """Wait before the next attempt (the server's ``Retry-After`` when it sent one, bounded
        by the timeout); returns why not to retry when the seconds budget ends first."""
        asked = retry_after(exc)
        delay = min(asked, self.config.timeout_s) if asked is not None else self._delay(attempt)
        left = None if meter is None else meter.remaining_seconds()
        if left is not None and delay >= left:
            meter.stop("seconds", "")
            return "the seconds budget ends before the next attempt"
        interrupts.sleep(delay)
        return ""

    def _delay(self, attempt: int) -> float:
        base = min(self.config.max_backoff_s, self.config.backoff_s * (2**attempt))
        with self._lock:
            return base * (0.5 + 0.5 * self._random.random())

    def _call_once(
        self,
        route: _Route,
        model: str,
        messages: Sequence[Message],
        temperature: float,
        max_tokens: int,
        sample: int,
        timeout: float,
        stop: tuple[str, ...] = (),
    ) -> Completion:
        litellm = None if route.local else _litellm()  # the embedded model needs no litellm
        started = time.monotonic()
        # local/...: concurrent samples of one prompt share one request (llm/local_batch.py)
        response = (local_completion if litellm is None else litellm.completion)(
            model=route.litellm_model,
            messages=[dict(m) for m in messages],
            temperature=temperature,
            max_tokens=max_tokens,
            seed=seed_for(sample),
            timeout=timeout,
            api_base=route.api_base,
            api_key=route.api_key,
            max_retries=0,
            num_retries=0,
            drop_params=True,
            **({"stop": list(stop)} if stop else {}),
        )
        seconds = time.monotonic() - started
        try:
            text = response.choices[0].message.content
        except (AttributeError, IndexError, TypeError):
            raise Transient("no choices in the answer") from None
        if not text:  # None and "" alike: an empty answer is a faulty one
            raise Transient("empty answer (no message content)")
        usage = Usage(
            calls=1,
            prompt_tokens=int(getattr(response.usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(response.usage, "completion_tokens", 0) or 0),
            cost_usd=0.0 if route.local else _cost(litellm, response, route.litellm_model),
            seconds=seconds,
        )
        return Completion(text=text, model=model, usage=usage)


def _prompt_estimate(litellm_model: str, messages: Sequence[Message]) -> int:
    """Prompt tokens, estimated on the safe side (litellm's counter + 15% + chat-template overhead)."""
    try:
        counted = int(_litellm().token_counter(model=litellm_model, messages=[dict(m) for m in messages]))
    except Exception:  # noqa: BLE001 - no tokenizer: about 3 characters a token
        counted = sum(len(str(m.get("content") or "")) for m in messages) // 3
    return int(counted * 1.15) + 4 * len(messages) + 8


def _price(litellm_model: str, prompt: int, answer: int) -> float:
    """Dollars of ``prompt`` + ``answer`` tokens per litellm's cost map; 0 for unknown models."""
    try:
        costs = _litellm().cost_per_token(model=litellm_model, prompt_tokens=prompt, completion_tokens=answer)
        return float(sum(costs))
    except Exception:  # noqa: BLE001 - a model missing from the cost map costs 0
        return 0.0


def _cost(litellm, response, model: str) -> float:
    """Dollars per litellm's cost map; 0 for models it does not know."""
    try:
        return float(litellm.completion_cost(completion_response=response, model=model) or 0.0)
    except Exception:  # noqa: BLE001 - a model missing from the cost map costs 0, never crashes
        return 0.0
