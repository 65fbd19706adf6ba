"""Tiny inline-SVG and HTML drawing helpers for self-contained reports (no JS, no CDN)."""

from __future__ import annotations

from html import escape
from typing import Sequence

__all__ = ["page", "scatter", "table"]

_W, _H, _PAD = 560, 340, 56
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    step = (hi - lo) / (count - 1)
    return [lo + i * step for i in range(count)]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def scatter(points: Sequence[tuple[str, float, float]], *, x_label: str, y_label: str, title: str,
            front: Sequence[str] = (), y_range: tuple[float, float] = (0.0, 1.0)) -> str:
    """An SVG scatter plot of labelled points; ``front`` (labels) is joined by a line."""
    xs = [p[1] for p in points] or [0.0]
    x_lo, x_hi = 0.0, max(xs) * 1.1 or 1.0
    y_lo, y_hi = y_range

    def px(x: float) -> float:
        return _PAD + (x - x_lo) / (x_hi - x_lo) * (_W - 2 * _PAD)

    def py(y: float) -> float:
        return _H - _PAD - (y - y_lo) / ((y_hi - y_lo) or 1.0) * (_H - 2 * _PAD)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" role="img">',
             f'<title>{escape(title)}</title>',
             f'<text x="{_W / 2}" y="18" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" stroke="#333"/>',
             f'<line x1="{_PAD}" y1="{_PAD}" x2="{_PAD}" y2="{_H - _PAD}" stroke="#333"/>']
    for t in _ticks(x_lo, x_hi):
        parts.append(f'<text x="{px(t):.1f}" y="{_H - _PAD + 16}" text-anchor="middle" font-size="11">{_fmt(t)}</text>')
    for t in _ticks(y_lo, y_hi):
        parts.append(f'<text x="{_PAD - 6}" y="{py(t) + 4:.1f}" text-anchor="end" font-size="11">{_fmt(t)}</text>')
        parts.append(f'<line x1="{_PAD}" y1="{py(t):.1f}" x2="{_W - _PAD}" y2="{py(t):.1f}" stroke="#eee"/>')
    parts.append(f'<text x="{_W / 2}" y="{_H - 12}" text-anchor="middle" font-size="12">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{_H / 2}" text-anchor="middle" font-size="12" '
                 f'transform="rotate(-90 14 {_H / 2})">{escape(y_label)}</text>')
    front_pts = sorted((p for p in points if p[0] in set(front)), key=lambda p: p[1])
    if len(front_pts) > 1:
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for _, x, y in front_pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#d62728" stroke-dasharray="4 3"/>')
    for i, (label, x, y) in enumerate(points):
        colour = _COLOURS[i % len(_COLOURS)]
        parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="5" fill="{colour}">'
                     f'<title>{escape(label)}: {_fmt(x)}, {y:.3f}</title></circle>')
        parts.append(f'<text x="{px(x) + 7:.1f}" y="{py(y) - 7:.1f}" font-size="11">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


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
