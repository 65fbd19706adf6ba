"""``archon-code bench``: benchmark architectures over a problem set."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional

import click

from archon_code import interrupts
from archon_code.cli._common import check_models
from archon_code.cli.options import model_options
from archon_code.errors import ConfigError

if TYPE_CHECKING:
    from archon_code.bench.store import BenchRecord

__all__ = ["bench"]


def _ids(value: Optional[str]) -> Optional[tuple[str, ...]]:
    if not value:
        return None
    ids = tuple(i.strip() for i in value.split(",") if i.strip())
    return ids or None


@contextmanager
def _bar(total: int) -> Iterator[Callable[[BenchRecord], None]]:
    """The bench's progress bar (and ETA) on stderr: one step per record, naming it."""
    with click.progressbar(length=total, label="bench", file=sys.stderr, show_eta=True, show_pos=True,
                           item_show_func=lambda r: f"{r.arch}/{r.problem}#{r.sample} {r.status}" if r else "") as bar:
        yield lambda record: bar.update(1, record)


def _run_on_ray(address: str, options, configs, out_dir: Path, *, cache: bool, fresh: bool, problems, llm_config):
    """The bench with its tasks on the Ray cluster at ``address``; records are stored here."""
    from archon_code.architecture.config import largest_concurrency
    from archon_code.bench.session import run
    from archon_code.distributed import ray_backend
    from archon_code.llm.local_config import DEFAULT_SLOTS

    log = lambda line: click.echo(line, err=True)  # noqa: E731 - the cluster's events, on stderr
    per_task = largest_concurrency(configs.values(), DEFAULT_SLOTS)
    with ray_backend(address, cache=cache, llm_config=llm_config, requests_per_task=per_task, log=log) as backend:
        return run(options, configs, out_dir, llm=None, judge=None, fresh=fresh, problems=problems, backend=backend,
                   progress=_bar)


def _say_local_server(model: Optional[str], llm) -> None:
    """Name the embedded server's slots and threads when the run's model is embedded: they
    decide the seconds a bench reports (threads follow the load at start)."""
    from archon_code.llm import default_model
    from archon_code.textio import plural

    name, local = model or default_model(), llm.config.local
    if name.startswith("local/"):
        click.echo(f"bench: embedded model {name}: {plural(local.parallel, 'slot')}, "
                   f"{plural(local.n_threads, 'thread')}", err=True)


def _kept(out_dir: Path) -> str:
    """What an interrupted bench keeps (said on stderr)."""
    from archon_code.bench.store import ResultStore

    path = out_dir / "results.jsonl"
    count = len(ResultStore(path).load())
    return (f"kept {count} finished record{'' if count == 1 else 's'} in {path}; "
            "rerun the same command to resume")


@click.command()
@click.argument("problems", type=click.Path(exists=True))
@click.option("--arch", "archs", multiple=True, required=True, envvar="ARCHON_CODE_BENCH_ARCH",
              help="Preset name or architecture file; repeat to compare several.")
@click.option("--model", default=None,
              help="Model for every component, overriding the architecture's (ARCHON_CODE_MODEL only fills in "
                   "components that name none, as in solve).")
@click.option("--workers", type=click.IntRange(1), default=1, envvar="ARCHON_CODE_BENCH_WORKERS", show_default=True,
              help="Bench tasks run at once (sandbox containers: ARCHON_CODE_WORKERS, else max(2, N)). "
                   "Env: ARCHON_CODE_BENCH_WORKERS.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder [default: bench-runs/<hash of the options>].")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N problems.")
@click.option("--ids", default=None, help="Only these problem ids (comma-separated).")
@click.option("--samples", type=click.IntRange(1), default=1, show_default=True, help="Draws per problem, for pass@k.")
@click.option("--tests", type=click.Choice(["hidden", "all"]), default="hidden", show_default=True,
              help="Tests the final program is graded on.")
@click.option("--lang", type=click.Choice(["py", "cpp"]), default="py", show_default=True, help="Language generated.")
@click.option("--budget-calls", type=click.IntRange(1), default=None, envvar="ARCHON_CODE_BUDGET_CALLS",
              help="LLM requests allowed per problem (failed ones and retries count too).")
@click.option("--budget-tokens", type=click.IntRange(1), default=None, envvar="ARCHON_CODE_BUDGET_TOKENS",
              help="Tokens allowed per problem.")
@click.option("--no-cache/--cache", "no_cache", default=False, envvar="ARCHON_CODE_NO_CACHE",
              help="Do not read or write the LLM answer cache or the execution cache (default: use both). "
                   "Env: ARCHON_CODE_NO_CACHE=1; ARCHON_CODE_NO_EXEC_CACHE=1 turns off only the execution cache.")
@click.option("--resume/--fresh", default=True, show_default=True,
              help="Keep finished records in OUT/results.jsonl, or start over.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@model_options()
@click.option("--ray", "ray_address", default=None, envvar="ARCHON_CODE_RAY", metavar="ADDRESS",
              help="Run the tasks on this Ray cluster (auto, HOST:PORT, ray://HOST:10001); results stay here. "
                   "Needs archon-code[ray].")
def bench(problems: str, archs: tuple[str, ...], model: Optional[str], workers: int, out: Optional[Path],
          limit: Optional[int], ids: Optional[str], samples: int, tests: str, lang: str, budget_calls: Optional[int],
          budget_tokens: Optional[int], no_cache: bool, resume: bool, as_json: bool, llm_config,
          ray_address: Optional[str] = None) -> None:
    """Run every architecture on every problem; grade the final programs on hidden tests.

    Results are appended to OUT/results.jsonl as they finish, so rerunning the same
    command after an interruption recomputes nothing that finished. Writes OUT/report.html.
    Exit 0 when done, 1 when some tasks ended in infrastructure errors (rerun to retry).

    \b
    Examples:
      archon-code bench problems/ --arch single --arch full
      archon-code bench ../shared/data/mbpp.jsonl --limit 30 --arch single --arch codet --samples 3
      archon-code bench problems/ --arch single --ray auto     # on a Ray cluster (docs/scale-out.md)
    """
    from archon_code.bench.session import (
        BenchOptions, load_configs, open_engine, out_dir_for, run, select_problems, settings_of)
    from archon_code.bench.summary import format_savings, format_table

    try:
        options = BenchOptions(problems=problems, archs=archs, model=model, samples=samples, tests=tests,
                               limit=limit, ids=_ids(ids), lang=lang, budget_calls=budget_calls,
                               budget_tokens=budget_tokens)
    except ValueError as exc:
        raise ConfigError(f"bench options: {exc}") from None
    configs = load_configs(options.archs)
    check_models([model], configs.values())
    selected = select_problems(options)  # bad files fail here, before the sandbox and model start
    out_dir = out or out_dir_for(options, configs)
    click.echo(f"bench: results in {out_dir}", err=True)
    interrupts.on_stop(lambda: _kept(out_dir))
    if ray_address:
        result = _run_on_ray(ray_address, options, configs, out_dir, cache=not no_cache, fresh=not resume,
                             problems=selected, llm_config=llm_config)
    else:
        with open_engine(cache=not no_cache, workers=workers, llm_config=llm_config, configs=configs) as (llm, judge):
            _say_local_server(model, llm)
            result = run(options, configs, out_dir, llm=llm, judge=judge, workers=workers, fresh=not resume,
                         problems=selected, progress=_bar)
    if as_json:
        click.echo(json.dumps(result.to_json(settings_of(options)), indent=2))
    else:
        click.echo(format_table(result.summary))
        click.echo(format_savings(result.summary))
        click.echo(f"\n{result.new} new records; report: {out_dir / 'report.html'}")
    if any(a.errors for a in result.summary.archs):
        raise click.exceptions.Exit(1)
