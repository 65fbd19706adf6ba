"""The project config file: ``archon-code.toml`` or ``[tool.archon-code]`` in ``pyproject.toml``.

Precedence, for every setting: command-line option > ``ARCHON_CODE_*`` environment
variable > config file > built-in default.

Decision: each key of the file is the default of one ``ARCHON_CODE_*`` variable (table
below). At start-up the CLI sets the variables the environment does not set; every
command, and library code that reads the environment (cache folder, sandbox workers),
then sees the file's values with exactly the meaning the variable has, and options beat
both as click already arranges. There is one reader, this module.

The file is looked for from the current folder upwards; in each folder
``archon-code.toml`` (top-level keys) is taken before a ``pyproject.toml`` that has a
``[tool.archon-code]`` table (a pyproject without one is passed over). The first found
wins; files are not merged. ``ARCHON_CODE_CONFIG=PATH`` names the file instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, MutableMapping, Optional

from archon_code.errors import ConfigError
from archon_code.textio import parse_toml, read_text

__all__ = ["KEYS", "ProjectConfig", "apply_project_config", "find_config_file", "load_project_config"]

KEYS: dict[str, tuple[str, type, str]] = {
    "model": ("ARCHON_CODE_MODEL", str, "default model (a litellm model or local/...)"),
    "arch": ("ARCHON_CODE_ARCH", str, "default architecture of solve (preset name or file, relative to the config)"),
    "workers": ("ARCHON_CODE_WORKERS", int, "sandbox containers at once (judge, solve, problems validate, bench, search)"),
    "bench-workers": ("ARCHON_CODE_BENCH_WORKERS", int, "bench/search tasks at once (their --workers)"),
    "api-base": ("ARCHON_CODE_API_BASE", str, "endpoint of non-local models (--api-base)"),
    "cache": ("ARCHON_CODE_NO_CACHE", bool, "false: do not read or write the LLM answer and execution caches (--no-cache)"),
    "cache-dir": ("ARCHON_CODE_CACHE_DIR", str, "LLM cache and model weights folder (relative to the config)"),
}
"""file key -> (environment variable it defaults, type, meaning)."""

_TABLE = "tool.archon-code"


@dataclass(frozen=True)
class ProjectConfig:
    """The settings of one config file, as environment values (``ARCHON_CODE_*`` -> text)."""

    path: Path
    env: dict[str, str] = field(default_factory=dict)
    applied: tuple[str, ...] = ()
    """The variables this file set (the environment did not set them already)."""

    def source(self, name: str) -> str:
        """``NAME`` or, when this file supplied it, ``NAME (from PATH)``, for error messages."""
        return f"{name} (from {self.path})" if name in self.applied else name


def find_config_file(start: Optional[Path] = None, environ: Optional[MutableMapping[str, str]] = None) -> Optional[Path]:
    """The config file that applies in ``start`` (default: the current folder), or None."""
    environ = os.environ if environ is None else environ
    named = environ.get("ARCHON_CODE_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"ARCHON_CODE_CONFIG: no such file {named!r}")
        return path
    folder = (start or Path.cwd()).resolve()
    for place in (folder, *folder.parents):
        if (place / "archon-code.toml").is_file():
            return place / "archon-code.toml"
        pyproject = place / "pyproject.toml"
        if pyproject.is_file() and "archon-code" in _toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _value(path: Path, key: str, value: Any) -> str:
    env, kind, _ = KEYS[key]
    where = f"{path}: [{_TABLE}] key {key!r}" if path.name == "pyproject.toml" else f"{path}: key {key!r}"
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return "" if value else "1"  # cache = false -> ARCHON_CODE_NO_CACHE=1
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
            raise ConfigError(f"{where}: expected an integer from 1 to 64, got {value!r}")
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string, got {value!r}")
    if key == "cache-dir" or (key == "arch" and (path.parent / value).is_file()):
        return str((path.parent / Path(value).expanduser()).resolve())
    return value


def _toml(path: Path) -> dict:
    """TOML whatever the file's suffix (ARCHON_CODE_CONFIG may name any file)."""
    return parse_toml(read_text(path, ConfigError), path, ConfigError)


def load_project_config(path: Path) -> ProjectConfig:
    """Read and check ``path``; unknown keys and wrong types name the file, key and value."""
    data = _toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("archon-code", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [{_TABLE}] must be a table")
    env = {}
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown key {key!r}; allowed: {', '.join(KEYS)}")
        text = _value(path, key, value)
        if text:
            env[KEYS[key][0]] = text
    return ProjectConfig(path=path, env=env)


def apply_project_config(start: Optional[Path] = None,
                         environ: Optional[MutableMapping[str, str]] = None) -> Optional[ProjectConfig]:
    """Find the config file and set each of its variables the environment does not already set."""
    environ = os.environ if environ is None else environ
    path = find_config_file(start, environ)
    if path is None:
        return None
    config = load_project_config(path)
    applied = tuple(name for name in config.env if name not in environ)
    for name in applied:
        environ[name] = config.env[name]
    return replace(config, applied=applied)
