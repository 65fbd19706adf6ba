"""Persistent on-disk cache of completions (sqlite3 in WAL mode).

A key is the sha256 of the model identity (litellm model string plus ``api_base``, or
for the embedded model its name and GGUF sha256 — never the port), the messages, the
temperature, ``max_tokens`` and the sample index. Safe under threads (one connection per
call) and concurrent processes (sqlite locking with a busy timeout).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Sequence

from pydantic import BaseModel, ConfigDict, ValidationError

from archon_code.errors import LLMError
from archon_code.llm.base import Message, Usage
from archon_code.llm.retry import one_line
from archon_code.sqlite_busy import BUSY_TRIES, is_busy

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
    stop: Sequence[str] = (),
) -> str:
    """Stable sha256 over everything that determines an answer (``stop`` only when given, so
    the keys of calls without one are those of earlier versions)."""
    payload = {
        "identity": identity,
        "messages": [dict(m) for m in messages],
        "temperature": float(temperature),
        "max_tokens": int(max_tokens),
        "sample": int(sample),
        **({"stop": [str(s) for s in stop]} if stop else {}),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


_log = logging.getLogger(__name__)


class LLMCache:
    """Completions by :func:`cache_key`, in ``<directory>/completions.sqlite3``."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "completions.sqlite3"
        self._warned = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LLMError(f"LLM cache at {self.path} is unusable: {exc}") from None
        self._run("is unusable", self._setup)

    @staticmethod
    def _setup(conn: sqlite3.Connection) -> None:
        # Switching to WAL needs an exclusive lock; skip it when another process already did.
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_SCHEMA)

    def _run(self, failure: str, action):
        """Run ``action(conn)`` on a fresh connection; retry when sqlite reports busy at once
        (some lock conflicts, e.g. WAL recovery, bypass the busy timeout)."""
        for attempt in range(BUSY_TRIES):
            try:
                with closing(sqlite3.connect(self.path, timeout=60.0, isolation_level=None)) as conn:
                    return action(conn)
            except sqlite3.Error as exc:
                if not is_busy(exc) or attempt + 1 == BUSY_TRIES:
                    raise LLMError(f"LLM cache at {self.path} {failure}: {exc}") from None
                time.sleep(0.05 * (attempt + 1))

    def get(self, key: str) -> CacheEntry | None:
        """The entry, or None: a missing row, and also one that does not parse (written by
        another version, corrupted) or holds no text (``""`` or NULL), which is said once."""
        try:
            row = self._run(
                "could not be read",
                lambda conn: conn.execute(
                    "SELECT model, text, usage FROM completions WHERE key = ?", (key,)
                ).fetchone(),
            )
        except LLMError as exc:
            if "no such column" not in str(exc):
                raise
            return self._unreadable("its table has another layout")
        if row is None:
            return None
        if not row[1]:  # "" and NULL alike
            return self._unreadable("a row holds an empty answer")
        try:
            return CacheEntry(model=row[0], text=row[1], usage=Usage.model_validate_json(row[2]))
        except (ValidationError, ValueError, TypeError) as exc:
            return self._unreadable(f"a row does not parse ({one_line(exc, 120)})")

    def _unreadable(self, why: str) -> None:
        """A miss; warn once per cache that some rows are ignored."""
        if not self._warned:
            self._warned = True
            _log.warning(f"archon-code: warning: LLM cache {self.path}: {why}; such rows count as misses "
                         "and are replaced when the call is made again")
        return None

    def put(self, key: str, entry: CacheEntry) -> None:
        values = (key, entry.model, entry.text, entry.usage.model_dump_json(), time.time())
        try:
            self._run(
                "could not be written",
                lambda conn: conn.execute(
                    "INSERT OR REPLACE INTO completions (key, model, text, usage, created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    values,
                ),
            )
        except LLMError as exc:
            if "no column" not in str(exc) and "no such column" not in str(exc):
                raise
            self._unreadable("its table has another layout")

    def __len__(self) -> int:
        return self._run(
            "could not be read",
            lambda conn: conn.execute("SELECT COUNT(*) FROM completions").fetchone()[0],
        )
