"""Public tests from a docstring's examples (HumanEval prompts).

``>>> add(2, 3)`` followed by ``5`` (or ``>>> add(2, 3) == 5`` on one line) becomes
``assert add(2, 3) == 5``; examples written in prose are parsed by
:mod:`archon_code.problems.prose_examples`. Examples whose call
or expected value is not a Python expression (statements, prints, reprs of objects) are
skipped; float results are compared within 1e-6.
"""

from __future__ import annotations

import ast
import warnings
from contextlib import contextmanager
from typing import Iterator, Optional

from archon_code.problems.prose_examples import MAX_EXAMPLES, examples_in, value_tolerance
from archon_code.problems.signature import example_text, signature_of
from archon_code.problems.round_trip import round_trip_test
from archon_code.types import TestCase

__all__ = ["docstring_asserts", "example_assert", "prompt_tests"]

_PROMPT = ">>>"
_QUOTES = ('"""', "'''")


def _literal_call(text: str) -> bool:
    """``f(1, 'a', [2])``: a call whose arguments are all literals (no free names)."""
    try:
        node = ast.parse(text, mode="eval").body
        if not isinstance(node, ast.Call):
            return False
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            ast.literal_eval(arg)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def example_assert(call: str, expected: str, tolerance: float = 1e-6) -> Optional[str]:
    """The assert for one example, or None when it cannot be expressed as one (an elided
    ``...`` value included). Both sides are re-printed from their syntax tree, which drops
    comments (``f(1) # => 2``); a float is compared within ``tolerance``."""
    call, expected = call.strip(), expected.strip()
    if not call or not expected or call.startswith("print(") or not _literal_call(call):
        return None
    try:
        value = ast.literal_eval(expected)
        call, expected = ast.unparse(ast.parse(call, mode="eval")), ast.unparse(ast.parse(expected, mode="eval"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if "..." in expected:
        return None
    if isinstance(value, float):
        bound = "1e-6" if tolerance == 1e-6 else repr(tolerance)
        return f"assert abs(({call}) - ({expected})) < {bound}"
    if value is None:
        return f"assert ({call}) is None"
    return f"assert ({call}) == {expected}"


def _examples(lines: list[str], entry_point: Optional[str] = None) -> list[tuple[str, str]]:
    found, i = [], 0
    while i < len(lines) and len(found) < MAX_EXAMPLES:
        line = lines[i].strip()
        i += 1
        if not line.startswith(_PROMPT):
            continue
        call, expected = line[len(_PROMPT):], []
        skip = "doctest:" in call  # +SKIP, +ELLIPSIS, ...: the shown output is not the value
        while i < len(lines):
            nxt = lines[i].strip()
            if not nxt or nxt.startswith(_PROMPT) or nxt.startswith(_QUOTES):
                break
            expected.append(nxt)
            i += 1
        if not expected and _sets_state(call, entry_point):
            break  # "random.seed(0)", "x = 3": what follows depends on it, and asserts run alone
        if not skip:
            found.append(_split_compare(call) if not expected else (call, " ".join(expected)))
    return found


def _sets_state(line: str, entry_point: Optional[str]) -> bool:
    """A ``>>>`` line with no output that is not an import, not ``f(x) == v`` and not a
    call of the entry point (``>>> f([])`` with no output shows that it returns None)."""
    try:
        tree = ast.parse(line.strip())
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Compare):
            continue
        value = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == (entry_point or value.func.id):
            continue
        return True
    return False


def _split_compare(line: str) -> tuple[str, str]:
    """``>>> f(1) == 2`` on one line: the call and the value it is compared with."""
    try:
        node = ast.parse(line.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return line, ""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
        return ast.unparse(node.left), ast.unparse(node.comparators[0])
    return line, ""


@contextmanager
def _quiet() -> Iterator[None]:
    """Parsing a prompt's text: "invalid escape sequence" in it is not the user's concern."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
        yield


def docstring_asserts(prompt: str, entry_point: Optional[str] = None) -> list[str]:
    """Assert statements for every parseable example in ``prompt``, in order: ``>>>``
    examples, and with ``entry_point`` also the prose forms of
    :func:`~archon_code.problems.prose_examples.prose_examples` (``entry(1, 2) returns 3``,
    ``Input:``/``Output:`` pairs, ...)."""
    with _quiet():
        signature = signature_of(prompt, entry_point) if entry_point else None
        if signature is not None and not signature.by_value:
            return []
        text = example_text(prompt, signature)
        doctests = [(c, e, 1e-6) for c, e in _examples(text.splitlines(), entry_point)]
        prose = [(c, e, value_tolerance(e)) for c, e in (examples_in(text, entry_point, signature) if entry_point else [])]
        asserts = []
        for call, expected, tolerance in doctests + prose:
            assertion = example_assert(call, expected, tolerance)
            if assertion is not None and assertion not in asserts:
                asserts.append(assertion)
    return asserts


def prompt_tests(prompt: str, entry_point: str) -> tuple[TestCase, ...]:
    """The public tests a function prompt gives: its docstring examples, and a round trip
    when the entry point inverts a function the prompt defines (:mod:`.round_trip`)."""
    tests = [TestCase(input=a, kind="public") for a in docstring_asserts(prompt, entry_point)]
    with _quiet():
        trip = round_trip_test(prompt, entry_point)
    if trip is not None:
        tests.append(TestCase(input=trip, kind="public"))
    return tuple(tests)
