"""The host's reading of the harness channel: claims, never trusted."""

from __future__ import annotations

import pytest

from archon_code.functions import Call, read_results, request_json


def test_request_is_the_harness_stdin() -> None:
    assert request_json([Call.of(2, k=(1,)), Call.of()]) == (
        '{"calls": [{"args": [2], "kwargs": {"k": {"$t": [1]}}}, {"args": [], "kwargs": {}}]}')


def test_a_complete_report() -> None:
    report = read_results('{"i": 1, "error": "ValueError: x"}\n{"i": 0, "value": [1]}\n{"done": 2}\n', 2)
    assert report.done is True and report.protocol_error is None
    assert [(o.index, o.status, o.value, o.detail) for o in report.outcomes] == [
        (0, "value", [1], None), (1, "error", None, "ValueError: x")]


def test_a_cut_report_leaves_missing_outcomes() -> None:
    report = read_results('{"i": 0, "value": 1}\n', 3, start=5)
    assert report.done is False and report.protocol_error is None
    assert [(o.index, o.status) for o in report.outcomes] == [(5, "value"), (6, "missing"), (7, "missing")]
    load = read_results('{"load_error": "ImportError: no numpy"}\n', 1)
    assert load.load_error == "ImportError: no numpy" and load.outcomes[0].status == "missing"


@pytest.mark.parametrize("text,problem", [
    ('{"i": 0, "value": 1}\n{"i": 0, "value": 2}\n', "line 2: result 0 twice"),
    ('{"i": 0, "value": 1}\n{"done": 1}\n{"i": 0, "value": 1}\n', "line 3: a line after done"),
    ('{"i": 3, "value": 1}\n', "line 1: bad result record keys ['i', 'value']"),
    ('{"i": true, "value": 1}\n', "line 1: bad result record keys ['i', 'value']"),
    ('{"i": 0, "value": {"$s": [[1]]}}\n', "line 1: an unhashable set element"),
    ('{"i": 0, "value": {"$d": [[[1], 2]]}}\n', "line 1: an unhashable dict key"),
    ('{"i": 0, "value": ' + "[" * 250 + "]" * 250 + "}\n", "line 1: value too deep"),
    ('{"i": 0, "value": ' + "[" * 100_000 + "]" * 100_000 + "}\n", "line 1: maximum recursion depth exceeded while decoding a JSON array from a unicode string"),
    ('{"i": 0, "value": NaN}\n', "line 1: non-finite float outside $f"),
    ('[1]\n', "line 1: not a JSON object"),
    ('not json\n', "line 1: Expecting value: line 1 column 1 (char 0)"),
    ('{"done": 0}\n', "line 1: done after 0 of 1 results"),
    ('{"i": 0, "value": 1}\n{"done": 1}\n\n\n\n', "line 3: Expecting value: line 1 column 1 (char 0)"),
])
def test_departures_from_the_protocol_are_reported_not_raised(text: str, problem: str) -> None:
    report = read_results(text, 1)
    assert report.protocol_error == problem
