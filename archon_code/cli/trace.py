"""``archon-code trace``: render the JSONL trace of a ``solve --trace`` run."""

from __future__ import annotations

from pathlib import Path

import click

from archon_code.cli._common import echo_json


@click.group()
def trace() -> None:
    """Render run traces written by 'archon-code solve --trace FILE'.

    \b
    Examples:
      archon-code trace show run.jsonl
      archon-code trace show run.jsonl --full
      archon-code trace show run.jsonl --json
    """


@trace.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--full", is_flag=True, help="Show whole prompts, answers and programs.")
@click.option("--json", "as_json", is_flag=True, help="Print the events as one JSON list.")
def show(path: Path, full: bool, as_json: bool) -> None:
    """Show the trace at PATH: model calls, executions with verdicts, layers, the result.

    An empty or unreadable trace file is an error (exit 2).

    \b
    Examples:
      archon-code trace show run.jsonl
      archon-code trace show run.jsonl --full | less
      archon-code trace show run.jsonl --json
    """
    from archon_code.architecture.trace import read_trace
    from archon_code.architecture.trace_view import render_trace

    events = read_trace(path)
    if as_json:
        echo_json(events)
    else:
        click.echo(render_trace(events, full=full))
