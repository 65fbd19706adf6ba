"""Render a :class:`SuggestReport` as a unified diff, Markdown (a PR comment) or JSON."""

from __future__ import annotations

import json

from archon_code.integrations.models import SuggestReport
from archon_code.integrations.testrun import SuiteRun

__all__ = ["render", "render_diff", "render_json", "render_markdown", "summary_line"]

FORMATS = ("markdown", "diff", "json")


def counts_text(run: SuiteRun) -> str:
    """e.g. ``2 failed, 3 passed`` (zero counts left out; ``no tests`` when empty)."""
    counts = run.counts()
    names = {"failed": "failed", "error": "errors", "passed": "passed", "skipped": "skipped"}
    parts = [f"{counts[k]} {name}" for k, name in names.items() if counts[k]]
    return ", ".join(parts) or "no tests"


def summary_line(report: SuggestReport) -> str:
    """One line for humans and hooks."""
    if report.status == "passing":
        return f"tests pass ({counts_text(report.before)}): nothing to fix"
    failing = len(report.before.failing_ids)
    if report.status == "fixed" and report.suggestion is not None:
        s = report.suggestion
        return (
            f"{failing} failing test(s); verified fix found: {len(s.fixed)} fixed, none broken, "
            f"{s.diff_lines} changed line(s)"
        )
    return f"{failing} failing test(s); no verified fix found ({len(report.rejected)} candidate(s) rejected)"


def render_diff(report: SuggestReport) -> str:
    """The suggested patch (``git apply``-able); empty when there is none."""
    return report.suggestion.diff if report.suggestion else ""


def render_json(report: SuggestReport) -> str:
    data = report.model_dump(mode="json")
    data["exit_code"] = report.exit_code
    data["summary"] = summary_line(report)
    return json.dumps(data, indent=2, sort_keys=True)


def _failures(report: SuggestReport) -> list[str]:
    lines = []
    for t in report.before.outcomes:
        if t.outcome in ("failed", "error"):
            message = t.message.splitlines()[0][:160] if t.message else t.outcome
            lines.append(f"- `{t.id}`: {message}")
    return lines


def render_markdown(report: SuggestReport) -> str:
    """A PR comment: what failed, what changed, the evidence."""
    before = report.before
    out = [f"### archon-code suggest: {summary_line(report)}", ""]
    if report.status == "passing":
        out.append(f"`{report.command}` in the sandbox: {counts_text(before)}.")
        return "\n".join(out) + "\n"
    out += [f"**Failing** (`{report.command}`: {counts_text(before)}):", *_failures(report), ""]
    s = report.suggestion
    if s is not None:
        files = ", ".join(f"`{p.path}`" for p in s.patches)
        out += [
            f"**Suggested change** to {files} ({s.diff_lines} changed line(s)):",
            "",
            "```diff",
            s.diff.rstrip("\n"),
            "```",
            "",
            "**Evidence** (the whole suite re-run in the sandbox, network off, with the change applied):",
            f"- before: {counts_text(before)}",
            f"- after: {counts_text(s.after)}",
            f"- fixed: {', '.join(f'`{t}`' for t in s.fixed)}",
            "- broken: none",
        ]
    else:
        out.append("No candidate fix made a failing test pass without breaking another.")
    tried = len(report.verified) + len(report.rejected)
    out += ["", f"Candidates tried: {tried}; verified: {len(report.verified)}; rejected: {len(report.rejected)}."]
    out += [f"- rejected `{r.id}` ({r.origin}): {r.reason}" for r in report.rejected[:10]]
    out += [f"- note: {n}" for n in report.notes]
    return "\n".join(out) + "\n"


def render(report: SuggestReport, fmt: str) -> str:
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "diff":
        return render_diff(report)
    if fmt == "json":
        return render_json(report) + "\n"
    raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
