"""What the two on-disk caches (LLM answers, executions) share: when sqlite is busy, retry."""

from __future__ import annotations

import sqlite3

__all__ = ["BUSY_TRIES", "is_busy"]

BUSY_TRIES = 40
"""Attempts at a statement another process holds a lock against, before giving up."""


def is_busy(exc: sqlite3.Error) -> bool:
    """A lock held by another writer (worth retrying), not a broken database."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)
