"""A round-trip public test when the entry point inverts a function the prompt defines.

Some function problems give the forward function and ask for its inverse, with no example
(``encode_x`` is written out, ``decode_x`` is the task). Then there is a test
whose expected values are known without any model: ``decode(encode(x)) == x`` for every
input ``x`` of the forward function's domain. Candidates the clusters cannot tell apart
(they agree or disagree, with nothing to say which side is right) are separated by it.

The test is trusted check code (the data set's own prompt is its prelude, as for
HumanEval's ``check``), so the forward function runs on the host side in the trusted
check's subprocess and the candidate only in the sandbox.

It is made only when it cannot be wrong in an obvious way: the entry point is the decoding
half of an inverse pair (``decode_x`` of ``encode_x``, ``decrypt``, ``decompress``, ...), the
forward function is defined in the prompt with a body and takes one argument annotated
``str`` (or not annotated), and the entry point takes one argument. Inputs are lowercase
ASCII words, the domain every such string transform in the data sets accepts (a shift
cipher over ``a``-``z`` is not invertible on capitals or spaces).
"""

from __future__ import annotations

import ast
from typing import Optional

__all__ = ["INPUTS", "round_trip_test"]

_PAIRS = (("encode", "decode"), ("encrypt", "decrypt"), ("encipher", "decipher"), ("compress", "decompress"),
          ("serialize", "deserialize"), ("pack", "unpack"), ("escape", "unescape"), ("obfuscate", "deobfuscate"))
INPUTS = ("", "a", "ab", "abc", "abcd", "hello", "abcdefghij", "zyxwvutsrqp", "thequickbrownfoxjumps",
          "aaaaaaa", "xyzxyzxyzxyzxyz", "mississippi")
"""The strings the round trip is checked on."""


def _inverse_names(name: str) -> set[str]:
    words = name.split("_")
    names = set()
    # only decoders: the forward function must accept every input, and an encoder does
    # (a decoder given "hello" may raise, so encode(decode(x)) == x would be a false test)
    for forward, backward in _PAIRS:
        if backward in words:
            names.add("_".join(forward if w == backward else w for w in words))
    return names


def _one_string_argument(node: ast.FunctionDef) -> bool:
    a = node.args
    params = [*a.posonlyargs, *a.args]
    if len(params) - len(a.defaults) != 1 or a.vararg or a.kwonlyargs or len(params) != 1:
        return False
    note = params[0].annotation
    return note is None or (isinstance(note, ast.Name) and note.id == "str")


def _has_body(node: ast.FunctionDef) -> bool:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return any(not isinstance(stmt, ast.Pass) for stmt in body)


def round_trip_test(prompt: str, entry_point: str) -> Optional[str]:
    """The check code ``entry(forward(x)) == x`` over :data:`INPUTS`, or None."""
    try:
        tree = ast.parse(prompt)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    entry = functions.get(entry_point)
    if entry is None or not _one_string_argument(entry):
        return None
    for name in sorted(_inverse_names(entry_point)):
        forward = functions.get(name)
        if forward is not None and _one_string_argument(forward) and _has_body(forward):
            return (f"def check(candidate):\n"
                    f"    for text in {list(INPUTS)!r}:\n"
                    f"        assert candidate({name}(text)) == text, text\n\n"
                    f"check({entry_point})\n")
    return None
