"""Render a :class:`SuggestReport` as a unified diff, Markdown (a PR comment) or JSON."""

from __future__ import annotations

import html
import json

from archon_code.integrations.models import SuggestReport
from archon_code.integrations.testrun import SuiteRun, TestOutcome

__all__ = ["failing_lines", "render", "render_diff", "render_json", "render_markdown", "summary_line"]

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
    if not report.rejected:
        return f"{failing} failing test(s); no verified fix found (0 candidates produced)"
    return f"{failing} failing test(s); no verified fix found ({len(report.rejected)} candidate(s) rejected)"


def render_diff(report: SuggestReport) -> str:
    """The suggested patch (``git apply``-able); empty when there is none."""
    return report.suggestion.diff if report.suggestion else ""


def render_json(report: SuggestReport) -> str:
    data = report.model_dump(mode="json")
    data["exit_code"] = report.exit_code
    data["summary"] = summary_line(report)
    return json.dumps(data, indent=2, sort_keys=True)


def first_error_line(outcome: TestOutcome, limit: int = 200) -> str:
    """The first non-empty line of a failure's message (else its traceback's last line)."""
    for text in (outcome.message, outcome.details):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            return (lines[0] if text is outcome.message else lines[-1])[:limit]
    return outcome.outcome


def failing_lines(run: SuiteRun, limit: int = 10) -> list[str]:
    """``FAILED <id>: <first error line>`` for the first ``limit`` failing tests of ``run``
    (the hook's output)."""
    failing = [t for t in run.outcomes if t.outcome in ("failed", "error")]
    lines = [f"  {t.outcome.upper()} {t.id}: {first_error_line(t)}" for t in failing[:limit]]
    if len(failing) > limit:
        lines.append(f"  ... and {len(failing) - limit} more")
    return lines


def _failures(report: SuggestReport) -> list[str]:
    return [
        f"- `{t.id}`: {first_error_line(t, 160)}"
        for t in report.before.outcomes
        if t.outcome in ("failed", "error")
    ]


_MAX_REJECTED = 10
_MAX_DIFF_CHARS = 6000


def _skipped(report: SuggestReport) -> list[str]:
    if not report.skipped:
        return []
    lines = ["", f"**Not copied into the sandbox** ({len(report.skipped)}):"]
    return lines + [f"- `{s.path}`: {s.reason}" for s in report.skipped]


def _rejected(report: SuggestReport) -> list[str]:
    out = []
    for r in report.rejected[:_MAX_REJECTED]:
        title = f"rejected <code>{html.escape(r.id)}</code> ({html.escape(r.origin)}): {html.escape(r.reason)}"
        if not r.diff:
            out.append(f"- {title}")
            continue
        diff = r.diff if len(r.diff) <= _MAX_DIFF_CHARS else r.diff[:_MAX_DIFF_CHARS] + "\n... (diff cut)\n"
        out += [
            "", f"<details><summary>{title}; {r.diff_lines} changed line(s)</summary>", "",
            "```diff", diff.rstrip("\n"), "```", "", "</details>",
        ]
    if len(report.rejected) > _MAX_REJECTED:
        out.append(f"- ... and {len(report.rejected) - _MAX_REJECTED} more (see --json)")
    return out


def _evidence(report: SuggestReport) -> list[str]:
    s = report.suggestion
    if s is None:
        return ["No candidate fix made a failing test pass without breaking another."]
    files = ", ".join(f"`{p.path}`" for p in s.patches)
    return [
        f"**Suggested change** to {files} ({s.diff_lines} changed line(s)):",
        "",
        "```diff",
        s.diff.rstrip("\n"),
        "```",
        "",
        "**Evidence** (the whole suite re-run in the sandbox, network off, with the change applied):",
        f"- before: {counts_text(report.before)}",
        f"- after: {counts_text(s.after)}",
        f"- fixed: {', '.join(f'`{t}`' for t in s.fixed)}",
        "- broken: none",
    ]


def render_markdown(report: SuggestReport) -> str:
    """A PR comment: what failed, what changed, the evidence, what was not copied."""
    before = report.before
    out = [f"### archon-code suggest: {summary_line(report)}", ""]
    if report.status == "passing":
        out.append(f"`{report.command}` in the sandbox: {counts_text(before)}.")
        return "\n".join(out + _skipped(report)) + "\n"
    out += [f"**Failing** (`{report.command}`: {counts_text(before)}):", *_failures(report), ""]
    out += _evidence(report)
    tried = len(report.verified) + len(report.rejected)
    if tried:
        out += ["", f"Candidates tried: {tried}; verified: {len(report.verified)}; rejected: {len(report.rejected)}."]
    else:
        out += ["", "0 candidates produced."]
    out += _rejected(report)
    out += [f"- note: {n}" for n in report.notes]
    return "\n".join(out + _skipped(report)) + "\n"


def render(report: SuggestReport, fmt: str) -> str:
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "diff":
        return render_diff(report)
    if fmt == "json":
        return render_json(report) + "\n"
    raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
