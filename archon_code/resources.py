"""Find the data folders (``sandbox/``, ``prompts/``, ``problems/``) at run time.

From an installed wheel they live inside the package as ``archon_code/data/<name>``
(see ``package_dir`` in setup.cfg); from a source checkout they sit beside the package.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["resource_dir"]

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder ``name`` (one of sandbox, prompts, problems)."""
    if name not in ("sandbox", "prompts", "problems"):
        raise ValueError(f"unknown resource folder {name!r}")
    for candidate in (_PACKAGE / "data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"archon-code data folder {name!r} is missing from this installation")
