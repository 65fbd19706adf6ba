"""``archon-code judge``: one solution, one problem, verdicts from the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import click

from archon_code.cli._common import echo_json, load_one_problem, open_sandbox, workers_option
from archon_code.errors import ProblemError
from archon_code.textio import read_text

if TYPE_CHECKING:
    from archon_code.types import Judgement

_CPP_SUFFIXES = {".cpp", ".cc", ".cxx", ".c++"}


def guess_lang(path: Path, lang: Optional[str]) -> str:
    if lang:
        return lang
    return "cpp" if path.suffix.lower() in _CPP_SUFFIXES else "py"


def format_judgement(judgement: Judgement, kinds: bool = True) -> str:
    """The per-test table and the overall verdict, as the terminal shows them."""
    lines = [f"{'#':>3}  {'kind':<9} {'verdict':<7} {'cpu s':>6} {'wall s':>6} {'mem MB':>7}  message"]
    for row in judgement.tests:
        lines.append(f"{row.index:>3}  {row.kind:<9} {row.verdict.value:<7} {row.cpu_s:>6.2f} {row.wall_s:>6.2f} "
                     f"{row.memory_kb / 1024:>7.1f}  {row.message}")
    if judgement.compile_output:
        lines.append("compiler: " + judgement.compile_output.strip().splitlines()[0][:200])
    lines.append(f"verdict: {judgement.verdict.value} ({judgement.passed}/{len(judgement.tests)} tests passed)")
    return "\n".join(lines)


@click.command()
@click.argument("problem", type=click.Path(exists=True, dir_okay=True))
@click.argument("solution", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", type=click.Choice(["py", "cpp"]), default=None,
              help="Language of SOLUTION (default: from its extension; .cpp/.cc are C++).")
@click.option("--tests", "which", type=click.Choice(["public", "hidden", "all"]), default="all", show_default=True,
              help="Which tests to run.")
@click.option("--id", "problem_id", default=None, help="Problem id when PROBLEM holds several.")
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def judge(problem: str, solution: str, lang: Optional[str], which: str, problem_id: Optional[str],
          workers: Optional[int], as_json: bool) -> None:
    """Judge SOLUTION on PROBLEM's tests in the sandbox.

    Exit 0 when accepted, 1 when not, 2 on usage, problem or infrastructure errors.

    \b
    Examples:
      archon-code judge problems/sum-two.yaml sol.py
      archon-code judge problems/ sol.cpp --id sum-two --tests public --json
    """
    from archon_code.judge import Judge

    prob = load_one_problem(problem, problem_id)
    path = Path(solution)
    tests = prob.tests(which)
    if not tests:
        kind = "" if which == "all" else f"{which} "
        raise ProblemError(f"{prob.origin or problem}: problem {prob.id!r} has no {kind}tests")
    source = read_text(path, ProblemError, "solution")
    from archon_code.types import Candidate

    candidate = Candidate(id=path.name, source=source, lang=guess_lang(path, lang), origin=str(path))
    with open_sandbox(workers) as sandbox:
        result = Judge(sandbox).judge(prob, candidate, tests)
    if as_json:
        echo_json({"problem": prob.id, "solution": str(path), **result.model_dump(mode="json")})
    else:
        click.echo(format_judgement(result))
    sys.exit(0 if result.accepted else 1)
