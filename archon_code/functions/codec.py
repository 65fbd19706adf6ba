"""The plain-data codec on the host: ``sandbox/harness.py`` imported by path.

One codec on both sides of the sandbox boundary: the harness encodes what the
candidate's function returned, the host decodes it here. Decoding builds nothing but
plain data (None, bool, int, float, str, bytes, list, tuple, dict, set, frozenset), so no
candidate-defined ``__eq__`` can ever run on the host.
"""

from __future__ import annotations

import importlib.util
import reprlib
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from archon_code.resources import resource_dir

__all__ = ["canonical", "decode", "encode", "harness", "harness_path", "short_repr", "Unserializable"]


def harness_path() -> Path:
    """The harness file that goes into the sandbox (and whose codec the host uses)."""
    return resource_dir("sandbox") / "harness.py"


@lru_cache(maxsize=1)
def harness() -> ModuleType:
    """The harness module, imported from its file without running its main."""
    spec = importlib.util.spec_from_file_location("archon_code_sandbox_harness", harness_path())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def encode(value: object) -> object:
    """Plain data -> JSON-able (raises :class:`Unserializable` otherwise)."""
    return harness().encode(value)


def decode(obj: object) -> object:
    """JSON-able -> plain data (raises ValueError for an invalid encoding)."""
    return harness().decode(obj)


def canonical(obj: object) -> str:
    """The one JSON text of an encoded value."""
    return harness().canonical(obj)


def __getattr__(name: str) -> object:
    if name == "Unserializable":
        return harness().Unserializable
    raise AttributeError(name)


class _ShortRepr(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxstring = self.maxother = 80
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdict = 10
        self.maxlevel = 4

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 256:
            return f"<int of {x.bit_length()} bits>"
        return repr(x)

    def repr_bytes(self, x: bytes, level: int) -> str:
        return repr(x) if len(x) <= 60 else repr(x[:60])[:-1] + "...'"


_SHORT = _ShortRepr()


def short_repr(value: object) -> str:
    """A bounded ``repr`` for messages (big ints and long containers shortened)."""
    return _SHORT.repr(value)
