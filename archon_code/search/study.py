"""ITAS: search architectures with optuna (random or TPE) on a dev split, check the winner on
a test split. Trials run through the bench machinery (cached, resumable); the optuna study
lives in ``DIR/search.db`` (sqlite RDB storage), so the same command resumes a search.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from archon_code.bench.runner import SolverFactory
from archon_code.bench.session import BenchOptions, run as run_bench_session
from archon_code.bench.summary import ArchSummary
from archon_code.errors import ConfigError
from archon_code.search.space import SearchSpace
from archon_code.types import Problem

if TYPE_CHECKING:
    from archon_code.architecture.config import ArchitectureConfig
    from archon_code.bench.session import BenchBackend
    from archon_code.judge import JudgeLike
    from archon_code.llm.base import LLM

__all__ = ["Engine", "SearchOptions", "TrialRow", "config_label", "split_problems", "study_name"]

FactoryFor = Callable[["ArchitectureConfig"], SolverFactory]


class SearchOptions(BaseModel):
    """What decides a search's results (``--trials`` aside: raising it extends a search)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    problems: str
    """Problem file or folder."""
    strategy: Literal["random", "tpe"] = "tpe"
    """random: optuna RandomSampler; tpe: optuna TPESampler (Bayesian, multi-objective)."""
    trials: int = Field(default=20, ge=1)
    """Completed trials wanted in all (a rerun runs only the missing ones)."""
    dev_frac: float = Field(default=0.5, gt=0.0, lt=1.0)
    """Share of the problems in the dev split (seeded shuffle), when ids are not given."""
    dev_ids: Optional[tuple[str, ...]] = None
    """Dev split by id (then ``test_ids`` is required too)."""
    test_ids: Optional[tuple[str, ...]] = None
    """Test split by id."""
    limit: Optional[int] = Field(default=None, ge=2)
    """Only the first N problems before splitting."""
    budget_calls: Optional[int] = Field(default=None, ge=1)
    """LLM calls allowed per problem."""
    budget_tokens: Optional[int] = Field(default=None, ge=1)
    """Tokens allowed per problem."""
    cost: Literal["calls", "tokens"] = "calls"
    """Second objective: mean LLM calls or tokens per problem."""
    seed: int = 0
    """Seed of the split and of the sampler."""
    lang: Literal["py", "cpp"] = "py"
    """Language generated."""

    @model_validator(mode="after")
    def _ids(self) -> "SearchOptions":
        if (self.dev_ids is None) != (self.test_ids is None):
            raise ValueError("--dev-ids and --test-ids go together")
        if self.dev_ids and set(self.dev_ids) & set(self.test_ids or ()):
            raise ValueError(f"ids in both splits: {sorted(set(self.dev_ids) & set(self.test_ids or ()))}")
        return self

    def bench_options(self, archs: tuple[str, ...]) -> BenchOptions:
        return BenchOptions(problems=self.problems, archs=archs, lang=self.lang, budget_calls=self.budget_calls,
                            budget_tokens=self.budget_tokens)


class TrialRow(BaseModel):
    """One trial of the study as reported."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int
    state: str
    label: str = ""
    params: dict[str, Any] = {}
    pass_at_1: Optional[float] = None
    cost: Optional[float] = None
    calls: Optional[float] = None
    tokens: Optional[float] = None
    seconds: Optional[float] = None


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def config_label(config: dict) -> str:
    """``t-<hash of the layers>``: equal architectures share a label, hence their bench records."""
    return "t-" + _digest(config["layers"])[:10]


def study_name(options: SearchOptions, space: SearchSpace) -> str:
    data = options.model_dump(mode="json", exclude={"trials"})
    data["problems"] = str(Path(options.problems).resolve())
    data["space"] = space.model_dump(mode="json")
    return "search-" + _digest(data)[:12]


def split_problems(problems: list[Problem], options: SearchOptions) -> tuple[list[Problem], list[Problem]]:
    """(dev, test): by ids when given, else a seeded shuffle cut at ``dev_frac``."""
    if options.dev_ids is not None:
        by_id = {p.id: p for p in problems}
        for name, ids in (("--dev-ids", options.dev_ids), ("--test-ids", options.test_ids or ())):
            missing = [i for i in ids if i not in by_id]
            if missing:
                raise ConfigError(f"option '{name}': no problem with id {missing[0]!r} in {options.problems}")
        return [by_id[i] for i in options.dev_ids], [by_id[i] for i in options.test_ids or ()]
    if len(problems) < 2:
        raise ConfigError(f"{options.problems}: a search needs at least 2 problems (dev and test), got {len(problems)}")
    order = sorted(problems, key=lambda p: p.id)
    random.Random(options.seed).shuffle(order)
    cut = min(len(order) - 1, max(1, round(options.dev_frac * len(order))))
    return order[:cut], order[cut:]


@dataclass(frozen=True)
class Engine:
    """What every trial's bench runs on: the model and judge here, or a back end elsewhere."""

    llm: Optional[LLM]
    judge: Optional[JudgeLike]
    workers: int = 1
    """Bench tasks at once (here)."""
    backend: Optional[BenchBackend] = None
    """Runs the tasks elsewhere (Ray); ``llm`` and ``judge`` are then unused."""
    factory_for: Optional[FactoryFor] = None
    """Builds the solver factory of an architecture (None: the architecture runner)."""


class Evaluation(BaseModel):
    """A trial's architecture evaluated on a split."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    summary: ArchSummary
    new: int
    first_error: str = ""
    """The first infrastructure error of the run ('' when none)."""


def evaluate(config: dict, problems: list[Problem], options: SearchOptions, out_dir: Path,
             engine: Engine) -> Evaluation:
    """Bench one architecture on ``problems`` into ``out_dir`` (resumable, shared by trials)."""
    from archon_code.architecture.config import parse_architecture

    label = config["name"]
    parsed = parse_architecture(config, label)
    factory = engine.factory_for(parsed) if engine.factory_for else None
    result = run_bench_session(options.bench_options((label,)), {label: parsed}, out_dir, llm=engine.llm,
                               judge=engine.judge, workers=engine.workers, factory=factory,
                               problems=problems, report=False, backend=engine.backend)
    errors = [r.error for r in result.records if r.status == "error"]
    return Evaluation(label=label, summary=result.summary.archs[0], new=result.new,
                      first_error=errors[0] if errors else "")
