"""Architectures: configs, presets, the runner and the ``solve_problem`` convenience API.

>>> from archon_code.architecture import load_architecture, list_presets
>>> sorted(list_presets())[:2]
['best-of-n', 'codet']
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from archon_code.architecture.config import (
    ArchitectureConfig,
    dump_architecture,
    parse_architecture,
    read_config_file,
)
from archon_code.architecture.runner import ArchitectureRunner, SolveResult
from archon_code.architecture.trace import Budget, Tracer, read_trace
from archon_code.errors import ConfigError
from archon_code.llm.base import LLM
from archon_code.types import Lang, Problem

__all__ = [
    "ArchitectureConfig",
    "ArchitectureRunner",
    "Budget",
    "SolveResult",
    "Tracer",
    "dump_architecture",
    "list_presets",
    "load_architecture",
    "parse_architecture",
    "preset_dir",
    "read_trace",
    "solve_problem",
]


def preset_dir() -> Path:
    """The folder holding the preset YAML files (inside the package)."""
    return Path(__file__).resolve().parent / "presets"


def list_presets() -> dict[str, Path]:
    """Preset name -> file, sorted by name."""
    return {p.stem: p for p in sorted(preset_dir().glob("*.yaml"))}


def load_architecture(name_or_path: Union[str, Path]) -> ArchitectureConfig:
    """A preset by name, or a JSON/YAML file (archon-code's or Archon's config shape)."""
    text = str(name_or_path)
    presets = list_presets()
    if text in presets:
        return parse_architecture(read_config_file(presets[text]), source=f"preset {text}")
    path = Path(text)
    if path.is_file():
        return parse_architecture(read_config_file(path), source=str(path))
    if path.suffix in (".json", ".yaml", ".yml") or "/" in text:
        raise ConfigError(f"architecture file {text} does not exist")
    raise ConfigError(f"unknown architecture {text!r}; presets: {', '.join(presets)} "
                      "(or a path to a .json/.yaml file)")


def solve_problem(problem: Problem, arch: Union[str, Path, ArchitectureConfig] = "full", model: Optional[str] = None,
                  *, llm: Optional[LLM] = None, judge=None, lang: Lang = "py", budget: Optional[Budget] = None,
                  trace_path: Optional[Path] = None, early_exit: bool = True, cache: bool = True) -> SolveResult:
    """Solve one problem (``arch``: the ``full`` preset, as ``archon-code solve``). Without
    ``llm``/``judge`` it makes the real LLM client and opens the Docker sandbox for the duration
    of the call."""
    config = arch if isinstance(arch, ArchitectureConfig) else load_architecture(arch)
    if llm is None:
        from archon_code.llm.client import LLMClient

        llm = LLMClient(cache=cache)

    def run(j) -> SolveResult:
        runner = ArchitectureRunner(config, llm, j, model=model, lang=lang, budget=budget or Budget(),
                                    trace_path=trace_path, early_exit=early_exit)
        return runner.solve(problem)

    if judge is not None:
        return run(judge)
    from archon_code.exec_cache import build_judge
    from archon_code.sandbox import open_sandbox

    with open_sandbox() as sandbox:
        return run(build_judge(sandbox, cache=cache))
