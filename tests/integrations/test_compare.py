"""Which tests a candidate fixed and broke (pure logic)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archon_code.integrations.suggest import compare_runs
from archon_code.integrations.testrun import SuiteRun, TestOutcome

_IDS = ["t.py::a", "t.py::b", "t.py::c", "t.py::d", "tests/test_x.py"]
_OUTCOMES = st.dictionaries(st.sampled_from(_IDS), st.sampled_from(["passed", "failed", "error", "skipped"]))


def _run(outcomes: dict[str, str]) -> SuiteRun:
    failing = any(o in ("failed", "error") for o in outcomes.values())
    return SuiteRun(
        command="pytest",
        exit_code=1 if failing else 0,
        outcomes=tuple(TestOutcome(id=i, outcome=o) for i, o in outcomes.items()),
    )


def test_fixed_broken_and_new_failures():
    before = _run({"t.py::a": "failed", "t.py::b": "passed", "t.py::c": "passed", "tests/test_x.py": "error"})
    after = _run({"t.py::a": "passed", "t.py::b": "failed", "t.py::d": "error"})
    assert compare_runs(before, after) == (["t.py::a"], ["t.py::b", "t.py::c", "t.py::d"])


def test_a_collection_error_that_disappears_on_a_clean_run_is_fixed():
    before = _run({"tests/test_x.py": "error"})
    assert compare_runs(before, _run({"tests/test_x.py::test_1": "passed"})) == (["tests/test_x.py"], [])


@given(_OUTCOMES, _OUTCOMES)
def test_invariants(before_map, after_map):
    before, after = _run(before_map), _run(after_map)
    fixed, broken = compare_runs(before, after)
    assert set(fixed) <= set(before.failing_ids)
    assert set(fixed).isdisjoint(after.failing_ids)
    for test in before.passing_ids:
        assert (after_map.get(test) == "passed") == (test not in broken)
    for test in after.failing_ids:
        assert test in broken or test in before.failing_ids
