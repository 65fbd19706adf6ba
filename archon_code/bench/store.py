"""Bench results: one JSONL record per (architecture, problem, sample), crash-safe.

Decision: records are appended one line at a time with flush + fsync, so a run killed at
any point (even ``kill -9``) loses at most the line being written. On load the last
record for a key wins, a torn (unparsable) line is skipped, and ``error`` records are
dropped so that those tasks run again on resume.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["BenchRecord", "ResultStore", "record_key"]

Status = Literal["pass", "fail", "error"]


def record_key(arch: str, problem_id: str, sample: int) -> str:
    """The identity of one bench task."""
    return f"{arch}\x1f{problem_id}\x1f{sample}"


class BenchRecord(BaseModel):
    """What happened when one architecture solved one problem once (one draw)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arch: str
    """Architecture label (preset name, file stem or search-trial label)."""
    problem: str
    """Problem id."""
    sample: int = 0
    """Draw index, 0..samples-1 (pass@k)."""
    status: Status
    """pass: the final program passed every graded test; fail: it did not (or no program);
    error: infrastructure fault (sandbox, model unreachable): not a fail, retried on resume."""
    graded_passed: int = 0
    """Graded (hidden, or all with --tests all) tests the final program passed."""
    graded_total: int = 0
    public_passed: int = 0
    public_total: int = 0
    verdict: str = ""
    """Overall verdict of the final program on the graded tests ('' when there is none)."""
    calls: int = 0
    """LLM calls made (cached answers included)."""
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    """Wall seconds of the whole task (solve + grading)."""
    executions: int = 0
    """Test executions run in the sandbox (solve and grading; one per candidate and test or input)."""
    cached_executions: int = 0
    """Test executions the execution cache answered without running anything (solve and grading)."""
    candidates_seen: int = 0
    early_exit: bool = False
    skipped: int = 0
    """Components not called because their result could not change the outcome
    (``archon_code/architecture/pruning.py``); each would have made at least one model call."""
    stopped_by_budget: Optional[str] = None
    error: str = ""
    """One-line reason for an ``error`` record."""
    program: str = ""
    """Source of the final program ('' when there is none)."""
    oracle: bool = False
    """True when some candidate of the run (not only the final program) passes every graded test."""
    candidates: int = 0
    """Distinct candidates of the run graded for ``oracle`` (0 in records written before it existed)."""

    @property
    def key(self) -> str:
        return record_key(self.arch, self.problem, self.sample)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ResultStore:
    """Append-only JSONL file of :class:`BenchRecord`, safe under threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self, *, keep_errors: bool = False) -> dict[str, BenchRecord]:
        """Records by key (last one wins); torn lines skipped; errors dropped unless asked."""
        records: dict[str, BenchRecord] = {}
        if not self.path.exists():
            return records
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            record = _parse(line)
            if record is not None:
                records[record.key] = record
        if not keep_errors:
            records = {k: r for k, r in records.items() if r.status != "error"}
        return records

    def append(self, record: BenchRecord) -> None:
        """Append one record durably (flush + fsync). Repairs a torn last line first."""
        line = record.model_dump_json() + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as handle:
                handle.seek(0, os.SEEK_END)
                if handle.tell() > 0:
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":
                        handle.write(b"\n")
                handle.write(line.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())

    def reset(self) -> None:
        """Forget every record (``--fresh``)."""
        with self._lock:
            if self.path.exists():
                self.path.unlink()


def _parse(line: str) -> Optional[BenchRecord]:
    line = line.strip()
    if not line:
        return None
    try:
        return BenchRecord.model_validate(json.loads(line))
    except (ValueError, ValidationError):
        return None
