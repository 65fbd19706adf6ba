"""Self-contained report pieces: matplotlib charts as inline SVG, HTML tables and pages (no JS, no CDN)."""

from __future__ import annotations

import io
from html import escape
from typing import Sequence

__all__ = ["page", "scatter", "table"]

_W, _H = 5.6, 3.4  # inches at 100 dpi: 560 x 340 px
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def scatter(points: Sequence[tuple[str, float, float]], *, x_label: str, y_label: str, title: str,
            front: Sequence[str] = (), y_range: tuple[float, float] = (0.0, 1.0)) -> str:
    """An inline SVG scatter plot of labelled points, drawn by matplotlib; ``front`` (labels) is joined by a line.

    Decision: matplotlib (Agg-free SVG backend, no pyplot global state, so threads may draw
    at once) instead of hand-placed SVG: its tick locator picks round ticks (0, 2, 4 ...),
    text stays text (``svg.fonttype none``) and the output has no external reference.
    """
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"archon-code {title}", "font.size": 9}):
        figure = Figure(figsize=(_W, _H), dpi=100, layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        axes.set_title(title, fontweight="bold")
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        xs = [p[1] for p in points]
        axes.set_xlim(0, (max(xs) * 1.15 if xs and max(xs) > 0 else 1.0))
        axes.set_ylim(y_range[0], y_range[1] + (y_range[1] - y_range[0]) * 0.05)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        axes.grid(True, color="#eeeeee")
        front_pts = sorted((p for p in points if p[0] in set(front)), key=lambda p: p[1])
        if len(front_pts) > 1:
            axes.plot([p[1] for p in front_pts], [p[2] for p in front_pts], "--", color="#d62728", linewidth=1)
        for i, (label, x, y) in enumerate(points):
            axes.scatter([x], [y], s=36, color=_COLOURS[i % len(_COLOURS)], zorder=3)
            axes.annotate(label, (x, y), xytext=(6, 5), textcoords="offset points")
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):].strip()


def table(head: Sequence[str], rows: Sequence[Sequence[str]], *, classes: Sequence[Sequence[str]] = ()) -> str:
    """An HTML table; ``classes[r][c]`` is an optional CSS class per body cell."""
    out = ["<table>", "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"]
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            css = classes[r][c] if r < len(classes) and c < len(classes[r]) else ""
            attr = f' class="{css}"' if css else ""
            cells.append(f"<td{attr}>{escape(value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


_STYLE = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}th{background:#f4f4f4}
td:first-child{text-align:left}.pass{background:#b7e4b0}.fail{background:#f4b6b6}.part{background:#f7e3a1}
.error{background:#cfcfcf}.best{font-weight:bold}svg{margin:0.5em 1em 0.5em 0}"""


def page(title: str, body: Sequence[str]) -> str:
    """A complete self-contained HTML document."""
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>\n"
            f"<h1>{escape(title)}</h1>\n" + "\n".join(body) + "\n</body></html>\n")
