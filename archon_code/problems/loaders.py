"""Load problems from a file, a folder, or a data-set JSONL file.

Accepted: a ``.yaml``/``.yml``/``.json`` problem file (one problem, or a list of them); a
folder (every such file in it, recursively, sorted by path); a ``.jsonl`` file whose
records are detected by shape (codecontests-dev, official DeepMind CodeContests,
HumanEval, MBPP, EvalPlus HumanEval+/MBPP+, LiveCodeBench, APPS, or archon-code's own format).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

from archon_code.errors import ProblemError
from archon_code.problems.datasets import detect_shape, record_to_problem
from archon_code.problems.errors import FieldError, problem_error
from archon_code.problems.format import problem_from_dict
from archon_code.textio import parse_json_or_yaml, read_text
from archon_code.types import Problem

__all__ = ["PROBLEM_SUFFIXES", "load_problems", "parse_ids", "problem_files", "select"]

PROBLEM_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")


def problem_files(folder: Path) -> list[Path]:
    """Problem files under ``folder``, recursively, sorted; hidden folders are skipped."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix in PROBLEM_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _record(data: Any, base: Path, where: str, origin: str) -> Problem:
    """One record (any shape) as a Problem; errors name ``where``."""
    try:
        shape = detect_shape(data) if isinstance(data, dict) else None
        if shape is None:
            return problem_from_dict(data, base, origin)
        return record_to_problem(shape, data, origin)
    except FieldError as exc:
        raise problem_error(where, exc) from None


def _record_name(where: str, data: Any) -> str:
    keys = ("id", "name", "task_id", "question_id", "problem_id")
    ident = next((data[k] for k in keys if k in data), None) if isinstance(data, dict) else None
    return f"{where} (id {ident!r})" if isinstance(ident, (str, int)) else where


def _parse_text(path: Path) -> Any:
    return parse_json_or_yaml(read_text(path, ProblemError), path, ProblemError)


def _load_document(path: Path) -> list[Problem]:
    data = _parse_text(path)
    if isinstance(data, list):
        return [_record(item, path.parent, _record_name(f"{path}: record {i}", item), f"{path}#{i}")
                for i, item in enumerate(data)]
    if data is None:
        raise ProblemError(f"{path}: the file is empty")
    return [_record(data, path.parent, str(path), str(path))]


def _jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, decoded strictly as UTF-8 (a big data set is streamed)."""
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    yield number, raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise ProblemError(f"{path}: line {number}: not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                                       f"at column {exc.start + 1})") from None
    except OSError as exc:
        raise ProblemError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _load_jsonl(path: Path) -> list[Problem]:
    problems = []
    for number, line in _jsonl_lines(path):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProblemError(f"{path}: line {number}: invalid JSON: {exc.msg}") from None
        where = _record_name(f"{path}: line {number}", data)
        problems.append(_record(data, path.parent, where, f"{path}:{number}"))
    if not problems:
        raise ProblemError(f"{path}: the file is empty (no JSON records)")
    return problems


def _load_file(path: Path) -> list[Problem]:
    if path.suffix == ".jsonl":
        return _load_jsonl(path)
    if path.suffix in PROBLEM_SUFFIXES:
        return _load_document(path)
    raise ProblemError(f"{path}: not a problem file (expected one of {', '.join(PROBLEM_SUFFIXES)})")


def _check_unique(problems: Iterable[Problem]) -> None:
    seen: dict[str, str] = {}
    for problem in problems:
        if problem.id in seen:
            raise ProblemError(f"duplicate problem id {problem.id!r} in {seen[problem.id]} and {problem.origin}")
        seen[problem.id] = problem.origin


def parse_ids(values: Sequence[str], problems: Sequence[Problem] = ()) -> Optional[list[str]]:
    """Ids from repeatable, comma-separated ``--ids`` values (None when there are none).

    A value that is exactly the id of one of ``problems`` is kept whole, so ids that
    contain commas (``1374_B. Multiply by 2, divide by 6``) can be given too.
    """
    known = {p.id for p in problems}
    ids: list[str] = []
    for value in values:
        parts = [value] if value in known else [part.strip() for part in value.split(",")]
        ids.extend(part for part in parts if part)
    return ids or None


def select(problems: Sequence[Problem], ids: Optional[Sequence[str]] = None,
           limit: Optional[int] = None) -> list[Problem]:
    """The problems named in ``ids`` (in load order; all when None), then the first ``limit``."""
    chosen = list(problems)
    if ids:
        wanted = set(ids)
        missing = sorted(wanted - {p.id for p in chosen})
        if missing:
            raise ProblemError(f"unknown problem id(s): {', '.join(repr(m) for m in missing)}")
        chosen = [p for p in chosen if p.id in wanted]
    if limit is not None:
        if limit < 0:
            raise ProblemError(f"limit must be >= 0, got {limit}")
        chosen = chosen[:limit]
    return chosen


def load_problems(path: Union[str, Path], ids: Optional[Sequence[str]] = None,
                  limit: Optional[int] = None) -> list[Problem]:
    """Every problem at ``path`` (file or folder), optionally only ``ids`` and at most ``limit``."""
    path = Path(path)
    if path.is_dir():
        files = problem_files(path)
        if not files:
            raise ProblemError(f"{path}: no problem files ({', '.join(PROBLEM_SUFFIXES)}) in this folder")
        problems = [p for f in files for p in _load_file(f)]
    elif path.is_file():
        problems = _load_file(path)
    else:
        raise ProblemError(f"{path}: no such file or folder")
    _check_unique(problems)
    return select(problems, ids, limit)
