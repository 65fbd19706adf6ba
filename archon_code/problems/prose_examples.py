"""Examples written in prose in a docstring, turned into ``(call, expected)`` pairs.

HumanEval-style prompts give examples in many shapes besides ``>>>`` (examples of our own):

    vowels('banana') returns 3
    nearest_even(7, 12) = 8
    * split_pay(10, 4, 2) -> [5, 0]
    is_rotation([2, 3, 1])==>True
    to_octal(9)   # returns "o11"
    leftover("3 pens and 4 pads", 10) ->10 - 3 - 4 = 3
    For nums = [2, 4] the output should be 20
    Input: xs = [5, -1, 3], n = 2      (then)   Output: [5, 3]

A wrong public test costs more than a missing one (it rejects right programs and sends the
repair layers after a bug that is not there), so the parser is conservative:

- the call must be the entry point with literal arguments, and as many of them as its
  signature takes; the expected value must be a Python literal (``true``/``false``/``none``
  are read as the constants);
- an explanation before the value (``10 - 3 - 4 = 3``) is accepted only when it is
  arithmetic on numbers that evaluates to that value;
- a plain ``=`` is also how prompts define a recurrence next to the function (``seq(1) = 2``
  ... ``seq(3) = [2, 3, 5]``), so when the values of the ``=`` examples are of different
  kinds (a number for some calls, a list for others) none of them is kept (a function may
  return -1 or a string by design, so the stronger separators, ``==``, ``=>``, ``returns``,
  are not held to this); a call given two different values is dropped.

``archon-code problems validate`` runs the reference solutions on these tests; on the
HumanEval file none of the prose examples contradicts its reference (docs/problem-format.md).
"""

from __future__ import annotations

import ast
import operator
import re
from typing import Optional, Sequence

from archon_code.problems.signature import Signature, example_text, signature_of

__all__ = ["MAX_EXAMPLES", "MAX_LINE", "MAX_PROMPT", "Signature", "examples_in", "prose_examples", "signature_of",
           "value_tolerance"]

MAX_LINE = 2000
"""Longer lines are not read for examples (real ones are a few dozen characters): keeps a
hostile or binary-looking prompt from costing quadratic time."""
MAX_EXAMPLES = 200
"""Most prose examples taken from one prompt."""
MAX_PROMPT = 50_000
"""Characters of the prompt read for prose examples (a HumanEval prompt is under 3,000)."""
_MAX_ARG_PIECES = 40

_SEPARATOR = re.compile(
    r"^\s*(?:#\s*)?(?:==>|=>|==|--->|-->|->|➞|→|=|:)?\s*"
    r"(?:(?:returns?|should\s+return|should\s+be|would\s+return|gives|outputs?)\b\s*:?\s*)?",
    re.IGNORECASE)
_FOR = re.compile(r"^\s*for\s+", re.IGNORECASE)
_SHOULD = re.compile(r"\bthe\s+(?:output|result|answer|return\s+value)\s+(?:should\s+be|is|will\s+be)\b\s*:?",
                     re.IGNORECASE)
_INPUT = re.compile(r"^\s*input\s*:\s*(?P<args>\S.*)$", re.IGNORECASE)
_OUTPUT = re.compile(r"^\s*output\s*:\s*(?P<value>\S.*)$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[rR]?(?:\"\"\"|\'\'\')\s*)?(?:[*\-•]\s+|for\s+|assert\s+|example\s*\d*\s*:\s*)?",
                     re.IGNORECASE)
_CONSTANTS = {"true": "True", "false": "False", "none": "None"}
_ASSIGNMENT = re.compile(r"\b[A-Za-z_]\w*\s*=(?!=)")
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}


def _call_end(text: str, start: int) -> Optional[int]:
    """Index just past the parenthesis that closes the one opened at or after ``start``,
    skipping brackets inside string literals."""
    depth, quote, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _arith(node: ast.AST) -> Optional[float]:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _arith(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        left, right = _arith(node.left), _arith(node.right)
        if left is None or right is None:
            return None
        try:
            return _ARITH[type(node.op)](left, right)
        except (ArithmeticError, ValueError):
            return None
    return None


def _literal(text: str) -> Optional[str]:
    """``text`` as a literal a function could return, or None. Not: a tuple without
    parentheses (``500,500`` is a number written with a separator, ``2,`` the end of a
    clause, ``0, 1`` is as likely a list), anything holding ``...`` (an elided value)."""
    text = text.strip()
    text = _CONSTANTS.get(text.lower(), text)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if isinstance(value, tuple) and not text.startswith("("):
        return None
    return None if _elided(text) else text


def _elided(text: str) -> bool:
    """A value shown with ``...`` in it: the Ellipsis constant, or a string cut short."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return True
    return any(isinstance(n, ast.Constant) and (n.value is Ellipsis or
                                                (isinstance(n.value, str) and n.value.endswith("...")))
               for n in ast.walk(tree))


def value_tolerance(value: str) -> float:
    """How closely a prose float must be matched: to half a unit of its last shown decimal
    (``1.67`` stands for anything that rounds to it), at least 1e-6."""
    digits = value.strip().lstrip("-").partition(".")[2]
    return max(1e-6, 0.5 * 10 ** -len(digits)) if digits.isdigit() and "e" not in value.lower() else 1e-6


def _explained(text: str) -> Optional[str]:
    """``10 - 3 - 4 = 3`` -> ``3`` when the arithmetic holds."""
    lhs, sep, rhs = text.rpartition("=")
    value = _literal(rhs) if sep and not lhs.endswith(("=", "!", "<", ">")) else None
    if value is None:
        return None
    try:
        computed = _arith(ast.parse(lhs.strip(), mode="eval").body)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return value if computed is not None and computed == ast.literal_eval(value) else None


def _value(text: str) -> Optional[str]:
    """The literal a prose example ends with: whole, before a ``#`` comment, without a
    final full stop, or after an arithmetic explanation."""
    text = text.strip()
    head = text.split(" #")[0].split("\t#")[0].strip()
    # "should be 1." is the number 1 at the end of a sentence, not the float 1.0
    for attempt in (head.rstrip(".").rstrip(), text, head, text.rstrip(".").rstrip()):
        if attempt and (found := _literal(attempt)) is not None:
            return found
    return _explained(head.rstrip(".").rstrip())


def _parse_call(call: str, entry_point: str, signature: Optional[Signature]) -> Optional[str]:
    try:
        node = ast.parse(call, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == entry_point):
        return None
    if signature is not None and not signature.accepts(node):
        return None
    return call


def _inline(line: str, entry_point: str, signature: Optional[Signature]) -> list[tuple[str, str, bool]]:
    """``entry(args) <separator> value`` at the start of the line (a call further on is
    inside a sentence or an explanation: ``fact(4) = 4 * fact(3) = 24``); the flag marks
    a plain ``=``."""
    match = re.match(rf"\s*{re.escape(entry_point)}\s*\(", line)
    end = _call_end(line, match.end() - 1) if match else None
    if end is None:
        return []
    rest = line[end:]
    sep = _SEPARATOR.match(rest)
    if not sep or not sep.group(0).strip():
        return []
    call = _parse_call(line[match.start():end].strip(), entry_point, signature)
    value = _value(rest[sep.end():])
    return [(call, value, sep.group(0).strip() == "=")] if call and value is not None else []


def _as_call(args: str, entry_point: str, signature: Optional[Signature]) -> Optional[str]:
    """``nums = [2, 4]`` / ``s = "ab", c = "b"`` / ``[5, 1]`` as a call of the entry point."""
    parts = args.strip().rstrip(",").split(",")
    # "For N = 1000, the sum of digits will be 1 the output ...": the longest leading run of
    # comma-separated pieces that reads as arguments, when what is left is words and holds
    # no other argument ("k = 2 (the window size)" must not fall back to k's default)
    for n in range(len(parts), max(0, len(parts) - _MAX_ARG_PIECES), -1):
        rest = ",".join(parts[n:]).strip()
        if rest and (not re.match(r"[A-Za-z]", rest) or _ASSIGNMENT.search(rest)):
            continue
        text = f"{entry_point}({','.join(parts[:n])})"
        if _parse_call(text, entry_point, signature) and (signature is not None or _keywords_only(text)):
            return text
    return None


def _keywords_only(call: str) -> bool:
    """Without a signature to check against, only ``name = value`` arguments are trusted
    (``Input: 1, 2, 3`` may be one list written loosely)."""
    node = ast.parse(call, mode="eval").body
    return len(node.args) <= 1 and not (node.args and node.keywords)


def _paired(lines: Sequence[str], entry_point: str, signature: Optional[Signature]) -> list[tuple[str, str, bool]]:
    """``For x = ... the output should be V`` lines and ``Input:``/``Output:`` pairs."""
    found = []
    for i, line in enumerate(lines):
        should = _SHOULD.search(line) if _FOR.match(line) else None
        if should:
            args = line[_FOR.match(line).end():should.start()].rstrip().rstrip(",")
            call, value = _as_call(args, entry_point, signature), _value(line[should.end():])
            if call and value is not None:
                found.append((call, value, False))
        elif m := _INPUT.match(line):
            nxt = next((ln for ln in lines[i + 1:i + 3] if ln.strip()), "")
            out = _OUTPUT.match(nxt)
            call = _as_call(m["args"], entry_point, signature)
            value = _value(out["value"]) if out else None
            if call and value is not None:
                found.append((call, value, False))
    return found


def _kind(value: str) -> str:
    v = ast.literal_eval(value)
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, (list, tuple)):
        return "sequence"
    return "none" if v is None else type(v).__name__


def _key(call: str) -> Optional[str]:
    try:
        return ast.unparse(ast.parse(call, mode="eval"))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _consistent(examples: list[tuple[str, str, bool]], recurrence: bool) -> list[tuple[str, str]]:
    """Drop the plain ``=`` examples when they define a recurrence (a line like
    ``seq(n) = seq(n - 1) + 1`` is present) or disagree in kind with each other or with
    the other examples; drop every call given two values."""
    strong = {_kind(v) for _, v, plain in examples if not plain} - {"none"}
    plain = {_kind(v) for _, v, p in examples if p} - {"none"}
    if recurrence or len(plain) > 1 or (strong and plain and plain != strong):
        examples = [e for e in examples if not e[2]]
    keyed = [(_key(call), call, value) for call, value, _ in examples]
    values: dict[Optional[str], set[str]] = {}
    for key, _, value in keyed:
        values.setdefault(key, set()).add(value)
    kept = []
    for key, call, value in keyed:
        if key is not None and len(values[key]) == 1 and (call, value) not in kept:
            kept.append((call, value))
    return kept


def _defines_recurrence(lines: Sequence[str], entry_point: str) -> bool:
    """A line ``entry(n) = ...`` whose argument is a name, not a value."""
    pattern = re.compile(rf"\s*{re.escape(entry_point)}\s*\(\s*[A-Za-z_][^)]*\)\s*=(?!=)")
    return any(pattern.match(_BULLET.sub("", ln, count=1)) for ln in lines)


def prose_examples(prompt: str, entry_point: str) -> list[tuple[str, str]]:
    """Every prose example in ``prompt`` for ``entry_point``, as ``(call, expected)`` source
    pairs (empty when they contradict each other)."""
    signature = signature_of(prompt, entry_point)
    if signature is not None and not signature.by_value:
        return []
    return examples_in(example_text(prompt, signature), entry_point, signature)


def examples_in(text: str, entry_point: str, signature: Optional[Signature]) -> list[tuple[str, str]]:
    """:func:`prose_examples` on a prompt's :func:`example_text` whose signature (None: the
    prompt does not parse) the caller already has."""
    lines = [ln for ln in text[:MAX_PROMPT].splitlines()
             if len(ln) <= MAX_LINE and not ln.lstrip().startswith((">>>", "def ", "async def "))]
    found = _paired(lines, entry_point, signature)
    for line in lines:
        if len(found) >= MAX_EXAMPLES:
            break
        found += _inline(_BULLET.sub("", line, count=1), entry_point, signature)
    return _consistent(found[:MAX_EXAMPLES], _defines_recurrence(lines, entry_point))
