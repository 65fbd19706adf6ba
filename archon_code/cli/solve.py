"""``archon-code solve``: run an architecture on one problem, print the chosen program."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Callable, Optional

import click

from archon_code.cli._common import check_models, echo_json, load_one_problem, open_sandbox, workers_option
from archon_code.cli.options import model_options
from archon_code import interrupts
from archon_code.errors import ProblemError
from archon_code.textio import plural


def format_summary(result) -> str:
    """The summary lines printed after the program."""
    usage = result.usage
    status = "PASSES" if result.solved_public else "FAILS"
    lines = [
        f"problem: {result.problem_id}  architecture: {result.architecture}  model: {result.model}",
        f"public tests: {result.public_passed}/{result.public_total} passed ({status})",
        f"calls: {usage.calls} (+{usage.cached_calls} cached)  tokens: {usage.tokens}  "
        f"cost: ${usage.cost_usd:.4f}  seconds: {result.seconds:.1f}",
        f"candidates seen: {result.candidates_seen}  generated tests: {result.generated_tests}"
        + ("  early exit" if result.early_exit else "")
        + (f"  stopped by {result.stopped_by_budget} budget" if result.stopped_by_budget else ""),
    ]
    if result.executions or result.cached_executions:
        lines.append(f"test executions: {result.executions} (+{result.cached_executions} cached)")
    if result.failures:
        lines.append(f"failed model calls: {len(result.failures)} (first: {result.failures[0].message})")
    if result.trace_path:
        lines.append(f"trace: {result.trace_path}")
    return "\n".join(lines)


class ProgressLLM:
    """Wraps the run's LLM and says on stderr when each call starts, so a slow first call
    (the embedded model loading its weights) is never silence."""

    def __init__(self, inner, say: Callable[[str], None]) -> None:
        self.inner = inner
        self.say = say
        self.calls = 0
        self.started: set[str] = set()
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def complete(self, messages, *, model: str, tag: str = "", **options):
        with self._lock:
            self.calls += 1
            number, first = self.calls, model not in self.started
            self.started.add(model)
        if first and model.startswith("local/"):
            local = getattr(getattr(self.inner, "config", None), "local", None)
            server = (f" ({plural(local.parallel, 'slot')}, {plural(local.n_threads, 'thread')})"
                      if local is not None else "")
            self.say(f"model {model}: first call; starting the embedded model{server} takes up to a minute "
                     "unless the answer is cached")
        self.say(f"call {number}: {tag or 'model'} -> {model}")
        return self.inner.complete(messages, model=model, tag=tag, **options)


def _result_json(result) -> dict:
    data = result.model_dump(mode="json")
    data["solved_public"] = result.solved_public
    data["usage"]["tokens"] = result.usage.tokens
    return data


@click.command()
@click.argument("problem", type=click.Path(exists=True, dir_okay=True))
# Decision: `full` is the default (README "Results"): on MBPP it beats `single` by more than 10
# points at under 10 calls per problem; `--arch single` is the one-call baseline.
@click.option("--arch", default="full", show_default=True, envvar="ARCHON_CODE_ARCH",
              help="Preset name (archon-code arch list) or a JSON/YAML file; `single` is one greedy call. "
                   "Env: ARCHON_CODE_ARCH.")
@click.option("--model", default=None,
              help="litellm model for every component, overriding the architecture's models. Without it, "
                   "components that name no model use $ARCHON_CODE_MODEL or local/qwen2.5-coder-1.5b-q8.")
@click.option("--lang", type=click.Choice(["py", "cpp"]), default="py", show_default=True,
              help="Language of the programs to write.")
@click.option("--id", "problem_id", default=None, help="Problem id when PROBLEM holds several.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the chosen program to this file.")
@click.option("--trace", "trace_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a JSONL trace of every model call, execution and layer.")
@click.option("--no-cache/--cache", "no_cache", default=False, envvar="ARCHON_CODE_NO_CACHE",
              help="Do not read or write the LLM answer cache or the execution cache (default: use both). "
                   "Env: ARCHON_CODE_NO_CACHE=1; ARCHON_CODE_NO_EXEC_CACHE=1 turns off only the execution cache.")
@click.option("--no-early-exit", is_flag=True, help="Run every layer even once a candidate is proven.")
@click.option("--budget-calls", type=click.IntRange(min=1), default=None,
              help="Stop after this many model requests (failed ones and retries count too).")
@click.option("--budget-tokens", type=click.IntRange(min=1), default=None, help="Stop after this many tokens.")
@click.option("--budget-dollars", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop after this many dollars of model cost.")
@click.option("--budget-seconds", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop after this many wall seconds (a model call in flight is cut off at the deadline).")
@workers_option
@model_options()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (includes the program).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
def solve(problem: str, arch: str, model: Optional[str], lang: str, problem_id: Optional[str], out: Optional[Path],
          trace_path: Optional[Path], no_cache: bool, no_early_exit: bool, budget_calls: Optional[int],
          budget_tokens: Optional[int], budget_dollars: Optional[float], budget_seconds: Optional[float],
          workers: Optional[int], as_json: bool, quiet: bool, llm_config) -> None:
    """Solve PROBLEM with an LLM architecture whose decisions rest on real execution.

    Prints the chosen program and a summary; progress goes to stderr. Exit 0 when the
    program passes every public test, 1 when no candidate does, 2 on errors.

    \b
    Examples:
      archon-code solve problems/sum-two.yaml                # the full preset
      archon-code solve problems/sum-two.yaml --arch single  # one model call
      archon-code solve problems/ --id sum-two --arch codet --json
      archon-code solve p.yaml --arch my-arch.yaml --model openai/gpt-4o-mini --budget-dollars 0.05
    """
    from archon_code.architecture import ArchitectureRunner, Budget, load_architecture
    from archon_code.llm import default_model
    from archon_code.exec_cache import build_judge
    from archon_code.llm import LLMClient

    config = load_architecture(arch)
    check_models([model], [config])
    prob = load_one_problem(problem, problem_id)
    if prob.interactive:
        raise ProblemError(f"{prob.origin or problem}: problem {prob.id!r} is interactive; solve cannot judge it")
    if not prob.public_tests:
        raise ProblemError(f"{prob.origin or problem}: problem {prob.id!r} has no public tests: solve would have "
                           "no evidence that a program works (add public tests)")
    budget = Budget(calls=budget_calls, tokens=budget_tokens, dollars=budget_dollars, seconds=budget_seconds)
    say = (lambda line: None) if quiet else (lambda line: click.echo(f"solve: {line}", err=True))
    say(f"{prob.id} with architecture {config.name} ({plural(len(config.layers), 'layer')}), "
        f"model {model or default_model() + ' where the architecture names none'}; starting the sandbox")
    from archon_code.architecture.config import concurrent_requests
    from archon_code.llm.local_config import for_workers

    # the embedded server gets one slot per request the architecture has in flight at once
    llm = ProgressLLM(LLMClient(cache=not no_cache, config=for_workers(llm_config, 1, concurrent_requests(config))), say)
    interrupts.on_stop(lambda: "solve stopped before choosing a program; nothing kept"
                       + (f" but the trace so far in {trace_path}" if trace_path else ""))
    with open_sandbox(workers) as sandbox:
        runner = ArchitectureRunner(config, llm, build_judge(sandbox, cache=not no_cache), model=model, lang=lang, budget=budget,
                                    trace_path=trace_path, early_exit=not no_early_exit, progress=say)
        result = runner.solve(prob)
    if out is not None and result.program is not None:
        out.write_text(result.program.source, encoding="utf-8")
    if as_json:
        echo_json(_result_json(result))
    else:
        if result.program is not None:
            click.echo(result.program.source.rstrip("\n"))
            click.echo("")
        else:
            click.echo("no candidate program was produced")
        click.echo(format_summary(result))
    sys.exit(0 if result.solved_public else 1)
