"""Pure helpers of the unit-test generator: parsing model answers, majority outputs."""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from typing import Optional, Sequence

__all__ = ["majority", "normalise_output", "parse_asserts", "parse_input_list", "parse_literal_tests"]

_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w-]*)[^\n]*\n(.*?)^[ \t]*```", re.M | re.S)
_KINDS = {"input": "input", "in": "input", "stdin": "input", "output": "output", "out": "output",
          "stdout": "output"}


def _block_kind(tag: str, before: str) -> Optional[str]:
    """input/output from the fence's tag, else from a label on the line before an untagged fence."""
    tag = tag.lower()
    if tag in _KINDS:
        return _KINDS[tag]
    if tag not in ("", "text", "txt", "plaintext"):
        return None
    lines = before.rstrip().splitlines()
    label = lines[-1].lower() if lines else ""
    if "output" in label:
        return "output"
    if "input" in label:
        return "input"
    return None


def parse_literal_tests(text: str) -> list[tuple[str, Optional[str]]]:
    """``(input, predicted output or None)`` pairs, in order, from ```input / ```output blocks
    (or untagged blocks right after a line saying Input / Output)."""
    pairs: list[tuple[str, Optional[str]]] = []
    for match in _FENCE.finditer(text):
        kind = _block_kind(match.group(1), text[max(0, match.start() - 200):match.start()])
        body = match.group(2).strip("\n")
        if kind == "input":
            pairs.append((_with_newline(body), None))
        elif kind == "output" and pairs and pairs[-1][1] is None:
            pairs[-1] = (pairs[-1][0], _with_newline(body))
    return [(i, o) for i, o in pairs if i.strip()]


def _with_newline(text: str) -> str:
    return text.rstrip("\n") + "\n"


def parse_input_list(stdout: str, truncated: bool = False) -> list[str]:
    """Inputs printed by a model-written generator: a JSON list of strings (other items dropped);
    anything that is not a JSON list counts as one input. None from an output the sandbox cut
    (``truncated``): its end, and so its last input or its list, is missing."""
    text = stdout.strip()
    if not text or truncated:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return [_with_newline(text)]
    if isinstance(value, list):
        return [_with_newline(v) for v in value if isinstance(v, str) and v.strip()]
    return [_with_newline(text)]


def parse_asserts(code: str, entry_point: Optional[str]) -> list[str]:
    """Top-level ``assert`` statements of ``code`` that call ``entry_point``, one test each.
    Code that does not parse gives the asserts of the lines that do."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return [line.strip() for line in code.splitlines()
                if line.strip().startswith("assert") and _parses(line.strip()) and _calls(line, entry_point)]
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assert):
            segment = ast.get_source_segment(code, node) or ""
            if _calls(segment, entry_point):
                found.append(segment.strip())
    return found


def _parses(line: str) -> bool:
    try:
        ast.parse(line)
    except SyntaxError:
        return False
    return True


def _calls(text: str, entry_point: Optional[str]) -> bool:
    return entry_point is None or re.search(rf"\b{re.escape(entry_point)}\s*\(", text) is not None


def normalise_output(text: str) -> str:
    """Outputs agree when their whitespace-separated tokens are equal."""
    return " ".join(text.split())


def majority(outputs: Sequence[str]) -> Optional[tuple[str, int]]:
    """The most common output (by tokens) and how many gave it; ties go to the first seen."""
    if not outputs:
        return None
    counts = Counter(normalise_output(o) for o in outputs)
    best = max(counts.values())
    for output in outputs:
        if counts[normalise_output(output)] == best:
            return output, best
    return None  # pragma: no cover - unreachable
