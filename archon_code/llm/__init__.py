"""The model seam: the LLM protocol, the litellm-backed client, its cache and the embedded model.

Importing this package does not import litellm (it loads on the first real call).
"""

from __future__ import annotations

from archon_code.llm.base import LLM, Completion, Message, Usage
from archon_code.llm.budget import Budget, BudgetExceeded, BudgetMeter
from archon_code.llm.cache import LLMCache
from archon_code.llm.client import LLMClient, LLMClientConfig, default_cache_dir
from archon_code.llm.local import DEFAULT_MODEL, LOCAL_MODELS, LocalServerConfig, default_model

__all__ = [
    "DEFAULT_MODEL",
    "LLM",
    "LLMCache",
    "LLMClient",
    "LLMClientConfig",
    "LOCAL_MODELS",
    "Budget",
    "BudgetExceeded",
    "BudgetMeter",
    "Completion",
    "LocalServerConfig",
    "Message",
    "Usage",
    "default_cache_dir",
    "default_model",
]
