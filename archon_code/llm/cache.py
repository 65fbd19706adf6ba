"""Persistent on-disk cache of completions (sqlite3 in WAL mode).

A key is the sha256 of the model identity (litellm model string plus ``api_base``, or
for the embedded model its name and GGUF sha256 — never the port), the messages, the
temperature, ``max_tokens`` and the sample index. Safe under threads (one connection per
call) and concurrent processes (sqlite locking with a busy timeout).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Sequence

from pydantic import BaseModel, ConfigDict

from archon_code.errors import LLMError
from archon_code.llm.base import Message, Usage

__all__ = ["CacheEntry", "LLMCache", "cache_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS completions (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    usage TEXT NOT NULL,
    created REAL NOT NULL
)
"""


class CacheEntry(BaseModel):
    """A stored completion and what the original call cost."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    model: str
    usage: Usage
    """Usage of the original (uncached) call."""


def cache_key(
    identity: str,
    messages: Sequence[Message],
    temperature: float,
    max_tokens: int,
    sample: int,
) -> str:
    """Stable sha256 over everything that determines an answer."""
    payload = {
        "identity": identity,
        "messages": [dict(m) for m in messages],
        "temperature": float(temperature),
        "max_tokens": int(max_tokens),
        "sample": int(sample),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class LLMCache:
    """Completions by :func:`cache_key`, in ``<directory>/completions.sqlite3``."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "completions.sqlite3"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise LLMError(f"LLM cache at {self.path} is unusable: {exc}") from None

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60.0, isolation_level=None)

    def get(self, key: str) -> CacheEntry | None:
        try:
            with closing(self._connect()) as conn:
                row = conn.execute(
                    "SELECT model, text, usage FROM completions WHERE key = ?", (key,)
                ).fetchone()
        except sqlite3.Error as exc:
            raise LLMError(f"LLM cache at {self.path} could not be read: {exc}") from None
        if row is None:
            return None
        return CacheEntry(model=row[0], text=row[1], usage=Usage.model_validate_json(row[2]))

    def put(self, key: str, entry: CacheEntry) -> None:
        try:
            with closing(self._connect()) as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO completions (key, model, text, usage, created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, entry.model, entry.text, entry.usage.model_dump_json(), time.time()),
                )
        except sqlite3.Error as exc:
            raise LLMError(f"LLM cache at {self.path} could not be written: {exc}") from None

    def __len__(self) -> int:
        with closing(self._connect()) as conn:
            return conn.execute("SELECT COUNT(*) FROM completions").fetchone()[0]
