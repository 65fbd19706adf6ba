#!/usr/bin/env python3
"""The function-call harness of archon-code's sandbox (standard library only).

``python3 harness.py SOLUTION_PATH ENTRY_POINT`` runs inside the sandbox as the
candidate's uid. It reads one JSON document from stdin::

    {"calls": [{"args": [ENC, ...], "kwargs": {"name": ENC}}, ...]}

keeps the original stdout as a private result channel, points fd 0 at /dev/null and
fd 1 at fd 2 (so what the candidate prints never mixes with results), runs the solution
file as ``__main__`` (as ``python3 sol.py`` would), then calls the entry point once per
call, each time with arguments decoded afresh, and writes one JSON line per call::

    {"i": K, "value": ENC} | {"i": K, "error": "ExcType: message"} | {"i": K, "unserializable": "type"}

and finally ``{"done": N}``; an exception while loading the solution gives one line
``{"load_error": "ExcType: message"}``.

No expected value is ever here: the host compares the decoded results with the test's own
comparison. What this process writes is *claimed* plain data, never trusted code: the
host decodes it with the same codec (this file, imported by path), which builds nothing
but None, bool, int, float, str, bytes, list, tuple, dict, set and frozenset. A candidate
that tampers with this process (exits early, patches builtins or json, closes or writes
the channel) can only lose its own results: the host counts a missing result or a line
outside the protocol as a failed test.

The codec (ENC): JSON null/true/false, finite floats and strings stand for themselves,
ints within 2**53 are JSON numbers, lists are JSON arrays; everything else is a one-key
object: ``{"$i": hex}`` big int, ``{"$f": "nan"|"inf"|"-inf"}``, ``{"$b": base64}``,
``{"$t": [...]}`` tuple, ``{"$d": [[k, v], ...]}`` dict, ``{"$s": [...]}`` set,
``{"$fs": [...]}`` frozenset. Types are checked with ``type(x) is T``: subclasses and
other objects are refused (``Unserializable``). Set elements are written in a canonical
order, so equal values encode identically.
"""

from __future__ import annotations

import base64
import json
import math
import os
import sys

__all__ = ["MAX_DEPTH", "MAX_SAME_HASH", "MAX_UNITS", "Unserializable", "canonical", "check_spread", "decode", "encode",
           "main"]

MAX_DEPTH = 200
"""Deepest nesting of containers encoded or decoded."""
MAX_UNITS = 4_000_000
"""Size budget of one value: one unit per node plus one per character/byte."""
_SAFE_INT = 1 << 53
_MESSAGE_CHARS = 500
# Taken before any candidate code runs, so a candidate patching builtins or json cannot
# change how its results are encoded (it can only ever emit plain data anyway).
_type, _len, _isinstance, _repr, _str, _format, _sorted = type, len, isinstance, repr, str, format, sorted
_dumps, _loads, _isfinite, _b64encode, _write = json.dumps, json.loads, math.isfinite, base64.b64encode, os.write


class Unserializable(ValueError):
    """A value that is not plain data, too deep or too large; ``args[0]`` names the type."""


class _Budget:
    def __init__(self) -> None:
        self.units = MAX_UNITS

    def take(self, n: int) -> None:
        self.units -= n
        if self.units < 0:
            raise Unserializable("value too large")


def encode(value: object, _depth: int = 0, _budget: "_Budget | None" = None) -> object:
    """Plain data -> JSON-able; raises Unserializable for anything else."""
    budget = _budget or _Budget()
    if _depth > MAX_DEPTH:
        raise Unserializable("value too deep")
    budget.take(1)
    t = _type(value)
    if value is None or t is bool or t is str:
        if t is str:
            budget.take(_len(value))
        return value
    if t is int:
        if -_SAFE_INT < value < _SAFE_INT:
            return value
        budget.take(value.bit_length() // 4)
        return {"$i": _format(value, "x")}
    if t is float:
        return value if _isfinite(value) else {"$f": _repr(value)}
    if t is bytes:
        budget.take(_len(value))
        return {"$b": _b64encode(value).decode("ascii")}
    if t is list or t is tuple:
        items = [encode(v, _depth + 1, budget) for v in value]
        return items if t is list else {"$t": items}
    if t is dict:
        return {"$d": [[encode(k, _depth + 1, budget), encode(v, _depth + 1, budget)] for k, v in value.items()]}
    if t is set or t is frozenset:
        items = _sorted((encode(v, _depth + 1, budget) for v in value), key=canonical)
        return {"$s" if t is set else "$fs": items}
    raise Unserializable(_qualname(t))


def canonical(obj: object) -> str:
    """The one JSON text of an encoded value (equal encodings, equal texts)."""
    return _dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _qualname(t: type) -> str:
    try:
        return _str(t.__name__)[:100]
    except Exception:  # a hostile metaclass
        return "object"


def decode(obj: object, _depth: int = 0, _budget: "_Budget | None" = None) -> object:
    """JSON-able -> plain data; raises ValueError for anything that is not a valid encoding."""
    budget = _budget or _Budget()
    if _depth > MAX_DEPTH:
        raise ValueError("value too deep")
    budget.take(1)
    t = _type(obj)
    if obj is None or t is bool or t is int:
        return obj
    if t is float:
        if not math.isfinite(obj):
            raise ValueError("non-finite float outside $f")
        return obj
    if t is str:
        budget.take(_len(obj))
        return obj
    if t is list:
        return [decode(v, _depth + 1, budget) for v in obj]
    if t is not dict or _len(obj) != 1:
        raise ValueError(f"not an encoded value: {_type(obj).__name__}")
    (tag, body), = obj.items()
    return _decode_tagged(tag, body, _depth, budget)


MAX_SAME_HASH = 64
"""Most elements of one set (or keys of one dict) that may share a hash value."""


def check_spread(items: object) -> None:
    """Raise ValueError when more than :data:`MAX_SAME_HASH` of ``items`` share a hash.

    Ints ``k * (2**61 - 1)`` all hash to 0: building a set of n of them costs n**2 / 2
    comparisons, and the host decodes what a candidate claims while holding the GIL (60 000
    of them: 21 s; red-team round 3). Counting hashes first is linear; unhashable items are
    left for the set or dict to refuse."""
    seen: dict = {}
    for item in items:
        try:
            key = hash(item)
        except TypeError:
            return
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > MAX_SAME_HASH:
            raise ValueError(f"more than {MAX_SAME_HASH} set elements or dict keys share one hash")


def _decode_tagged(tag: str, body: object, depth: int, budget: _Budget) -> object:
    if tag == "$i" and _type(body) is str and 0 < _len(body) <= MAX_UNITS:
        budget.take(_len(body))
        return int(body, 16)
    if tag == "$f" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$b" and _type(body) is str:
        budget.take(_len(body))
        return base64.b64decode(body.encode("ascii"), validate=True)
    if tag in ("$t", "$s", "$fs") and _type(body) is list:
        items = [decode(v, depth + 1, budget) for v in body]
        if tag != "$t":
            check_spread(items)
        try:
            return tuple(items) if tag == "$t" else set(items) if tag == "$s" else frozenset(items)
        except TypeError:
            raise ValueError("an unhashable set element") from None
    if tag == "$d" and _type(body) is list:
        pairs = []
        for pair in body:
            if _type(pair) is not list or _len(pair) != 2:
                raise ValueError("a $d entry is not a [key, value] pair")
            pairs.append((decode(pair[0], depth + 1, budget), decode(pair[1], depth + 1, budget)))
        check_spread(key for key, _ in pairs)
        try:
            return dict(pairs)
        except TypeError:
            raise ValueError("an unhashable dict key") from None
    raise ValueError(f"bad encoding tag {tag!r}")


def describe_error(exc: BaseException) -> str:
    """``ExcType: message``, truncated, never raising (hostile __str__ included)."""
    try:
        text = f"{_qualname(_type(exc))}: {_str(exc)}"
    except BaseException:
        text = f"{_qualname(_type(exc))}: <unprintable>"
    return text if _len(text) <= _MESSAGE_CHARS else text[:_MESSAGE_CHARS] + "..."


class _Channel:
    """The private result channel: stdout as it was before the candidate ran."""

    def __init__(self) -> None:
        self.fd = os.dup(1)
        try:  # a high fd, out of the way of the candidate's own files
            high = os.dup2(self.fd, 1000)
            os.close(self.fd)
            self.fd = high
        except OSError:
            pass
        os.set_inheritable(self.fd, False)

    def send(self, record: dict) -> None:
        data = (_dumps(record, ensure_ascii=True, allow_nan=False) + "\n").encode("ascii")
        while data:
            data = data[_write(self.fd, data):]


def _redirect_stdio() -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", closefd=False, buffering=1)


def _load(path: str) -> dict:
    """Run the solution as ``__main__``, as ``python3 path`` would; return its globals."""
    import types

    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = module
    sys.argv = [path]
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    with open(path, "rb") as f:
        code = compile(f.read(), path, "exec")
    exec(code, module.__dict__)
    return module.__dict__


def _run_call(function: object, call: dict, index: int) -> dict:
    try:
        args = [decode(a) for a in call.get("args", [])]
        kwargs = {_str(k): decode(v) for k, v in call.get("kwargs", {}).items()}
    except Exception as exc:  # the host never sends this; say so rather than guess
        return {"i": index, "error": f"HarnessError: bad call: {describe_error(exc)}"}
    try:
        value = function(*args, **kwargs)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt of the candidate included
        return {"i": index, "error": describe_error(exc)}
    try:
        return {"i": index, "value": encode(value)}
    except Unserializable as exc:
        return {"i": index, "unserializable": _str(exc.args[0])[:100]}
    except RecursionError:
        return {"i": index, "unserializable": "value too deep"}


def _entry(namespace: dict, entry_point: str):
    """The entry point: a top-level function, else the method of LeetCode's ``class Solution``."""
    if entry_point in namespace:
        return namespace[entry_point]
    holder = namespace.get("Solution")
    if holder is not None and _isinstance(holder, type) and entry_point in vars(holder):
        return getattr(holder(), entry_point)
    raise NameError(f"name {entry_point!r} is not defined")


def main(argv: "list[str] | None" = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if _len(argv) != 2:
        sys.stderr.write("usage: harness.py SOLUTION_PATH ENTRY_POINT\n")
        return 2
    path, entry_point = argv
    request = _loads(sys.stdin.read())
    calls = request["calls"]
    channel = _Channel()
    _redirect_stdio()
    try:
        namespace = _load(path)
        function = _entry(namespace, entry_point)
    except BaseException as exc:
        if _isinstance(exc, KeyError) and exc.args == (entry_point,):
            exc = NameError(f"name {entry_point!r} is not defined")
        channel.send({"load_error": describe_error(exc)})
        return 0
    for index, call in enumerate(calls):
        channel.send(_run_call(function, call, index))
    channel.send({"done": _len(calls)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
