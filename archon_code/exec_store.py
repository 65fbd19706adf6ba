"""The execution cache's store: verdict rows by key in ``<directory>/executions.sqlite3``.

sqlite in WAL mode, a fresh connection per operation and a busy timeout (safe under threads
and concurrent processes), as the LLM cache. It only ever saves work: a row that does not
parse is a miss, and a store that cannot be opened, read or written is passed over; each is
said once per store (a warning on stderr).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from pydantic import BaseModel, ValidationError

from archon_code.sqlite_busy import BUSY_TRIES, is_busy

__all__ = ["ExecStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    key TEXT PRIMARY KEY,
    result TEXT NOT NULL,
    compile_output TEXT NOT NULL,
    created REAL NOT NULL
)
"""
_CHUNK = 400
_log = logging.getLogger(__name__)


class ExecStore:
    """Rows of (key -> JSON of a TestResult or ExecResult, compile output)."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "executions.sqlite3"
        self._said: set[str] = set()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._say("unusable", f"cannot create its folder ({exc.strerror or exc})")
            return
        self._run("unusable", self._setup)

    @staticmethod
    def _setup(conn: sqlite3.Connection) -> None:
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_SCHEMA)

    def _say(self, what: str, why: str) -> None:
        if what not in self._said:
            self._said.add(what)
            tail = ("such rows count as misses and are replaced when the program runs again" if what == "row"
                    else "programs run as if the cache were off")
            _log.warning(f"archon-code: warning: execution cache {self.path}: {why}; {tail}")

    def _run(self, failure: str, action: Callable[[sqlite3.Connection], Any]) -> Any:
        """``action(conn)`` on a fresh connection, retried while sqlite is busy; None (said once)
        when the store fails otherwise."""
        for attempt in range(BUSY_TRIES):
            try:
                with closing(sqlite3.connect(self.path, timeout=60.0, isolation_level=None)) as conn:
                    return action(conn)
            except sqlite3.Error as exc:
                if not is_busy(exc) or attempt + 1 == BUSY_TRIES:
                    self._say(failure, f"{failure} ({' '.join(str(exc).split())[:160]})")
                    return None
                time.sleep(0.05 * (attempt + 1))
        return None

    def get_many(self, keys: Sequence[str], model: type[BaseModel]) -> dict[str, tuple[Any, str]]:
        """The rows found, parsed as ``model``: key -> (value, compile output)."""
        found: dict[str, tuple[Any, str]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _CHUNK):
            part = unique[start:start + _CHUNK]
            sql = f"SELECT key, result, compile_output FROM executions WHERE key IN ({','.join('?' * len(part))})"
            rows = self._run("could not be read", lambda conn: conn.execute(sql, part).fetchall()) or []
            for key, result, compile_output in rows:
                value = self._parse(model, result, compile_output)
                if value is not None:
                    found[key] = value
        return found

    def _parse(self, model: type[BaseModel], result: Any, compile_output: Any) -> Optional[tuple[Any, str]]:
        try:
            if not isinstance(compile_output, str):
                raise TypeError("compile output is not text")
            return model.model_validate_json(result), compile_output
        except (ValidationError, ValueError, TypeError) as exc:
            self._say("row", f"a row does not parse ({' '.join(str(exc).split())[:120]})")
            return None

    def put_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Store (key, result JSON, compile output) rows in one transaction."""
        if not rows:
            return
        now = time.time()
        values = [(k, r, c, now) for k, r, c in rows]

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO executions (key, result, compile_output, created) "
                                 "VALUES (?, ?, ?, ?)", values)

        self._run("could not be written", write)

    def __len__(self) -> int:
        return self._run("could not be read", lambda c: c.execute("SELECT COUNT(*) FROM executions").fetchone()[0]) or 0
