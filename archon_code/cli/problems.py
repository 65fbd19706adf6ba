"""``archon-code problems``: list, show and validate problem sets."""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING, Optional, Sequence

import click

from archon_code import interrupts
from archon_code.errors import ProblemError
from archon_code.problems import load_problems, parse_ids, problem_to_dict, select
from archon_code.textio import plural
from archon_code.types import Problem, TestCase

if TYPE_CHECKING:
    from archon_code.problems.validate import ProblemReport

__all__ = ["problems"]

_PATH = click.argument("path", type=click.Path(), envvar="ARCHON_CODE_PROBLEMS")
_JSON = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
_IDS = click.option("--ids", multiple=True, metavar="ID[,ID...]", help="Only these problem ids (repeatable, comma-separated).")
_LIMIT = click.option("--limit", type=click.IntRange(min=0), default=None, help="At most N problems (after --ids).")


def _load(path: str, ids: Sequence[str], limit: Optional[int]) -> list[Problem]:
    loaded = load_problems(path)
    return select(loaded, parse_ids(ids, loaded), limit)


def _summary(problem: Problem) -> dict:
    checker = problem.checker.type
    if checker == "float":
        checker = f"float({problem.checker.abs_tol:g})"
    return {
        "id": problem.id, "title": problem.title, "style": problem.style, "public": len(problem.public_tests),
        "hidden": len(problem.tests("hidden")), "time_limit_s": problem.time_limit_s,
        "memory_limit_mb": problem.memory_limit_mb, "checker": checker, "interactive": problem.interactive,
        "solutions": len(problem.solutions), "tags": list(problem.tags), "origin": problem.origin,
    }


@click.group()
def problems() -> None:
    """List, show and validate problem sets.

    \b
    PATH is a problem file (.yaml/.yml/.json), a folder of them, or a .jsonl data set
    (codecontests-dev, DeepMind CodeContests, HumanEval, MBPP). Env: ARCHON_CODE_PROBLEMS.
    \b
    Examples:
      archon-code problems list problems/
      archon-code problems show problems/sum-two.yaml
      archon-code problems validate problems/ --workers 2
      archon-code problems validate ../shared/data/codecontests-dev.jsonl --limit 5 --json
      archon-code problems validate ../shared/data/mbpp.jsonl --ray auto
    """


@problems.command("list")
@_PATH
@_IDS
@_LIMIT
@_JSON
def list_(path: str, ids: Sequence[str], limit: Optional[int], as_json: bool) -> None:
    """One line per problem: id, title, style, tests, limits, checker.

    \b
    Examples:
      archon-code problems list problems/
      archon-code problems list ../shared/data/mbpp.jsonl --limit 10
      archon-code problems list problems/ --ids sum-two,gcd-lcm --json
    """
    rows = [_summary(p) for p in _load(path, ids, limit)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max([len(r["id"]) for r in rows] + [2])
    click.echo(f"{'ID':<{width}}  {'STYLE':<8}  {'PUB':>3}  {'HID':>4}  {'TIME':>5}  {'MEM':>5}  {'CHECKER':<13}  TITLE")
    for r in rows:
        flags = " [interactive]" if r["interactive"] else ""
        click.echo(f"{r['id']:<{width}}  {r['style']:<8}  {r['public']:>3}  {r['hidden']:>4}  {r['time_limit_s']:>4g}s"
                   f"  {r['memory_limit_mb']:>3}MB  {r['checker']:<13}  {r['title']}{flags}")
    click.echo(f"{len(rows)} problem{'s' if len(rows) != 1 else ''}")


def _clip(text: str, lines: int = 20) -> str:
    rows = text.rstrip("\n").split("\n")
    if len(rows) > lines:
        return "\n".join(rows[:lines]) + f"\n... ({len(rows) - lines} more lines)"
    return "\n".join(rows) if len(text) <= 4000 else text[:4000] + f"... ({len(text) - 4000} more characters)"


def _show_test(index: int, test: TestCase) -> None:
    click.echo(f"--- public test {index}: input")
    click.echo(_clip(test.input))
    if test.output is not None:
        click.echo(f"--- public test {index}: output")
        click.echo(_clip(test.output))


def _pick(loaded: list[Problem], path: str, problem_id: Optional[str]) -> Problem:
    if problem_id is None:
        if len(loaded) != 1:
            raise ProblemError(f"{path} holds {len(loaded)} problems; choose one with --id (e.g. {loaded[0].id!r})")
        return loaded[0]
    for problem in loaded:
        if problem.id == problem_id:
            return problem
    raise ProblemError(f"{path}: no problem with id {problem_id!r}")


@problems.command()
@_PATH
@click.option("--id", "problem_id", default=None, help="The problem to show when PATH holds several.")
@_JSON
def show(path: str, problem_id: Optional[str], as_json: bool) -> None:
    """Show one problem: statement, public tests, limits and checker.

    With --json the whole problem (hidden tests and solutions too) in the file format.

    \b
    Examples:
      archon-code problems show problems/sum-two.yaml
      archon-code problems show problems/ --id gcd-lcm
      archon-code problems show problems/sum-two.yaml --json
    """
    problem = _pick(load_problems(path), path, problem_id)
    if as_json:
        click.echo(json.dumps({**problem_to_dict(problem), "origin": problem.origin}, indent=2, ensure_ascii=False))
        return
    s = _summary(problem)
    click.echo(f"{problem.id}: {problem.title}" if problem.title else problem.id)
    click.echo(f"style {problem.style}" + (f" (entry point {problem.entry_point})" if problem.entry_point else "")
               + f", time {problem.time_limit_s:g} s, memory {problem.memory_limit_mb} MB, checker {s['checker']}"
               + (", interactive" if problem.interactive else ""))
    click.echo(f"tests: {s['public']} public, {s['hidden']} hidden; solutions: "
               f"{sum(x.correct for x in problem.solutions)} correct, {sum(not x.correct for x in problem.solutions)} incorrect")
    if problem.tags:
        click.echo(f"tags: {', '.join(problem.tags)}")
    click.echo("")
    click.echo(problem.statement.rstrip())
    if problem.starter_code:
        click.echo("--- starter code")
        click.echo(problem.starter_code.rstrip())
    for index, test in enumerate(problem.public_tests):
        _show_test(index, test)


def _kept(loaded: list[Problem], reports: dict) -> str:
    """What an interrupted validate says: the problems it finished (validate writes nothing)."""
    failed = [loaded[i].id for i, r in sorted(reports.items()) if not r.ok]
    return (f"validated {len(reports)} of {len(loaded)} problems before the interrupt, "
            f"{len(reports) - len(failed)} OK" + (f", FAIL: {', '.join(failed)}" if failed else ""))


def _run_validation(loaded: list[Problem], workers: int, time_scale: float, progress: bool,
                    ray_address: Optional[str] = None) -> list[ProblemReport]:
    if ray_address:  # one problem per task; the bar (and ETA) starts once the cluster is up
        from archon_code.distributed import ray_backend
        from archon_code.distributed.jobs import collect_reports

        with ray_backend(ray_address, log=lambda line: click.echo(line, err=True)) as backend, click.progressbar(
            length=len(loaded), label="validating", file=sys.stderr, hidden=not progress, show_pos=True, show_eta=True
        ) as bar:
            return collect_reports(loaded, backend.validate(loaded, time_scale), bar.update)
    from archon_code.judge import Judge
    from archon_code.problems.validate import validate_problem
    from archon_code.sandbox import open_sandbox

    reports = {}
    interrupts.on_stop(lambda: _kept(loaded, reports))
    with open_sandbox(workers=workers) as sandbox:
        judge = Judge(sandbox, time_scale=time_scale)
        with ThreadPoolExecutor(max_workers=workers) as pool, click.progressbar(
            length=len(loaded), label="validating", file=sys.stderr, hidden=not progress, show_pos=True
        ) as bar:
            futures = {pool.submit(validate_problem, judge, p): i for i, p in enumerate(loaded)}
            for future in as_completed(futures):
                reports[futures[future]] = future.result()
                bar.update(1)
    return [reports[i] for i in range(len(loaded))]


def _print_reports(reports: list[ProblemReport]) -> None:
    width = max([len(r.id) for r in reports] + [2])
    for r in reports:
        status = "OK" if r.ok else "FAIL"
        click.echo(f"{status:<4}  {r.id:<{width}}  {plural(r.solutions, 'solution')} x {plural(r.tests, 'test')}")
        for reason in r.reasons:
            click.echo(f"      - {reason}")


def _totals(reports: list[ProblemReport], seconds: float) -> dict:
    runs = sum(r.test_runs for r in reports)
    ok = sum(r.ok for r in reports)
    return {"problems": len(reports), "ok": ok, "fail": len(reports) - ok, "test_runs": runs,
            "seconds": round(seconds, 2), "tests_per_second": round(runs / seconds, 2) if seconds > 0 else 0.0}


@problems.command()
@_PATH
@_IDS
@_LIMIT
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, envvar="ARCHON_CODE_WORKERS",
              help="Sandbox containers working at once (env ARCHON_CODE_WORKERS).")
@click.option("--time-scale", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              envvar="ARCHON_CODE_TIME_SCALE", help="Multiply every time limit (env ARCHON_CODE_TIME_SCALE).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--ray", "ray_address", default=None, envvar="ARCHON_CODE_RAY", metavar="ADDRESS",
              help="One problem per task on this Ray cluster (auto, HOST:PORT, ray://HOST:10001). Needs archon-code[ray].")
@_JSON
def validate(path: str, ids: Sequence[str], limit: Optional[int], workers: int,
             time_scale: float, quiet: bool, as_json: bool, ray_address: Optional[str] = None) -> None:
    """Check each problem's tests with its recorded solutions in the sandbox.

    Every correct solution must be accepted on every test (public, hidden, generated) and
    every incorrect one rejected. Exit 0 when all problems are OK, 1 otherwise, 2 on errors.

    \b
    Examples:
      archon-code problems validate problems/
      archon-code problems validate problems/sum-two.yaml --quiet
      archon-code problems validate ../shared/data/codecontests-dev.jsonl --limit 5 --workers 2 --json
    """
    loaded = _load(path, ids, limit)
    start = time.monotonic()
    reports = _run_validation(loaded, workers, time_scale, progress=not quiet, ray_address=ray_address)
    totals = _totals(reports, time.monotonic() - start)
    if as_json:
        click.echo(json.dumps({"problems": [r.model_dump() for r in reports], "totals": totals}, indent=2))
    else:
        _print_reports(reports)
        click.echo(f"{plural(totals['problems'], 'problem')}: {totals['ok']} OK, {totals['fail']} FAIL; "
                   f"{plural(totals['test_runs'], 'test run')} in {totals['seconds']:.1f} s "
                   f"({totals['tests_per_second']:.1f} tests/s)")
    # SystemExit rather than ctx.exit: the entry point runs click with standalone_mode=False,
    # which turns ctx.exit(1) into a return value.
    sys.exit(0 if totals["fail"] == 0 else 1)
