"""What a function prompt says about its entry point, read from the prompt's syntax tree:
the parameters (for arity checks of docstring examples), the docstring's value, and
whether plain-data examples can describe the function at all."""

from __future__ import annotations

import ast
import re
from typing import Optional, Sequence

__all__ = ["Signature", "example_text", "signature_of"]

_NOT_BY_VALUE = re.compile(r"\bin[\s-]place\b|\bdo(?:es)?\s+not\s+return\b|^\s*prints?\b", re.IGNORECASE)


class Signature:
    """The entry point's positional parameters and what its examples can be trusted for."""

    def __init__(self, names: Sequence[str], required: int, varargs: bool,
                 docstring: Optional[str] = None, by_value: bool = True, raw: bool = False):
        self.names, self.required, self.varargs = tuple(names), required, varargs
        self.docstring = docstring
        """The docstring as Python reads it (escapes processed), or None."""
        self.raw = raw
        """The docstring is a raw string literal (``r\"\"\"...``): backslashes are as written."""
        self.by_value = by_value
        """False when an example's shown value is not what the function returns: it is
        annotated ``-> None``, takes an instance of a class the prompt defines (a LeetCode
        ``ListNode`` shown as ``[1, 2, 3]``), works in place, or prints."""

    def accepts(self, call: ast.Call) -> bool:
        given = len(call.args) + len(call.keywords)
        if any(k.arg is None or k.arg not in self.names for k in call.keywords):
            return False
        return self.required <= given and (self.varargs or given <= len(self.names))


def _names(annotation: ast.expr) -> set[str]:
    """Names an annotation mentions, also inside a string (``"Optional[Node]"``)."""
    names = set()
    for n in ast.walk(annotation):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            names.update(re.findall(r"[A-Za-z_]\w*", n.value))
    return names


def _by_value(node: ast.FunctionDef, classes: set[str], docstring: Optional[str]) -> bool:
    if isinstance(node.returns, ast.Constant) and node.returns.value is None:
        return False
    a = node.args
    for param in (*a.posonlyargs, *a.args, *a.kwonlyargs):
        if param.annotation is not None and classes & _names(param.annotation):
            return False
    return not (docstring and _NOT_BY_VALUE.search(docstring))


def signature_of(prompt: str, entry_point: str) -> Optional[Signature]:
    """The entry point's signature from the prompt's source, or None when the prompt does
    not parse or does not define it."""
    try:
        tree = ast.parse(prompt)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry_point:
            a = node.args
            names = [p.arg for p in (*a.posonlyargs, *a.args)]
            docstring = ast.get_docstring(node, clean=False)
            segment = ast.get_source_segment(prompt, node.body[0]) or "" if docstring is not None else ""
            return Signature(names, len(names) - len(a.defaults), a.vararg is not None,
                             docstring, _by_value(node, classes, docstring), segment[:1] in ("r", "R"))
    return None


def example_text(prompt: str, signature: Optional[Signature]) -> str:
    """The prompt's text as its examples mean it. Lines stay as written (a ``\\n`` in an
    example's string is a newline in it, not a line break), but a doubled backslash in a
    non-raw docstring is one backslash, as the docstring (and doctest) reads it:
    ``f('a\\\\nb')`` in the source passes ``'a\\nb'``, a newline."""
    if signature is None or signature.raw or signature.docstring is None:
        return prompt
    return prompt.replace("\\\\", "\\")
