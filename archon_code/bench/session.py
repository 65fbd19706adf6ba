"""``bench`` end to end: options -> problems, architectures, model, sandbox -> records -> report."""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterator, Literal, Mapping, Optional, Protocol

from pydantic import BaseModel, ConfigDict, Field

from archon_code.bench.report import summary_json, write_html
from archon_code.bench.runner import Executor, SolverFactory, architecture_solvers, plan_tasks, run_bench
from archon_code.bench.store import BenchRecord, ResultStore
from archon_code.bench.summary import BenchSummary, summarize
from archon_code.errors import ConfigError
from archon_code.types import Problem

if TYPE_CHECKING:
    from archon_code.architecture.config import ArchitectureConfig
    from archon_code.judge import JudgeLike
    from archon_code.llm.base import LLM
    from archon_code.llm.budget import Budget
    from archon_code.llm.client import LLMClientConfig

__all__ = ["BenchBackend", "BenchOptions", "BenchRun", "Progress", "arch_label", "load_configs", "open_engine", "run",
           "out_dir_for"]

Progress = Callable[[int], ContextManager[Callable[[BenchRecord], None]]]
"""``progress(total)``: a context whose value is called with each record as it comes."""


class BenchOptions(BaseModel):
    """Everything that decides a bench's results (and so its default output folder)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    problems: str
    """Problem file or folder (YAML/JSON problem, folder, JSONL data set)."""
    archs: tuple[str, ...] = Field(min_length=1)
    """Preset names or architecture files."""
    model: Optional[str] = None
    """Override every component's model (None: the architecture's own models)."""
    samples: int = Field(default=1, ge=1)
    """Draws per (architecture, problem), for pass@k."""
    tests: Literal["hidden", "all"] = "hidden"
    """Graded tests: hidden (never seen by the pipeline) or all (public too)."""
    limit: Optional[int] = Field(default=None, ge=1)
    """Only the first N problems."""
    ids: Optional[tuple[str, ...]] = None
    """Only these problem ids."""
    lang: Literal["py", "cpp"] = "py"
    """Language the generators write."""
    budget_calls: Optional[int] = Field(default=None, ge=1)
    """LLM calls allowed per problem (None: unlimited)."""
    budget_tokens: Optional[int] = Field(default=None, ge=1)
    """Tokens allowed per problem (None: unlimited)."""


class BenchBackend(Protocol):
    """Runs a bench's tasks elsewhere (``archon_code.distributed.RayBackend``); the driver
    still stores every record."""

    def bench_executor(self, options: BenchOptions, configs: Mapping[str, ArchitectureConfig]) -> Executor: ...


class BenchRun(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    out_dir: Path
    records: tuple[BenchRecord, ...]
    summary: BenchSummary
    new: int
    """Records computed in this run (the others came from results.jsonl)."""

    def to_json(self, settings: Mapping[str, Any]) -> dict:
        data = summary_json(self.summary, settings, self.out_dir)
        data["new_records"] = self.new
        return data


def arch_label(name: str) -> str:
    """Preset names stay; files become their stem (``configs/my-arch.yaml`` -> ``my-arch``)."""
    path = Path(name)
    return path.stem if path.suffix in (".yaml", ".yml", ".json") else name


def load_configs(names: tuple[str, ...]) -> dict[str, ArchitectureConfig]:
    """label -> architecture config, via :func:`archon_code.architecture.load_architecture`."""
    from archon_code.architecture import load_architecture

    configs: dict[str, ArchitectureConfig] = {}
    for name in names:
        label = arch_label(name)
        if label in configs:
            raise ConfigError(f"option '--arch': {name!r} repeats the architecture label {label!r}")
        configs[label] = load_architecture(name)
    return configs


def _config_digest(config: ArchitectureConfig) -> str:
    data = config.model_dump(mode="json")
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def out_dir_for(options: BenchOptions, configs: Mapping[str, ArchitectureConfig], root: Path = Path("bench-runs")) -> Path:
    """``bench-runs/<hash>``: the hash of the options and of every architecture's content."""
    data = options.model_dump(mode="json")
    data["problems"] = str(Path(options.problems).resolve())
    data["configs"] = {label: _config_digest(c) for label, c in configs.items()}
    return root / hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


def select_problems(options: BenchOptions) -> list[Problem]:
    from archon_code.problems import load_problems

    ids = list(options.ids) if options.ids else None
    problems = load_problems(Path(options.problems), ids=ids, limit=options.limit)
    graded = [p for p in problems if p.tests(options.tests)]
    if not graded:
        raise ConfigError(f"{options.problems}: no problem has {options.tests} tests to grade with")
    return graded


@contextmanager
def open_engine(*, cache: bool = True, workers: int = 1, llm_config: Optional[LLMClientConfig] = None,
                configs: Optional[Mapping[str, ArchitectureConfig]] = None) -> Iterator[tuple[LLM, JudgeLike]]:
    """The real LLM client (``llm_config``: an :class:`LLMClientConfig`, endpoint, key, timeout,
    retries; embedded-model slots for ``workers`` tasks of the largest of ``configs``' concurrent
    requests, else 4 each) and a judge over a started Docker sandbox: ARCHON_CODE_WORKERS
    containers, else ``max(2, workers)`` (``workers``: bench tasks at once)."""
    from archon_code.exec_cache import build_judge
    from archon_code.llm.client import LLMClient
    from archon_code.sandbox import open_sandbox

    from archon_code.architecture.config import largest_concurrency
    from archon_code.llm.client import LLMClientConfig
    from archon_code.llm.local_config import DEFAULT_SLOTS, for_workers

    per_task = largest_concurrency((configs or {}).values(), DEFAULT_SLOTS)
    llm = LLMClient(cache=cache, config=for_workers(llm_config or LLMClientConfig(), workers, per_task))
    with open_sandbox(workers=None if os.environ.get("ARCHON_CODE_WORKERS") else max(2, workers)) as sandbox:
        yield llm, build_judge(sandbox, cache=cache)


def budget_for(options: BenchOptions) -> Optional[Budget]:
    if options.budget_calls is None and options.budget_tokens is None:
        return None
    from archon_code.architecture import Budget

    return Budget(calls=options.budget_calls, tokens=options.budget_tokens)


def run(options: BenchOptions, configs: Mapping[str, ArchitectureConfig], out_dir: Path, *,
        llm: Optional[LLM], judge: Optional[JudgeLike],
        workers: int = 1, fresh: bool = False, progress: Optional[Progress] = None,
        factory: Optional[SolverFactory] = None, problems: Optional[list[Problem]] = None,
        report: bool = True, backend: Optional[BenchBackend] = None) -> BenchRun:
    """Run (or resume) a bench into ``out_dir``: ``results.jsonl`` and (``report``) ``report.html``.
    With ``backend`` the tasks run there (``llm``/``judge`` unused) and the records come back here.
    ``progress(total)`` is entered around the run and its value called with each record (the
    command's progress bar: library code prints nothing); None: silent."""
    if problems is None:
        problems = select_problems(options)
    problems = [p for p in problems if p.tests(options.tests)]  # nothing to grade with: left out
    store = ResultStore(out_dir / "results.jsonl")
    if fresh:
        store.reset()
    factory = factory or architecture_solvers(configs, llm, judge, model=options.model, lang=options.lang,
                                              budget=budget_for(options))
    tasks = plan_tasks(list(configs), problems, options.samples)
    execute = backend.bench_executor(options, configs) if backend is not None else None
    counter = {"new": 0}
    with (progress or _silent)(len(tasks)) as tick:
        def on_record(record: BenchRecord, fresh_record: bool) -> None:
            counter["new"] += fresh_record
            tick(record)

        records = run_bench(tasks, factory, judge, store, tests=options.tests, workers=workers, on_record=on_record,
                            execute=execute)
    summary = summarize(records, list(configs))
    if report:
        write_html(out_dir / "report.html", summary, settings_of(options))
    return BenchRun(out_dir=out_dir, records=tuple(records), summary=summary, new=counter["new"])


def settings_of(options: BenchOptions) -> dict:
    return {k: v for k, v in options.model_dump(mode="json").items() if v is not None}


@contextmanager
def _silent(total: int) -> Iterator[Callable[[BenchRecord], None]]:
    yield lambda record: None
