"""``archon-code search``: ITAS, search architectures for the best pass@1 under a budget."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Optional

import click

from archon_code import interrupts
from archon_code.cli._common import check_models
from archon_code.cli.options import model_options
from archon_code.errors import ConfigError

__all__ = ["search"]


def _ids(value: Optional[str]) -> Optional[tuple[str, ...]]:
    ids = tuple(i.strip() for i in (value or "").split(",") if i.strip())
    return ids or None


def _out_dir(options) -> Path:
    data = options.model_dump(mode="json", exclude={"trials"})
    data["problems"] = str(Path(options.problems).resolve())
    return Path("search-runs") / hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


@click.command()
@click.argument("problems", type=click.Path(exists=True))
@click.option("--space", "space_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="ARCHON_CODE_SEARCH_SPACE", help="Search-space file (YAML/JSON) [default: the shipped space].")
@click.option("--strategy", type=click.Choice(["random", "tpe"]), default="tpe", show_default=True,
              help="random sampling or Bayesian optimisation (optuna TPE).")
@click.option("--trials", type=click.IntRange(1), default=20, show_default=True, help="Completed trials wanted in all.")
@click.option("--dev-frac", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.5, show_default=True,
              help="Share of problems in the dev split.")
@click.option("--dev-ids", default=None, help="Dev split by id (comma-separated; needs --test-ids).")
@click.option("--test-ids", default=None, help="Test split by id (comma-separated; needs --dev-ids).")
@click.option("--limit", type=click.IntRange(2), default=None, help="Only the first N problems.")
@click.option("--budget-calls", type=click.IntRange(1), default=None, envvar="ARCHON_CODE_BUDGET_CALLS",
              help="LLM requests allowed per problem (failed ones and retries count too).")
@click.option("--budget-tokens", type=click.IntRange(1), default=None, envvar="ARCHON_CODE_BUDGET_TOKENS",
              help="Tokens allowed per problem.")
@click.option("--cost", type=click.Choice(["calls", "tokens"]), default="calls", show_default=True,
              help="Cost objective of the Pareto front.")
@click.option("--model", "models", multiple=True, help="Model the generators may use (repeat; replaces the space's list).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder [default: search-runs/<hash of the options>].")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split and the sampler.")
@click.option("--workers", type=click.IntRange(1), default=1, envvar="ARCHON_CODE_BENCH_WORKERS", show_default=True,
              help="Bench tasks run at once (sandbox containers: ARCHON_CODE_WORKERS, else max(2, N)). "
                   "Env: ARCHON_CODE_BENCH_WORKERS.")
@click.option("--no-cache/--cache", "no_cache", default=False, envvar="ARCHON_CODE_NO_CACHE",
              help="Do not read or write the LLM answer cache or the execution cache (default: use both). "
                   "Env: ARCHON_CODE_NO_CACHE=1; ARCHON_CODE_NO_EXEC_CACHE=1 turns off only the execution cache.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@model_options()
@click.option("--ray", "ray_address", default=None, envvar="ARCHON_CODE_RAY", metavar="ADDRESS",
              help="Run each trial's bench tasks on this Ray cluster; the study stays here. Needs archon-code[ray].")
def search(problems: str, space_file: Optional[Path], strategy: str, trials: int, dev_frac: float,
           dev_ids: Optional[str], test_ids: Optional[str], limit: Optional[int], budget_calls: Optional[int],
           budget_tokens: Optional[int], cost: str, models: tuple[str, ...], out: Optional[Path], seed: int,
           workers: int, no_cache: bool, as_json: bool, llm_config, ray_address: Optional[str] = None) -> None:
    """Search architectures on a dev split; write the best to OUT/best.yaml and check it on a test split.

    Every trial is benchmarked through the bench machinery (cached, resumable), and the
    optuna study is kept in OUT/search.db: rerunning the same command resumes the search
    (raise --trials to extend it). Report: terminal, OUT/report.html, --json. Exit 0 when
    a best architecture was found, 1 when no trial completed, 2 on bad input.

    \b
    Examples:
      archon-code search problems/ --trials 10 --strategy random --model local/qwen2.5-coder-0.5b
      archon-code search ../shared/data/mbpp.jsonl --limit 20 --budget-calls 12 --trials 30
      archon-code search problems/ --out search-runs/demo --trials 20   # same command again resumes it
      archon-code search problems/ --trials 10 --ray auto      # trials' tasks on a Ray cluster
    """
    from archon_code.bench.session import open_engine
    from archon_code.problems import load_problems
    from archon_code.search import SearchOptions, load_space, run_search
    from archon_code.search.report import format_search, search_json, write_search_html

    space = load_space(space_file)
    if models:
        space = space.model_copy(update={"models": tuple(models)})
    check_models(space.models, option="--model" if models else "search space")
    try:
        options = SearchOptions(problems=problems, strategy=strategy, trials=trials, dev_frac=dev_frac,
                                dev_ids=_ids(dev_ids), test_ids=_ids(test_ids), limit=limit,
                                budget_calls=budget_calls, budget_tokens=budget_tokens, cost=cost, seed=seed)
    except ValueError as exc:
        raise ConfigError(f"search options: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    loaded = load_problems(Path(problems), limit=limit)
    out_dir = out or _out_dir(options)
    click.echo(f"search: study in {out_dir}", err=True)
    interrupts.on_stop(lambda: f"kept every finished trial in {out_dir} (search.db, trials/); "
                               "rerun the same command to resume")
    if ray_address:
        from archon_code.distributed import ray_backend

        with ray_backend(ray_address, cache=not no_cache, llm_config=llm_config, log=_to_stderr) as backend:
            result = run_search(options, space, out_dir, loaded, llm=None, judge=None, backend=backend,
                                progress=_to_stderr)
    else:
        with open_engine(cache=not no_cache, workers=workers, llm_config=llm_config) as (llm, judge):
            result = run_search(options, space, out_dir, loaded, llm=llm, judge=judge, workers=workers,
                                progress=_to_stderr)
    write_search_html(result, cost)
    click.echo(json.dumps(search_json(result), indent=2) if as_json else format_search(result, cost))
    if result.best is None:
        raise click.exceptions.Exit(1)


def _to_stderr(line: str) -> None:
    """A progress line (a trial ended, a Ray node came or went) on stderr as it happens."""
    click.echo(line, err=True)
