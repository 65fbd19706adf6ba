"""Which endpoint a litellm call actually goes to, so that errors can name it.

Mirrors litellm's own order: the ``api_base`` argument, ``litellm.api_base``, the provider's
environment variables (``OPENAI_BASE_URL`` / ``OPENAI_API_BASE``, ``ANTHROPIC_API_BASE``,
``OLLAMA_API_BASE``, ... ``<PROVIDER>_API_BASE``), the base litellm's provider table gives
(groq, ollama, ...), then the provider's public default.

>>> endpoint_for("openai/gpt-4o-mini", "http://127.0.0.1:8000/v1", environ={})
'http://127.0.0.1:8000/v1'
>>> endpoint_for("openai/gpt-4o-mini", None, environ={"OPENAI_API_BASE": "http://127.0.0.1:9/v1"})
'http://127.0.0.1:9/v1'
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

__all__ = ["endpoint_for"]

_ENV = {
    "openai": ("OPENAI_BASE_URL", "OPENAI_API_BASE"),
    "anthropic": ("ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"),
    "azure": ("AZURE_API_BASE",),
}
_DEFAULTS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
}


def _provider(model: str) -> tuple[Optional[str], Optional[str]]:
    """(provider, base from litellm's provider table); (None, None) when litellm knows neither."""
    from archon_code.llm.client import _litellm

    try:
        _, provider, _, base = _litellm().get_llm_provider(model)
    except Exception:  # noqa: BLE001 - an unknown provider: the call itself reports it
        return None, None
    return provider, base


def endpoint_for(model: str, api_base: Optional[str], environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The URL litellm sends ``model``'s requests to; None when the provider is unknown."""
    if api_base:
        return api_base
    env = os.environ if environ is None else environ
    provider, table_base = _provider(model)
    if provider is None:
        return None
    from archon_code.llm.client import _litellm

    if getattr(_litellm(), "api_base", None):
        return _litellm().api_base
    names = _ENV.get(provider, (f"{provider.upper()}_API_BASE", f"{provider.upper()}_BASE_URL"))
    for name in names:
        if env.get(name):
            return env[name]
    return table_base or _DEFAULTS.get(provider) or f"the {provider} provider's default endpoint"
