"""Runs TRUSTED data-set check code against recorded results, in a host subprocess.

Standard library only; started by :mod:`archon_code.functions.trusted` as
``python -s trusted_driver.py HARNESS_PATH`` with a clean environment (PYTHONHASHSEED=0),
a temporary working folder and a timeout. Never imported by the host process. The
candidate's code never runs here: the entry point is a recording proxy that answers
each call with the plain-data result the sandbox reported for the same arguments (the
n-th call with given arguments gets the n-th recorded result for them).

stdin: ``{"mode": "discover"|"strict", "code", "prelude", "entry_point",
"recorded": [{"key", "status", "value", "detail"}], "max_calls"}``. Result lines go to the
original stdout (fd 1 is pointed at stderr before the check runs):

* ``{"call": {"args", "kwargs"}}`` a call with no recorded result and plain arguments
  (discover only; the proxy answered it with a neutral placeholder);
* ``{"unplain": "type"}`` a call whose arguments are not plain data;
* ``{"end": "ok"|"raised"|"stopped", "error", "line", "source", "recorded_index"}``.

In discover mode every ``assert`` is rewritten so that a failing or raising assert does
not stop discovery; in strict mode the check runs as written and passes iff it ends
without an exception.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import json
import linecache
import os
import random
import sys
import traceback

_FILENAME = "<check>"


class _Stop(BaseException):
    """Too many calls: discovery stops here."""


class CandidateError(Exception):
    """A recorded exception of the candidate whose type is not a builtin one."""


class Pending:
    """A neutral stand-in for a result not known yet: every use gives a harmless value."""

    def __repr__(self) -> str:
        return "<pending>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "<pending>"

    def _self(self, *args: object, **kwargs: object) -> "Pending":
        return self

    def _true(self, *args: object) -> bool:
        return True

    __eq__ = __lt__ = __le__ = __gt__ = __ge__ = __contains__ = _true

    def __ne__(self, other: object) -> bool:
        return False

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _self
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = __neg__ = __pos__ = _self
    __abs__ = __invert__ = __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _self
    __lshift__ = __rshift__ = __getitem__ = __call__ = __round__ = __trunc__ = __floor__ = __ceil__ = _self
    __hash__ = object.__hash__

    def __getattr__(self, name: str) -> "Pending":
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __bool__(self) -> bool:
        return True

    def __float__(self) -> float:
        return 0.0

    def __int__(self) -> int:
        return 0

    __index__ = __int__

    def __len__(self) -> int:
        return 0

    def __iter__(self):
        return iter(())

    def __divmod__(self, other: object) -> tuple:
        return (self, self)

    __rdivmod__ = __divmod__


class _NeverFail(ast.NodeTransformer):
    """``assert test, msg`` -> ``try: test / except Exception: pass`` (discover mode)."""

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        handler = ast.ExceptHandler(type=ast.Name(id="Exception", ctx=ast.Load()), name=None, body=[ast.Pass()])
        return ast.copy_location(ast.Try(body=[ast.Expr(value=node.test)], handlers=[handler], orelse=[],
                                          finalbody=[]), node)


def _load_codec(path: str):
    spec = importlib.util.spec_from_file_location("archon_code_sandbox_harness", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _contains_pending(value: object, depth: int = 0) -> bool:
    if isinstance(value, Pending):
        return True
    if depth > 50:
        return False
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_contains_pending(v, depth + 1) for v in value)
    return False


class Proxy:
    """The entry point as the check sees it."""

    def __init__(self, codec, request: dict, send) -> None:
        self.codec, self.send, self.strict = codec, send, request["mode"] == "strict"
        self.__name__ = self.__qualname__ = request["entry_point"]
        self.max_calls, self.calls = request["max_calls"], 0
        self.recorded: dict[str, list] = {}
        for index, rec in enumerate(request["recorded"]):
            self.recorded.setdefault(rec["key"], []).append((index, rec))

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        if self.calls > self.max_calls:
            raise _Stop()
        codec = self.codec
        try:
            enc_args = [codec.encode(a) for a in args]
            enc_kwargs = {str(k): codec.encode(v) for k, v in kwargs.items()}
        except (codec.Unserializable, RecursionError):
            if _contains_pending([args, kwargs]):
                if self.strict:
                    raise RuntimeError("a call's arguments depend on a result that was never recorded")
                return Pending()
            kind = next((type(a).__name__ for a in [*args, *kwargs.values()] if not _plain(codec, a)), "object")
            self.send({"unplain": kind})
            raise RuntimeError(f"the check passes a {kind}, which is not plain data")
        key = codec.canonical([enc_args, sorted(enc_kwargs.items())])
        queue = self.recorded.get(key)
        if queue:
            index, rec = queue.pop(0)
            return self._replay(index, rec)
        if self.strict:
            raise RuntimeError("the check made a call that has no recorded result")
        self.send({"call": {"args": enc_args, "kwargs": enc_kwargs}})
        return Pending()

    def _replay(self, index: int, rec: dict) -> object:
        if rec["status"] == "value":
            return self.codec.decode(rec["value"])
        error: Exception = CandidateError(f"the function gave no plain result ({rec['status']})")
        if rec["status"] == "error":
            name, _, message = (rec.get("detail") or "").partition(": ")
            kind = getattr(builtins, name, None)
            error = CandidateError(rec.get("detail"))
            if isinstance(kind, type) and issubclass(kind, Exception):
                try:
                    error = kind(message)
                except Exception:  # a builtin type that wants other arguments (UnicodeDecodeError)
                    pass
        error.archon_recorded = index
        raise error


def _plain(codec, value: object) -> bool:
    try:
        codec.encode(value)
        return True
    except Exception:
        return False


def _seed_random() -> None:
    random.seed(0)
    inst, init = random._inst, random.Random.__init__

    def seeded_init(self, x=None):
        init(self, 0 if x is None else x)

    random.Random.__init__ = seeded_init
    random.seed = lambda a=None, version=2: inst.seed(0 if a is None else a, version)


def _where(exc: BaseException, source: str) -> tuple:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == _FILENAME:
            lines = source.splitlines()
            text = lines[frame.lineno - 1].strip() if 0 < frame.lineno <= len(lines) else ""
            return frame.lineno, text[:200]
    return None, ""


def main() -> int:
    if len(sys.argv) > 2:  # the check's CPU budget: its own slowness ends it, the machine's load does not
        import resource

        seconds = max(1, int(float(sys.argv[2]) + 0.999))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    codec = _load_codec(sys.argv[1])
    request = json.loads(sys.stdin.read())
    channel = os.fdopen(os.dup(1), "w", encoding="ascii")
    os.dup2(2, 1)

    def send(record: dict) -> None:
        channel.write(json.dumps(record, ensure_ascii=True) + "\n")
        channel.flush()

    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    except (ImportError, ValueError, OSError):
        pass
    _seed_random()
    proxy = Proxy(codec, request, send)
    source = request["code"]
    tree = ast.parse(source, _FILENAME)
    if request["mode"] != "strict":
        tree = ast.fix_missing_locations(_NeverFail().visit(tree))
    linecache.cache[_FILENAME] = (len(source), None, source.splitlines(True), _FILENAME)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    end = {"end": "ok"}
    try:
        exec(compile(request.get("prelude") or "", "<prelude>", "exec"), namespace)
        namespace[request["entry_point"]] = proxy
        exec(compile(tree, _FILENAME, "exec"), namespace)
    except _Stop:
        end = {"end": "stopped"}
    except BaseException as exc:  # noqa: BLE001 - every way the check can end is a verdict
        line, text = _where(exc, source)
        end = {"end": "raised", "error": f"{type(exc).__name__}: {str(exc)[:300]}", "line": line,
               "source": text, "recorded_index": getattr(exc, "archon_recorded", None)}
    send(end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
