"""The search report: terminal table, ``report.html`` (inline SVG) and the ``--json`` document."""

from __future__ import annotations

from pathlib import Path

from archon_code.bench.svg import page, scatter, table
from archon_code.search.itas import SearchResult

__all__ = ["format_search", "render_search_html", "search_json", "write_search_html"]


def _fmt(value, pattern: str = "{:.3f}") -> str:
    return "-" if value is None else pattern.format(value)


def _rows(result: SearchResult, cost: str) -> tuple[list[str], list[list[str]]]:
    head = ["trial", "state", "label", "pass@1", f"{cost}/p", "s/p", "front", "params"]
    rows = []
    for t in result.trials:
        mark = "best" if t.number == result.best else ("*" if t.number in result.front else "")
        params = ", ".join(f"{k}={v}" for k, v in t.params.items())
        rows.append([str(t.number), t.state, t.label, _fmt(t.pass_at_1), _fmt(t.cost, "{:.1f}"),
                     _fmt(t.seconds, "{:.1f}"), mark, params])
    return head, rows


def format_search(result: SearchResult, cost: str = "calls") -> str:
    head, rows = _rows(result, cost)
    rows = [r[:7] for r in [head] + rows]
    widths = [max(len(r[i]) for r in rows) for i in range(7)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"\nPareto front (trials): {', '.join(map(str, result.front)) or '-'}")
    if result.best is not None and result.test_summary is not None:
        s = result.test_summary
        lines.append(f"best: trial {result.best} -> {result.best_path}")
        lines.append(f"test split ({len(result.test)} problems): pass@1 {s.pass_at_1:.3f}, calls/p {s.calls:.1f}, "
                     f"tokens/p {s.tokens:.0f}, s/p {s.seconds:.1f}, errors {s.errors}")
    else:
        lines.append("best: none (no trial completed)")
    return "\n".join(lines)


def render_search_html(result: SearchResult, cost: str = "calls") -> str:
    done = [t for t in result.trials if t.state == "COMPLETE"]
    points = [(f"#{t.number}", t.cost or 0.0, t.pass_at_1 or 0.0) for t in done]
    front = [f"#{n}" for n in result.front]
    head, rows = _rows(result, cost)
    body = [f"<p>study {result.study}; dev: {len(result.dev)} problems, test: {len(result.test)} problems</p>",
            scatter(points, x_label=f"{cost} per problem (dev)", y_label="pass@1 (dev)",
                    title="trials: pass@1 vs cost, Pareto front dashed", front=front),
            "<h2>Trials</h2>", table(head, rows)]
    if result.test_summary is not None:
        s = result.test_summary
        body += ["<h2>Best on the test split</h2>",
                 table(["trial", "pass@1", "calls/p", "tokens/p", "s/p", "errors"],
                       [[str(result.best), f"{s.pass_at_1:.3f}", f"{s.calls:.1f}", f"{s.tokens:.0f}",
                         f"{s.seconds:.1f}", str(s.errors)]])]
    return page("archon-code search", body)


def write_search_html(result: SearchResult, cost: str = "calls") -> Path:
    path = result.out_dir / "report.html"
    path.write_text(render_search_html(result, cost), encoding="utf-8")
    return path


def search_json(result: SearchResult) -> dict:
    data = result.model_dump(mode="json")
    data["report"] = str(result.out_dir / "report.html")
    return data
