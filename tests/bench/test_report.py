"""The bench report: settings in words, matplotlib charts inline with round ticks, nothing external."""

from __future__ import annotations

import re

from archon_code.bench.report import render_html, settings_line
from archon_code.bench.store import BenchRecord
from archon_code.bench.summary import summarize
from archon_code.bench.svg import scatter


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_settings_line_has_no_python_reprs():
    settings = {"problems": "problems/", "archs": ["single", "full"], "model": None, "samples": 1,
                "ids": ("a", "b"), "resume": True, "budget": {"calls": 3}}
    assert settings_line(settings) == ("problems: problems/ · archs: single, full · samples: 1 · ids: a, b · "
                                       "resume: yes · budget: calls=3")


def test_scatter_is_matplotlib_svg_with_round_ticks():
    svg = scatter([("single", 1.1, 0.4), ("full", 3.3, 0.6), ("codet", 2.2, 0.5)], x_label="calls per problem",
                  y_label="pass@1", title="pass@1 vs calls", front=["single", "full"])
    assert svg.startswith("<svg ") and svg.endswith("</svg>") and "<?xml" not in svg
    assert _texts(svg) == ["0", "1", "2", "3", "calls per problem", "0.0", "0.2", "0.4", "0.6", "0.8", "1.0",
                           "pass@1", "single", "full", "codet", "pass@1 vs calls"]
    assert 'stroke-dasharray' in svg  # the Pareto front, dashed
    assert sorted(set(re.findall(r"https?://[^\"' ]+", svg))) == ["http://www.w3.org/1999/xlink",
                                                                  "http://www.w3.org/2000/svg"]


def test_large_and_empty_axes():
    svg = scatter([("a", 2469.0, 0.567), ("b", 248.0, 0.433)], x_label="tokens", y_label="pass@1", title="t")
    assert _texts(svg)[:6] == ["0", "500", "1000", "1500", "2000", "2500"]
    assert "tokens" in _texts(svg) and "t" in _texts(svg)
    assert _texts(scatter([], x_label="x", y_label="y", title="none"))[:3] == ["0.0", "0.2", "0.4"]


def test_report_embeds_two_charts_and_the_settings():
    records = [BenchRecord(arch="single", problem="p1", sample=0, status="pass", calls=1, prompt_tokens=10,
                           completion_tokens=0, seconds=1.0)]
    html = render_html(summarize(records, ["single"]), {"problems": "p/", "archs": ["single"]})
    assert html.count("<svg ") == 2 and "<script" not in html
    assert "<p>problems: p/ · archs: single</p>" in html and "['single']" not in html
