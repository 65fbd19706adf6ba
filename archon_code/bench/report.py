"""The bench report: ``report.html`` (inline SVG plots, outcomes grid) and JSON."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Mapping

from archon_code.bench.summary import BenchSummary, Cell, format_savings, table_head, table_row
from archon_code.bench.svg import page, scatter, table

__all__ = ["render_html", "settings_line", "summary_json", "write_html"]


def _cell_text(cell: Cell | None) -> tuple[str, str]:
    if cell is None:
        return "", ""
    if cell.draws == 0:
        return f"error x{cell.errors}", "error"
    css = "pass" if cell.passed == cell.draws else "fail" if cell.passed == 0 else "part"
    text = f"{cell.passed}/{cell.draws}" + (f" +{cell.errors}err" if cell.errors else "")
    text += f" · oracle {cell.oracle}/{cell.draws}"
    text += f" · {cell.calls / cell.draws:.0f} calls · {cell.seconds / cell.draws:.0f}s"
    return text, css


def _setting(value: Any) -> str:
    """A setting as people write it: lists joined by commas, never a Python repr."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_setting(v) for v in value) or "none"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_setting(v)}" for k, v in value.items()) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "none" if value is None else str(value)


def settings_line(settings: Mapping[str, Any]) -> str:
    """``problems: p.yaml · archs: single, full · samples: 1`` (None values left out)."""
    return " · ".join(f"{k}: {_setting(v)}" for k, v in settings.items() if v is not None)


def render_html(summary: BenchSummary, settings: Mapping[str, Any], title: str = "archon-code bench") -> str:
    archs = summary.archs
    calls = [(a.arch, a.calls, a.pass_at_1) for a in archs]
    tokens = [(a.arch, a.tokens, a.pass_at_1) for a in archs]
    body = ["<p>" + escape(settings_line(settings)) + "</p>",
            "<p>" + "<br>".join(escape(line) for line in format_savings(summary).splitlines()) + "</p>",
            scatter(calls, x_label="LLM calls per problem", y_label="pass@1", title="pass@1 vs calls"),
            scatter(tokens, x_label="tokens per problem", y_label="pass@1", title="pass@1 vs tokens")]
    ks = sorted({k for a in archs for k in a.pass_at_k if k > 1})
    head, rows = table_head(ks), [table_row(a, ks) for a in archs]
    body += ["<h2>Per architecture</h2>", "<p>oracle: share of problems where some candidate of the run passes "
             "the graded tests; selection = pass@1 / oracle; gen-miss: problems where no candidate passes.</p>",
             table(head, rows), "<h2>Per problem (passed draws / draws · calls and seconds per draw)</h2>"]
    grid_rows, grid_css = [], []
    for problem in summary.problems:
        cells = [_cell_text(summary.grid[problem].get(a.arch)) for a in archs]
        grid_rows.append([problem, *[c[0] for c in cells]])
        grid_css.append(["", *[c[1] for c in cells]])
    body.append(table(["problem", *[a.arch for a in archs]], grid_rows, classes=grid_css))
    return page(title, body)


def write_html(path: Path, summary: BenchSummary, settings: Mapping[str, Any]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render_html(summary, settings), encoding="utf-8")
    tmp.replace(path)
    return path


def summary_json(summary: BenchSummary, settings: Mapping[str, Any], out_dir: Path) -> dict:
    """The ``--json`` document."""
    return {
        "out": str(out_dir),
        "settings": dict(settings),
        "archs": [a.model_dump() for a in summary.archs],
        "problems": {p: {a: c.model_dump() for a, c in row.items()} for p, row in summary.grid.items()},
    }
