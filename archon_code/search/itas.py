"""The search loop: optuna trials over the space, the Pareto front, best.yaml, the test check."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import yaml
from pydantic import BaseModel, ConfigDict

from archon_code.bench.summary import ArchSummary
from archon_code.search.pareto import pareto_front, pick_best
from archon_code.search.space import SearchSpace, build_architecture, suggest
from archon_code.search.study import (Engine, FactoryFor, SearchOptions, TrialRow, config_label, evaluate,
                                      split_problems, study_name)
from archon_code.types import Problem

if TYPE_CHECKING:
    from archon_code.bench.session import BenchBackend
    from archon_code.judge import JudgeLike
    from archon_code.llm.base import LLM

Progress = Callable[[str], None]
"""Told one line per finished trial (the CLI prints it on stderr)."""

__all__ = ["SearchResult", "run_search"]


class TrialFailed(Exception):
    """A trial's bench ended with infrastructure errors: the trial is marked FAIL and does not count
    toward ``--trials``, so the next run of the same command makes up the number."""


class SearchResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    out_dir: Path
    study: str
    trials: tuple[TrialRow, ...]
    front: tuple[int, ...]
    """Trial numbers on the Pareto front (pass@1 up, cost down), by cost."""
    best: Optional[int]
    best_path: Optional[Path]
    best_config: Optional[dict]
    dev: tuple[str, ...]
    test: tuple[str, ...]
    test_summary: Optional[ArchSummary]
    new_trials: int


def _sampler(strategy: str, seed: int):
    import optuna

    if strategy == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=5, multivariate=True)


def _open_study(options: SearchOptions, space: SearchSpace, out_dir: Path):
    """Load or create the study; stale RUNNING trials (a killed search) become FAIL and their
    parameters are queued again, so the resumed search picks up where it stopped."""
    import optuna
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # failed trials are reported through progress
    out_dir.mkdir(parents=True, exist_ok=True)
    storage = f"sqlite:///{(out_dir / 'search.db').resolve()}"
    name = study_name(options, space)
    probe = optuna.create_study(study_name=name, storage=storage, load_if_exists=True,
                                directions=["maximize", "minimize"])
    done = len(probe.get_trials(deepcopy=False))
    study = optuna.load_study(study_name=name, storage=storage, sampler=_sampler(options.strategy, options.seed + done))
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(trial.number, state=TrialState.FAIL)
        if trial.params:
            study.enqueue_trial(trial.params)
    return study


def _requeue_interrupted(trial) -> None:
    """Ctrl-C / SIGTERM in the middle of a trial: optuna marks it FAIL as it unwinds, so
    ``_open_study`` (which requeues only RUNNING trials, i.e. a killed process) would never
    run it again and the resumed search would sample a new point instead: the interrupted
    point is lost from a study the user only paused. Decision: queue its parameters right
    here, while unwinding (one sqlite write), so the resume runs it first; its finished dev
    records are kept, so only the unfinished problems are run again."""
    try:
        trial.study.enqueue_trial(trial.params, user_attrs={"requeued_from": trial.number})
    except Exception:  # noqa: BLE001 - the stop must go on; the trial then counts as failed only
        pass


def _objective(space, options, dev, out_dir, engine: Engine, counter, progress: Progress):
    def objective(trial) -> tuple[float, float]:
        params = suggest(trial, space)
        config = build_architecture(params, "trial")
        config["name"] = config_label(config)
        try:
            evaluation = evaluate(config, dev, options, out_dir / "dev", engine)
        except KeyboardInterrupt:
            _requeue_interrupted(trial)
            raise
        summary = evaluation.summary
        cost = summary.calls if options.cost == "calls" else summary.tokens
        for key, value in (("label", evaluation.label), ("config", config), ("calls", summary.calls),
                           ("tokens", summary.tokens), ("seconds", summary.seconds)):
            trial.set_user_attr(key, value)
        counter["n"] += 1
        if summary.errors:
            progress(f"search: trial {trial.number} failed [{evaluation.label}]: {summary.errors} tasks ended "
                     f"in infrastructure errors; first: {evaluation.first_error}")
            raise TrialFailed(evaluation.first_error)
        progress(f"search: trial {trial.number}: pass@1 {summary.pass_at_1:.3f}, "
                 f"{options.cost}/problem {cost:.1f} [{evaluation.label}, {evaluation.new} new records]")
        return summary.pass_at_1, cost

    return objective


def _rows(study) -> list[TrialRow]:
    rows = []
    for t in study.get_trials(deepcopy=False):
        values = t.values or [None, None]
        attrs = t.user_attrs
        rows.append(TrialRow(number=t.number, state=t.state.name, label=attrs.get("label", ""), params=dict(t.params),
                             pass_at_1=values[0], cost=values[1], calls=attrs.get("calls"),
                             tokens=attrs.get("tokens"), seconds=attrs.get("seconds")))
    return rows


def run_search(options: SearchOptions, space: SearchSpace, out_dir: Path, problems: list[Problem], *,
               llm: Optional[LLM], judge: Optional[JudgeLike], workers: int = 1,
               factory_for: Optional[FactoryFor] = None, backend: Optional[BenchBackend] = None,
               progress: Optional[Progress] = None) -> SearchResult:
    """Run the missing trials, then write ``best.yaml`` and check the winner on the test split.
    With ``backend`` (Ray) each trial's bench tasks run there (``llm``/``judge`` unused); the
    study stays here. ``progress`` is told one line per finished or failed trial."""
    dev, test = split_problems(problems, options)
    study = _open_study(options, space, out_dir)
    engine = Engine(llm=llm, judge=judge, workers=workers, backend=backend, factory_for=factory_for)
    complete = [t for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    counter = {"n": 0}
    missing = options.trials - len(complete)
    if missing > 0:
        objective = _objective(space, options, dev, out_dir, engine, counter, progress or (lambda line: None))
        study.optimize(objective, n_trials=missing, catch=(TrialFailed,))
    rows = _rows(study)
    points = [(r.number, r.pass_at_1, r.cost) for r in rows if r.state == "COMPLETE"]
    front = tuple(pareto_front(points)) if points else ()
    best = pick_best(points) if points else None
    best_config = best_path = test_summary = None
    if best is not None:
        best_config = study.trials[best].user_attrs["config"]
        best_path = out_dir / "best.yaml"
        best_path.write_text(yaml.safe_dump(best_config, sort_keys=False), encoding="utf-8")
        test_summary = evaluate(best_config, test, options, out_dir / "test", engine).summary
    return SearchResult(out_dir=out_dir, study=study.study_name, trials=tuple(rows), front=front, best=best,
                        best_path=best_path, best_config=best_config, dev=tuple(p.id for p in dev),
                        test=tuple(p.id for p in test), test_summary=test_summary, new_trials=counter["n"])
