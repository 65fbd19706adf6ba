"""The model options every command that calls a model shares: endpoint, key, timeout, retries.

``@model_options()`` adds ``--api-base``, ``--api-key-env``, ``--timeout`` (also spelled
``--model-timeout``) and ``--retries``, each with an ``ARCHON_CODE_*`` default, and hands the
command one ``llm_config`` (:class:`~archon_code.llm.client.LLMClientConfig`) instead of four
loose values. ``suggest`` and ``precommit`` already use ``--timeout`` for the test command, so
there the model timeout is ``--model-timeout`` only.

\b
Example:
    @click.command()
    @model_options()
    def solve(..., llm_config): LLMClient(config=llm_config)
"""

from __future__ import annotations

import functools
import os
from typing import Callable, Optional

import click

from archon_code.errors import ConfigError

__all__ = ["client_config", "model_options"]


def client_config(api_base: Optional[str] = None, api_key_env: Optional[str] = None,
                  timeout_s: Optional[float] = None, retries: Optional[int] = None):
    """An :class:`LLMClientConfig` from the option values (None: the client's default)."""
    from archon_code.llm.client import LLMClientConfig

    values: dict = {}
    if api_base is not None:
        if not api_base.strip():
            raise ConfigError("--api-base: must not be empty")
        values["api_base"] = api_base.strip()
    if api_key_env is not None:
        name = api_key_env.strip()
        if not name:
            raise ConfigError("--api-key-env: must name an environment variable")
        if not os.environ.get(name):
            raise ConfigError(f"--api-key-env {name}: the environment variable {name} is not set")
        values["api_key"] = os.environ[name]
    if timeout_s is not None:
        values["timeout_s"] = timeout_s
    if retries is not None:
        values["retries"] = retries
    return LLMClientConfig(**values)


def model_options(timeout_names: tuple[str, ...] = ("--timeout", "--model-timeout")) -> Callable:
    """Decorator adding the four options; the command receives ``llm_config``."""
    options = [
        click.option("--api-base", envvar="ARCHON_CODE_API_BASE", default=None, metavar="URL",
                     help="Endpoint of the (non-local) model, e.g. an Ollama, vLLM or proxy URL "
                          "[default: what the provider uses, e.g. $OPENAI_API_BASE]. Env: ARCHON_CODE_API_BASE."),
        click.option("--api-key-env", envvar="ARCHON_CODE_API_KEY_ENV", default=None, metavar="NAME",
                     help="Read the API key from this environment variable [default: the provider's, "
                          "e.g. OPENAI_API_KEY]. Env: ARCHON_CODE_API_KEY_ENV."),
        click.option(*timeout_names, "model_timeout", envvar="ARCHON_CODE_TIMEOUT", default=None,
                     type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                     help="Seconds one model request may take (also the longest Retry-After wait) "
                          "[default: 600]. Env: ARCHON_CODE_TIMEOUT."),
        click.option("--retries", envvar="ARCHON_CODE_RETRIES", default=None, type=click.IntRange(0, 100),
                     help="Retries of a request after a rate limit, timeout, connection error or 5xx "
                          "[default: 4]; each attempt counts as a call. Env: ARCHON_CODE_RETRIES."),
    ]

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args, api_base, api_key_env, model_timeout, retries, **kwargs):
            config = client_config(api_base, api_key_env, model_timeout, retries)
            return command(*args, llm_config=config, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate
